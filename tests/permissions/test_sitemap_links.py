"""Every link the site map gives a reader opens for them: the map and the permission table agree."""

import re

import pytest

from tests.permissions.test_url_permission_table import (  # noqa: F401 (the table's world and its fixtures)
    _client_for,
    case_in_savepoint,
    module_media_root,
    private_media_root,
    sessions,
    world,
)
from tests.permissions.world import EXTRA_ROLES, ROLES

pytestmark = pytest.mark.sweep


@pytest.mark.parametrize("role", (*ROLES, *EXTRA_ROLES))
def test_every_link_of_the_site_map_opens_for_its_reader(role, world, sessions):  # noqa: F811 (a fixture)
    client = _client_for(role, sessions)
    html = client.get("/plan-du-site/").content.decode()
    content = html[html.index('<main id="contenu"') : html.index("</main>")]
    links = re.findall(r'<li><a href="([^"]+)">', content)

    assert len(links) >= 12
    assert {url: client.get(url).status_code for url in links} == {url: 200 for url in links}
