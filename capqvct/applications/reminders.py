"""Reminders to the holders of unsubmitted drafts, and the messages agents and extensions send them.

A draft's holders are the director and members of its establishment's space; for a dossier received
by e-mail, post or import, the address it came from. Reminders follow the call's own time zone: one
`reminder_days` days before the last day, one on the last day, each recorded once per deadline in
DraftReminder, so an hourly run never sends one twice and an extended deadline earns new ones.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from capqvct.accounts.models import Membership
from capqvct.applications.models import Application, ApplicationStatus, Channel, DraftReminder, ReminderKind
from capqvct.applications.permissions import APPLICANT_ROLES
from capqvct.calls.deadlines import describe_deadline
from capqvct.calls.models import Call, call_is_listed, call_is_open
from capqvct.calls.permissions import can_manage_region
from capqvct.core.emails import send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.services import record_event

SUBJECT_MAX_LENGTH = 200


# --- Reading: draft holders and the reminder calendar -------------------------------------------


@dataclass
class DraftHolders:
    """A draft and the addresses its e-mails go to (empty when nobody can be reached)."""

    application: Application
    recipients: list[str] = field(default_factory=list)


def drafts_with_holders() -> QuerySet[Application]:
    """Drafts with their call, establishment and the applicants of its space, in a fixed number of queries."""
    applicants = (
        Membership.objects.filter(role__in=APPLICANT_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    return (
        Application.objects.filter(status=ApplicationStatus.DRAFT)
        .select_related("call__programme__region", "establishment__organisation")
        .prefetch_related(
            Prefetch("establishment__organisation__memberships", queryset=applicants, to_attr="applicants")
        )
        .order_by("pk")
    )


def recipients_of(application: Application) -> list[str]:
    """Online, the applicants of the establishment's space; off the site, the address it came from."""
    if application.channel != Channel.ONLINE:
        return [application.sender_email] if application.sender_email else []
    organisation = application.establishment.organisation
    if organisation is None:
        return []
    return sorted({membership.user.email for membership in organisation.applicants})


def draft_holders(call: Call) -> list[DraftHolders]:
    """Every draft of the call with its recipients, including drafts nobody can be reached for."""
    return [
        DraftHolders(application, recipients_of(application))
        for application in drafts_with_holders().filter(call=call)
    ]


def last_day(deadline: datetime, zone: str) -> date:
    """The last local day on which a dossier can be submitted.

    It is the day of the instant just before the deadline, so that a deadline stored as the end of
    a day (23:59:59) and one stored as the next midnight both name the same last day.
    """
    return (deadline - timedelta(microseconds=1)).astimezone(ZoneInfo(zone)).date()


def before_day(call: Call) -> date | None:
    """From which local day the first reminder goes out; None when it would fall on the last day."""
    if not call.reminder_days:
        return None
    return last_day(call.closes_at, call.time_zone) - timedelta(days=call.reminder_days)


def reminder_due(call: Call, now: datetime) -> str | None:
    """Which reminder a draft of this open call is due at `now`, read in the call's time zone."""
    if not call_is_open(call, now):
        return None
    today = now.astimezone(ZoneInfo(call.time_zone)).date()
    last = last_day(call.closes_at, call.time_zone)
    if today == last:
        return ReminderKind.LAST_DAY
    first = before_day(call)
    if first is not None and first <= today < last:
        return ReminderKind.BEFORE
    return None


@dataclass
class ReminderSchedule:
    """What the agents' page says about reminders: the last one sent and the days still to come."""

    last_sent_at: datetime | None
    planned: list[tuple[str, date]]


def reminder_schedule(call: Call, now: datetime | None = None) -> ReminderSchedule:
    """The last reminder sent for the call's drafts, and the local days of the ones still planned."""
    now = now or timezone.now()
    reminders = DraftReminder.objects.filter(application__call=call)
    last_sent_at = reminders.aggregate(last=Max("sent_at"))["last"]
    planned: list[tuple[str, date]] = []
    if call_is_listed(call, now):
        sent = set(reminders.filter(deadline=call.closes_at).values_list("kind", flat=True).distinct())
        today = now.astimezone(ZoneInfo(call.time_zone)).date()
        last = last_day(call.closes_at, call.time_zone)
        first = before_day(call)
        # Within the window, a draft started since the last round is reminded at the next one, today.
        if first is not None and ReminderKind.BEFORE not in sent and today < last:
            planned.append((ReminderKind.BEFORE, max(first, today)))
        if ReminderKind.LAST_DAY not in sent:
            planned.append((ReminderKind.LAST_DAY, last))
    return ReminderSchedule(last_sent_at=last_sent_at, planned=planned)


# --- Writing: reminders, extensions, messages ----------------------------------------------------


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind the holders of every draft whose reminder is due and not yet sent; return the e-mails sent.

    Safe to run every hour, and by two processes at once: the unique DraftReminder row decides.
    """
    now = now or timezone.now()
    calls_by_kind: dict[str, list[int]] = {ReminderKind.BEFORE: [], ReminderKind.LAST_DAY: []}
    open_calls = Call.objects.open_at(now).select_related("programme__region")
    for call in open_calls:
        if kind := reminder_due(call, now):
            calls_by_kind[kind].append(call.pk)
    sent = 0
    for kind, call_ids in calls_by_kind.items():
        if not call_ids:
            continue
        already_sent = DraftReminder.objects.filter(
            application=OuterRef("pk"), kind=kind, deadline=OuterRef("call__closes_at")
        )
        per_call: Counter[Call] = Counter()
        for application in drafts_with_holders().filter(call_id__in=call_ids).exclude(Exists(already_sent)):
            recipients = recipients_of(application)
            # Nobody to tell yet: a member who joins before the next run will be.
            if recipients and _remind(application, kind, recipients):
                per_call[application.call] += 1
        for call, count in per_call.items():
            record_event(
                action="draft_reminders_sent",
                target=call,
                details={"kind": kind, "deadline": call.closes_at.isoformat(), "dossiers": count},
            )
            sent += count
    return sent


def _remind(application: Application, kind: str, recipients: list[str]) -> bool:
    """Record the reminder and queue its e-mail; False when another run recorded it first."""
    call = application.call
    try:
        with transaction.atomic():
            DraftReminder.objects.create(application=application, kind=kind, deadline=call.closes_at)
            if kind == ReminderKind.LAST_DAY:
                subject = f"Dernier jour pour déposer votre dossier : {call.title}"
            else:
                subject = f"Rappel : votre dossier n’est pas encore déposé ({call.title})"
            send_templated_email(
                to=recipients,
                subject=subject,
                template="applications/emails/draft_reminder.txt",
                purpose="applications.draft_reminder",
                about=application,
                context={**_email_context(application), "last_day": kind == ReminderKind.LAST_DAY},
            )
    except IntegrityError:
        return False
    return True


def on_deadline_extended(sender, *, call: Call, previous_deadline: datetime, by, **kwargs) -> None:
    """Receiver of calls.signals.deadline_extended: tell the draft holders in the background.

    Queued inside update_call's transaction: with the database backend, the task exists if and only
    if the new deadline was saved.
    """
    from capqvct.applications.tasks import tell_draft_holders_of_extension

    tell_draft_holders_of_extension.enqueue(
        call_id=call.pk,
        previous_deadline=previous_deadline.isoformat(),
        by_id=by.pk if getattr(by, "pk", None) else None,
    )


def notify_deadline_extended(*, call: Call, previous_deadline: datetime, by=None) -> int:
    """E-mail the holders of the call's drafts its new deadline, in words; return the e-mails sent."""
    previous_text = describe_deadline(previous_deadline, call.time_zone)
    count = 0
    with transaction.atomic():
        for holders in draft_holders(call):
            if not holders.recipients:
                continue
            send_templated_email(
                to=holders.recipients,
                subject=f"Date limite reportée : {call.title}",
                template="applications/emails/deadline_extended.txt",
                purpose="applications.deadline_extended",
                by=by,
                about=holders.application,
                context={**_email_context(holders.application), "previous_deadline": previous_text},
            )
            count += 1
        record_event(
            action="draft_holders_told_of_extension",
            actor=by,
            target=call,
            details={
                "previous_deadline": previous_deadline.isoformat(),
                "deadline": call.closes_at.isoformat(),
                "dossiers": count,
            },
        )
    return count


def write_to_draft_holders(*, call: Call, subject: str, body: str, by) -> int:
    """A programme manager writes to every draft holder of the call at once; return how many people.

    The e-mails leave in the background, one per dossier, each naming its establishment.
    """
    from capqvct.applications.tasks import send_message_to_draft_holders

    if not (allowed := can_manage_region(by, call.programme.region_id)):
        raise Refusal(allowed.reason)
    subject, body = " ".join(subject.split()), body.strip()
    if not subject:
        raise Refusal("Indiquez l’objet du message.", field="subject")
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise Refusal(f"L’objet ne doit pas dépasser {SUBJECT_MAX_LENGTH} caractères.", field="subject")
    if not body:
        raise Refusal("Écrivez le message à envoyer.", field="body")
    holders = draft_holders(call)
    addresses = {address for item in holders for address in item.recipients}
    if not addresses:
        raise Refusal("Aucun dossier en brouillon n’a de destinataire : le message n’a pas été envoyé.")
    with transaction.atomic():
        record_event(
            action="draft_holders_written_to",
            actor=by,
            target=call,
            details={
                "subject": subject,
                "recipients": len(addresses),
                "dossiers": sum(1 for item in holders if item.recipients),
            },
        )
        send_message_to_draft_holders.enqueue(call_id=call.pk, subject=subject, body=body, by_id=by.pk)
    return len(addresses)


def send_message_to_holders(*, call: Call, subject: str, body: str, by=None) -> int:
    """Put an agent's message to the holders of each draft of the call in the outbox; return how many."""
    count = 0
    with transaction.atomic():
        for holders in draft_holders(call):
            if holders.recipients:
                send_templated_email(
                    to=holders.recipients,
                    subject=subject,
                    template="applications/emails/message_to_draft_holders.txt",
                    context={**_email_context(holders.application), "body": body},
                    purpose="applications.message_to_draft_holders",
                    by=by,
                    about=holders.application,
                )
                count += 1
    return count


def _email_context(application: Application) -> dict:
    call = application.call
    if application.channel == Channel.ONLINE:
        path = reverse("applications:edit", args=[application.pk])
    else:
        path = reverse("calls:public_detail", args=[call.pk])
    return {
        "application": application,
        "call": call,
        "establishment": application.establishment,
        "online": application.channel == Channel.ONLINE,
        "deadline": describe_deadline(call.closes_at, call.time_zone),
        "link_path": path,
    }
