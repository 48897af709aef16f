"""Reference data through the API (loaded by the territory migration): public, filtered, paginated."""

import pytest

pytestmark = pytest.mark.django_db


def test_regions_are_public(client):
    response = client.get("/api/v1/territoire/regions")

    assert response.status_code == 200
    assert len(response.json()) == 18
    assert {"code": "76", "name": "Occitanie"} in response.json()


def test_departements_of_a_region(client):
    occitanie = client.get("/api/v1/territoire/departements", {"region": "76"}).json()

    assert [d["code"] for d in occitanie] == [
        "09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"
    ]  # fmt: skip
    assert {"code": "34", "name": "Hérault", "region_code": "76"} in occitanie
    assert len(client.get("/api/v1/territoire/departements").json()) == 101


def test_unknown_region_has_no_departement(client):
    assert client.get("/api/v1/territoire/departements", {"region": "99"}).json() == []


def test_communes_by_departement_and_name(client):
    by_name = client.get("/api/v1/territoire/communes", {"departement": "34", "q": "montpellier"}).json()
    by_code = client.get("/api/v1/territoire/communes", {"q": "30189"}).json()

    assert by_name["count"] == 2
    assert by_name["items"][0] == {
        "code": "34172",
        "name": "Montpellier",
        "departement_code": "34",
        "postal_codes": ["34000", "34070", "34080", "34090"],
    }
    assert [c["name"] for c in by_code["items"]] == ["Nîmes"]


def test_communes_are_paginated(client):
    first = client.get("/api/v1/territoire/communes", {"departement": "34"}).json()
    last = client.get(
        "/api/v1/territoire/communes", {"departement": "34", "page": 2, "page_size": 200}
    ).json()

    assert first["count"] == last["count"] == 341
    assert len(first["items"]) == 50
    assert len(last["items"]) == 141
