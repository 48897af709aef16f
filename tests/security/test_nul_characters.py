"""A NUL character (which PostgreSQL refuses in text) is taken out of what was posted or asked for,
the user is told, and the rest of what they typed is kept; the API refuses it with a 422."""

import pytest

from capqvct.accounts.models import Role
from capqvct.core.middleware import NUL_REMOVED
from tests.factories import MembershipFactory, OrganisationFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def ars():
    return OrganisationFactory(region=region("76", "Occitanie"), name="ARS Occitanie")


@pytest.fixture
def manager(ars):
    return MembershipFactory(organisation=ars, role=Role.PROGRAMME_MANAGER).user


def test_a_posted_nul_is_removed_the_rest_kept_and_the_user_told(ars, manager, verified_client):
    client = verified_client(manager)

    response = client.post(
        f"/compte/organisations/{ars.pk}/en-tete/",
        {
            "postal_address": "1 rue\x00 de l’Exemple",
            "signatory_name": "Jeanne\x00 Exemple",
            "signatory_title": "",
        },
        follow=True,
    )

    ars.refresh_from_db()
    assert (ars.postal_address, ars.signatory_name) == ("1 rue de l’Exemple", "Jeanne Exemple")
    assert (
        NUL_REMOVED.replace("’", "&#x27;") in response.content.decode()
        or NUL_REMOVED in response.content.decode()
    )


def test_a_nul_in_a_search_is_ignored(manager, verified_client):
    response = verified_client(manager).get("/etablissements/?q=EHPAD%00&departement=%00")

    assert response.status_code == 200


def test_the_api_refuses_a_nul_in_its_parameters(client):
    response = client.get("/api/v1/appels", {"region": "7\x006"})

    assert response.status_code == 422
