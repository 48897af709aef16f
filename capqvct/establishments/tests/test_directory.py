import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capqvct.accounts.models import Role
from capqvct.establishments import paginator
from capqvct.establishments.selectors import search_directory
from capqvct.territory.models import Commune
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


def test_the_category_filter_offers_the_nomenclature_without_reading_the_establishments(
    agent, verified_client
):
    client = verified_client(agent)
    EstablishmentFactory(departement=departement("34"), category_code="354")

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/etablissements/").content.decode()

    # Every category of the nomenclature, grouped by audience, even those with no establishment yet.
    assert '<option value="354">SSIAD</option>' in page
    assert '<option value="500">EHPAD</option>' in page
    assert "<optgroup" in page
    assert not [query["sql"] for query in queries if "DISTINCT" in query["sql"].upper()]


def test_a_category_of_the_nomenclature_filters_the_directory(agent, verified_client):
    herault = departement("34")
    EstablishmentFactory(name="SSIAD du Lunellois", departement=herault, category_code="354")
    EstablishmentFactory(name="EHPAD Les Glycines", departement=herault, category_code="500")

    page = verified_client(agent).get("/etablissements/?category=354").content.decode()

    assert "SSIAD du Lunellois" in page and "EHPAD Les Glycines" not in page
    assert "1 établissement" in page


def test_a_commune_name_finds_its_establishments(agent):
    herault = departement("34")
    lunel = Commune.objects.get(code="34145")
    in_lunel = EstablishmentFactory(
        name="Foyer du Vidourle", departement=herault, commune=lunel, city_label=""
    )
    EstablishmentFactory(
        name="Foyer du Lez", departement=herault, commune=None, city_label="34000 MONTPELLIER"
    )

    assert list(search_directory(agent, query="lun")) == [in_lunel]
    beziers = Commune.objects.get(code="34032")
    in_beziers = EstablishmentFactory(
        name="Foyer de l’Orb", departement=herault, commune=beziers, city_label=""
    )
    assert list(search_directory(agent, query="beziers")) == [in_beziers]  # Béziers, without its accent


def test_beyond_the_cap_the_count_says_more_than_and_pages_stop_at_the_cap(
    agent, verified_client, monkeypatch
):
    monkeypatch.setattr(paginator, "RESULTS_COUNTED_UP_TO", 4)
    herault = departement("34")
    EstablishmentFactory.create_batch(
        6, departement=herault, name=factory.Sequence(lambda n: f"EHPAD {n:02d}")
    )
    client = verified_client(agent)

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/etablissements/?q=ehpad").content.decode()

    assert "Plus de 4 établissements&nbsp;: les 4 premiers sont listés" in page
    counts = [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 5" in counts[0]
    EstablishmentFactory.create_batch(2, departement=herault, name="Foyer")
    assert "2 établissements" in client.get("/etablissements/?q=foyer").content.decode()
