"""Background work of dossiers, run by `manage.py db_worker`; arguments are plain JSON values."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django_tasks import task

from capqvct.applications import reminders, restoration
from capqvct.calls.models import Call


@task()
def send_draft_reminders() -> int:
    """The hourly round of reminders to draft holders (see the send_draft_reminders command)."""
    return reminders.send_due_reminders()


@task()
def tell_draft_holders_of_extension(*, call_id: int, previous_deadline: str, by_id: int | None) -> int:
    """E-mail the new deadline to the call's draft holders, unless it has since moved back."""
    call = Call.objects.select_related("programme__region").get(pk=call_id)
    previous = datetime.fromisoformat(previous_deadline)
    if call.closes_at <= previous:
        return 0
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    return reminders.notify_deadline_extended(call=call, previous_deadline=previous, by=by)


@task()
def send_message_to_draft_holders(*, call_id: int, subject: str, body: str, by_id: int | None = None) -> int:
    """Send a programme manager's message to the holders of each draft of the call."""
    call = Call.objects.select_related("programme__region").get(pk=call_id)
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    return reminders.send_message_to_holders(call=call, subject=subject, body=body, by=by)


@task()
def restore_reopened_dossiers_of_call(*, call_id: int) -> int:
    """At the call's deadline: its reopened dossiers return to their last submission (if it has closed)."""
    call = Call.objects.select_related("programme__region").get(pk=call_id)
    return restoration.restore_reopened_dossiers(call=call)


@task()
def restore_reopened_dossiers() -> int:
    """The hourly round: reopened dossiers of every closed call (the restore_reopened_dossiers command)."""
    return restoration.restore_every_closed_call()
