from zoneinfo import ZoneInfo

import pytest

from capqvct.territory.models import Commune, Departement, Region

pytestmark = pytest.mark.django_db


def test_all_eighteen_regions_are_loaded():
    assert Region.objects.count() == 18


def test_all_hundred_and_one_departements_are_loaded():
    assert Departement.objects.count() == 101


def test_overseas_collectivities_outside_any_region_are_left_out():
    assert not Departement.objects.filter(code__in=["975", "977", "978", "984", "986", "987", "988"]).exists()


def test_corse_has_its_two_departements():
    corse = Region.objects.get(name="Corse")

    assert sorted(corse.departements.values_list("code", flat=True)) == ["2A", "2B"]


@pytest.mark.parametrize(
    ("region_code", "name", "time_zone"),
    [
        ("01", "Guadeloupe", "America/Guadeloupe"),
        ("02", "Martinique", "America/Martinique"),
        ("03", "Guyane", "America/Cayenne"),
        ("04", "La Réunion", "Indian/Reunion"),
        ("06", "Mayotte", "Indian/Mayotte"),
        ("94", "Corse", "Europe/Paris"),
        ("11", "Île-de-France", "Europe/Paris"),
    ],
)
def test_each_region_carries_its_time_zone(region_code, name, time_zone):
    region = Region.objects.get(code=region_code)

    assert (region.name, region.time_zone) == (name, time_zone)
    assert region.zone == ZoneInfo(time_zone)


def test_every_mainland_region_is_on_paris_time():
    mainland = Region.objects.exclude(code__in=["01", "02", "03", "04", "06"])

    assert set(mainland.values_list("time_zone", flat=True)) == {"Europe/Paris"}
    assert mainland.count() == 13


@pytest.mark.parametrize(
    ("code", "name", "departement", "region", "postal_code"),
    [
        ("34172", "Montpellier", "34", "76", "34000"),
        ("97411", "Saint-Denis", "974", "04", "97400"),
        ("2A004", "Ajaccio", "2A", "94", "20000"),
        ("97611", "Mamoudzou", "976", "06", "97600"),
    ],
)
def test_known_commune_is_in_its_departement(code, name, departement, region, postal_code):
    commune = Commune.objects.select_related("departement").get(code=code)

    assert commune.name == name
    assert commune.departement.code == departement
    assert commune.departement.region_id == region
    assert postal_code in commune.postal_codes


def test_only_current_communes_are_loaded():
    # Municipal arrondissements (Paris 1er, Marseille 1er, Lyon 1er), a commune déléguée (Annecy-le-Vieux,
    # now part of Annecy) and a commune associée (Cordieux) are not counted as communes.
    assert Commune.objects.filter(code__in=["75056", "13055", "69123", "74010"]).count() == 4
    assert not Commune.objects.filter(code__in=["75101", "13201", "69381", "74011", "01120"]).exists()


def test_commune_count_is_plausible():
    assert 34_000 <= Commune.objects.count() <= 36_000


def test_every_departement_has_communes():
    assert not Departement.objects.filter(communes__isnull=True).exists()
