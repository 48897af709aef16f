"""A reopened dossier not deposited again when the call closes: its last submission is the one reviewed."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from capqvct.accounts.models import Membership, Role
from capqvct.applications import services
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.applications.restoration import restore_reopened_dossiers
from capqvct.applications.tests.test_submission import DEADLINE, OPENS, _fill
from capqvct.applications.tests.test_submission import application as application  # noqa: F401 (fixture)
from capqvct.applications.tests.test_submission import call as call  # noqa: F401 (fixture)
from capqvct.applications.tests.test_submission import director as director  # noqa: F401 (fixture)
from capqvct.calls.services import close_call_early
from capqvct.core.models import AuditEvent, OutgoingEmail
from capqvct.review.services import open_review

pytestmark = pytest.mark.django_db

DURING = OPENS + timedelta(days=3)
AFTER = DEADLINE + timedelta(seconds=1)
DEPOSITED = {"motivation": "Prendre soin des équipes."}
CHANGED = {"motivation": "Une version plus longue, jamais déposée."}


@pytest.fixture
def reopened(application, director):
    _fill(application, director, DEPOSITED)
    services.submit_application(application=application, by=director, now=DURING)
    services.reopen_application(application=application, by=director, now=DURING)
    application.refresh_from_db()
    _fill(application, director, CHANGED)
    return application


def manager_of(call):
    return Membership.objects.get(role=Role.PROGRAMME_MANAGER).user


def test_after_the_deadline_the_last_submission_is_the_dossier_again(reopened):
    restored = restore_reopened_dossiers(call=reopened.call, now=AFTER)

    reopened.refresh_from_db()
    assert restored == 1
    assert reopened.status == ApplicationStatus.SUBMITTED
    assert reopened.answers == reopened.submissions.get().answers
    assert reopened.answers["motivation"] == DEPOSITED["motivation"]
    assert reopened.undeposited_answers["motivation"] == CHANGED["motivation"]
    assert reopened.submitted_at == reopened.submissions.get().submitted_at
    assert AuditEvent.objects.filter(action="application_restored_to_last_submission").count() == 1


def test_the_establishment_is_e_mailed_through_the_outbox(reopened):
    restore_reopened_dossiers(call=reopened.call, now=AFTER)

    email = OutgoingEmail.objects.get(purpose="applications.restored_to_last_submission")
    assert email.to == ["dir@ehpad.re"]
    assert "dernier dépôt, n° 1 du 4\u00a0août 2022 à 4\u00a0h (heure de La Réunion)" in email.body
    assert "Modifications non déposées (non instruites)" in email.body


def test_nothing_changes_while_the_call_is_open(reopened):
    assert restore_reopened_dossiers(call=reopened.call, now=DEADLINE) == 0

    reopened.refresh_from_db()
    assert reopened.status == ApplicationStatus.DRAFT
    assert reopened.answers["motivation"] == CHANGED["motivation"]
    assert not OutgoingEmail.objects.filter(purpose="applications.restored_to_last_submission").exists()


def test_a_draft_never_deposited_stays_a_draft(application, director):
    _fill(application, director, CHANGED)

    assert restore_reopened_dossiers(call=application.call, now=AFTER) == 0
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_closing_the_call_early_restores_its_reopened_dossiers(reopened):
    call = reopened.call

    close_call_early(
        call=call, by=manager_of(call), reason="Places pourvues.", now=DURING + timedelta(hours=1)
    )

    reopened.refresh_from_db()
    assert reopened.status == ApplicationStatus.SUBMITTED
    assert reopened.undeposited_answers["motivation"] == CHANGED["motivation"]


def test_opening_the_review_restores_them_and_hands_them_over(reopened):
    call = reopened.call

    open_review(call=call, by=manager_of(call), now=AFTER)

    reopened.refresh_from_db()
    assert reopened.status == ApplicationStatus.IN_REVIEW
    assert reopened.answers["motivation"] == DEPOSITED["motivation"]


def test_the_hourly_round_restores_the_dossiers_of_closed_calls(reopened):
    # The call's deadline (2022) is long past on the machine's clock.
    call_command("restore_reopened_dossiers", "--sync", stdout=StringIO())

    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


def test_a_second_restoration_does_nothing(reopened):
    restore_reopened_dossiers(call=reopened.call, now=AFTER)

    assert restore_reopened_dossiers(call=reopened.call, now=AFTER) == 0
    assert OutgoingEmail.objects.filter(purpose="applications.restored_to_last_submission").count() == 1


def test_reopening_schedules_the_restoration_a_second_after_the_deadline(
    application, director, monkeypatch, django_capture_on_commit_callbacks
):
    scheduled = []

    class DeferringTask:
        """The database backend's task as reopen_application sees it: it can run after a date."""

        def get_backend(self):
            return type("Backend", (), {"supports_defer": True})()

        def using(self, *, run_after):
            return type(
                "Deferred", (), {"enqueue": lambda _, **kwargs: scheduled.append((run_after, kwargs))}
            )()

    monkeypatch.setattr("capqvct.applications.tasks.restore_reopened_dossiers_of_call", DeferringTask())
    _fill(application, director, DEPOSITED)
    services.submit_application(application=application, by=director, now=DURING)

    with django_capture_on_commit_callbacks(execute=True):
        services.reopen_application(application=application, by=director, now=DURING)

    assert scheduled == [(DEADLINE + timedelta(seconds=1), {"call_id": application.call_id})]
