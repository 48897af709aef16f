"""A selected establishment withdraws: the first on the waiting list takes the place in the withdrawal's
own transaction, so both are recorded or neither is."""

import pytest
from django.db import DatabaseError, connection

from capqvct.applications import services as application_services
from capqvct.applications.models import ApplicationStatus
from capqvct.applications.review_signals import application_withdrawn
from capqvct.core.models import AuditEvent
from capqvct.review import decisions
from capqvct.review.models import Decision, Outcome
from capqvct.review.tests import test_decisions as shared

pytestmark = pytest.mark.django_db

# The decisions' tests' world: A selected, B first on the waiting list, C second, all notified.
agency, manager, call, review, notified = (
    shared.agency,
    shared.manager,
    shared.call,
    shared.review,
    shared.notified,
)


def director_of(application):
    return application.establishment.organisation.memberships.get().user


@pytest.fixture
def one_place(call):
    call.places = 1
    call.save()
    return call


def test_when_the_promotion_fails_the_dossier_is_not_withdrawn(notified, one_place, monkeypatch, mailoutbox):
    def database_refuses(*args, **kwargs):
        raise DatabaseError("the database refused the promotion")

    # The promotion's last write fails, after the withdrawal and the new decision were written.
    monkeypatch.setattr(decisions, "refresh_applicant_stage", database_refuses)
    selected = notified["A"]

    with pytest.raises(DatabaseError):
        application_services.withdraw_application(application=selected, by=director_of(selected))

    assert selected.status == ApplicationStatus.IN_REVIEW
    selected.refresh_from_db()
    assert selected.status == ApplicationStatus.IN_REVIEW
    assert Decision.objects.get(application=notified["B"]).outcome == Outcome.WAITING_LIST
    assert not AuditEvent.objects.filter(
        action__in=["application_withdrawn", "decision_promoted_from_waiting_list"]
    ).exists()
    assert mailoutbox == []


def test_the_promotion_is_recorded_with_the_withdrawal_and_the_letter_leaves_after_both(
    notified, one_place, mailoutbox, django_capture_on_commit_callbacks
):
    selected = notified["A"]

    with django_capture_on_commit_callbacks() as after_commit:
        application_services.withdraw_application(application=selected, by=director_of(selected))
        assert mailoutbox == []

    promoted = Decision.objects.get(application=notified["B"])
    assert (promoted.outcome, promoted.state) == (Outcome.SELECTED, "confirmed")
    assert [e.action for e in AuditEvent.objects.order_by("pk")][-2:] == [
        "application_withdrawn",
        "decision_promoted_from_waiting_list",
    ]
    for callback in after_commit:
        callback()
    (letter,) = mailoutbox
    assert letter.to == ["direction@b.fr"]


@pytest.mark.django_db(transaction=True)
def test_the_review_hears_of_the_withdrawal_inside_its_transaction(notified, one_place):
    heard = []

    def listener(sender, application, **kwargs):
        heard.append((application.status, connection.in_atomic_block))

    application_withdrawn.connect(listener)
    try:
        selected = notified["A"]
        application_services.withdraw_application(application=selected, by=director_of(selected))
    finally:
        application_withdrawn.disconnect(listener)

    assert heard == [(ApplicationStatus.WITHDRAWN, True)]
