"""Every HTML page of the permission table, seen by the roles that reach it, passes axe-core."""

import pytest

from tests.browser.conftest import role_cookies
from tests.permissions.test_url_permission_table import TABLE, complete_world
from tests.permissions.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)

JSON_OR_ADMIN = ("api:", "admin:")
# Files sent as downloads: a browser saves them instead of showing a page.
DOWNLOADS = (
    "applications:attachment",
    "cohorts:attendance_scan",
    "cohorts:calendar_document",
    "cohorts:calendar_feed",
)
# Fragments htmx swaps into a page that is itself checked; alone they are no document.
FRAGMENTS = ("review:decisions_progress", "review:bundle_status")
ROLES_TO_SEE = ("anonymous", "director", "programme_manager", "admin")


@pytest.mark.parametrize("role", ROLES_TO_SEE)
def test_every_page_a_role_reaches_has_no_accessibility_violation(role, browser, live_server, look):
    world = complete_world(build_world())
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.add_cookies(role_cookies(world, role, live_server.url))
    page = context.new_page()
    seen = []
    for name, (build_path, expected) in sorted(TABLE.items()):
        if name.startswith(JSON_OR_ADMIN) or name in DOWNLOADS + FRAGMENTS or expected[role] != 200:
            continue
        response = page.goto(build_path(world))
        assert response.status == 200, name
        if not response.headers["content-type"].startswith("text/html"):
            continue  # a PDF: checked by its own tests
        look(page, f"{role}--{name.replace(':', '-')}")
        seen.append(name)
    context.close()
    assert len(seen) >= 8
