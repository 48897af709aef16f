"""The transition tables of assignments and decisions (review/states.py): what each state offers, and an
action taken from a page that is no longer true refused in words, with nothing written."""

from unittest import mock

import pytest

from capqvct.applications import services as application_services
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from capqvct.review import decisions, services
from capqvct.review.models import Assignment, Decision, Outcome
from capqvct.review.services import CriterionInput
from capqvct.review.states import ASSIGNMENT, DECISION
from capqvct.review.tests import test_decisions as shared
from capqvct.review.tests.test_assignment import Setting, opened

pytestmark = pytest.mark.django_db

agency, manager, call, review, notified = (
    shared.agency,
    shared.manager,
    shared.call,
    shared.review,
    shared.notified,
)


@pytest.fixture
def given(db):
    """The first dossier given to the ARS's reviewer, on a one-criterion grid."""
    setting = Setting(dossiers=1)
    setting.review = opened(setting)
    (setting.criterion,) = services.set_grid(
        review=setting.review, criteria=[CriterionInput("Portage", 1, 4)], by=setting.manager
    )
    setting.assignment = services.assign(
        review=setting.review,
        application=setting.applications[0],
        reviewer=setting.ars_reviewer,
        by=setting.manager,
    )
    return setting


def offered(assignment, user) -> list[str]:
    return list(ASSIGNMENT.allowed_actions(assignment, by=user))


def test_each_assignment_state_offers_its_own_actions_to_its_reviewer_only(given):
    assignment, reviewer = given.assignment, given.ars_reviewer
    assert offered(assignment, reviewer) == ["declare_no_conflict", "declare_conflict"]
    assert offered(assignment, given.aract_reviewer) == []

    services.declare_no_conflict(assignment=assignment, by=reviewer)
    assert offered(assignment, reviewer) == ["declare_conflict", "submit_scores"]

    services.save_scores(assignment=assignment, values={given.criterion.pk: (3, "")}, by=reviewer)
    services.submit_scores(assignment=assignment, by=reviewer)
    assert offered(assignment, reviewer) == []


def test_scores_submitted_from_a_page_read_before_a_conflict_are_refused(given):
    reviewer = given.ars_reviewer
    services.declare_no_conflict(assignment=given.assignment, by=reviewer)
    services.save_scores(assignment=given.assignment, values={given.criterion.pk: (3, "")}, by=reviewer)
    on_the_page = Assignment.objects.get(pk=given.assignment.pk)
    services.declare_conflict(assignment=given.assignment, reason="Ma sœur y travaille.", by=reviewer)

    with pytest.raises(Refusal, match="Vous avez déclaré un conflit d’intérêts avec ce dossier"):
        services.submit_scores(assignment=on_the_page, by=reviewer)
    with pytest.raises(Refusal, match="Vous avez déclaré un conflit d’intérêts avec ce dossier"):
        services.save_scores(assignment=on_the_page, values={given.criterion.pk: (1, "")}, by=reviewer)
    assert not AuditEvent.objects.filter(action="review_scores_submitted").exists()


def test_scores_saved_from_a_page_read_before_their_submission_are_refused(given):
    reviewer = given.ars_reviewer
    services.declare_no_conflict(assignment=given.assignment, by=reviewer)
    services.save_scores(assignment=given.assignment, values={given.criterion.pk: (3, "")}, by=reviewer)
    on_the_page = Assignment.objects.get(pk=given.assignment.pk)
    services.submit_scores(assignment=given.assignment, by=reviewer)

    with pytest.raises(Refusal, match="elle ne change plus"):
        services.save_scores(assignment=on_the_page, values={given.criterion.pk: (1, "")}, by=reviewer)
    assert given.assignment.scores.get().value == 3


def test_a_decision_offers_the_draft_then_a_change_then_a_new_sending_when_it_failed(
    call, review, manager, django_capture_on_commit_callbacks
):
    decision = shared.draft(shared.dossier(call, "A"), Outcome.SELECTED, manager)
    assert list(DECISION.allowed_actions(decision, by=manager)) == ["redraft"]

    decisions.confirm_decisions(review=review, by=manager)
    decision.refresh_from_db()
    assert list(DECISION.allowed_actions(decision, by=manager)) == ["change"]

    with django_capture_on_commit_callbacks(execute=True):  # A's space has no member: the sending fails
        decisions.notify_decisions(review=review, by=manager)
    decision.refresh_from_db()
    assert list(DECISION.allowed_actions(decision, by=manager)) == ["change", "retry"]


def test_a_second_new_sending_is_refused_while_the_first_is_on_its_way(
    call, review, manager, mailoutbox, django_capture_on_commit_callbacks
):
    application = shared.dossier(call, "A", director_email="direction@a.fr")
    shared.draft(application, Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("refusée")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        decisions.notify_decisions(review=review, by=manager)
    failed = Decision.objects.get()
    on_the_page = Decision.objects.get()

    with django_capture_on_commit_callbacks() as queued:
        decisions.retry_notification(decision=failed, by=manager)
        with pytest.raises(Refusal, match="en cours d’envoi"):
            decisions.retry_notification(decision=on_the_page, by=manager)

    assert len(queued) == 1
    assert AuditEvent.objects.filter(action="decision_notification_retried").count() == 1


def test_a_decision_changed_from_a_page_read_before_a_withdrawal_is_refused(notified, manager):
    decision = Decision.objects.select_related("application__call__programme").get(application=notified["C"])
    application_services.withdraw_application(
        application=notified["C"], by=notified["C"].establishment.organisation.memberships.get().user
    )

    with pytest.raises(Refusal, match="n’est plus en instruction"):
        decisions.change_decision(
            decision=decision, outcome=Outcome.SELECTED, reason="Retenu", change_reason="Erreur", by=manager
        )
    assert Decision.objects.get(pk=decision.pk).outcome == Outcome.WAITING_LIST


def test_my_dossiers_cost_the_same_queries_for_one_or_five_with_their_actions(verified_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for dossiers in (1, 5):
        setting = Setting(dossiers=dossiers)
        review = opened(setting)
        for application in setting.applications:
            services.assign(
                review=review, application=application, reviewer=setting.ars_reviewer, by=setting.manager
            )
        client = verified_client(setting.ars_reviewer)
        client.get("/instruction/mes-dossiers/")
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/instruction/mes-dossiers/").content.decode()
        assert page.count("Conflit d’intérêts à déclarer") == dossiers
        counts.append(len(queries))
        Assignment.objects.all().delete()
    assert counts[0] == counts[1]


def test_the_conflict_page_opens_after_reading_only_while_a_conflict_may_be_declared(given, verified_client):
    reviewer = given.ars_reviewer
    client = verified_client(reviewer)
    url = f"/instruction/mes-dossiers/{given.assignment.pk}/conflit/?declarer=1"
    services.declare_no_conflict(assignment=given.assignment, by=reviewer)

    assert (
        "Déclarer un conflit d’intérêts avec ce dossier"
        in client.get(f"/instruction/mes-dossiers/{given.assignment.pk}/").content.decode()
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "Je n’ai pas de conflit d’intérêts" not in page.content.decode()

    services.save_scores(assignment=given.assignment, values={given.criterion.pk: (3, "")}, by=reviewer)
    services.submit_scores(assignment=given.assignment, by=reviewer)
    assert client.get(url)["Location"] == f"/instruction/mes-dossiers/{given.assignment.pk}/"
