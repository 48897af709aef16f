"""What the database itself refuses: the invariants of calls, dossiers, assignments and decisions as
CheckConstraints, and PROTECT where a deletion would rewrite the review's history; and the services
that delete on purpose keep working."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from capqvct.applications.models import Application
from capqvct.calls.models import Call
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from capqvct.review import decisions, services
from capqvct.review.models import Assignment, AssignmentState, Decision, DecisionState, Outcome, Score
from capqvct.review.services import CriterionInput
from capqvct.review.states import ASSIGNMENT, DECISION
from capqvct.review.tests import test_decisions as shared
from capqvct.review.tests.test_assignment import Setting, opened

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def setting(db):
    """A review with its grid; the first dossier given to the ARS's reviewer, who declared no conflict."""
    setting = Setting(dossiers=2)
    setting.review = opened(setting)
    setting.criteria = services.set_grid(
        review=setting.review, criteria=[CriterionInput("Portage", 1, 4)], by=setting.manager
    )
    setting.assignment = services.assign(
        review=setting.review,
        application=setting.applications[0],
        reviewer=setting.ars_reviewer,
        by=setting.manager,
    )
    services.declare_no_conflict(assignment=setting.assignment, by=setting.ars_reviewer)
    return setting


def refused_by_the_database(constraint: str, queryset, **values) -> None:
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        queryset.update(**values)


# The constraints


def test_a_submitted_dossier_keeps_its_date_and_one_received_off_the_site_its_receipt(setting):
    dossier = Application.objects.filter(pk=setting.applications[0].pk)
    refused_by_the_database("application_submitted_has_its_date", dossier, submitted_at=None)
    refused_by_the_database("application_offsite_has_its_receipt_date", dossier, channel="email")


def test_a_call_closed_early_is_closed_and_a_published_one_has_its_date(setting):
    call = Call.objects.filter(pk=setting.call.pk)
    refused_by_the_database("call_closed_early_is_closed", call, status="published", closed_early_at=AT)
    refused_by_the_database("call_published_has_its_date", call, published_at=None)


def test_an_assignment_holds_one_declaration_and_scores_only_after_no_conflict(setting):
    assignment = Assignment.objects.filter(pk=setting.assignment.pk)
    refused_by_the_database(
        "assignment_one_declaration", assignment, conflict_declared_at=AT, conflict_reason="Lien familial"
    )
    refused_by_the_database(
        "assignment_conflict_has_reason", assignment, no_conflict_declared_at=None, conflict_declared_at=AT
    )
    refused_by_the_database(
        "assignment_submitted_after_no_conflict", assignment, no_conflict_declared_at=None, submitted_at=AT
    )


@pytest.fixture
def decision(call, review, manager):
    application = shared.dossier(call, "EHPAD Les Tilleuls")
    return shared.draft(application, Outcome.WAITING_LIST, manager)


def test_a_decision_is_notified_once_confirmed_and_ranked_exactly_on_the_waiting_list(decision):
    rows = Decision.objects.filter(pk=decision.pk)
    refused_by_the_database("decision_notified_is_confirmed", rows, notified_at=AT)
    refused_by_the_database("decision_waiting_rank_iff_waiting_list", rows, waiting_rank=None)
    refused_by_the_database("decision_waiting_rank_iff_waiting_list", rows, waiting_rank=0)
    refused_by_the_database("decision_waiting_rank_iff_waiting_list", rows, outcome=Outcome.SELECTED)
    refused_by_the_database("decision_bounced_was_notified", rows, bounced_at=AT)
    refused_by_the_database(
        "decision_notified_without_error", rows, confirmed_at=AT, notified_at=AT, notification_error="Refusé"
    )


# The states the machines read are the ones the database finds


def test_each_assignment_state_is_found_by_its_condition(setting):
    first, second = setting.applications
    assigned = services.assign(
        review=setting.review, application=second, reviewer=setting.ars_reviewer, by=setting.manager
    )
    conflicted = services.assign(
        review=setting.review, application=first, reviewer=setting.aract_reviewer, by=setting.manager
    )
    services.declare_conflict(assignment=conflicted, reason="Ancienne salariée.", by=setting.aract_reviewer)
    services.save_scores(
        assignment=setting.assignment, values={setting.criteria[0].pk: (3, "")}, by=setting.ars_reviewer
    )
    submitted = services.submit_scores(assignment=setting.assignment, by=setting.ars_reviewer)
    cleared = services.assign(
        review=setting.review, application=second, reviewer=setting.manager, by=setting.manager
    )
    services.declare_no_conflict(assignment=cleared, by=setting.manager)

    expected = {
        AssignmentState.ASSIGNED: {assigned.pk},
        AssignmentState.CLEARED: {cleared.pk},
        AssignmentState.CONFLICT: {conflicted.pk},
        AssignmentState.SUBMITTED: {submitted.pk},
    }
    for state, pks in expected.items():
        found = set(Assignment.objects.filter(ASSIGNMENT.condition(state)).values_list("pk", flat=True))
        assert found == pks, state
        assert {a.state for a in Assignment.objects.filter(pk__in=pks)} == {state}


def test_each_decision_state_is_found_by_its_condition(
    call, review, manager, django_capture_on_commit_callbacks
):
    names = ("drafted", "failed", "notified", "bounced")
    dossiers = {
        name: shared.dossier(call, name, director_email=f"direction@{name}.fr" if name != "failed" else "")
        for name in names
    }
    for name in ("failed", "notified", "bounced"):
        shared.draft(dossiers[name], Outcome.NOT_SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.notify_decisions(review=review, by=manager)
    confirmed = shared.draft(shared.dossier(call, "confirmed"), Outcome.NOT_SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    shared.draft(dossiers["drafted"], Outcome.SELECTED, manager)
    sent = Decision.objects.get(application=dossiers["bounced"])
    decisions.record_bounce(message_id=sent.message_id, recipient="direction@bounced.fr", status="5.1.1")

    for state in DecisionState.values:
        found = list(Decision.objects.filter(DECISION.condition(state)))
        assert [d.application.establishment.name for d in found] == [state], state
        assert found[0].state == state
    assert Decision.objects.get(pk=confirmed.pk).state == DecisionState.CONFIRMED


# PROTECT


def test_a_reviewers_account_cannot_be_deleted_with_their_assignments(setting):
    with pytest.raises(ProtectedError):
        setting.ars_reviewer.delete()
    assert Assignment.objects.filter(pk=setting.assignment.pk).exists()


def test_scores_protect_their_assignment_and_criterion(setting):
    services.save_scores(
        assignment=setting.assignment, values={setting.criteria[0].pk: (3, "")}, by=setting.ars_reviewer
    )

    with pytest.raises(ProtectedError):
        Assignment.objects.filter(pk=setting.assignment.pk).delete()
    with pytest.raises(ProtectedError):
        setting.criteria[0].delete()
    assert Score.objects.get().value == 3


def test_taking_a_dossier_back_deletes_the_draft_scores_on_purpose_and_counts_them(setting):
    services.save_scores(
        assignment=setting.assignment, values={setting.criteria[0].pk: (2, "")}, by=setting.ars_reviewer
    )

    services.unassign(assignment=setting.assignment, by=setting.manager)

    assert not Assignment.objects.filter(pk=setting.assignment.pk).exists()
    assert not Score.objects.exists()
    event = AuditEvent.objects.get(action="review_unassigned")
    assert event.details == {"reviewer": "instructeur@ars.fr", "draft_scores": 1}


def test_a_grid_with_only_empty_lines_changes_but_one_commented_does_not(setting):
    criterion = setting.criteria[0].pk
    services.save_scores(
        assignment=setting.assignment, values={criterion: (None, "")}, by=setting.ars_reviewer
    )
    services.set_grid(review=setting.review, criteria=[CriterionInput("Dialogue social")], by=setting.manager)
    (criterion,) = setting.review.criteria.values_list("pk", flat=True)

    services.save_scores(
        assignment=setting.assignment, values={criterion: (None, "À revoir.")}, by=setting.ars_reviewer
    )
    with pytest.raises(Refusal, match="ont déjà commenté ses critères"):
        services.set_grid(review=setting.review, criteria=[CriterionInput("Autre")], by=setting.manager)
    assert list(setting.review.criteria.values_list("label", flat=True)) == ["Dialogue social"]


def test_a_conflict_declared_after_no_conflict_replaces_it_and_the_log_keeps_both(setting):
    services.declare_conflict(
        assignment=setting.assignment, reason="Ma sœur y travaille.", by=setting.ars_reviewer
    )

    setting.assignment.refresh_from_db()
    assert (setting.assignment.state, setting.assignment.no_conflict_declared_at) == (
        AssignmentState.CONFLICT,
        None,
    )
    assert list(
        AuditEvent.objects.filter(action__in=["review_no_conflict_declared", "review_conflict_declared"])
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["review_no_conflict_declared", "review_conflict_declared"]


# Fixtures of the decisions' tests, under their own names here.
call = shared.call
review = shared.review
manager = shared.manager
agency = shared.agency
