"""A line the import cannot trust is rejected with its number and a reason; the others go in."""

import io

import pytest

from capqvct.establishments.finess import import_finess
from capqvct.establishments.models import Establishment
from capqvct.establishments.tests.fixtures import (
    HEADER,
    create_territory,
    establishment_line,
    extract,
    finess,
    geolocation_line,
)

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
GOOD = finess("34009001")


@pytest.fixture(autouse=True)
def territory():
    create_territory()


def import_lines(*lines: str, encoding: str = "utf-8"):
    """Import the header, a valid EHPAD on line 2, then the lines given from line 3 on."""
    return import_finess(io.BytesIO(extract(establishment_line(), *lines, encoding=encoding)))


def guillemets(value: str) -> str:
    return f"«{NBSP}{value}{NBSP}»"


def test_a_line_with_a_wrong_number_of_fields_is_rejected():
    line = establishment_line(nofinesset=finess("34009002")).removesuffix(";")

    report = import_lines(line)

    assert report.rejected == [(3, f"nombre de champs incorrect{NBSP}: 31 au lieu de 32")]
    assert report.created == 1


def test_an_invalid_finess_number_is_rejected():
    report = import_lines(establishment_line(nofinesset="12345"))

    assert report.rejected == [(3, f"numéro FINESS invalide {guillemets('12345')}")]


def test_a_finess_number_with_a_wrong_key_is_rejected():
    wrong_key = GOOD[:8] + str((int(GOOD[8]) + 1) % 10)

    report = import_lines(establishment_line(nofinesset=wrong_key))

    assert report.rejected == [(3, f"numéro FINESS invalide {guillemets(wrong_key)}")]


def test_a_legal_entity_with_an_invalid_finess_number_is_rejected():
    report = import_lines(establishment_line(nofinesset=finess("34009002"), nofinessej="34ABC"))

    assert report.rejected == [(3, f"numéro FINESS d’entité juridique invalide {guillemets('34ABC')}")]


def test_an_unknown_departement_is_rejected():
    report = import_lines(establishment_line(nofinesset=finess("34009002"), departement="9J"))

    assert report.rejected == [(3, f"département inconnu {guillemets('9J')}")]


def test_the_second_occurrence_of_an_establishment_is_rejected():
    report = import_lines(establishment_line(rs="EHPAD LES TILLEULS BIS"))

    assert report.rejected == [
        (3, f"établissement en double{NBSP}: le numéro FINESS {guillemets(GOOD)} figure déjà ligne 2")
    ]
    assert Establishment.objects.get().name == "EHPAD LES TILLEULS"


def test_a_line_with_bytes_of_no_known_encoding_is_rejected():
    bad = (
        establishment_line(nofinesset=finess("34009002"))
        .encode("cp1252")
        .replace(b"TILLEULS", b"TILL\x81ULS")
    )
    data = b"\n".join([HEADER.encode(), establishment_line().encode("cp1252"), bad, b""])

    report = import_finess(io.BytesIO(data))

    assert report.rejected == [(3, f"caractères illisibles{NBSP}: ni UTF-8 ni Windows-1252")]
    assert report.created == 1


def test_a_line_holding_a_nul_character_is_rejected():
    report = import_lines(establishment_line(nofinesset=finess("34009002"), rs="EHPAD\x00"))

    assert report.rejected == [(3, "caractère nul dans la ligne")]


def test_an_empty_name_is_rejected():
    report = import_lines(establishment_line(nofinesset=finess("34009002"), rs=""))

    assert report.rejected == [(3, "raison sociale vide")]


def test_a_field_longer_than_the_directory_keeps_is_rejected():
    report = import_lines(establishment_line(nofinesset=finess("34009002"), rs="A" * 300))

    assert report.rejected == [
        (3, f"champ {guillemets('raison sociale')} trop long{NBSP}: 300 caractères pour 255 au plus")
    ]


def test_an_unknown_kind_of_line_is_rejected():
    report = import_lines("structureej;340500016;GESTIONNAIRE")

    assert report.rejected == [(3, f"type de ligne inconnu {guillemets('structureej')}")]


def test_a_geolocation_line_with_too_few_fields_is_rejected():
    report = import_lines(f"geolocalisation;{GOOD};784213.4")

    assert report.rejected == [
        (3, f"ligne de géolocalisation incomplète{NBSP}: 3 champs au lieu de 6 au moins")
    ]
    assert Establishment.objects.get().x is None


def test_unreadable_coordinates_leave_the_establishment_without_position_and_warn():
    report = import_lines(geolocation_line(GOOD, x="NaN", y="6288902,1"))

    assert report.rejected == []
    assert report.warnings == [
        (
            3,
            f"coordonnées illisibles {guillemets('NaN')}, {guillemets('6288902,1')}{NBSP}: "
            "établissement sans position",
        )
    ]
    assert Establishment.objects.values_list("x", "y").get() == (None, None)


def test_an_invalid_siret_is_left_out_with_a_warning():
    report = import_finess(io.BytesIO(extract(establishment_line(siret="12345678901234"))))

    assert report.created == 1
    assert report.warnings == [
        (2, f"SIRET invalide {guillemets('12345678901234')}{NBSP}: établissement importé sans SIRET")
    ]
    assert Establishment.objects.get().siret == ""


def test_an_unreadable_opening_date_is_left_empty_with_a_warning():
    report = import_finess(io.BytesIO(extract(establishment_line(dateouv="2023-13-45"))))

    assert report.warnings == [
        (2, f"date d’ouverture illisible {guillemets('2023-13-45')}{NBSP}: laissée vide")
    ]
    assert Establishment.objects.get().opened_on is None


def test_a_date_as_a_spreadsheet_saves_it_is_read():
    import_finess(io.BytesIO(extract(establishment_line(dateouv="02/05/1988"))))

    assert str(Establishment.objects.get().opened_on) == "1988-05-02"


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+33 1 23", "-2+3", "@SUM(A1:A9)", '=HYPERLINK("x")'])
def test_text_that_looks_like_a_formula_is_stored_as_typed(text):
    report = import_finess(io.BytesIO(extract(establishment_line(rs=text, rslongue=text, voie=text))))

    assert report.rejected == []
    establishment = Establishment.objects.get()
    assert (establishment.name, establishment.long_name) == (text, text)
    assert establishment.address.endswith(text)


def test_a_quoted_field_keeps_its_semicolons_and_quotes():
    report = import_finess(io.BytesIO(extract(establishment_line(rs='"LIEU DE VIE ""LA SOURCE""; ANNEXE"'))))

    assert report.rejected == []
    assert Establishment.objects.get().name == 'LIEU DE VIE "LA SOURCE"; ANNEXE'


def test_control_characters_in_a_reason_are_shown_harmlessly():
    report = import_lines(establishment_line(nofinesset="\x1b[31m12"))

    assert report.rejected == [(3, f"numéro FINESS invalide {guillemets('�[31m12')}")]


def test_a_long_value_in_a_reason_is_cut_short():
    report = import_lines(establishment_line(nofinesset="9" * 60))

    assert report.rejected == [(3, f"numéro FINESS invalide {guillemets('9' * 40 + '…')}")]


def test_every_hostile_line_is_reported_and_every_good_one_imported():
    report = import_lines(
        establishment_line(nofinesset="12345"),
        "ligne sans aucun sens",
        establishment_line(nofinesset=finess("34009002"), departement="99"),
        establishment_line(nofinesset=finess("34009003"), rs="EHPAD LES CÈDRES"),
        "",
        establishment_line(nofinesset=finess("34009004"), categetab="620"),
    )

    assert [number for number, _ in report.rejected] == [3, 4, 5]
    assert (report.created, report.ignored) == (2, 1)
    assert set(Establishment.objects.values_list("name", flat=True)) == {
        "EHPAD LES TILLEULS",
        "EHPAD LES CÈDRES",
    }


def test_a_line_out_of_scope_is_ignored_even_if_it_would_be_rejected():
    report = import_lines(establishment_line(nofinesset="not a number", categetab="620"))

    assert report.rejected == []
    assert report.ignored == 1
