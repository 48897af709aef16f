"""Importing a new extraction where most establishments changed: exactly those are rewritten, with what
the register now says, and the others are left as they were (run on SQLite and on PostgreSQL, whose
writing paths differ: prepared statements on one, COPY and one UPDATE … FROM on the other)."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capqvct.establishments.finess import FINESS_OWNED_FIELDS, import_finess
from capqvct.establishments.models import Establishment
from capqvct.establishments.tests import fixtures
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

COUNT = 40


@pytest.fixture(autouse=True)
def territory():
    fixtures.create_territory()


def number(n: int) -> str:
    return fixtures.finess(f"3400{n:04d}")


def first_extraction() -> bytes:
    lines = [fixtures.establishment_line(nofinesset=number(n), rs=f"EHPAD NUMERO {n}") for n in range(COUNT)]
    return fixtures.extract(
        *lines, *(fixtures.geolocation_line(number(n), "700000.5", "6200000.5") for n in range(COUNT))
    )


def second_extraction() -> bytes:
    """The first, where 30 establishments of 40 changed: a name, an address, a phone number, a date of
    update or a position; the 10 others (every fourth) are as they were."""
    lines, positions = [], []
    for n in range(COUNT):
        fields = {"nofinesset": number(n), "rs": f"EHPAD NUMERO {n}"}
        x = "700000.5"
        if n % 4 == 1:
            fields["rs"] = f"EHPAD NUMERO {n} (NOUVEAU NOM)"
        elif n % 4 == 2:
            fields |= {"voie": "DES TILLEULS", "telephone": "0467999999"}
        elif n % 4 == 3:
            fields["datemaj"] = "2026-01-10"
            x = "701000.5"
        lines.append(fixtures.establishment_line(**fields))
        positions.append(fixtures.geolocation_line(number(n), x, "6200000.5"))
    return fixtures.extract(*lines, *positions)


def register_fields() -> dict[str, tuple]:
    return {
        row[0]: row[1:]
        for row in Establishment.objects.values_list("finess_et", *FINESS_OWNED_FIELDS).order_by("finess_et")
    }


def test_only_the_changed_establishments_are_rewritten_with_what_the_register_now_says():
    import_finess(io.BytesIO(first_extraction()))
    space = OrganisationFactory(establishment_space=True)
    Establishment.objects.filter(finess_et=number(1)).update(email="direction@exemple.fr", organisation=space)
    first_written = dict(Establishment.objects.values_list("finess_et", "updated_at"))

    report = import_finess(io.BytesIO(second_extraction()))

    assert (report.created, report.updated, report.unchanged) == (0, 30, 10)
    renamed = Establishment.objects.get(finess_et=number(1))
    assert renamed.name == "EHPAD NUMERO 1 (NOUVEAU NOM)"
    assert (renamed.email, renamed.organisation) == ("direction@exemple.fr", space)
    moved = Establishment.objects.get(finess_et=number(2))
    assert (moved.address, moved.phone) == ("4 RUE DES TILLEULS", "0467999999")
    updated = Establishment.objects.get(finess_et=number(3))
    assert (updated.finess_updated_on, updated.x, updated.opened_on) == (
        date(2026, 1, 10),
        701000.5,
        date(1990, 1, 2),
    )
    written = dict(Establishment.objects.values_list("finess_et", "updated_at"))
    assert [n for n in range(COUNT) if written[number(n)] != first_written[number(n)]] == [
        n for n in range(COUNT) if n % 4
    ]


def test_the_directory_reads_the_same_as_after_importing_the_new_extraction_alone():
    import_finess(io.BytesIO(second_extraction()))
    imported_alone = register_fields()
    Establishment.objects.all().delete()
    import_finess(io.BytesIO(first_extraction()))

    import_finess(io.BytesIO(second_extraction()))

    assert register_fields() == imported_alone


def test_importing_the_new_extraction_again_changes_nothing():
    import_finess(io.BytesIO(first_extraction()))
    import_finess(io.BytesIO(second_extraction()))
    before = list(Establishment.objects.order_by("finess_et").values())

    report = import_finess(io.BytesIO(second_extraction()))

    assert (report.created, report.updated, report.unchanged) == (0, 0, COUNT)
    assert list(Establishment.objects.order_by("finess_et").values()) == before


def test_renaming_forty_establishments_takes_as_many_queries_as_renaming_one():
    def queries_to_rename(count: int) -> int:
        Establishment.objects.all().delete()
        import_finess(io.BytesIO(first_extraction()))
        lines = [
            fixtures.establishment_line(
                nofinesset=number(n), rs=f"EHPAD NUMERO {n}" + (" BIS" if n < count else "")
            )
            for n in range(COUNT)
        ]
        positions = [fixtures.geolocation_line(number(n), "700000.5", "6200000.5") for n in range(COUNT)]
        with CaptureQueriesContext(connection) as queries:
            report = import_finess(io.BytesIO(fixtures.extract(*lines, *positions)))
        assert report.updated == count
        return len(queries)

    assert queries_to_rename(COUNT) == queries_to_rename(1)
