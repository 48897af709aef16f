"""Finding one's establishment to claim it: by FINESS number, by words of its name, by commune."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capqvct.establishments.selectors import search_establishments_to_claim
from capqvct.territory.models import Commune
from tests.factories import EstablishmentFactory, UserFactory, departement

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    herault, gard = departement("34", "Hérault"), departement("30", "Gard", "76")
    montpellier, beziers = Commune.objects.get(code="34172"), Commune.objects.get(code="34032")
    return {
        "cigales": EstablishmentFactory(
            name="EHPAD LES CIGALES",
            finess_et="349999991",
            finess_ej="349999983",
            departement=herault,
            commune=montpellier,
            postal_code="34000",
            city_label="34000 MONTPELLIER",
        ),
        "cigales_nimes": EstablishmentFactory(
            name="EHPAD Les Cigales", departement=gard, postal_code="30000"
        ),
        "pic": EstablishmentFactory(
            name="SSIAD du Pic Saint-Loup",
            departement=herault,
            commune=beziers,
            postal_code="34500",
            city_label="34500 BEZIERS",
        ),
    }


def _names(query: str, **filters) -> list[str]:
    return [e.name for e in search_establishments_to_claim(query=query, **filters)]


def test_a_finess_number_finds_the_establishment_and_a_legal_entity_number_its_establishments(directory):
    assert _names("349999991") == ["EHPAD LES CIGALES"]
    assert _names(" 349 999 983 ") == ["EHPAD LES CIGALES"]


def test_words_of_the_name_in_any_case_and_order(directory):
    assert sorted(_names("cigales ehpad")) == ["EHPAD LES CIGALES", "EHPAD Les Cigales"]
    assert _names("pic-saint-loup") == ["SSIAD du Pic Saint-Loup"]


def test_a_word_of_the_name_and_the_commune_narrow_to_one(directory):
    assert _names("cigales montpellier") == ["EHPAD LES CIGALES"]
    # The commune as the directory knows it (with its accent) or as FINESS routes mail (without).
    assert _names("Béziers") == ["SSIAD du Pic Saint-Loup"]
    assert _names("beziers ssiad") == ["SSIAD du Pic Saint-Loup"]


def test_a_postal_code_and_a_departement(directory):
    assert _names("34500") == ["SSIAD du Pic Saint-Loup"]
    assert _names("cigales", departement="30") == ["EHPAD Les Cigales"]


def test_nothing_for_words_too_short_to_mean_anything(directory):
    assert _names("a b") == []


def test_the_page_paginates_keeps_the_call_and_reads_a_constant_number_of_queries(client, directory):
    client.force_login(UserFactory())
    herault = departement("34")
    EstablishmentFactory.create_batch(3, name="EHPAD Résidence du Lac", departement=herault)
    with CaptureQueriesContext(connection) as few:
        client.get("/etablissements/rattachement/", {"q": "résidence lac"})
    EstablishmentFactory.create_batch(22, name="EHPAD Résidence du Lac", departement=herault)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/etablissements/rattachement/", {"q": "résidence lac", "next": "/appels/4/"})

    page = response.content.decode()
    assert len(many) == len(few)
    assert "25 établissements" in page and "1 / 3" in page
    assert page.count("Demander à rejoindre") == 10
    assert "?next=/appels/4/" in page  # the claim links keep the call
    assert 'href="?q=r%C3%A9sidence%20lac&amp;next=/appels/4/&amp;page=2"' in page


def test_a_query_too_short_is_refused_at_the_field_and_kept(client):
    client.force_login(UserFactory())
    response = client.get("/etablissements/rattachement/", {"q": "ab"})
    assert response.context["form"].errors["q"] == ["Saisissez au moins 3\u00a0caractères."]
    assert 'value="ab"' in response.content.decode()


@pytest.mark.postgres_only
def test_on_postgresql_trigram_indexes_serve_each_word(directory):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    query = search_establishments_to_claim(query="cigales beziers").order_by()
    with connection.cursor() as cursor:
        # A handful of rows: the planner would rather scan; forbid the scans to see the indexes serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "establishment_name_trgm" in plan and "establishment_city_label_trgm" in plan
