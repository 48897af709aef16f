"""The ranking table of a call's dossiers: order, sorting, filters, exports, who may see it, queries."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capqvct.accounts.models import Role
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls import services as call_services
from capqvct.review.models import Assignment, Criterion, Decision, EligibilityReview, Outcome, Review, Score
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    departement,
    published_call,
    region,
)

pytestmark = pytest.mark.django_db

SUBMITTED_AT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
FORM = {
    "sections": [
        {
            "key": "projet",
            "title": "Votre projet",
            "fields": [{"key": "motivation", "kind": "long_text", "label": "Motivation", "max_length": 3000}],
        }
    ]
}


@pytest.fixture
def occitanie():
    occitanie = region("76", "Occitanie")
    departement("34", "Hérault", "76")
    departement("11", "Aude", "76")
    return occitanie


@pytest.fixture
def agency(occitanie):
    return OrganisationFactory(region=occitanie, name="ARS Occitanie")


@pytest.fixture
def manager(agency):
    return MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation=agency, user__email="gestion@ars.fr"
    ).user


@pytest.fixture
def call(manager):
    return published_call(
        manager,
        definition=FORM,
        opens_at=SUBMITTED_AT - timedelta(days=30),
        closes_at=SUBMITTED_AT + timedelta(days=1),
    )


@pytest.fixture
def review(call, manager):
    review = Review.objects.create(call=call, started_by=manager)
    # « Projet » counts twice as much as « Équipe ».
    Criterion.objects.create(review=review, label="Projet", weight=2, scale_max=4, position=1)
    Criterion.objects.create(review=review, label="Équipe", weight=1, scale_max=4, position=2)
    return review


def dossier(review, name, *, notations=(), departement_code="34", eligible=None, outcome=None, conflicts=0):
    """A submitted dossier; each notation is (project, team) values, submitted unless None."""
    application = Application.objects.create(
        call=review.call,
        establishment=EstablishmentFactory(name=name, departement_id=departement_code),
        status=ApplicationStatus.SUBMITTED,
        form_version=call_services.current_form(review.call),
        submitted_at=SUBMITTED_AT,
    )
    project, team = review.criteria.all()
    for values in notations:
        assignment = Assignment.objects.create(
            application=application,
            reviewer=UserFactory(),
            no_conflict_declared_at=SUBMITTED_AT,
            submitted_at=None if values is None else SUBMITTED_AT,
        )
        for criterion, value in zip((project, team), values or (None, None), strict=True):
            Score.objects.create(assignment=assignment, criterion=criterion, value=value)
    for _ in range(conflicts):
        assignment = Assignment.objects.create(
            application=application,
            reviewer=UserFactory(),
            conflict_declared_at=SUBMITTED_AT,
            conflict_reason="Lien familial",
        )
        Score.objects.create(assignment=assignment, criterion=project, value=0)
    if eligible is not None:
        EligibilityReview.objects.create(application=application, eligible=eligible)
    if outcome:
        # Ranked after the call's others, as the waiting list always is.
        rank = Decision.objects.filter(outcome=Outcome.WAITING_LIST).count() + 1
        Decision.objects.create(
            application=application,
            outcome=outcome,
            reason="Motif",
            waiting_rank=rank if outcome == Outcome.WAITING_LIST else None,
        )
    return application


@pytest.fixture
def dossiers(review):
    """Tilleuls 20 and 10 (a disagreement), Glycines 15 twice: tied at 15. Aude 13.3 (15 unweighted), then a
    notation not remitted yet; Oliviers not scored."""
    return {
        "tilleuls": dossier(
            review, "EHPAD Les Tilleuls", notations=[(4, 4), (2, 2)], eligible=True, outcome=Outcome.SELECTED
        ),
        "glycines": dossier(review, "EHPAD Les Glycines", notations=[(3, 3), (3, 3)], conflicts=1),
        "aude": dossier(review, "SSIAD de l’Aude", notations=[(2, 4), None], departement_code="11"),
        "oliviers": dossier(review, "EHPAD Les Oliviers", notations=[None], eligible=False),
    }


def url(call, query: str = "") -> str:
    return f"/instruction/appels/{call.pk}/classement/{query}"


def names(response) -> list[str]:
    return [row.establishment_name for row in response.context["page"].object_list]


def test_dossiers_ranked_by_average_ties_by_name_unscored_last(verified_client, manager, call, dossiers):
    response = verified_client(manager).get(url(call))
    assert response.status_code == 200
    assert names(response) == [
        "EHPAD Les Glycines",
        "EHPAD Les Tilleuls",
        "SSIAD de l’Aude",
        "EHPAD Les Oliviers",
    ]
    rows = response.context["page"].object_list
    assert [row.rank for row in rows] == [1, 1, 3, None]
    assert [row.average_text for row in rows] == ["15,0", "15,0", "13,3", "—"]
    assert [(row.figures.remitted, row.figures.assigned) for row in rows] == [(2, 2), (2, 2), (1, 2), (0, 1)]
    page = response.content.decode()
    assert "désaccord" in page and "2 / 2" in page and "1 / 2" in page


def test_the_table_sorts_on_a_column_and_back(verified_client, manager, call, dossiers):
    client = verified_client(manager)
    assert names(client.get(url(call, "?tri=etablissement")))[0] == "EHPAD Les Glycines"
    assert names(client.get(url(call, "?tri=-etablissement")))[0] == "SSIAD de l’Aude"
    assert names(client.get(url(call, "?tri=ecart")))[0] == "EHPAD Les Tilleuls"
    # Whatever the direction, a dossier without a value comes last.
    assert names(client.get(url(call, "?tri=-moyenne")))[-1] == "EHPAD Les Oliviers"
    assert names(client.get(url(call, "?tri=inconnu"))) == names(client.get(url(call)))


def test_filters(verified_client, manager, call, dossiers):
    client = verified_client(manager)
    assert names(client.get(url(call, "?departement=11"))) == ["SSIAD de l’Aude"]
    assert names(client.get(url(call, "?desaccord=1"))) == ["EHPAD Les Tilleuls"]
    assert names(client.get(url(call, "?eligibilite=ineligible"))) == ["EHPAD Les Oliviers"]
    assert names(client.get(url(call, "?eligibilite=pending"))) == ["EHPAD Les Glycines", "SSIAD de l’Aude"]
    assert names(client.get(url(call, "?decision=selected"))) == ["EHPAD Les Tilleuls"]
    assert "EHPAD Les Tilleuls" not in names(client.get(url(call, "?decision=none")))


EXPECTED_HEADERS = [
    "Rang",
    "Établissement",
    "FINESS",
    "Département",
    "Moyenne sur 20",
    "Notations remises",
    "Notations attendues",
    "Écart",
    "Désaccord",
    "Éligibilité",
    "Décision",
]


def test_csv_export_opens_in_a_french_excel(verified_client, manager, call, dossiers):
    response = verified_client(manager).get(url(call, "?tri=ecart&format=csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="classement-appel-{call.pk}.csv"'
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == EXPECTED_HEADERS
    assert rows[1][:9] == [
        "1",
        "EHPAD Les Tilleuls",
        rows[1][2],
        "Hérault (34)",
        "15,0",
        "2",
        "2",
        "10,0",
        "oui",
    ]
    assert rows[1][9:] == ["Éligibilité confirmée", "Retenu"]
    assert len(rows) == 5


@pytest.mark.parametrize("export_format", ["xlsx", "ods"])
def test_spreadsheet_exports_hold_the_same_rows_with_numbers(
    verified_client, manager, call, dossiers, export_format
):
    response = verified_client(manager).get(url(call, f"?format={export_format}&desaccord=1"))
    assert response.status_code == 200
    data = tablib.Dataset().load(response.content, format=export_format)
    assert data.headers == EXPECTED_HEADERS
    assert len(data) == 1
    row = data[0]
    assert (row[1], float(row[4]), float(row[7]), row[8]) == ("EHPAD Les Tilleuls", 15.0, 10.0, "oui")


def test_a_manager_of_another_region_gets_a_404(verified_client, call, dossiers):
    aura = OrganisationFactory(region=region("84", "Auvergne-Rhône-Alpes"))
    other = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation=aura).user
    assert verified_client(other).get(url(call)).status_code == 404
    assert verified_client(other).get(url(call, "?format=csv")).status_code == 404


def test_reviewers_and_applicants_never_see_the_table(verified_client, agency, call, dossiers):
    reviewer = MembershipFactory(role=Role.REVIEWER, organisation=agency).user
    Assignment.objects.create(application=dossiers["tilleuls"], reviewer=reviewer)
    director = MembershipFactory(
        role=Role.DIRECTOR, organisation=OrganisationFactory(establishment_space=True)
    ).user
    assert verified_client(reviewer).get(url(call)).status_code == 403
    assert verified_client(director).get(url(call, "?format=xlsx")).status_code == 403


def test_no_table_before_the_review_is_opened(verified_client, manager, call):
    assert verified_client(manager).get(url(call)).status_code == 404


def test_the_number_of_queries_does_not_grow_with_the_dossiers(verified_client, manager, call, review):
    client = verified_client(manager)

    def queries_for_a_page() -> int:
        client.get(url(call))  # the session's first read of the second factor is not the table's
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(call)).status_code == 200
        return len(queries)

    for n in range(3):
        dossier(review, f"EHPAD {n}", notations=[(n % 5, 4), (3, 1), None], eligible=bool(n % 2))
    with_3 = queries_for_a_page()
    for n in range(3, 30):
        dossier(review, f"EHPAD {n}", notations=[(n % 5, 4), (3, 1), None], outcome=Outcome.WAITING_LIST)
    assert queries_for_a_page() == with_3
