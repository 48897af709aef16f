"""Importing the FINESS extraction: what lands in the directory, and importing again."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capqvct.establishments.finess import import_finess
from capqvct.establishments.models import Establishment
from capqvct.establishments.tests.fixtures import (
    EXTRACT_CP1252,
    create_territory,
    establishment_line,
    extract,
    finess,
    geolocation_line,
)
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

KEPT = {"340001015", "340001023", "2A0002010", "970403010", "340001072", "750004012"}


@pytest.fixture(autouse=True)
def territory():
    create_territory()


def test_the_sample_extraction_imports_its_social_and_medico_social_establishments():
    report = import_finess(EXTRACT_CP1252)

    assert (report.created, report.updated, report.unchanged, report.ignored) == (6, 0, 0, 2)
    assert report.rejected == []
    assert report.warnings == []
    assert set(Establishment.objects.values_list("finess_et", flat=True)) == KEPT


def test_the_report_names_the_extraction_date_and_encoding():
    report = import_finess(EXTRACT_CP1252)

    assert report.extracted_on == date(2026, 1, 12)
    assert report.encoding == "windows-1252"


def test_an_establishment_carries_the_register_fields():
    import_finess(EXTRACT_CP1252)

    ehpad = Establishment.objects.get(finess_et="340001015")
    assert ehpad.finess_ej == "340500016"
    assert ehpad.name == "EHPAD LES GLYCINES"
    assert ehpad.long_name == "ÉTABLISSEMENT D'HÉBERGEMENT LES GLYCINES"
    assert ehpad.address == "12 RUE DES ÉCOLES"
    assert (ehpad.postal_code, ehpad.city_label) == ("34400", "34400 LUNEL")
    assert (ehpad.commune_id, ehpad.departement_id) == ("34145", "34")
    assert ehpad.siret == "77554821700014"
    assert ehpad.phone == "0467000001"
    assert (ehpad.category_code, ehpad.aggregate_category_code) == ("500", "4401")
    # The register writes « d'hébergement »; the directory stores and shows « d’hébergement ».
    assert ehpad.category_label == "Etablissement d’hébergement pour personnes âgées dépendantes"
    assert (ehpad.opened_on, ehpad.finess_updated_on) == (date(1988, 5, 2), date(2024, 4, 22))
    assert (ehpad.x, ehpad.y) == (784213.4, 6288902.1)
    assert ehpad.geo_source == "1;ATLASANTE;100;IGN;BD_ADRESSE;V2.1;LAMBERT_93"


def test_a_repetition_index_is_spelled_out_in_the_address():
    import_finess(EXTRACT_CP1252)

    assert Establishment.objects.get(finess_et="340001023").address == "3 BIS AVENUE DE LA GARE"


def test_corsica_and_overseas_departements_are_read_from_the_register_codes():
    import_finess(EXTRACT_CP1252)

    ime = Establishment.objects.get(finess_et="2A0002010")
    esat = Establishment.objects.get(finess_et="970403010")
    assert (ime.departement_id, ime.commune_id) == ("2A", "2A004")
    assert (esat.departement_id, esat.commune_id) == ("974", "97411")
    assert esat.address == "BP 12"


def test_an_establishment_of_a_paris_arrondissement_belongs_to_the_commune_of_paris():
    import_finess(EXTRACT_CP1252)

    assert Establishment.objects.get(finess_et="750004012").commune_id == "75056"


def test_an_establishment_without_geolocation_is_imported_without_position():
    import_finess(EXTRACT_CP1252)

    mas = Establishment.objects.get(finess_et="340001072")
    assert (mas.x, mas.y, mas.geo_source) == (None, None, "")


def test_a_commune_missing_from_the_territory_leaves_the_commune_empty():
    report = import_finess(io.BytesIO(extract(establishment_line(commune="999"))))

    assert report.created == 1
    assert Establishment.objects.get().commune_id is None


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    import_finess(EXTRACT_CP1252)
    before = list(Establishment.objects.order_by("finess_et").values())

    report = import_finess(EXTRACT_CP1252)

    assert (report.created, report.updated, report.unchanged, report.ignored) == (0, 0, 6, 2)
    assert list(Establishment.objects.order_by("finess_et").values()) == before


def test_a_renamed_establishment_is_updated():
    import_finess(io.BytesIO(extract(establishment_line(rs="EHPAD LES TILLEULS"))))
    first_update = Establishment.objects.get().updated_at

    report = import_finess(io.BytesIO(extract(establishment_line(rs="EHPAD LES TILLEULS ET LES CHÊNES"))))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    establishment = Establishment.objects.get()
    assert establishment.name == "EHPAD LES TILLEULS ET LES CHÊNES"
    assert establishment.updated_at > first_update


def test_a_moved_establishment_gets_its_new_position():
    number = finess("34009001")
    import_finess(io.BytesIO(extract(establishment_line(), geolocation_line(number, "1.5", "2.5"))))

    report = import_finess(io.BytesIO(extract(establishment_line(), geolocation_line(number, "3.5", "4.5"))))

    assert report.updated == 1
    assert Establishment.objects.values_list("x", "y").get() == (3.5, 4.5)


def test_an_update_keeps_what_the_platform_added_to_the_establishment():
    import_finess(io.BytesIO(extract(establishment_line())))
    space = OrganisationFactory(establishment_space=True)
    Establishment.objects.update(email="direction@ehpad-tilleuls.example", organisation=space)

    import_finess(io.BytesIO(extract(establishment_line(rs="EHPAD LES TILLEULS (NOUVEAU NOM)"))))

    establishment = Establishment.objects.get()
    assert (establishment.email, establishment.organisation) == ("direction@ehpad-tilleuls.example", space)


def test_an_establishment_absent_from_a_later_extraction_stays_in_the_directory():
    import_finess(EXTRACT_CP1252)

    report = import_finess(io.BytesIO(extract(establishment_line())))

    assert report.created == 1
    assert Establishment.objects.count() == 7


def test_the_same_extraction_in_utf8_gives_the_same_directory():
    utf8 = EXTRACT_CP1252.read_bytes().decode("cp1252").encode("utf-8")
    import_finess(EXTRACT_CP1252)
    from_cp1252 = list(
        Establishment.objects.order_by("finess_et").values_list("finess_et", "long_name", "address")
    )
    Establishment.objects.all().delete()

    report = import_finess(io.BytesIO(utf8))

    assert report.encoding == "utf-8"
    assert report.created == 6
    assert list(
        Establishment.objects.order_by("finess_et").values_list("finess_et", "long_name", "address")
    ) == (from_cp1252)


def test_a_text_stream_is_accepted_as_well_as_a_path_or_bytes():
    text = EXTRACT_CP1252.read_bytes().decode("cp1252")

    report = import_finess(io.StringIO(text))

    assert report.created == 6


def test_a_utf8_byte_order_mark_is_not_part_of_the_header():
    report = import_finess(io.BytesIO(b"\xef\xbb\xbf" + extract(establishment_line())))

    assert report.created == 1


def test_the_import_reports_its_progress_line_by_line_then_row_by_row():
    calls = []

    import_finess(EXTRACT_CP1252, progress=lambda phase, done, total: calls.append((phase, done, total)))

    assert calls[0][0] == "lecture"
    assert calls[-1] == ("enregistrement", 6, 6)


def test_the_import_issues_as_many_queries_for_forty_lines_as_for_one():
    def queries_to_import(count: int) -> int:
        Establishment.objects.all().delete()
        lines = [establishment_line(nofinesset=finess(f"3400{n:04d}")) for n in range(1, count + 1)]
        with CaptureQueriesContext(connection) as queries:
            import_finess(io.BytesIO(extract(*lines)))
        return len(queries)

    assert queries_to_import(40) == queries_to_import(1)
