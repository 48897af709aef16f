"""Exchanges with the applicant during the review: requests for more information and interviews.

Agents (the managers of the call's region) ask questions and schedule interviews; the
establishment's members answer. Each service checks who may, writes its audit event and queues its
e-mails in one transaction. Invitations carry an ICS file whose UID stays the same for an interview,
so calendars update or cancel the same event.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from capqvct.accounts.models import Membership
from capqvct.applications import attachments
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.applications.permissions import APPLICANT_ROLES, can_apply_for
from capqvct.applications.reminders import recipients_of
from capqvct.core.emails import EmailAttachment, send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.services import record_event
from capqvct.review.applicant_stage import refresh_applicant_stage
from capqvct.review.models import InformationRequest, Interview
from capqvct.review.permissions import can_manage_review

MIN_DURATION, MAX_DURATION = 15, 480
MAX_ATTENDEES = 20
ICS_MIME = "text/calendar"


def _ensure_manager(user, application: Application) -> None:
    if not (allowed := can_manage_review(user, application.call)):
        raise Refusal(allowed.reason)


def _ensure_in_review(application: Application) -> None:
    if application.status != ApplicationStatus.IN_REVIEW:
        raise Refusal("Ce dossier n’est pas en instruction.")


def local_today(application: Application, now: datetime) -> date:
    return now.astimezone(ZoneInfo(application.call.time_zone)).date()


def applicant_addresses(application: Application) -> list[str]:
    """The members of the establishment's space; for a dossier received off the site, its sender."""
    organisation = application.establishment.organisation
    if organisation is not None:
        applicants = Membership.objects.filter(role__in=APPLICANT_ROLES, user__is_active=True).select_related(
            "user"
        )
        prefetch_related_objects(
            [organisation], Prefetch("memberships", queryset=applicants, to_attr="applicants")
        )
    return recipients_of(application)


def _exchanges_path(application: Application) -> str:
    return reverse("review:applicant_exchanges", args=[application.pk])


def _agent_path(application: Application) -> str:
    return reverse("review:exchanges", args=[application.call_id, application.pk])


# Requests for more information


def is_late(item: InformationRequest) -> bool:
    """Answered after the reply date (read in the call's time zone), or still unanswered past it."""
    zone = ZoneInfo(item.application.call.time_zone)
    when = item.answered_at or timezone.now()
    return when.astimezone(zone).date() > item.reply_by


def ask_for_information(
    *, application: Application, question: str, reply_by: date | None, by, now: datetime | None = None
) -> InformationRequest:
    """Ask the applicant a question to answer by a date; the establishment is told by e-mail."""
    now = now or timezone.now()
    _ensure_manager(by, application)
    _ensure_in_review(application)
    question = (question or "").strip()
    if not question:
        raise Refusal("Écrivez votre question.", field="question")
    if reply_by is None:
        raise Refusal("Indiquez la date de réponse attendue.", field="reply_by")
    if reply_by <= local_today(application, now):
        raise Refusal("La date de réponse attendue doit être à venir.", field="reply_by")
    recipients = applicant_addresses(application)
    with transaction.atomic():
        item = InformationRequest.objects.create(
            application=application, question=question, reply_by=reply_by, asked_by=by
        )
        refresh_applicant_stage(application)
        record_event(
            action="information_requested",
            actor=by,
            target=application,
            details={"request": item.pk, "reply_by": reply_by.isoformat(), "recipients": recipients},
        )
        if recipients:
            send_templated_email(
                to=recipients,
                subject=f"Cap QVCT — Question sur votre dossier « {application.call.title} »",
                template="review/exchanges/emails/question.txt",
                purpose="review.question",
                by=by,
                about=item,
                context={"application": application, "item": item, "path": _exchanges_path(application)},
            )
    return item


def answer_information_request(
    *, request: InformationRequest, answer: str, upload=None, by, now: datetime | None = None
) -> InformationRequest:
    """The applicant answers once, with an optional file; a late answer is kept and flagged."""
    now = now or timezone.now()
    application = request.application
    if not (allowed := can_apply_for(by, application.establishment)):
        raise Refusal(allowed.reason)
    _ensure_in_review(application)
    if request.answered_at is not None:
        raise Refusal("Cette question a déjà reçu une réponse.")
    answer = (answer or "").strip()
    if not answer:
        raise Refusal("Écrivez votre réponse.", field="answer")
    if upload is not None and (problem := attachments.check_upload(attachments.ORIGINALS_FIELD, upload)):
        raise Refusal(problem, field="file")
    with transaction.atomic():
        if upload is not None:
            request.answer_attachment = attachments.store(application, upload, field_key="", by=by)
        request.answer = answer
        request.answered_by = by
        request.answered_at = now
        request.save()
        refresh_applicant_stage(application)
        late = is_late(request)
        record_event(
            action="information_answered",
            actor=by,
            target=application,
            details={"request": request.pk, "late": late, "file": str(request.answer_attachment_id or "")},
        )
        asker = request.asked_by
        if asker is not None and asker.is_active and asker.email:
            send_templated_email(
                to=[asker.email],
                subject=f"Cap QVCT — Réponse de {application.establishment.name}",
                template="review/exchanges/emails/answered.txt",
                purpose="review.answer",
                by=by,
                about=request,
                context={
                    "application": application,
                    "item": request,
                    "late": late,
                    "path": _agent_path(application),
                },
            )
    return request


# Interviews


def _clean_interview(
    application: Application,
    *,
    starts_at: datetime | None,
    duration: int | None,
    place: str,
    video_link: str,
    attendees: list[str],
    now: datetime,
) -> dict:
    if starts_at is None:
        raise Refusal("Indiquez la date et l’heure de l’entretien.", field="starts_at")
    if starts_at <= now:
        raise Refusal("L’entretien doit avoir lieu dans le futur.", field="starts_at")
    if duration is None or not MIN_DURATION <= duration <= MAX_DURATION:
        raise Refusal(
            f"La durée va de {MIN_DURATION} à {MAX_DURATION} minutes.",
            field="duration",
        )
    place, video_link = (place or "").strip(), (video_link or "").strip()
    if not place and not video_link:
        raise Refusal("Indiquez un lieu ou un lien de visioconférence.", field="place")
    if video_link:
        try:
            URLValidator(schemes=["https"])(video_link)
        except ValidationError:
            raise Refusal(
                "Le lien de visioconférence doit être une adresse commençant par https://.",
                field="video_link",
            ) from None
    cleaned = list(dict.fromkeys(a.strip().lower() for a in attendees if a and a.strip()))
    if not cleaned:
        raise Refusal("Indiquez au moins une personne à inviter.", field="attendees")
    if len(cleaned) > MAX_ATTENDEES:
        raise Refusal(f"Invitez au plus {MAX_ATTENDEES} personnes.", field="attendees")
    for address in cleaned:
        try:
            validate_email(address)
        except ValidationError:
            raise Refusal(f"Cette adresse n’est pas valide : {address}.", field="attendees") from None
    return {
        "starts_at": starts_at,
        "duration_minutes": duration,
        "place": place,
        "video_link": video_link,
        "attendees": cleaned,
    }


def interview_ics(interview: Interview, *, method: str = "REQUEST", now: datetime | None = None) -> bytes:
    """The calendar file of the interview: the same UID each time, SEQUENCE bumped on each change."""
    now = now or timezone.now()
    application = interview.application
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Cap QVCT//Entretiens//FR")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = icalendar.Event()
    event.add("uid", f"interview-{interview.pk}@capqvct")
    event.add("dtstamp", now.astimezone(ZoneInfo("UTC")))
    event.add("dtstart", interview.starts_at.astimezone(ZoneInfo("UTC")))
    event.add(
        "dtend",
        (interview.starts_at + timedelta(minutes=interview.duration_minutes)).astimezone(ZoneInfo("UTC")),
    )
    event.add("sequence", interview.sequence)
    event.add("summary", f"Entretien Cap QVCT — {application.establishment.name}")
    event.add("location", interview.place or interview.video_link)
    if interview.video_link:
        event.add("url", interview.video_link)
    description = [f"Entretien sur le dossier « {application.call.title} »."]
    if interview.video_link:
        description.append(f"Visioconférence : {interview.video_link}")
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organiser = interview.scheduled_by
    if organiser is not None and organiser.email:
        address = icalendar.vCalAddress(f"mailto:{organiser.email}")
        address.params["cn"] = icalendar.vText(organiser.get_full_name() or organiser.email)
        event.add("organizer", address)
    for attendee in interview.attendees:
        address = icalendar.vCalAddress(f"mailto:{attendee}")
        address.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        event.add("attendee", address)
    calendar.add_component(event)
    return calendar.to_ical()


def _send_invitation(interview: Interview, *, method: str, template: str, subject: str, by) -> None:
    # The calendar file is fixed now, with the SEQUENCE of this change, and travels in the outbox row.
    content = interview_ics(interview, method=method).decode()
    send_templated_email(
        to=list(interview.attendees),
        subject=subject,
        template=template,
        context={"interview": interview, "application": interview.application},
        purpose="review.interview",
        by=by,
        about=interview,
        attachments=[
            EmailAttachment.text(content, file_name="entretien.ics", mimetype=f"{ICS_MIME}; method={method}")
        ],
    )


def schedule_interview(
    *,
    application: Application,
    starts_at: datetime | None,
    duration: int | None,
    place: str = "",
    video_link: str = "",
    attendees: list[str],
    by,
    now: datetime | None = None,
) -> Interview:
    """Schedule an interview and send its invitation, with its calendar file, to the attendees."""
    now = now or timezone.now()
    _ensure_manager(by, application)
    _ensure_in_review(application)
    fields = _clean_interview(
        application,
        starts_at=starts_at,
        duration=duration,
        place=place,
        video_link=video_link,
        attendees=attendees,
        now=now,
    )
    with transaction.atomic():
        interview = Interview.objects.create(
            application=application, scheduled_by=by, invited_at=now, **fields
        )
        record_event(
            action="interview_scheduled",
            actor=by,
            target=application,
            details={"interview": interview.pk, "starts_at": interview.starts_at.isoformat()},
        )
        _send_invitation(
            interview,
            method="REQUEST",
            template="review/exchanges/emails/invitation.txt",
            subject=f"Cap QVCT — Invitation à un entretien ({application.establishment.name})",
            by=by,
        )
    return interview


def _ensure_open(interview: Interview) -> None:
    if interview.cancelled_at is not None:
        raise Refusal("Cet entretien a été annulé.")


def reschedule_interview(
    *,
    interview: Interview,
    starts_at: datetime | None,
    duration: int | None,
    place: str = "",
    video_link: str = "",
    attendees: list[str],
    by,
    now: datetime | None = None,
) -> Interview:
    """Change the interview; calendars update the same event (SEQUENCE + 1) with a new invitation."""
    now = now or timezone.now()
    application = interview.application
    _ensure_manager(by, application)
    _ensure_open(interview)
    fields = _clean_interview(
        application,
        starts_at=starts_at,
        duration=duration,
        place=place,
        video_link=video_link,
        attendees=attendees,
        now=now,
    )
    with transaction.atomic():
        previous = interview.starts_at
        for name, value in fields.items():
            setattr(interview, name, value)
        interview.sequence += 1
        interview.invited_at = now
        interview.save()
        record_event(
            action="interview_rescheduled",
            actor=by,
            target=application,
            details={
                "interview": interview.pk,
                "from": previous.isoformat(),
                "to": interview.starts_at.isoformat(),
                "sequence": interview.sequence,
            },
        )
        _send_invitation(
            interview,
            method="REQUEST",
            template="review/exchanges/emails/invitation.txt",
            subject=f"Cap QVCT — Entretien modifié ({application.establishment.name})",
            by=by,
        )
    return interview


def cancel_interview(*, interview: Interview, by, now: datetime | None = None) -> Interview:
    """Cancel the interview: the attendees' calendars remove it (METHOD:CANCEL)."""
    now = now or timezone.now()
    application = interview.application
    _ensure_manager(by, application)
    _ensure_open(interview)
    with transaction.atomic():
        interview.cancelled_at = now
        interview.sequence += 1
        interview.save(update_fields=["cancelled_at", "sequence"])
        record_event(
            action="interview_cancelled", actor=by, target=application, details={"interview": interview.pk}
        )
        _send_invitation(
            interview,
            method="CANCEL",
            template="review/exchanges/emails/cancelled.txt",
            subject=f"Cap QVCT — Entretien annulé ({application.establishment.name})",
            by=by,
        )
    return interview


def record_interview_notes(*, interview: Interview, notes: str, by) -> Interview:
    """The interview's notes, read by the region's agents only."""
    _ensure_manager(by, interview.application)
    _ensure_open(interview)
    notes = (notes or "").strip()
    if not notes:
        raise Refusal("Écrivez le compte rendu.", field="notes")
    with transaction.atomic():
        interview.notes = notes
        interview.save(update_fields=["notes"])
        record_event(
            action="interview_notes_recorded",
            actor=by,
            target=interview.application,
            details={"interview": interview.pk, "length": len(notes)},
        )
    return interview
