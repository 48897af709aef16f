"""Exports are safe to open: a dossier named like a formula is shown as text in the CSV, XLSX and
ODS files (read back as a spreadsheet reads them), numbers stay numbers, and each download is logged
with the reader's IP."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
import tablib

from capqvct.accounts.models import Role
from capqvct.core.exports import neutralise, spreadsheet
from capqvct.core.models import AuditEvent
from capqvct.review.models import Criterion, Review
from capqvct.review.tests import test_ranking_views as ranking
from tests.factories import MembershipFactory, OrganisationFactory, departement, published_call, region

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://exemple.invalid";"clic")', "+33 1 00", "-1+2", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_would_start_a_formula_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["EHPAD Les Tilleuls", "", "12,5", "Foyer = maison", 12, -3, 2.5, None])
def test_anything_else_is_left_as_it_is(value):
    assert neutralise(value) == value


def test_the_xlsx_file_holds_text_cells_and_real_numbers():
    content = spreadsheet(
        [[name, -2.5, 3] for name in HOSTILE], headers=["Nom", "Écart", "N"], title="T", export_format="xlsx"
    )

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # openpyxl reads a carriage return back as a line feed.
    assert [row[0] for row in rows] == ["'" + text.replace("\r", "\n") for text in HOSTILE]
    assert all(sheet.cell(row=n, column=1).data_type == "s" for n in range(2, len(HOSTILE) + 2))
    assert {(row[1], row[2]) for row in rows} == {(-2.5, 3)}


def test_the_csv_file_holds_the_text_prefixed():
    content = spreadsheet([[text] for text in HOSTILE], headers=["Nom"], title="T", export_format="csv")

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["'" + text for text in HOSTILE]


@pytest.fixture
def ranked_call():
    """A call under review in Occitanie, its grid and its programme manager."""
    departement("34", "Hérault", "76")
    agency = OrganisationFactory(region=region("76", "Occitanie"), name="ARS Occitanie")
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation=agency).user
    call = published_call(
        manager,
        definition=ranking.FORM,
        opens_at=ranking.SUBMITTED_AT - timedelta(days=30),
        closes_at=ranking.SUBMITTED_AT + timedelta(days=1),
    )
    review = Review.objects.create(call=call, started_by=manager)
    Criterion.objects.create(review=review, label="Projet", weight=2, scale_max=4, position=1)
    Criterion.objects.create(review=review, label="Équipe", weight=1, scale_max=4, position=2)
    return manager, call, review


@pytest.mark.parametrize("export_format", ["csv", "xlsx", "ods"])
def test_the_ranking_export_of_a_dossier_named_like_a_formula(verified_client, ranked_call, export_format):
    manager, call, review = ranked_call
    ranking.dossier(review, '=HYPERLINK("http://exemple.invalid";"Voir")', notations=[(3, 4)])

    response = verified_client(manager).get(ranking.url(call, f"?format={export_format}"))

    assert response.status_code == 200
    if export_format == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        name = rows[1][1]
    else:
        name = tablib.Dataset().load(response.content, format=export_format)[0][1]
    assert name == '\'=HYPERLINK("http://exemple.invalid";"Voir")'
    event = AuditEvent.objects.get(action="export_downloaded")
    assert (event.actor, event.target_id, event.ip) == (manager, str(call.pk), "127.0.0.1")
    assert event.details == {"title": "Classement", "format": export_format, "rows": 1}
    assert "no-store" in response["Cache-Control"]
