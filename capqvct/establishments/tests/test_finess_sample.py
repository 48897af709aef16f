"""The invented extraction used by the demo and the benchmarks imports cleanly."""

import io

import pytest

from capqvct.establishments.finess import import_finess
from capqvct.establishments.finess_numbers import is_valid_finess
from capqvct.establishments.finess_sample import write_sample_finess
from capqvct.establishments.models import Establishment
from capqvct.establishments.tests.fixtures import create_territory
from capqvct.territory.models import Commune

pytestmark = pytest.mark.django_db

DEPARTEMENTS = ["34", "2A", "974", "75"]


@pytest.fixture(autouse=True)
def territory():
    create_territory()


def test_the_sample_imports_every_establishment_it_invents(tmp_path):
    path = tmp_path / "finess.csv"
    kept = write_sample_finess(path, departements=DEPARTEMENTS, count=300, out_of_scope=20)

    report = import_finess(path)

    assert (report.created, report.ignored, report.rejected, report.warnings) == (300, 20, [], [])
    assert report.encoding == "windows-1252"
    assert set(Establishment.objects.values_list("finess_et", flat=True)) == set(kept)


def test_the_sample_uses_real_communes_of_its_departements(tmp_path):
    path = tmp_path / "finess.csv"
    write_sample_finess(path, departements=["34"], count=50)

    import_finess(path)

    assert Establishment.objects.count() == Establishment.objects.filter(commune__departement_id="34").count()


def test_the_sample_is_the_same_for_the_same_seed():
    first, second, other = io.BytesIO(), io.BytesIO(), io.BytesIO()
    write_sample_finess(first, departements=DEPARTEMENTS, count=50, seed=7)
    write_sample_finess(second, departements=DEPARTEMENTS, count=50, seed=7)
    write_sample_finess(other, departements=DEPARTEMENTS, count=50, seed=8)

    assert first.getvalue() == second.getvalue() != other.getvalue()


def test_the_sample_numbers_are_valid_and_mostly_geolocated(tmp_path):
    path = tmp_path / "finess.csv"
    kept = write_sample_finess(path, departements=DEPARTEMENTS, count=200, encoding="utf-8")

    import_finess(path)

    assert all(is_valid_finess(number) for number in kept)
    assert Establishment.objects.filter(x__isnull=False).count() > 150
    assert Establishment.objects.exclude(siret="").count() > 150


def test_the_sample_can_be_written_to_a_text_stream():
    stream = io.StringIO()

    write_sample_finess(stream, departements=["34"], count=3)

    assert stream.getvalue().startswith("finess;etalab;")


def test_without_communes_in_the_territory_the_sample_invents_its_towns(tmp_path):
    Commune.objects.filter(departement_id="2A").delete()
    path = tmp_path / "finess.csv"
    write_sample_finess(path, departements=["2A"], count=20)

    report = import_finess(path)

    assert report.created == 20
    assert not Establishment.objects.filter(commune__isnull=False).exists()
