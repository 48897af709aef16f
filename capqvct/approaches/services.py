"""What changes an approach: the comité QVT and its meetings, the scope, the communication plan, and
the passage from one sequence to the next (asked by the establishment, agreed by a consultant of the
pair). Each change checks who may make it, writes the audit event that feeds the activity feed, and
dates the approach's last activity, in one transaction."""

from datetime import date, datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from capqvct.approaches.models import (
    Approach,
    CommitteeMeeting,
    CommitteeMember,
    CommitteeRole,
    Message,
    Sequence,
    SequenceClosure,
)
from capqvct.approaches.permissions import can_answer_closure, can_ask_closure, can_work_on
from capqvct.approaches.selectors import approach_counts
from capqvct.approaches.sequences import missing
from capqvct.cohorts.models import Participant
from capqvct.core.emails import send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.permissions import ensure
from capqvct.core.services import record_event

MAX_TEXT = 5000


def open_approach(participant: Participant) -> Approach:
    """The participant's approach, created at its first change (inside the caller's transaction)."""
    approach, _ = Approach.objects.select_for_update().get_or_create(participant=participant)
    return approach


def record_change(approach: Approach, *, by, action: str, now: datetime, **details) -> None:
    approach.last_activity_at = now
    approach.save(update_fields=["last_activity_at"])
    record_event(action=action, actor=by, target=approach, details=details)


def clean_text(value: str, field: str, *, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise Refusal(required, field=field)
    if len(value) > MAX_TEXT:
        raise Refusal(f"{MAX_TEXT} caractères au plus.", field=field)
    return value


# Sequence 1


def add_committee_member(
    *, participant: Participant, by, name: str, role: str, function: str = "", now: datetime | None = None
) -> CommitteeMember:
    ensure(can_work_on(by, participant))
    name = clean_text(name, "name", required="Indiquez le nom du membre.")
    if role not in CommitteeRole.values:
        raise Refusal("Choisissez le rôle du membre au comité.", field="role")
    now = now or timezone.now()
    with transaction.atomic():
        approach = open_approach(participant)
        member = CommitteeMember.objects.create(
            approach=approach, name=name[:150], role=role, function=clean_text(function, "function")[:150]
        )
        record_change(
            approach, by=by, action="approach_committee_member_added", now=now, name=member.name, role=role
        )
    return member


def remove_committee_member(*, member: CommitteeMember, by, now: datetime | None = None) -> None:
    """A member leaves the comité; kept for the meetings they attended."""
    ensure(can_work_on(by, member.approach.participant))
    now = now or timezone.now()
    with transaction.atomic():
        member.active = False
        member.save(update_fields=["active"])
        record_change(
            member.approach, by=by, action="approach_committee_member_left", now=now, name=member.name
        )


def record_committee_meeting(
    *,
    participant: Participant,
    by,
    held_on: date | None,
    attendee_ids: list[int],
    minutes: str = "",
    decisions: str = "",
    now: datetime | None = None,
) -> CommitteeMeeting:
    ensure(can_work_on(by, participant))
    now = now or timezone.now()
    if held_on is None:
        raise Refusal("Indiquez la date de la réunion.", field="held_on")
    if held_on > timezone.localdate(now):
        raise Refusal(
            "Une réunion se note une fois tenue : sa date ne peut pas être à venir.", field="held_on"
        )
    with transaction.atomic():
        approach = open_approach(participant)
        attendees = list(approach.committee.filter(pk__in=attendee_ids))
        if len(attendees) != len(set(attendee_ids)):
            raise Refusal(
                "Un des présents ne fait pas partie du comité : rechargez la page.", field="attendees"
            )
        meeting = CommitteeMeeting.objects.create(
            approach=approach,
            held_on=held_on,
            minutes=clean_text(minutes, "minutes"),
            decisions=clean_text(decisions, "decisions"),
        )
        meeting.attendees.set(attendees)
        record_change(
            approach,
            by=by,
            action="approach_committee_meeting_recorded",
            now=now,
            held_on=held_on.isoformat(),
            attendees=len(attendees),
        )
    return meeting


def save_scope(
    *, participant: Participant, by, services: str, sites: str, notes: str = "", now: datetime | None = None
) -> Approach:
    ensure(can_work_on(by, participant))
    services = clean_text(services, "scope_services")
    sites = clean_text(sites, "scope_sites")
    if not (services or sites):
        raise Refusal(
            "Indiquez au moins les services et équipes, ou les sites concernés.", field="scope_services"
        )
    now = now or timezone.now()
    with transaction.atomic():
        approach = open_approach(participant)
        approach.scope_services, approach.scope_sites = services, sites
        approach.scope_notes = clean_text(notes, "scope_notes")
        approach.save(update_fields=["scope_services", "scope_sites", "scope_notes"])
        record_change(approach, by=by, action="approach_scope_saved", now=now)
    return approach


def plan_message(
    *,
    participant: Participant,
    by,
    audience: str,
    content: str,
    channel: str = "",
    planned_on: date | None,
    now: datetime | None = None,
) -> Message:
    ensure(can_work_on(by, participant))
    audience = clean_text(audience, "audience", required="Indiquez à qui le message s’adresse.")
    content = clean_text(content, "content", required="Écrivez ce qui est dit.")
    if planned_on is None:
        raise Refusal("Indiquez quand le message part.", field="planned_on")
    now = now or timezone.now()
    with transaction.atomic():
        approach = open_approach(participant)
        message = Message.objects.create(
            approach=approach,
            audience=audience[:200],
            content=content,
            channel=clean_text(channel, "channel")[:120],
            planned_on=planned_on,
        )
        record_change(approach, by=by, action="approach_message_planned", now=now, audience=message.audience)
    return message


def mark_message_sent(
    *, message: Message, by, sent_on: date | None = None, now: datetime | None = None
) -> Message:
    ensure(can_work_on(by, message.approach.participant))
    now = now or timezone.now()
    sent_on = sent_on or timezone.localdate(now)
    if message.sent_on is not None:
        raise Refusal("Ce message est déjà noté comme envoyé.")
    with transaction.atomic():
        message.sent_on = sent_on
        message.save(update_fields=["sent_on"])
        record_change(
            message.approach, by=by, action="approach_message_sent", now=now, audience=message.audience
        )
    return message


# Moving from one sequence to the next


def ask_closure(
    *, participant: Participant, by, reason: str = "", now: datetime | None = None
) -> SequenceClosure:
    """The establishment asks to close its current sequence; with items of the checklist missing, a
    reason is required. A consultant of the pair is told and answers."""
    ensure(can_ask_closure(by, participant))
    now = now or timezone.now()
    reason = clean_text(reason, "reason")
    with transaction.atomic():
        approach = open_approach(participant)
        if approach.completed_at is not None:
            raise Refusal("La démarche est terminée : ses quatre séquences sont closes.")
        if approach.closures.filter(status=SequenceClosure.Status.REQUESTED).exists():
            raise Refusal("Une demande attend déjà la réponse de l’intervenant.")
        gaps = missing(approach.sequence, approach_counts(approach))
        if gaps and not reason:
            raise Refusal(
                "Des éléments de la séquence manquent : dites pourquoi la clore malgré tout.", field="reason"
            )
        closure = SequenceClosure.objects.create(
            approach=approach,
            sequence=approach.sequence,
            missing=gaps,
            reason=reason,
            requested_by=by,
            requested_at=now,
        )
        record_change(
            approach,
            by=by,
            action="approach_closure_asked",
            now=now,
            sequence=approach.sequence,
            missing=len(gaps),
        )
        _tell_the_pair(closure, by)
    return closure


def answer_closure(
    *, closure: SequenceClosure, by, agree: bool, comment: str = "", now: datetime | None = None
) -> SequenceClosure:
    """A consultant of the pair agrees (the next sequence opens; after the fourth, the approach is
    complete) or declines with a comment."""
    approach = closure.approach
    ensure(can_answer_closure(by, approach.participant))
    now = now or timezone.now()
    comment = clean_text(comment, "comment")
    if not agree and not comment:
        raise Refusal("Dites à l’établissement ce qui manque pour clore la séquence.", field="comment")
    with transaction.atomic():
        closure = SequenceClosure.objects.select_for_update().get(pk=closure.pk)
        if closure.status != SequenceClosure.Status.REQUESTED:
            raise Refusal("Cette demande a déjà reçu une réponse.")
        closure.status = SequenceClosure.Status.AGREED if agree else SequenceClosure.Status.DECLINED
        closure.answered_by, closure.answered_at, closure.answer = by, now, comment
        closure.save(update_fields=["status", "answered_by", "answered_at", "answer"])
        approach = Approach.objects.select_for_update().get(pk=approach.pk)
        if agree:
            if approach.sequence < Sequence.REVIEW:
                approach.sequence += 1
            else:
                approach.completed_at = now
            approach.save(update_fields=["sequence", "completed_at"])
        record_change(
            approach,
            by=by,
            action="approach_closure_agreed" if agree else "approach_closure_declined",
            now=now,
            sequence=closure.sequence,
        )
        _tell_the_establishment(closure, approach, by)
    return closure


def _name(user) -> str:
    return user.get_full_name() or user.email


def _without(emails, user) -> list[str]:
    return sorted({email.lower() for email in emails if email} - {user.email.lower()})


def _tell_the_pair(closure: SequenceClosure, by) -> None:
    participant = closure.approach.participant
    pair = participant.cohort.pair
    recipients = _without([pair.first.email, pair.second.email] if pair else [], by)
    if not recipients:
        return
    send_templated_email(
        to=recipients,
        subject=f"Cap QVCT — {participant.establishment.name} demande à clore la séquence {closure.sequence}",
        template="approaches/emails/closure_asked.txt",
        purpose="approaches.closure_asked",
        by=by,
        about=closure.approach,
        context={
            "closure": closure,
            "participant": participant,
            "asker": _name(by),
            "path": reverse("approaches:home", args=[participant.pk]),
        },
    )


def _tell_the_establishment(closure: SequenceClosure, approach: Approach, by) -> None:
    participant = approach.participant
    trio = participant.trio.filter(active=True).values_list("email", flat=True)
    asker = [closure.requested_by.email] if closure.requested_by else []
    recipients = _without([*trio, *asker], by)
    if not recipients:
        return
    agreed = closure.status == SequenceClosure.Status.AGREED
    send_templated_email(
        to=recipients,
        subject=f"Cap QVCT — Séquence {closure.sequence}\u00a0: "
        + ("close" if agreed else "l’intervenant attend des compléments"),
        template="approaches/emails/closure_answered.txt",
        purpose="approaches.closure_answered",
        by=by,
        about=approach,
        context={
            "closure": closure,
            "approach": approach,
            "participant": participant,
            "agreed": agreed,
            "answerer": _name(by),
            "path": reverse("approaches:home", args=[participant.pk]),
        },
    )
