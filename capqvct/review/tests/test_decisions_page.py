"""The decisions page built for a commission: ranking order, one form for a page of drafts, the bulk
proposal « Retenir les N premiers », the eligibility warning, the confirmation pages, constant size."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls import services as call_services
from capqvct.core.models import AuditEvent, OutgoingEmail
from capqvct.establishments.models import Establishment
from capqvct.review import decisions
from capqvct.review.decision_selectors import PAGE_SIZE
from capqvct.review.models import Assignment, Criterion, Decision, EligibilityReview, Outcome, Score
from capqvct.review.tests import test_decisions as shared
from tests.factories import UserFactory, departement

pytestmark = pytest.mark.django_db

agency, manager, call, review = shared.agency, shared.manager, shared.call, shared.review
draft = shared.draft


def page_url(call) -> str:
    return f"/instruction/decisions/appels/{call.pk}/"


@pytest.fixture
def client(verified_client, manager):
    return verified_client(manager)


@pytest.fixture
def criterion(review):
    return Criterion.objects.create(review=review, label="Projet", weight=1, scale_max=20, position=1)


def scored(call, name, mark, criterion, *, eligible=True, director_email=""):
    """A dossier in review, marked `mark` on 20 by one reviewer; eligibility confirmed unless None."""
    application = shared.dossier(call, name, director_email=director_email)
    if mark is not None:
        assignment = Assignment.objects.create(
            application=application,
            reviewer=UserFactory(),
            no_conflict_declared_at=shared.CLOSES,
            submitted_at=shared.CLOSES,
        )
        Score.objects.create(assignment=assignment, criterion=criterion, value=mark)
    if eligible is not None:
        EligibilityReview.objects.create(application=application, eligible=eligible)
    return application


def outcomes(call) -> dict[str, tuple[str, int | None]]:
    return {
        name: (outcome, rank)
        for name, outcome, rank in Decision.objects.filter(application__call=call).values_list(
            "application__establishment__name", "outcome", "waiting_rank"
        )
    }


def row(application, **values) -> dict:
    return {f"d{application.pk}-{name}": value for name, value in values.items()}


# The page


def test_dossiers_come_in_ranking_order_with_their_average_and_eligibility(client, call, criterion):
    scored(call, "Moyen", 12, criterion)
    scored(call, "Premier", 18, criterion)
    scored(call, "Second", 15, criterion, eligible=None)

    page = client.get(page_url(call)).content.decode()

    table = page[page.index("<tbody>") :]
    assert table.index("Premier") < table.index("Second") < table.index("Moyen")
    assert "18,0" in page and "15,0" in page and "12,0" in page
    assert "Éligibilité confirmée" in page and "À confirmer" in page


def test_the_page_warns_when_eligibility_is_not_confirmed_and_names_the_dossiers(client, call, criterion):
    scored(call, "EHPAD Confirmé", 15, criterion)
    scored(call, "SSIAD Sans examen", 14, criterion, eligible=None)

    page = client.get(page_url(call)).content.decode()

    assert "Éligibilité non confirmée pour 1 dossier" in page
    warning = page[page.index("Éligibilité non confirmée") :]
    warning = warning[: warning.index("</div>")]
    assert "SSIAD Sans examen" in warning and "EHPAD Confirmé" not in warning


def test_one_form_saves_the_drafts_of_every_row_at_once(client, call, criterion, manager):
    first = scored(call, "A", 18, criterion)
    second = scored(call, "B", 15, criterion)
    untouched = scored(call, "C", 10, criterion)

    response = client.post(
        page_url(call),
        {
            "page": "1",
            **row(first, outcome="selected", reason="Projet solide.", waiting_rank=""),
            **row(second, outcome="waiting_list", reason="Bon projet.", waiting_rank=""),
            **row(untouched, outcome="", reason="", waiting_rank=""),
        },
    )

    assert response.status_code == 302
    assert outcomes(call) == {"A": ("selected", None), "B": ("waiting_list", 1)}
    assert AuditEvent.objects.filter(action="decision_drafted").count() == 2


def test_a_row_in_error_saves_nothing_and_keeps_what_was_typed(client, call, criterion):
    first = scored(call, "A", 18, criterion)
    second = scored(call, "B", 15, criterion)
    third = scored(call, "C", 12, criterion)

    response = client.post(
        page_url(call),
        {
            "page": "1",
            **row(first, outcome="selected", reason="Un motif tapé avec soin.", waiting_rank=""),
            **row(second, outcome="not_selected", reason="", waiting_rank=""),
            **row(third, outcome="waiting_list", reason="Rang trop grand.", waiting_rank="99999999"),
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert not Decision.objects.exists()
    assert "Écrivez le motif adressé au candidat." in page
    assert "Indiquez un rang inférieur à 32767." in page
    assert "Un motif tapé avec soin." in page and "Rang trop grand." in page
    assert f'href="#dossier-{second.pk}"' in page


def test_a_refusal_of_the_service_is_shown_at_its_row(client, call, criterion, manager):
    application = scored(call, "A", 18, criterion)
    application.status = ApplicationStatus.WITHDRAWN
    application.save()
    # A withdrawn dossier leaves the page: the form of a stale page names it, the service refuses it.
    kept = scored(call, "B", 15, criterion)

    response = client.post(
        page_url(call), {"page": "1", **row(kept, outcome="selected", reason="Motif.", waiting_rank="")}
    )

    assert response.status_code == 302
    assert outcomes(call) == {"B": ("selected", None)}


def test_bad_hidden_fields_and_numbers_give_a_message_not_a_500(client, call, criterion):
    application = scored(call, "A", 18, criterion)

    response = client.post(
        page_url(call),
        {"page": "abc", **row(application, outcome="selected", reason="Motif\x00", waiting_rank="douze")},
    )

    assert response.status_code == 400
    assert not Decision.objects.exists()
    assert "Indiquez le rang en chiffres." in response.content.decode()
    assert client.get(f"{page_url(call)}?page=zz").status_code == 200


def test_a_confirmed_decision_is_not_in_the_form_but_offers_its_change(
    client, call, review, criterion, manager
):
    confirmed = scored(call, "A", 18, criterion)
    draft(confirmed, Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)

    page = client.get(page_url(call)).content.decode()

    assert f'name="d{confirmed.pk}-outcome"' not in page
    assert f"/instruction/decisions/{confirmed.decision.pk}/modifier/" in page


# The bulk proposal


def test_the_proposal_is_shown_for_review_and_saves_nothing(client, call, criterion):
    for name, mark in (("A", 18), ("B", 16), ("C", 14), ("D", 12)):
        scored(call, name, mark, criterion)

    page = client.get(f"{page_url(call)}proposition/?retenus=1&attente=2").content.decode()

    assert not Decision.objects.exists()
    assert "Retenu&nbsp;: 1" in page and "Liste d’attente&nbsp;: 2" in page and "Non retenu&nbsp;: 1" in page
    assert "Liste d’attente, rang 2" in page
    assert "Enregistrer ces projets" in page


def test_the_proposal_retains_the_first_n_then_the_waiting_list_then_not_selected(
    client, call, review, criterion, manager
):
    scored(call, "A", 19, criterion)
    scored(call, "Inéligible", 18, criterion, eligible=False)
    scored(call, "B", 17, criterion, eligible=None)
    scored(call, "C", 15, criterion)
    scored(call, "D", 13, criterion)
    scored(call, "E", None, criterion)
    already = scored(call, "Confirmé", 20, criterion)
    draft(already, Outcome.NOT_SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)

    response = client.post(
        f"{page_url(call)}proposition/",
        {
            "retenus": "2",
            "attente": "2",
            "motif_selected": "Bravo.",
            "motif_waiting_list": "En attente.",
            "motif_not_selected": "Places limitées.",
            "motif_ineligible": "Hors critères.",
        },
    )

    assert response.status_code == 302
    assert outcomes(call) == {
        "Confirmé": ("not_selected", None),
        "A": ("selected", None),
        "Inéligible": ("ineligible", None),
        "B": ("selected", None),
        "C": ("waiting_list", 1),
        "D": ("waiting_list", 2),
        "E": ("not_selected", None),
    }
    assert Decision.objects.get(application__establishment__name="C").reason == "En attente."
    assert Decision.objects.filter(confirmed_at__isnull=True).count() == 6


def test_a_wrong_number_in_the_proposal_is_shown_at_its_field(client, call, criterion):
    scored(call, "A", 18, criterion)

    response = client.get(f"{page_url(call)}proposition/?retenus=-3&attente=x")

    page = response.content.decode()
    assert response.status_code == 400
    assert "Indiquez un nombre positif ou nul." in page and "Indiquez un nombre en chiffres." in page


def test_the_proposal_page_opens_with_the_call_s_places_and_no_error(client, call, criterion):
    scored(call, "A", 18, criterion)

    response = client.get(f"{page_url(call)}proposition/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="2"' in page and "fr-error-text" not in page


def test_a_blank_reason_in_the_proposal_saves_nothing(client, call, criterion):
    scored(call, "A", 18, criterion)
    scored(call, "B", 12, criterion)

    response = client.post(
        f"{page_url(call)}proposition/",
        {"retenus": "1", "attente": "0", "motif_selected": "Bravo.", "motif_not_selected": " "},
    )

    assert response.status_code == 400
    assert not Decision.objects.exists()
    page = response.content.decode()
    assert "Écrivez le motif adressé au candidat." in page and "Bravo." in page


# The confirmation steps


def test_the_commission_is_confirmed_from_a_summary_page(client, call, review, criterion, manager):
    for name, mark, outcome in (("A", 18, Outcome.SELECTED), ("B", 15, Outcome.WAITING_LIST)):
        draft(scored(call, name, mark, criterion), outcome, manager)
    url = f"{page_url(call)}commission/"

    summary = client.get(url).content.decode()
    assert "Confirmer en commission" in summary and "2 décisions en projet" in summary
    assert not Decision.objects.filter(confirmed_at__isnull=False).exists()

    assert client.post(url).status_code == 302
    references = sorted(Decision.objects.values_list("reference", flat=True))
    assert references == [f"AAC{call.pk}-2026-0001", f"AAC{call.pk}-2026-0002"]


def test_over_the_places_the_commission_page_asks_the_reason_at_its_field(
    client, call, review, criterion, manager
):
    for name in ("A", "B", "C"):
        draft(scored(call, name, 15, criterion), Outcome.SELECTED, manager)
    url = f"{page_url(call)}commission/"

    refused = client.post(url, {"places_override_reason": ""})

    assert refused.status_code == 400
    assert "3 dossiers seraient retenus pour 2 places" in refused.content.decode()
    assert not Decision.objects.filter(confirmed_at__isnull=False).exists()
    client.post(url, {"places_override_reason": "Enveloppe abondée."})
    assert Decision.objects.filter(confirmed_at__isnull=False).count() == 3


def test_references_keep_counting_in_a_second_commission(client, call, review, criterion, manager):
    draft(scored(call, "A", 18, criterion), Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    draft(scored(call, "B", 15, criterion), Outcome.NOT_SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)

    assert Decision.objects.get(application__establishment__name="B").reference == f"AAC{call.pk}-2026-0002"


def test_notification_is_asked_from_a_summary_page(
    client, call, review, criterion, manager, django_capture_on_commit_callbacks
):
    draft(scored(call, "A", 18, criterion, director_email="direction@a.fr"), Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    url = f"{page_url(call)}notifier/"

    summary = client.get(url).content.decode()
    assert "Notifier 1 décision" in summary
    assert not OutgoingEmail.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert [message.to for message in mail.outbox] == [["direction@a.fr"]]


def test_notifying_with_drafts_left_is_refused_and_says_why(client, call, review, criterion, manager):
    draft(scored(call, "A", 18, criterion), Outcome.SELECTED, manager)

    response = client.post(f"{page_url(call)}notifier/")

    assert response.status_code == 400
    assert "confirmez-les en commission avant de notifier" in response.content.decode()
    assert not OutgoingEmail.objects.exists()


# Constant size (issue 10)


def many_dossiers(call, count: int, start: int = 0) -> None:
    """`count` dossiers in review, written in bulk, every other one with a draft."""
    form = call_services.current_form(call)
    dep = departement("34", "Hérault", "76")
    establishments = Establishment.objects.bulk_create(
        Establishment(
            finess_et=f"34{start + n:07d}",
            finess_ej=f"35{start + n:07d}",
            name=f"EHPAD {start + n:04d}",
            departement=dep,
            category_code="500",
            category_label="EHPAD",
        )
        for n in range(count)
    )
    applications = Application.objects.bulk_create(
        Application(
            call=call,
            establishment=establishment,
            status=ApplicationStatus.IN_REVIEW,
            form_version=form,
            submitted_at=shared.CLOSES - timedelta(days=1),
        )
        for establishment in establishments
    )
    Decision.objects.bulk_create(
        Decision(application=application, outcome=Outcome.NOT_SELECTED, reason="Motif.")
        for application in applications[::2]
    )


def test_the_page_costs_the_same_queries_for_5_or_60_dossiers(
    client, call, review, django_assert_max_num_queries
):
    many_dossiers(call, 5)
    client.get(page_url(call))  # the session and the caches, once
    with CaptureQueriesContext(connection) as few:
        client.get(page_url(call))
    many_dossiers(call, 55, start=5)
    with django_assert_max_num_queries(len(few)):
        response = client.get(page_url(call))
    assert response.content.decode().count('name="page"') == 1


def test_the_page_weighs_the_same_for_60_or_500_dossiers(client, call, review):
    many_dossiers(call, 60)
    sixty = client.get(page_url(call)).content
    many_dossiers(call, 440, start=60)
    five_hundred = client.get(page_url(call)).content

    assert five_hundred.decode().count("<tr id=") == PAGE_SIZE
    assert len(five_hundred) < len(sixty) * 1.05
    last = client.get(f"{page_url(call)}?page=10").content.decode()
    assert "10 / 10" in last
