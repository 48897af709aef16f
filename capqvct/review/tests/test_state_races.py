"""Two people acting on the same object at the same instant, from threads, on PostgreSQL (SQLite
serialises writers anyway): each transition lets one through and refuses the other in words."""

import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.db import connections

from capqvct.applications import services as application_services
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from capqvct.review import decisions, services
from capqvct.review.models import Assignment, Decision, Outcome, Review
from capqvct.review.services import CriterionInput
from capqvct.review.tests import test_decisions as shared
from capqvct.review.tests.test_assignment import Setting, opened

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

agency, manager, call, review, notified = (
    shared.agency,
    shared.manager,
    shared.call,
    shared.review,
    shared.notified,
)


def at_once(*actions) -> list[str]:
    """Run the actions in threads released together; each ends "done" or with its refusal's message."""
    start = threading.Barrier(len(actions))

    def run(action):
        try:
            start.wait()
            action()
            return "done"
        except Refusal as refusal:
            return refusal.message
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return list(pool.map(run, actions))


def director_of(application):
    return application.establishment.organisation.memberships.get().user


def withdrawal(pk):
    def withdraw():
        application = Application.objects.select_related("call", "establishment").get(pk=pk)
        application_services.withdraw_application(application=application, by=director_of(application))

    return withdraw


def test_the_same_selected_dossier_withdrawn_twice_at_once_frees_one_place(notified, call):
    call.places = 1
    call.save()

    outcomes = at_once(withdrawal(notified["A"].pk), withdrawal(notified["A"].pk))

    assert sorted(outcomes) == ["Ce dossier est déjà retiré.", "done"]
    assert AuditEvent.objects.filter(action="decision_promoted_from_waiting_list").count() == 1
    assert dict(Decision.objects.values_list("application__establishment__name", "outcome")) == {
        "A": Outcome.SELECTED,
        "B": Outcome.SELECTED,
        "C": Outcome.WAITING_LIST,
        "D": Outcome.INELIGIBLE,
    }
    assert Decision.objects.get(application=notified["C"]).waiting_rank == 1


def test_two_selected_dossiers_withdrawn_at_once_each_give_their_place_to_the_next(notified, call, manager):
    decisions.change_decision(
        decision=Decision.objects.get(application=notified["B"]),
        outcome=Outcome.SELECTED,
        reason="Retenu",
        change_reason="Deuxième place ouverte.",
        by=manager,
    )
    d = shared.dossier(call, "E", director_email="direction@e.fr")
    shared.draft(d, Outcome.WAITING_LIST, manager)
    decisions.confirm_decisions(review=Review.objects.get(call=call), by=manager)
    # A and B selected for two places; C then E on the waiting list.

    outcomes = at_once(withdrawal(notified["A"].pk), withdrawal(notified["B"].pk))

    assert outcomes == ["done", "done"]
    in_review = Decision.objects.filter(application__status=ApplicationStatus.IN_REVIEW)
    assert dict(in_review.values_list("application__establishment__name", "outcome")) == {
        "C": Outcome.SELECTED,
        "D": Outcome.INELIGIBLE,
        "E": Outcome.SELECTED,
    }
    assert AuditEvent.objects.filter(action="decision_promoted_from_waiting_list").count() == 2


def test_two_commissions_at_once_confirm_the_drafts_once(call, review, manager):
    for name in ("A", "B"):
        shared.draft(shared.dossier(call, name), Outcome.NOT_SELECTED, manager)

    def commission():
        decisions.confirm_decisions(review=Review.objects.get(pk=review.pk), by=manager)

    assert sorted(at_once(commission, commission)) == ["Aucune décision en projet à confirmer.", "done"]
    assert AuditEvent.objects.filter(action="decision_confirmed").count() == 2


def test_renvoyer_clicked_twice_at_once_sends_again_once(
    call, review, manager, django_capture_on_commit_callbacks
):
    shared.draft(shared.dossier(call, "A", director_email="direction@a.fr"), Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("refusée")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        decisions.notify_decisions(review=review, by=manager)
    pk = Decision.objects.get().pk

    def retry():
        decisions.retry_notification(decision=Decision.objects.get(pk=pk), by=manager)

    outcomes = at_once(retry, retry)

    # The other reads the decision once the first has sent it again, or while it is on its way.
    assert outcomes.count("done") == 1
    assert set(outcomes) - {"done"} <= {
        "Cette décision a déjà été notifiée.",
        "Cette décision est en cours d’envoi.",
    }
    assert AuditEvent.objects.filter(action="decision_notification_retried").count() == 1


def test_a_conflict_declared_while_the_scores_are_submitted_lets_one_through(db):
    setting = Setting(dossiers=1)
    review = opened(setting)
    (criterion,) = services.set_grid(
        review=review, criteria=[CriterionInput("Portage", 1, 4)], by=setting.manager
    )
    reviewer = setting.ars_reviewer
    assignment = services.assign(
        review=review, application=setting.applications[0], reviewer=reviewer, by=setting.manager
    )
    services.declare_no_conflict(assignment=assignment, by=reviewer)
    services.save_scores(assignment=assignment, values={criterion.pk: (3, "")}, by=reviewer)

    def submit():
        services.submit_scores(assignment=Assignment.objects.get(pk=assignment.pk), by=reviewer)

    def conflict():
        services.declare_conflict(
            assignment=Assignment.objects.get(pk=assignment.pk), reason="Ma sœur y travaille.", by=reviewer
        )

    outcomes = at_once(submit, conflict)

    assert outcomes.count("done") == 1
    assignment.refresh_from_db()
    if outcomes[0] == "done":
        assert assignment.state == "submitted"
        assert outcomes[1] == "Votre notation est déjà remise\u00a0: écrivez au responsable du programme."
    else:
        assert assignment.state == "conflict"
        assert outcomes[0] == "Vous avez déclaré un conflit d’intérêts avec ce dossier."
