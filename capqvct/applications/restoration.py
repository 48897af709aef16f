"""A dossier reopened and not deposited again when its call closes returns to its last submission.

The last deposit is the one reviewed; what was changed after reopening is kept for the establishment as
« Modifications non déposées (non instruites) » and never shown to reviewers. Three things trigger it,
so that no reopened dossier stays a draft once the call no longer takes dossiers:

- a task scheduled at the deadline when a dossier is reopened (`schedule_restoration`);
- the early closing of the call (`on_call_closed_early`, receiver of `calls.signals.call_closed_early`);
- the hourly round (`manage.py restore_reopened_dossiers`), which also covers a moved deadline;

and the review's opening calls `restore_reopened_dossiers` before taking the submitted dossiers.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from capqvct.applications.models import Application, ApplicationStatus, Submission
from capqvct.applications.reminders import drafts_with_holders, recipients_of
from capqvct.applications.states import DOSSIER
from capqvct.calls.models import Call, call_is_open
from capqvct.core.emails import send_templated_email
from capqvct.core.formatting import format_datetime


def reopened_dossiers() -> QuerySet[Application]:
    """Drafts that were submitted before: reopened, with who to tell, in a fixed number of queries."""
    submitted_before = Submission.objects.filter(application=OuterRef("pk"))
    return drafts_with_holders().filter(Exists(submitted_before))


def restore_reopened_dossiers(*, call: Call, now: datetime | None = None) -> int:
    """Once the call no longer takes dossiers, return each of its reopened dossiers to its last submission."""
    now = now or timezone.now()
    if call_is_open(call, now):
        return 0
    reopened = Application.objects.filter(
        call=call, status=ApplicationStatus.DRAFT, submissions__isnull=False
    )
    return sum(restore_last_submission(application=a, now=now) for a in reopened.distinct())


def restore_every_closed_call(*, now: datetime | None = None) -> int:
    """The hourly round: every reopened dossier whose call has closed (deadline passed, or closed early)."""
    now = now or timezone.now()
    restored = 0
    for call in Call.objects.filter(applications__in=reopened_dossiers()).distinct():
        restored += restore_reopened_dossiers(call=call, now=now)
    return restored


def restore_last_submission(*, application: Application, now: datetime | None = None) -> bool:
    """The dossier's last submission becomes its answers again, and the establishment is e-mailed.

    False when there is nothing to do (deposited or restored meanwhile). The row is locked, so the
    changes kept as « non déposées » are those of the last save.
    """
    now = now or timezone.now()
    # Read with who to tell (the establishment's applicants); None if no longer a reopened dossier.
    application = reopened_dossiers().filter(pk=application.pk).first()
    if application is None:
        return False
    with transaction.atomic():
        locked = Application.objects.select_for_update().filter(pk=application.pk).first()
        last = locked.submissions.order_by("-number").first() if locked else None
        if locked is None or locked.status != ApplicationStatus.DRAFT or last is None:
            return False
        locked.call = application.call
        undeposited = locked.answers if locked.answers != last.answers else {}
        DOSSIER.perform(
            locked,
            "restore_last_submission",
            by=None,
            now=now,
            changes={
                "answers": last.answers,
                "form_version_id": last.form_version_id,
                "submitted_at": last.submitted_at,
                "undeposited_answers": undeposited,
                "lock_version": F("lock_version") + 1,
            },
            details={"number": last.number, "undeposited_changes": bool(undeposited)},
        )
        _tell_the_establishment(application, last, undeposited=bool(undeposited))
    return True


def _tell_the_establishment(application: Application, last: Submission, *, undeposited: bool) -> None:
    recipients = recipients_of(application)
    if not recipients:
        return
    call = application.call
    send_templated_email(
        to=recipients,
        subject=f"Votre dernier dépôt sera instruit : {call.title}",
        template="applications/emails/restored_to_last_submission.txt",
        purpose="applications.restored_to_last_submission",
        about=application,
        context={
            "call": call,
            "establishment": application.establishment,
            "submission": last,
            "submitted_at": format_datetime(last.submitted_at, call.time_zone, with_zone=True),
            "undeposited": undeposited,
            "link_path": reverse("applications:edit", args=[application.pk]),
        },
    )


def schedule_restoration(call: Call) -> None:
    """Queue the restoration for the call's deadline (a second after it), when the task backend can
    defer; the hourly round does it otherwise, and whenever the deadline moved."""
    from capqvct.applications.tasks import restore_reopened_dossiers_of_call

    if restore_reopened_dossiers_of_call.get_backend().supports_defer:
        deadline = call.closed_early_at or call.closes_at
        task = restore_reopened_dossiers_of_call.using(run_after=deadline + timedelta(seconds=1))
        transaction.on_commit(lambda: task.enqueue(call_id=call.pk))


def on_call_closed_early(sender, *, call: Call, **kwargs) -> None:
    """Receiver of calls.signals.call_closed_early: inside the closing's transaction, so the dossiers
    return to their last submission if and only if the call is closed."""
    restore_reopened_dossiers(call=call, now=call.closed_early_at)
