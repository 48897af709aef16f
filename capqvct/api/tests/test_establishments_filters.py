"""Searching the directory through the API: filters, pages, and a query count that does not grow."""

import pytest

from capqvct.api.tests.conftest import bearer, token_of
from capqvct.territory.models import Commune
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/etablissements"


@pytest.fixture
def montpellier(herault):
    return Commune.objects.get(code="34172")


@pytest.fixture
def secret(observer):
    return token_of(observer)


def finess_of(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["finess_et"] for item in response.json()["items"]]


def test_list_gives_the_documented_fields(client, secret, montpellier):
    EstablishmentFactory(
        finess_et="340000001",
        finess_ej="340000002",
        name="EHPAD Les Oliviers",
        departement=montpellier.departement,
        commune=montpellier,
        postal_code="34000",
        city_label="MONTPELLIER",
        siret="12345678900011",
    )

    item = client.get(URL, headers=bearer(secret)).json()["items"][0]

    assert item == {
        "finess_et": "340000001",
        "finess_ej": "340000002",
        "name": "EHPAD Les Oliviers",
        "category_code": "500",
        "category_label": "Etablissement d’hébergement pour personnes âgées dépendantes",
        "departement": {"code": "34", "name": "Hérault"},
        "commune": {"code": "34172", "name": "Montpellier"},
        "postal_code": "34000",
        "city_label": "MONTPELLIER",
        "siret": "12345678900011",
    }


def test_establishment_without_commune_has_a_null_commune(client, secret, herault):
    EstablishmentFactory(departement=herault)

    assert client.get(URL, headers=bearer(secret)).json()["items"][0]["commune"] is None


def test_filter_by_text_departement_and_category(client, secret, herault, rhone):
    oliviers = EstablishmentFactory(departement=herault, name="EHPAD Les Oliviers")
    EstablishmentFactory(departement=herault, name="EHPAD Les Tilleuls")
    lyon = EstablishmentFactory(departement=rhone, name="Foyer de vie Les Oliviers", category_code="382")

    assert finess_of(client.get(URL, {"q": "oliviers"}, headers=bearer(secret))) == [
        oliviers.finess_et,
        lyon.finess_et,
    ]
    assert finess_of(client.get(URL, {"q": "oliviers", "departement": "34"}, headers=bearer(secret))) == [
        oliviers.finess_et
    ]
    assert finess_of(client.get(URL, {"categorie": "382"}, headers=bearer(secret))) == [lyon.finess_et]
    assert finess_of(client.get(URL, {"q": lyon.finess_et}, headers=bearer(secret))) == [lyon.finess_et]


def test_pages_of_fifty_by_default_and_a_chosen_size(client, secret, herault):
    EstablishmentFactory.create_batch(55, departement=herault)

    first = client.get(URL, headers=bearer(secret)).json()
    second = client.get(URL, {"page": 2}, headers=bearer(secret)).json()
    small = client.get(URL, {"page_size": 10, "page": 3}, headers=bearer(secret)).json()

    assert (first["count"], len(first["items"])) == (55, 50)
    assert (second["count"], len(second["items"])) == (55, 5)
    assert len(small["items"]) == 10
    assert small["items"][0]["finess_et"] == first["items"][20]["finess_et"]


@pytest.mark.parametrize("params", [{"page_size": 201}, {"page": 0}, {"page": "deux"}, {"q": "a\x00b"}])
def test_invalid_parameters_are_refused_with_422(client, secret, params):
    response = client.get(URL, params, headers=bearer(secret))

    assert response.status_code == 422
    assert response.json()["detail"].startswith("Paramètres invalides")
    assert response.json()["errors"]


def test_page_beyond_the_last_is_empty(client, secret, herault):
    EstablishmentFactory(departement=herault)

    response = client.get(URL, {"page": 3}, headers=bearer(secret)).json()

    assert response == {"items": [], "count": 1}


@pytest.mark.parametrize("rows", [1, 40])
def test_query_count_does_not_grow_with_rows(client, django_assert_num_queries, agent, rows):
    # Rows spread over the départements and communes of the region: a missing select_related would show.
    for commune in Commune.objects.filter(departement__region_id="76").order_by("code")[: rows * 50 : 50]:
        EstablishmentFactory(departement_id=commune.departement_id, commune=commune)
    secret = token_of(agent)

    # token, last use, roles, agent regions, count, page
    with django_assert_num_queries(6):
        response = client.get(URL, headers=bearer(secret))

    assert len(response.json()["items"]) == rows


@pytest.mark.parametrize("rows", [1, 40])
def test_detail_query_count(client, django_assert_num_queries, agent, herault, rows):
    establishments = EstablishmentFactory.create_batch(rows, departement=herault)
    secret = token_of(agent)

    with django_assert_num_queries(5):
        response = client.get(f"{URL}/{establishments[-1].finess_et}", headers=bearer(secret))

    assert response.status_code == 200
