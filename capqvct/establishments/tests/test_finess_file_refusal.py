"""A file that is not a FINESS extraction is refused as a whole, before anything is written."""

import io

import pytest

from capqvct.establishments.finess import NotAFinessFile, import_finess
from capqvct.establishments.models import Establishment
from capqvct.establishments.tests.fixtures import create_territory, establishment_line, extract

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def territory():
    create_territory()


def test_a_file_with_another_first_line_is_refused():
    data = b"nofinesset;rs;categetab\n" + establishment_line().encode()

    with pytest.raises(NotAFinessFile) as refusal:
        import_finess(io.BytesIO(data))

    assert refusal.value.message == (
        f"Ce fichier n’est pas une extraction FINESS{NBSP}: sa première ligne devrait commencer par "
        f"«{NBSP}finess;etalab;{NBSP}»."
    )
    assert not Establishment.objects.exists()


def test_an_extraction_of_another_register_is_refused():
    data = extract(*["structureej;340500016;GESTIONNAIRE DES TILLEULS"] * 60)

    with pytest.raises(NotAFinessFile) as refusal:
        import_finess(io.BytesIO(data))

    assert "aucune ligne" in refusal.value.message


def test_an_empty_file_is_refused():
    with pytest.raises(NotAFinessFile) as refusal:
        import_finess(io.BytesIO(b""))

    assert refusal.value.message == f"Le fichier est vide{NBSP}: ce n’est pas une extraction FINESS."


def test_a_binary_file_is_refused():
    with pytest.raises(NotAFinessFile):
        import_finess(io.BytesIO(b"%PDF-1.7\n\x81\x8d\x8f\x90\x9d\n%%EOF\n"))


def test_a_refused_file_leaves_the_directory_as_it_was():
    import_finess(io.BytesIO(extract(establishment_line())))

    with pytest.raises(NotAFinessFile):
        import_finess(io.BytesIO(b"ceci n'est pas un fichier FINESS\n"))

    assert Establishment.objects.count() == 1
