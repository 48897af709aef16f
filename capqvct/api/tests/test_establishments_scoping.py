"""Each caller sees only the establishments its roles open to it."""

import pytest

from capqvct.accounts.models import Role
from capqvct.api.tests.conftest import bearer, token_of
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_herault(herault):
    return EstablishmentFactory(departement=herault, name="EHPAD de Montpellier")


@pytest.fixture
def in_rhone(rhone):
    return EstablishmentFactory(departement=rhone, finess_et="690000001", name="EHPAD de Lyon")


def listed(client, user) -> set[str]:
    response = client.get("/api/v1/etablissements", headers=bearer(token_of(user)))
    assert response.status_code == 200
    return {item["finess_et"] for item in response.json()["items"]}


def test_agent_sees_only_the_establishments_of_their_region(client, agent, in_herault, in_rhone):
    assert listed(client, agent) == {in_herault.finess_et}


def test_agent_gets_404_on_an_establishment_of_another_region(client, agent, in_herault, in_rhone):
    secret = token_of(agent)

    own = client.get(f"/api/v1/etablissements/{in_herault.finess_et}", headers=bearer(secret))
    other = client.get(f"/api/v1/etablissements/{in_rhone.finess_et}", headers=bearer(secret))

    assert own.status_code == 200
    assert own.json()["name"] == "EHPAD de Montpellier"
    assert other.status_code == 404
    assert other.json()["detail"].startswith("Introuvable")


def test_national_observer_sees_every_region(client, observer, in_herault, in_rhone):
    assert listed(client, observer) == {in_herault.finess_et, in_rhone.finess_et}
    secret = token_of(observer)
    assert (
        client.get(f"/api/v1/etablissements/{in_rhone.finess_et}", headers=bearer(secret)).status_code == 200
    )


def test_establishment_member_sees_only_their_own(client, in_herault, in_rhone):
    space = OrganisationFactory(establishment_space=True)
    in_rhone.organisation = space
    in_rhone.save()
    director = MembershipFactory(organisation=space, role=Role.DIRECTOR).user

    assert listed(client, director) == {in_rhone.finess_et}


def test_user_without_role_sees_nothing(client, nobody, in_herault, in_rhone):
    assert listed(client, nobody) == set()
    secret = token_of(nobody)
    assert (
        client.get(f"/api/v1/etablissements/{in_herault.finess_et}", headers=bearer(secret)).status_code
        == 404
    )


def test_unknown_establishment_is_404(client, observer):
    response = client.get("/api/v1/etablissements/349999999", headers=bearer(token_of(observer)))

    assert response.status_code == 404
