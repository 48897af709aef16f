"""``manage.py import_finess``: a progress bar on stderr, the French report on stdout."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from capqvct.establishments.models import Establishment
from capqvct.establishments.tests.fixtures import (
    EXTRACT_CP1252,
    create_territory,
    establishment_line,
    extract,
)

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def territory():
    create_territory()


def run(path) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command("import_finess", str(path), stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_the_command_prints_the_report_in_french():
    stdout, _ = run(EXTRACT_CP1252)

    assert stdout.splitlines() == [
        f"Créés{NBSP}: 6",
        f"Mis à jour{NBSP}: 0",
        f"Inchangés{NBSP}: 0",
        f"Ignorés (hors champ social et médico-social){NBSP}: 2",
        f"Rejetés{NBSP}: 0",
    ]
    assert Establishment.objects.count() == 6


def test_the_command_lists_each_rejected_line_then_each_warning(tmp_path):
    path = tmp_path / "etalab-cs1100507-stock-20260112-0400.csv"
    path.write_bytes(
        extract(establishment_line(siret="123"), establishment_line(nofinesset="12345"), encoding="cp1252")
    )

    stdout, _ = run(path)

    assert stdout.splitlines()[4:] == [
        f"Rejetés{NBSP}: 1",
        f"ligne 3{NBSP}: numéro FINESS invalide «{NBSP}12345{NBSP}»",
        f"Avertissements{NBSP}: 1",
        f"ligne 2{NBSP}: SIRET invalide «{NBSP}123{NBSP}»{NBSP}: établissement importé sans SIRET",
    ]


def test_the_progress_goes_to_stderr():
    _, stderr = run(EXTRACT_CP1252)

    assert "Lecture du fichier" in stderr
    assert "Enregistrement" in stderr


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="n’existe pas"):
        call_command("import_finess", str(tmp_path / "absent.csv"), stdout=StringIO(), stderr=StringIO())


def test_a_file_that_is_not_an_extraction_is_a_clear_error(tmp_path):
    path = tmp_path / "annuaire.csv"
    path.write_text("nom;adresse\nEHPAD;Lunel\n", encoding="utf-8")

    with pytest.raises(CommandError, match="n’est pas une extraction FINESS"):
        call_command("import_finess", str(path), stdout=StringIO(), stderr=StringIO())
