"""Decisions on a call's dossiers: drafted, confirmed together in commission, changed with a reason,
notified by letter and e-mail; a withdrawal frees a place for the first on the waiting list.

Each function is one state change: permission, change, audit event and queued work in one transaction.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls.models import Call
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from capqvct.core.permissions import ensure
from capqvct.core.services import record_event
from capqvct.review.applicant_stage import refresh_applicant_stage
from capqvct.review.decision_tasks import is_being_sent, queue_decision_emails
from capqvct.review.models import Decision, Outcome, Review
from capqvct.review.permissions import can_manage_review
from capqvct.review.states import CONFIRMED, CONFIRMED_STATES, DECISION, DRAFTED, FAILED

NOTIFICATION_REQUESTED = "decisions_notification_requested"
PROMOTION_REASON = (
    "Un établissement retenu s’est retiré : premier sur la liste d’attente, votre établissement "
    "se voit proposer la place libérée."
)


def decisions_of_call(call: Call) -> QuerySet[Decision]:
    """The decisions on the call's dossiers still in review (a withdrawn dossier's no longer counts)."""
    return Decision.objects.filter(application__call=call, application__status=ApplicationStatus.IN_REVIEW)


def call_code(call: Call) -> str:
    """« AAC12 »: the call's kind and number."""
    return f"{call.kind.upper()}{call.pk}"


def reference_prefix(call: Call) -> str:
    """« AAC12-2026 »: the call's code and the year of its deadline, in the region's time zone."""
    return f"{call_code(call)}-{timezone.localtime(call.closes_at, ZoneInfo(call.time_zone)).year}"


def _give_references(call: Call, decisions: list[Decision]) -> None:
    """A reference to each confirmed decision that has none: « AAC12-2026-0001 », numbered in the
    call from 1 in the order of confirmation, never given twice (the caller holds the review's lock)."""
    prefix = reference_prefix(call)
    given = Decision.objects.filter(reference__startswith=f"{prefix}-").values_list("reference", flat=True)
    last = max((int(ref.rsplit("-", 1)[1]) for ref in given if ref.rsplit("-", 1)[1].isdigit()), default=0)
    for decision in decisions:
        if not decision.reference:
            last += 1
            decision.reference = f"{prefix}-{last:04d}"
            Decision.objects.filter(pk=decision.pk).update(reference=decision.reference)


def _check_reason(reason: str, *, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Refusal("Écrivez le motif adressé au candidat.", field=field)
    return reason


def _lock_waiting_list(call: Call) -> None:
    """One change to the call's decisions at a time (drafts, commission, changes, promotions), so that
    the waiting list keeps its ranks 1, 2, 3… whoever acts at once."""
    Review.objects.select_for_update().filter(call=call).first()


def _waiting_line(
    call: Call, decision: Decision, *, outcome: str, at_rank: int | None = None
) -> tuple[int | None, list[Decision]]:
    """The rank `decision` takes with `outcome` (at `at_rank`, or last), and the other decisions of the
    waiting list whose rank changes so that the ranks stay 1, 2, 3… without gaps, in their order."""
    line = list(
        decisions_of_call(call)
        .filter(outcome=Outcome.WAITING_LIST)
        .exclude(pk=decision.pk)
        .order_by("waiting_rank", "pk")
    )
    if outcome == Outcome.WAITING_LIST:
        index = len(line) if at_rank is None else max(0, min(at_rank - 1, len(line)))
        line.insert(index, decision)
    rank_of_decision, moved = None, []
    for rank, item in enumerate(line, start=1):
        if item is decision:
            rank_of_decision = rank
        elif item.waiting_rank != rank:
            item.waiting_rank = rank
            moved.append(item)
    return rank_of_decision, moved


def _renumber(moved: list[Decision]) -> None:
    for decision in moved:
        Decision.objects.filter(pk=decision.pk).update(waiting_rank=decision.waiting_rank)


def _places_exceeded(call: Call, *, selected: int) -> bool:
    return call.places is not None and selected > call.places


def _override_or_refuse(call: Call, *, selected: int, reason: str, by, target) -> None:
    """Over the call's places only with a written reason, which the audit log keeps."""
    if not _places_exceeded(call, selected=selected):
        return
    reason = (reason or "").strip()
    if not reason:
        raise Refusal(
            f"{selected} dossiers seraient retenus pour {call.places} places : "
            "indiquez le motif du dépassement pour confirmer.",
            field="places_override_reason",
        )
    record_event(
        action="decision_places_overridden",
        actor=by,
        target=target,
        details={"selected": selected, "places": call.places, "reason": reason},
    )


def draft_decision(
    *, application: Application, outcome: str, reason: str, by, waiting_rank: int | None = None
) -> Decision:
    """Draft (or redraft) a dossier's decision before the commission confirms it."""
    call = application.call
    ensure(can_manage_review(by, call))
    if application.status != ApplicationStatus.IN_REVIEW:
        raise Refusal("Seul un dossier en instruction peut recevoir une décision.")
    if outcome not in Outcome.values:
        raise Refusal("Choisissez une décision.", field="outcome")
    reason = _check_reason(reason)
    if waiting_rank is not None and waiting_rank < 1:
        raise Refusal("Le rang sur la liste d’attente commence à 1.", field="waiting_rank")
    try:
        with transaction.atomic():
            _lock_waiting_list(call)
            decision = Decision.objects.select_for_update().filter(application=application).first()
            if decision is None:
                decision = Decision(application=application)
            else:
                DECISION.ensure(decision, "redraft", by=by)
            rank, moved = _waiting_line(call, decision, outcome=outcome, at_rank=waiting_rank)
            decision.outcome, decision.reason, decision.drafted_by = outcome, reason, by
            decision.waiting_rank = rank
            decision.save()
            _renumber(moved)
            record_event(
                action="decision_drafted",
                actor=by,
                target=decision,
                details={"outcome": outcome, "waiting_rank": rank},
            )
    except IntegrityError:
        # Another manager drafted the first decision of this dossier at the same instant.
        raise Refusal(DECISION.moved) from None
    return decision


def confirm_decisions(
    *, review: Review, by, places_override_reason: str = "", now: datetime | None = None
) -> list[Decision]:
    """The commission: confirm every drafted decision of the call at once, recording who and when."""
    call = review.call
    ensure(can_manage_review(by, call))
    now = now or timezone.now()
    with transaction.atomic():
        # One commission at a time per call.
        _lock_waiting_list(call)
        drafted = list(
            decisions_of_call(call)
            .filter(DECISION.condition(DRAFTED))
            .select_related("application__call__programme")
            .order_by("pk")
        )
        if not drafted:
            raise Refusal("Aucune décision en projet à confirmer.")
        selected = decisions_of_call(call).filter(outcome=Outcome.SELECTED).count()
        _override_or_refuse(call, selected=selected, reason=places_override_reason, by=by, target=review)
        for decision in drafted:
            DECISION.perform(
                decision,
                "confirm",
                by=by,
                now=now,
                changes={"confirmed_at": now, "confirmed_by": by},
                details={"outcome": decision.outcome},
            )
        _give_references(call, drafted)
        record_event(
            action="decisions_confirmed_in_commission",
            actor=by,
            target=review,
            details={"decisions": [d.pk for d in drafted], "selected": selected, "places": call.places},
        )
    return drafted


# What a decision sent again carries: confirmed anew, its earlier sending forgotten.
SENT_AGAIN = {"notified_at": None, "notification_error": "", "bounced_at": None, "bounce_reason": ""}


def change_decision(
    *,
    decision: Decision,
    outcome: str,
    reason: str,
    change_reason: str,
    by,
    waiting_rank: int | None = None,
    places_override_reason: str = "",
    now: datetime | None = None,
) -> Decision:
    """Change a confirmed decision: the change's reason is logged with the before and after, and the
    applicant is notified again."""
    application = decision.application
    call = application.call
    DECISION.ensure(decision, "change", by=by)
    if outcome not in Outcome.values:
        raise Refusal("Choisissez une décision.", field="outcome")
    reason = _check_reason(reason)
    change_reason = (change_reason or "").strip()
    if not change_reason:
        raise Refusal("Indiquez le motif du changement de décision.", field="change_reason")
    now = now or timezone.now()
    with transaction.atomic():
        _lock_waiting_list(call)
        decision = Decision.objects.select_related("application__call__programme").get(pk=decision.pk)
        before = {
            "outcome": decision.outcome,
            "reason": decision.reason,
            "waiting_rank": decision.waiting_rank,
        }
        if outcome == Outcome.SELECTED and decision.outcome != Outcome.SELECTED:
            selected = decisions_of_call(call).filter(outcome=Outcome.SELECTED).count() + 1
            _override_or_refuse(
                call, selected=selected, reason=places_override_reason, by=by, target=decision
            )
        rank, moved = _waiting_line(call, decision, outcome=outcome, at_rank=waiting_rank)
        DECISION.perform(
            decision,
            "change",
            by=by,
            now=now,
            changes={
                "outcome": outcome,
                "reason": reason,
                "waiting_rank": rank,
                "confirmed_at": now,
                "confirmed_by": by,
                **SENT_AGAIN,
            },
            details={
                "from": before,
                "to": {"outcome": outcome, "reason": reason, "waiting_rank": rank},
                "change_reason": change_reason,
            },
        )
        _renumber(moved)
        # The applicant reads the new decision with its new letter, not before.
        refresh_applicant_stage(application)
        queue_decision_emails([decision.pk], by=by)
    return decision


def promote_from_waiting_list(*, call: Call, by, now: datetime | None = None) -> Decision | None:
    """A selected dossier was withdrawn: the first on the waiting list takes the place and is notified.

    Not a manager's act but a consequence of the withdrawal, so `by` (who withdrew) is only logged.
    """
    now = now or timezone.now()
    with transaction.atomic():
        _lock_waiting_list(call)
        confirmed = decisions_of_call(call).filter(DECISION.condition(*CONFIRMED_STATES))
        if call.places is not None and confirmed.filter(outcome=Outcome.SELECTED).count() >= call.places:
            return None
        first = (
            confirmed.filter(outcome=Outcome.WAITING_LIST)
            .select_related("application")
            .order_by("waiting_rank", "pk")
            .first()
        )
        if first is None:
            return None
        before = {"outcome": first.outcome, "reason": first.reason, "waiting_rank": first.waiting_rank}
        _, moved = _waiting_line(call, first, outcome=Outcome.SELECTED)
        DECISION.perform(
            first,
            "promote",
            by=by,
            now=now,
            changes={
                "outcome": Outcome.SELECTED,
                "reason": PROMOTION_REASON,
                "waiting_rank": None,
                "confirmed_at": now,
                **SENT_AGAIN,
            },
            details={
                "from": before,
                "to": {"outcome": Outcome.SELECTED, "reason": PROMOTION_REASON},
                "change_reason": "Désistement d’un établissement retenu : confirmation automatique.",
            },
        )
        _renumber(moved)
        refresh_applicant_stage(first.application)
        # Caused by a withdrawal, not by an agent: a failure shows on the decisions page only.
        queue_decision_emails([first.pk], by=None)
    return first


def on_application_withdrawn(sender, *, application: Application, by, **kwargs) -> None:
    """Receiver of applications' `application_withdrawn`, inside the withdrawal's transaction: a confirmed
    selected dossier frees its place (the promotion commits with the withdrawal, or neither does)."""
    decision = (
        Decision.objects.filter(application=application, outcome=Outcome.SELECTED)
        .filter(DECISION.condition(*CONFIRMED_STATES))
        .first()
    )
    if decision is not None:
        promote_from_waiting_list(call=application.call, by=by)


def notify_decisions(*, review: Review, by) -> int:
    """Queue the letter and e-mail of every confirmed decision not yet notified; returns how many."""
    call = review.call
    ensure(can_manage_review(by, call))
    with transaction.atomic():
        decisions = decisions_of_call(call)
        if decisions.filter(DECISION.condition(DRAFTED)).exists():
            raise Refusal(
                "Des décisions sont encore en projet : confirmez-les en commission avant de notifier."
            )
        unsent = decisions.filter(DECISION.condition(CONFIRMED, FAILED))
        pending = list(unsent.values_list("pk", flat=True))
        if not pending:
            raise Refusal("Toutes les décisions confirmées ont déjà été notifiées.")
        unsent.filter(pk__in=pending).update(notification_error="")
        record_event(
            action=NOTIFICATION_REQUESTED, actor=by, target=review, details={"decisions": len(pending)}
        )
        queue_decision_emails(pending, by=by)
    return len(pending)


def retry_notification(*, decision: Decision, by) -> Decision:
    """Send again a decision whose e-mail failed, or came back in error (the address may have been
    corrected since, or the remote server's trouble was passing)."""
    with transaction.atomic():
        # Read again under lock: the page may show a state the notification task has changed since.
        decision = (
            Decision.objects.select_for_update()
            .select_related("application__call__programme")
            .get(pk=decision.pk)
        )
        if is_being_sent(decision):
            raise Refusal("L’e-mail de cette décision est en cours d’envoi : attendez son résultat.")
        details = {"bounce_reason": decision.bounce_reason} if decision.bounced_at else {}
        DECISION.perform(decision, "retry", by=by, changes=SENT_AGAIN, details=details)
        queue_decision_emails([decision.pk], by=by)
    return decision


def record_notification(
    *, decision: Decision, error: str = "", message_id: str = "", now: datetime | None = None
) -> None:
    """What the notification task reports: sent (when, under which Message-ID), or why it failed. Either
    way an earlier bounce is history: it was about a previous e-mail."""
    decision.bounced_at = None
    decision.bounce_reason = ""
    fields = ["notification_error", "message_id", "bounced_at", "bounce_reason"]
    with transaction.atomic():
        if error:
            decision.notification_error = error
            decision.message_id = ""
            decision.save(update_fields=fields)
            record_event(action="decision_notification_failed", target=decision, details={"error": error})
        else:
            decision.notified_at = now or timezone.now()
            decision.notification_error = ""
            decision.message_id = message_id
            decision.save(update_fields=[*fields, "notified_at"])
            record_event(action="decision_notified", target=decision, details={"message_id": message_id})
            refresh_applicant_stage(decision.application, notified=decision)


def bounce_reason(*, recipient: str, status: str, diagnostic: str = "") -> str:
    """What the managers read: « Adresse refusée : x@y — 5.1.1 user unknown »."""
    kind = "Adresse refusée" if status.startswith("5.1.") else "Message non distribué"
    # The server's own words often start with the status code already: « 550 5.1.1 User unknown ».
    said = diagnostic if status and status in diagnostic else " ".join(filter(None, (status, diagnostic)))
    return f"{kind} : {recipient}" + (f" — {said}" if said else "")


def record_bounce(
    *, message_id: str, recipient: str, status: str, diagnostic: str = "", now: datetime | None = None
) -> Decision | None:
    """A decision e-mail, accepted by the mail server, came back undelivered to `recipient`: mark the
    decision so the managers see it and retry. Returns the decision, or None when the report is about no
    current decision e-mail (another message, one sent before a retry) or was already recorded."""
    if not message_id:
        return None
    reason = bounce_reason(recipient=recipient, status=status, diagnostic=diagnostic)
    with transaction.atomic():
        decision = (
            Decision.objects.select_for_update()
            .filter(message_id=message_id, notified_at__isnull=False)
            .order_by("pk")
            .first()
        )
        if decision is None or reason in decision.bounce_reason.splitlines():
            return None
        # A message to several members can come back for more than one of them: one line each.
        decision.bounce_reason = "\n".join(filter(None, [decision.bounce_reason, reason]))
        decision.bounced_at = decision.bounced_at or now or timezone.now()
        decision.save(update_fields=["bounced_at", "bounce_reason"])
        record_event(
            action="decision_notification_bounced",
            target=decision,
            details={
                "message_id": message_id,
                "recipient": recipient,
                "status": status,
                "diagnostic": diagnostic,
            },
        )
    return decision


def notification_requested_at(review: Review) -> datetime | None:
    """When notification was last asked for this review (a decision confirmed since then waits for a new
    request)."""
    return (
        AuditEvent.objects.filter(
            action=NOTIFICATION_REQUESTED, target_type="review.review", target_id=str(review.pk)
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
