"""The cohort's calendar: collective sessions, the call's presentation, the meetings and support visits
with each establishment, the documents of a session, the school holidays the planning assistant avoids,
and each user's private feed.

Each service checks who acts (`permissions.can_plan_cohort_calendar`, `can_plan_presentation`), writes
its audit event and queues the invitations in one transaction. Every invited person receives their own
e-mail with a calendar file fixed at that moment (the outbox row keeps it): a request with the event's
UID and SEQUENCE; a change bumps the SEQUENCE; a cancellation bumps it too and sends METHOD:CANCEL.
"""

import hashlib
import secrets
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from capqvct.applications.attachments import (
    HEAD_SIZE,
    OFFICE_AND_IMAGE_EXTENSIONS,
    check_upload,
    clean_name,
    detect_content_type,
)
from capqvct.calls.formdef.schema import Field, Kind
from capqvct.calls.models import Call
from capqvct.cohorts import calendar_ics, calendar_selectors
from capqvct.cohorts.models import (
    CalendarFeed,
    Cohort,
    EventStatus,
    Grouping,
    GroupingStatus,
    Mode,
    Participant,
    SchoolHoliday,
    Session,
    SessionDocument,
    SessionKind,
    SupportVisit,
    VisitKind,
    VisitLength,
)
from capqvct.cohorts.permissions import can_plan_cohort_calendar, can_plan_presentation
from capqvct.core.emails import EmailAttachment, queue_emails
from capqvct.core.exceptions import Refusal
from capqvct.core.permissions import ensure
from capqvct.core.services import record_event

PURPOSE = "cohorts.calendar"
MAX_SESSIONS_AT_ONCE = 20
DOCUMENTS_FIELD = Field(
    key="documents",
    kind=Kind.FILE,
    label="Documents de la séance",
    extensions=OFFICE_AND_IMAGE_EXTENSIONS,
    max_size_mb=20,
)


# What every event needs: when, and where.


def local_instant(day: date | None, at: time | None, zone: str) -> datetime | None:
    """The instant of a day and an hour typed in the call's time zone."""
    if day is None or at is None:
        return None
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone))


def _clean_place(*, starts_at, ends_at, mode: str, address: str, video_url: str) -> dict:
    if starts_at is None:
        raise Refusal("Indiquez la date et l’heure de début.", field="starts_at")
    if ends_at is None:
        raise Refusal("Indiquez l’heure de fin.", field="ends_at")
    if ends_at <= starts_at:
        raise Refusal("La fin doit suivre le début.", field="ends_at")
    if mode not in Mode.values:
        raise Refusal("Choisissez sur place ou en visioconférence.", field="mode")
    address, video_url = (address or "").strip(), (video_url or "").strip()
    if mode == Mode.ON_SITE and not address:
        raise Refusal("Indiquez l’adresse du lieu.", field="address")
    if mode == Mode.VIDEO:
        if not video_url:
            raise Refusal("Indiquez le lien de la visioconférence.", field="video_url")
        try:
            URLValidator(schemes=["https"])(video_url)
        except ValidationError:
            raise Refusal(
                "Le lien de visioconférence doit être une adresse commençant par https://.", field="video_url"
            ) from None
    return {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "mode": mode,
        "address": address if mode == Mode.ON_SITE else "",
        "video_url": video_url if mode == Mode.VIDEO else "",
    }


def _ensure_confirmed(call: Call) -> None:
    if not Grouping.objects.filter(call=call, status=GroupingStatus.CONFIRMED).exists():
        raise Refusal("Les séances se planifient une fois les collectifs de l’appel confirmés.")


def _ensure_scheduled(event) -> None:
    if event.status == EventStatus.CANCELLED:
        raise Refusal("Ce rendez-vous est annulé : il ne change plus.")


# Invitations


SUBJECTS = {
    "new": "Invitation",
    "changed": "Modification",
    "cancelled": "Annulation",
}


def _invite(event: Session | SupportVisit, *, change: str, by, to: list[str] | None = None) -> list[str]:
    """One e-mail per invited person (`to`, else everyone invited), each with their calendar file;
    returns the addresses."""
    recipients = calendar_selectors.invitees(event) if to is None else to
    cancelled = change == "cancelled"
    if not recipients:
        return []
    zone = calendar_ics.event_zone(event)
    body = render_to_string(
        "cohorts/calendar/emails/invitation.txt",
        {
            "event": event,
            "title": calendar_ics.event_title(event),
            "place": calendar_ics.event_place(event),
            "zone": zone,
            "change": change,
            "site_url": settings.SITE_URL,
        },
    )
    method = "CANCEL" if cancelled else "REQUEST"
    subject = f"Cap QVCT — {SUBJECTS[change]} : {calendar_ics.event_title(event)}"
    queue_emails(
        [
            {
                "to": [address],
                "subject": subject,
                "body": body,
                "purpose": PURPOSE,
                "by": by,
                "about": event,
                "attachments": [
                    EmailAttachment.text(
                        calendar_ics.invitation(event, to=address, cancelled=cancelled).decode(),
                        file_name="invitation.ics",
                        mimetype=f"{calendar_ics.ICS_MIME}; method={method}",
                    )
                ],
            }
            for address in recipients
        ]
    )
    return recipients


def _audit(action: str, event: Session | SupportVisit, by, *, recipients: list[str], **details) -> None:
    target = event.cohort if isinstance(event, Session) and event.cohort_id else event
    if isinstance(event, SupportVisit):
        target = event.participant.cohort
    record_event(
        action=action,
        actor=by,
        target=target,
        details={
            "event": str(event.uid),
            "label": calendar_ics.event_title(event),
            "starts_at": event.starts_at.isoformat(),
            "sequence": event.sequence,
            "recipients": len(recipients),
            **details,
        },
    )


# Sessions


def schedule_session(
    *,
    cohort: Cohort,
    by,
    starts_at: datetime | None,
    ends_at: datetime | None,
    mode: str,
    address: str = "",
    video_url: str = "",
    agenda: str = "",
) -> Session:
    """A new collective session of the cohort, numbered after the others; its invitation goes out."""
    ensure(can_plan_cohort_calendar(by, cohort))
    fields = _clean_place(
        starts_at=starts_at, ends_at=ends_at, mode=mode, address=address, video_url=video_url
    )
    with transaction.atomic():
        session = Session.objects.create(
            call=cohort.call,
            cohort=cohort,
            kind=SessionKind.COLLECTIVE,
            number=calendar_selectors.next_session_number(cohort),
            agenda=(agenda or "").strip(),
            **fields,
        )
        recipients = _invite(session, change="new", by=by)
        _audit("calendar_session_scheduled", session, by, recipients=recipients)
    return session


def schedule_presentation(
    *,
    call: Call,
    by,
    starts_at: datetime | None,
    ends_at: datetime | None,
    mode: str,
    address: str = "",
    video_url: str = "",
    agenda: str = "",
) -> Session:
    """The presentation of the programme to every cohort of the call."""
    ensure(can_plan_presentation(by, call))
    _ensure_confirmed(call)
    fields = _clean_place(
        starts_at=starts_at, ends_at=ends_at, mode=mode, address=address, video_url=video_url
    )
    with transaction.atomic():
        session = Session.objects.create(
            call=call, kind=SessionKind.PRESENTATION, agenda=(agenda or "").strip(), **fields
        )
        recipients = _invite(session, change="new", by=by)
        record_event(
            action="calendar_presentation_scheduled",
            actor=by,
            target=call,
            details={
                "event": str(session.uid),
                "starts_at": session.starts_at.isoformat(),
                "recipients": len(recipients),
            },
        )
    return session


def _ensure_may_change(session: Session, by) -> None:
    if session.kind == SessionKind.PRESENTATION:
        ensure(can_plan_presentation(by, session.call))
    else:
        ensure(can_plan_cohort_calendar(by, session.cohort))


def change_session(
    *,
    session: Session,
    by,
    starts_at: datetime | None,
    ends_at: datetime | None,
    mode: str,
    address: str = "",
    video_url: str = "",
    agenda: str = "",
) -> Session:
    """Move or change a session: calendars update the same event (SEQUENCE + 1)."""
    _ensure_may_change(session, by)
    _ensure_scheduled(session)
    fields = _clean_place(
        starts_at=starts_at, ends_at=ends_at, mode=mode, address=address, video_url=video_url
    )
    with transaction.atomic():
        previous = session.starts_at
        for name, value in fields.items():
            setattr(session, name, value)
        session.agenda = (agenda or "").strip()
        session.sequence += 1
        session.save()
        recipients = _invite(session, change="changed", by=by)
        _audit("calendar_session_changed", session, by, recipients=recipients, previous=previous.isoformat())
    return session


def cancel_session(*, session: Session, by) -> Session:
    """Cancel a session: calendars remove it (METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE + 1)."""
    _ensure_may_change(session, by)
    return _cancel(session, by, action="calendar_session_cancelled")


def plan_sessions(
    *,
    cohort: Cohort,
    by,
    days: list[date | None],
    starts: time | None,
    ends: time | None,
    mode: str,
    address: str = "",
    video_url: str = "",
) -> list[Session]:
    """The planning assistant's dates, as the person adjusted them, become sessions in one go."""
    ensure(can_plan_cohort_calendar(by, cohort))
    if not days:
        raise Refusal("Aucune date à planifier.")
    if len(days) > MAX_SESSIONS_AT_ONCE:
        raise Refusal(f"Planifiez au plus {MAX_SESSIONS_AT_ONCE} séances à la fois.")
    for index, day in enumerate(days):
        if day is None:
            raise Refusal(f"La date de la séance {index + 1} n’est pas valide.", field=f"day_{index}")
    if len(set(days)) != len(days):
        raise Refusal("Deux séances tombent le même jour : changez l’une des dates.")
    zone = cohort.call.time_zone
    planned = [
        _clean_place(
            starts_at=local_instant(day, starts, zone),
            ends_at=local_instant(day, ends, zone),
            mode=mode,
            address=address,
            video_url=video_url,
        )
        for day in sorted(days)
    ]
    with transaction.atomic():
        first = calendar_selectors.next_session_number(cohort)
        sessions = []
        for offset, fields in enumerate(planned):
            session = Session.objects.create(
                call=cohort.call, cohort=cohort, kind=SessionKind.COLLECTIVE, number=first + offset, **fields
            )
            recipients = _invite(session, change="new", by=by)
            sessions.append(session)
        record_event(
            action="calendar_sessions_planned",
            actor=by,
            target=cohort,
            details={
                "sessions": [str(s.uid) for s in sessions],
                "days": [day.isoformat() for day in sorted(days)],
                "recipients": len(recipients),
            },
        )
    return sessions


def add_session_document(*, session: Session, upload, by) -> SessionDocument:
    """A file for the session's participants, checked as a dossier's files are (kind, size, content)."""
    _ensure_may_change(session, by)
    if upload is None:
        raise Refusal("Choisissez un fichier.", field="file")
    if problem := check_upload(DOCUMENTS_FIELD, upload):
        raise Refusal(problem, field="file")
    upload.seek(0)
    head = upload.read(HEAD_SIZE)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        document = SessionDocument(
            session=session,
            name=clean_name(upload.name or ""),
            size=upload.size,
            content_type=detect_content_type(head),
            sha256=digest.hexdigest(),
            uploaded_by=by,
        )
        document.file.save("document", upload, save=False)
        document.save()
        record_event(
            action="calendar_document_added",
            actor=by,
            target=session.cohort or session.call,
            details={"event": str(session.uid), "name": document.name, "sha256": document.sha256},
        )
    return document


def remove_session_document(*, document: SessionDocument, by) -> None:
    """Take a document off its session; the stored file goes once the removal is committed."""
    session = document.session
    _ensure_may_change(session, by)
    if session.status == EventStatus.CANCELLED:
        raise Refusal("Cette séance est annulée : ses documents ne changent plus.")
    stored = document.file.name
    storage = document.file.storage
    with transaction.atomic():
        record_event(
            action="calendar_document_removed",
            actor=by,
            target=session.cohort or session.call,
            details={"event": str(session.uid), "name": document.name, "sha256": document.sha256},
        )
        document.delete()
        transaction.on_commit(lambda: storage.delete(stored))


# Meetings and support visits


def _clean_visit(participant: Participant, *, kind: str, length: str, consultant, subject: str) -> dict:
    if kind not in VisitKind.values:
        raise Refusal("Choisissez le type de rencontre.", field="kind")
    if length not in VisitLength.values:
        raise Refusal("Choisissez la durée : demi-journée ou journée.", field="length")
    pair = participant.cohort.pair
    if consultant is None or pair is None or consultant.pk not in (pair.first_id, pair.second_id):
        raise Refusal("Choisissez l’un des deux intervenants du binôme du collectif.", field="consultant")
    return {
        "kind": kind,
        "length": length,
        "consultant": consultant,
        "subject": (subject or "").strip()[:200],
    }


def schedule_visit(
    *,
    participant: Participant,
    by,
    kind: str,
    length: str,
    consultant,
    subject: str = "",
    starts_at: datetime | None,
    ends_at: datetime | None,
    mode: str,
    address: str = "",
    video_url: str = "",
) -> SupportVisit:
    """A meeting before the start or a support visit with one establishment, by one of the pair."""
    ensure(can_plan_cohort_calendar(by, participant.cohort))
    visit_fields = _clean_visit(participant, kind=kind, length=length, consultant=consultant, subject=subject)
    fields = _clean_place(
        starts_at=starts_at, ends_at=ends_at, mode=mode, address=address, video_url=video_url
    )
    with transaction.atomic():
        visit = SupportVisit.objects.create(participant=participant, **visit_fields, **fields)
        recipients = _invite(visit, change="new", by=by)
        _audit("calendar_visit_scheduled", visit, by, recipients=recipients)
    return visit


def change_visit(
    *,
    visit: SupportVisit,
    by,
    kind: str,
    length: str,
    consultant,
    subject: str = "",
    starts_at: datetime | None,
    ends_at: datetime | None,
    mode: str,
    address: str = "",
    video_url: str = "",
) -> SupportVisit:
    """Move or change a visit (SEQUENCE + 1); a new consultant receives it, the previous one is told
    it is cancelled for them."""
    participant = visit.participant
    ensure(can_plan_cohort_calendar(by, participant.cohort))
    _ensure_scheduled(visit)
    visit_fields = _clean_visit(participant, kind=kind, length=length, consultant=consultant, subject=subject)
    fields = _clean_place(
        starts_at=starts_at, ends_at=ends_at, mode=mode, address=address, video_url=video_url
    )
    with transaction.atomic():
        previous, previous_consultant = visit.starts_at, visit.consultant
        for name, value in {**visit_fields, **fields}.items():
            setattr(visit, name, value)
        visit.sequence += 1
        visit.save()
        recipients = _invite(visit, change="changed", by=by)
        if previous_consultant.pk != visit.consultant_id and previous_consultant.email:
            _invite(visit, change="cancelled", by=by, to=[previous_consultant.email.lower()])
        _audit("calendar_visit_changed", visit, by, recipients=recipients, previous=previous.isoformat())
    return visit


def cancel_visit(*, visit: SupportVisit, by) -> SupportVisit:
    ensure(can_plan_cohort_calendar(by, visit.participant.cohort))
    return _cancel(visit, by, action="calendar_visit_cancelled")


def _cancel(event, by, *, action: str):
    """A session or a visit cancelled: its status, a higher SEQUENCE, the invitees told, the audit."""
    _ensure_scheduled(event)
    with transaction.atomic():
        event.status = EventStatus.CANCELLED
        event.sequence += 1
        event.save(update_fields=["status", "sequence", "updated_at"])
        recipients = _invite(event, change="cancelled", by=by)
        _audit(action, event, by, recipients=recipients)
    return event


# School holidays


def add_school_holiday(
    *, call: Call, by, name: str, starts_on: date | None, ends_on: date | None
) -> SchoolHoliday:
    """A school-holiday period of the call, which the planning assistant avoids when asked."""
    ensure(can_plan_presentation(by, call))
    name = (name or "").strip()
    if not name:
        raise Refusal("Nommez la période (par exemple « Vacances de la Toussaint »).", field="name")
    if starts_on is None:
        raise Refusal("Indiquez le premier jour.", field="starts_on")
    if ends_on is None:
        raise Refusal("Indiquez le dernier jour.", field="ends_on")
    if ends_on < starts_on:
        raise Refusal("Le dernier jour doit suivre le premier.", field="ends_on")
    with transaction.atomic():
        holiday = SchoolHoliday.objects.create(
            call=call, name=name[:120], starts_on=starts_on, ends_on=ends_on
        )
        record_event(
            action="school_holiday_added",
            actor=by,
            target=call,
            details={"name": holiday.name, "from": starts_on.isoformat(), "to": ends_on.isoformat()},
        )
    return holiday


def remove_school_holiday(*, holiday: SchoolHoliday, by) -> None:
    ensure(can_plan_presentation(by, holiday.call))
    with transaction.atomic():
        record_event(
            action="school_holiday_removed", actor=by, target=holiday.call, details={"name": holiday.name}
        )
        holiday.delete()


# The private feed


def renew_feed(*, user, now: datetime | None = None) -> CalendarFeed:
    """A new secret address for the user's feed; the previous one stops answering at once."""
    if not getattr(user, "is_authenticated", False):
        raise Refusal("Connectez-vous pour obtenir votre agenda.")
    now = now or timezone.now()
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(
            user=user, defaults={"token": secrets.token_urlsafe(32), "created_at": now}
        )
        if not created:
            feed.token = secrets.token_urlsafe(32)
            feed.created_at = now
            feed.save(update_fields=["token", "created_at"])
        record_event(action="calendar_feed_renewed", actor=user, target=user, details={"first": created})
    return feed
