import pytest

from capqvct.accounts.models import Role
from capqvct.api.services import create_api_token
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, departement, region


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def token_of(user) -> str:
    return create_api_token(user=user, name="Script de test")[1]


@pytest.fixture
def occitanie():
    return region("76", "Occitanie")


@pytest.fixture
def herault(occitanie):
    return departement("34", "Hérault", "76")


@pytest.fixture
def rhone():
    region("84", "Auvergne-Rhône-Alpes")
    return departement("69", "Rhône", "84")


@pytest.fixture
def agent(occitanie):
    """A programme manager at the ARS of Occitanie."""
    return MembershipFactory(
        organisation=OrganisationFactory(region=occitanie), role=Role.PROGRAMME_MANAGER
    ).user


@pytest.fixture
def observer():
    return MembershipFactory(organisation=OrganisationFactory(national=True), role=Role.OBSERVER).user


@pytest.fixture
def nobody():
    """Signed up, but member of no organisation: sees no establishment."""
    return UserFactory()
