import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capqvct.accounts.models import Role
from capqvct.establishments.selectors import search_directory
from tests.factories import EstablishmentFactory, MembershipFactory, departement, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user


def test_search_finds_by_name_finess_and_postal_code_within_the_agents_region(agent):
    herault, rhone = departement("34"), departement("69", "Rhône", "84")
    glycines = EstablishmentFactory(name="EHPAD Les Glycines", departement=herault, postal_code="34000")
    EstablishmentFactory(name="EHPAD Les Glycines du Rhône", departement=rhone)

    assert list(search_directory(agent, query="glycines")) == [glycines]
    assert list(search_directory(agent, query=glycines.finess_et)) == [glycines]
    assert list(search_directory(agent, query="34000")) == [glycines]


def test_as_you_type_returns_only_the_results_fragment(agent, verified_client):
    EstablishmentFactory(name="SSIAD du Pic Saint-Loup", departement=departement("34"))
    client = verified_client(agent)

    fragment = client.get("/etablissements/?q=pic", headers={"HX-Request": "true"})
    page = client.get("/etablissements/?q=pic")

    assert "SSIAD du Pic Saint-Loup" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert fragment.content.decode().strip() in page.content.decode()


def test_the_directory_page_runs_the_same_number_of_queries_for_3_or_30_results(agent, verified_client):
    client = verified_client(agent)
    herault = departement("34")
    EstablishmentFactory.create_batch(3, departement=herault)
    with CaptureQueriesContext(connection) as few:
        client.get("/etablissements/")
    EstablishmentFactory.create_batch(27, departement=herault)
    with CaptureQueriesContext(connection) as many:
        client.get("/etablissements/")
    assert len(many) == len(few)


def test_an_establishment_of_another_region_is_not_found(agent, verified_client):
    elsewhere = EstablishmentFactory(departement=departement("69", "Rhône", "84"))
    response = verified_client(agent).get(f"/etablissements/{elsewhere.finess_et}/")
    assert response.status_code == 404
