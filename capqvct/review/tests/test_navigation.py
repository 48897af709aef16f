import pytest

from capqvct.accounts.models import Role
from tests.factories import MembershipFactory, UserFactory, region

pytestmark = pytest.mark.django_db


def test_reviewers_find_their_dossiers_in_the_menu_and_others_do_not(verified_client, client):
    reviewer = MembershipFactory(role=Role.REVIEWER, organisation__region=region("76")).user
    page = verified_client(reviewer).get("/compte/tableau-de-bord/").content.decode()
    assert 'href="/instruction/mes-dossiers/"' in page

    client.force_login(UserFactory())
    assert "/instruction/mes-dossiers/" not in client.get("/compte/tableau-de-bord/").content.decode()
