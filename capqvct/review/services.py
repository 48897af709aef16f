"""Use cases of the review: open it, set the grid, assign reviewers (by hand, automatically, by
routing rules), declare conflicts, score, notes,
confirm eligibility, and the reviewers' daily digest.

Each checks who may, writes its audit event and queues its e-mails in one transaction.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, QuerySet
from django.urls import reverse
from django.utils import timezone

from capqvct.applications.models import Application, ApplicationStatus
from capqvct.applications.restoration import restore_reopened_dossiers
from capqvct.applications.review_handover import hand_to_review
from capqvct.calls.deadlines import describe_deadline, is_before_deadline
from capqvct.calls.models import Call, CallStatus
from capqvct.core.emails import send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.permissions import ALLOWED, Decision, ensure, refuse
from capqvct.core.services import record_event
from capqvct.review import selectors
from capqvct.review.models import (
    Assignment,
    AssignmentState,
    Criterion,
    EligibilityReview,
    PrivateNote,
    Review,
    RoutingRule,
    Score,
)
from capqvct.review.permissions import (
    can_be_expert,
    can_manage_review,
    can_review_dossiers_of,
    can_use_private_notes,
    candidates_members,
)
from capqvct.review.states import ASSIGNMENT, is_the_reviewer
from capqvct.territory.models import Departement

SCALE_MIN, SCALE_MAX = 1, 20
GRID_SCORED = "La grille ne peut plus changer : des notes ont déjà été saisies."
MAX_REVIEWERS_PER_DOSSIER = 10


def _ensure_manager(user, call: Call) -> None:
    ensure(can_manage_review(user, call))


# Opening


def can_open_review(call: Call, now: datetime) -> Decision:
    """Once the deadline has passed, or the call was closed early; only once."""
    if hasattr(call, "review"):
        return refuse("L’instruction de cet appel est déjà ouverte.")
    if call.status == CallStatus.DRAFT:
        return refuse("Cet appel n’a pas été publié.")
    if call.status != CallStatus.CLOSED and is_before_deadline(now, call.closes_at):
        return refuse(
            "L’instruction s’ouvre après la date limite de dépôt, "
            f"{describe_deadline(call.closes_at, call.time_zone)}, ou une fois l’appel clos."
        )
    return ALLOWED


def open_review(
    *,
    call: Call,
    by,
    now: datetime | None = None,
    reviewers_per_dossier: int = 2,
    blind_for_experts: bool = False,
) -> Review:
    """Open the call's review and hand every submitted dossier over to it."""
    now = now or timezone.now()
    _ensure_manager(by, call)
    if not (allowed := can_open_review(call, now)):
        raise Refusal(allowed.reason)
    if not 1 <= reviewers_per_dossier <= MAX_REVIEWERS_PER_DOSSIER:
        raise Refusal(
            f"Le nombre d’instructeurs par dossier va de 1 à {MAX_REVIEWERS_PER_DOSSIER}.",
            field="reviewers_per_dossier",
        )
    try:
        with transaction.atomic():
            review = Review.objects.create(
                call=call,
                started_at=now,
                started_by=by,
                reviewers_per_dossier=reviewers_per_dossier,
                blind_for_experts=blind_for_experts,
            )
            restore_reopened_dossiers(call=call, now=now)  # a reopened dossier is reviewed as last deposited
            submitted = Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED)
            count = 0
            for application in submitted.select_related("establishment").order_by("pk"):
                hand_to_review(application=application, by=by)
                count += 1
            record_event(
                action="review_opened",
                actor=by,
                target=call,
                details={
                    "dossiers": count,
                    "reviewers_per_dossier": reviewers_per_dossier,
                    "blind_for_experts": blind_for_experts,
                },
            )
    except IntegrityError:
        raise Refusal("L’instruction de cet appel est déjà ouverte.") from None
    return review


# Grid


@dataclass(frozen=True)
class CriterionInput:
    label: str
    weight: str | Decimal | int = 1
    scale_max: int | str = 4
    help_text: str = ""


def set_grid(*, review: Review, criteria: list[CriterionInput], by) -> list[Criterion]:
    """Replace the call's scoring grid; refused once a reviewer has scored or commented."""
    _ensure_manager(by, review.call)
    scores = Score.objects.filter(criterion__review=review)
    if scores.filter(value__isnull=False).exists():
        raise Refusal(GRID_SCORED)
    if scores.exclude(comment="").exists():
        raise Refusal("La grille ne peut plus changer : des instructeurs ont déjà commenté ses critères.")
    cleaned = [_clean_criterion(number, item) for number, item in enumerate(criteria, start=1)]
    if not cleaned:
        raise Refusal("La grille doit compter au moins un critère.")
    try:
        with transaction.atomic():
            created = _replace_grid(review, cleaned, by)
    except ProtectedError:
        # A reviewer scored meanwhile: their score protects the criterion (Score.criterion is PROTECT).
        raise Refusal(GRID_SCORED) from None
    return created


def _replace_grid(review: Review, cleaned: list[dict], by) -> list[Criterion]:
    # Only empty lines go (a criterion opened, nothing typed); a score typed since blocks the deletion.
    Score.objects.filter(criterion__review=review, value__isnull=True, comment="").delete()
    review.criteria.all().delete()
    created = [
        Criterion.objects.create(review=review, position=position, **fields)
        for position, fields in enumerate(cleaned)
    ]
    record_event(
        action="review_grid_set",
        actor=by,
        target=review.call,
        details={"criteria": [{**c, "weight": str(c["weight"])} for c in cleaned]},
    )
    return created


def _clean_criterion(number: int, item: CriterionInput) -> dict:
    label = (item.label or "").strip()
    if not label:
        raise Refusal(f"Critère {number} : indiquez son intitulé.", field=f"label-{number}")
    try:
        weight = Decimal(str(item.weight).replace(",", ".").strip())
    except InvalidOperation:
        weight = Decimal(0)
    if not weight.is_finite() or weight <= 0 or weight >= 1000:
        raise Refusal(
            f"Critère {number} : le coefficient doit être un nombre positif.", field=f"weight-{number}"
        )
    try:
        scale_max = int(str(item.scale_max).strip())
    except ValueError:
        scale_max = 0
    if not SCALE_MIN <= scale_max <= SCALE_MAX:
        raise Refusal(
            f"Critère {number} : la note maximale va de {SCALE_MIN} à {SCALE_MAX}.",
            field=f"scale_max-{number}",
        )
    return {
        "label": label[:200],
        "weight": weight.quantize(Decimal("0.01")),
        "scale_max": scale_max,
        "help_text": (item.help_text or "").strip(),
    }


# Assignments


def _in_review(application: Application, review: Review) -> None:
    if application.call_id != review.call_id or application.status != ApplicationStatus.IN_REVIEW:
        raise Refusal("Ce dossier n’est pas en instruction dans cet appel.")


def assign(*, review: Review, application: Application, reviewer, by) -> Assignment:
    """Give a dossier to an agent of the region, or to an outside expert (a consultant's account) limited
    to the dossiers given; never to a member of an establishment applying to the call."""
    _ensure_manager(by, review.call)
    _in_review(application, review)
    if not reviewer.is_active:
        raise Refusal("Ce compte est désactivé.")
    establishment = application.establishment
    if (
        establishment.organisation_id
        and reviewer.memberships.filter(organisation_id=establishment.organisation_id).exists()
    ):
        raise Refusal("Un membre de l’établissement candidat ne peut pas instruire son dossier.")
    is_expert = not selectors.is_region_agent(reviewer, review.call)
    ensure(
        can_be_expert(reviewer, review.call) if is_expert else can_review_dossiers_of(reviewer, review.call)
    )
    previous = Assignment.objects.filter(application=application, reviewer=reviewer).first()
    if previous and previous.conflict_declared_at:
        raise Refusal(f"{reviewer} a déclaré un conflit d’intérêts avec ce dossier.")
    if previous:
        raise Refusal(f"Ce dossier est déjà confié à {reviewer}.")
    with transaction.atomic():
        assignment = Assignment.objects.create(
            application=application, reviewer=reviewer, is_expert=is_expert, assigned_by=by
        )
        record_event(
            action="review_assigned",
            actor=by,
            target=application,
            details={"reviewer": reviewer.email, "expert": is_expert},
        )
    return assignment


UNASSIGN_REFUSED = {
    AssignmentState.SUBMITTED: "Cette notation est remise : elle ne peut plus être retirée.",
    AssignmentState.CONFLICT: (
        "Cette affectation porte un conflit d’intérêts déclaré : elle reste au dossier."
    ),
}


def unassign(*, assignment: Assignment, by) -> None:
    """Take a dossier back from a reviewer who has not submitted their scores; their draft scores go
    with it, counted in the audit event."""
    application = assignment.application
    _ensure_manager(by, application.call)
    if refused := UNASSIGN_REFUSED.get(assignment.state):
        raise Refusal(refused)
    with transaction.atomic():
        # Locked: a submission or a declaration racing this cannot slip in between.
        locked = Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
        if locked is None:
            raise Refusal("Ce dossier a déjà été retiré à cet instructeur.")
        if refused := UNASSIGN_REFUSED.get(locked.state):
            raise Refusal(refused)
        drafts, _ = Score.objects.filter(assignment=locked).delete()
        record_event(
            action="review_unassigned",
            actor=by,
            target=application,
            details={"reviewer": assignment.reviewer.email, "draft_scores": drafts},
        )
        locked.delete()


@dataclass(frozen=True)
class AutomaticAssignment:
    created: int
    # Dossiers left with fewer reviewers than asked, for lack of available agents.
    short: int
    # Who was given a dossier, in the order of assignment.
    assigned: tuple = ()


def assign_automatically(*, review: Review, by) -> AutomaticAssignment:
    """Give each dossier its reviewers among the region's agents, or among the group its département's
    routing rule names: one per agency when the pool has both, least-loaded first (ties by account),
    never someone with a declared conflict nor a member of an establishment applying to the call, keeping
    existing ones."""
    _ensure_manager(by, review.call)
    with transaction.atomic():
        result = _assign_missing(review, selectors.review_dossiers(review), by=by)
        record_event(
            action="review_assigned_automatically",
            actor=by,
            target=review.call,
            details={"created": result.created, "short": result.short},
        )
    return result


@dataclass(frozen=True)
class Completion:
    assigned: tuple
    # Reviewers still missing after it, and the group the dossier was limited to (a routing rule's).
    missing: int
    routed_to: Departement | None


def complete_dossier(*, review: Review, application: Application, by) -> Completion:
    """Give a dossier left with fewer reviewers than the review asks (after a conflict, an unassignment)
    the reviewers it misses, by the rules of the automatic assignment."""
    _ensure_manager(by, review.call)
    _in_review(application, review)
    with transaction.atomic():
        # Locked: two managers completing the same dossier at once do not give it one reviewer too many.
        Application.objects.select_for_update().filter(pk=application.pk).first()
        active = application.assignments.filter(conflict_declared_at__isnull=True).count()
        if active >= review.reviewers_per_dossier:
            raise Refusal(
                f"Ce dossier a déjà ses {review.reviewers_per_dossier} instructeur"
                f"{'s' if review.reviewers_per_dossier > 1 else ''}."
            )
        result = _assign_missing(review, selectors.review_dossiers(review).filter(pk=application.pk), by=by)
        record_event(
            action="review_dossier_completed",
            actor=by,
            target=application,
            details={"reviewers": [user.email for user in result.assigned], "short": bool(result.short)},
        )
    routed = RoutingRule.objects.filter(
        review=review, departement_id=application.establishment.departement_id
    ).select_related("departement")
    return Completion(
        assigned=result.assigned,
        missing=review.reviewers_per_dossier - active - len(result.assigned),
        routed_to=routed[0].departement if routed else None,
    )


def _assign_missing(review: Review, dossiers: QuerySet[Application], *, by) -> AutomaticAssignment:
    """The automatic assignment's rules, for the dossiers given (see assign_automatically)."""
    kinds: dict[int, set[str]] = {}
    users = {}
    for membership in selectors.region_agents(review.call):
        kinds.setdefault(membership.user_id, set()).add(membership.organisation.kind)
        users[membership.user_id] = membership.user
    if not users:
        raise Refusal("Aucun agent de l’ARS ou de l’Aract de la région ne peut instruire.")
    # Nobody ranks their own establishment's competitors (see permissions.can_review_dossiers_of).
    for user_id in candidates_members(review.call).values_list("user_id", flat=True):
        users.pop(user_id, None)
    if not users:
        raise Refusal("Tous les agents de la région sont membres d’un établissement candidat à cet appel.")
    pools = selectors.routing_pools(review)
    loads = selectors.active_loads(review)
    assigned = []
    short = 0
    for application in dossiers:
        assignments = list(application.assignments.all())
        # Declared conflicts included: never given back.
        taken = {a.reviewer_id for a in assignments}
        pool = [pk for pk in pools.get(application.establishment.departement_id, users) if pk in users]
        active = [a.reviewer_id for a in assignments if not a.conflict_declared_at]
        chosen = _choose_reviewers(
            pool=[pk for pk in pool if pk not in taken],
            kinds=kinds,
            loads=loads,
            covered=set().union(*(kinds.get(pk, set()) for pk in active)),
            needed=review.reviewers_per_dossier - len(active),
        )
        for pk in chosen:
            Assignment.objects.create(application=application, reviewer=users[pk], assigned_by=by)
            loads[pk] = loads.get(pk, 0) + 1
            assigned.append(users[pk])
        if len(active) + len(chosen) < review.reviewers_per_dossier:
            short += 1
    return AutomaticAssignment(created=len(assigned), short=short, assigned=tuple(assigned))


def _choose_reviewers(
    *, pool: list[int], kinds: dict[int, set[str]], loads: dict[int, int], covered: set[str], needed: int
) -> list[int]:
    """Up to `needed` reviewers of the pool: first one of each agency not yet covered, least-loaded."""
    chosen: list[int] = []

    def pick(kind: str | None) -> int | None:
        candidates = [pk for pk in pool if pk not in chosen and (kind is None or kind in kinds[pk])]
        return min(candidates, key=lambda pk: (loads.get(pk, 0), pk), default=None)

    pool_kinds = sorted(set().union(*(kinds[pk] for pk in pool)))
    if len(pool_kinds) > 1:
        for kind in pool_kinds:
            if len(chosen) < needed and kind not in covered and (found := pick(kind)):
                chosen.append(found)
                covered = covered | kinds[found]
    while len(chosen) < needed and (found := pick(None)):
        chosen.append(found)
    return chosen


# Routing rules


def set_routing_rule(*, review: Review, departement_code: str, reviewer_ids: list[int], by) -> RoutingRule:
    """Send the dossiers of a département of the region to a group of the region's agents; replaces the
    département's previous rule."""
    _ensure_manager(by, review.call)
    departement = Departement.objects.filter(
        code=departement_code, region_id=review.call.programme.region_id
    ).first()
    if departement is None:
        raise Refusal("Choisissez un département de la région.", field="departement")
    agents = {user.pk: user for user in selectors.eligible_reviewers(review.call)}
    chosen = [agents[pk] for pk in dict.fromkeys(reviewer_ids) if pk in agents]
    if not chosen or len(chosen) != len(set(reviewer_ids)):
        raise Refusal("Choisissez au moins un instructeur parmi les agents de la région.", field="reviewers")
    with transaction.atomic():
        rule, _ = RoutingRule.objects.update_or_create(
            review=review, departement=departement, defaults={"created_by": by}
        )
        rule.reviewers.set(chosen)
        record_event(
            action="review_routing_rule_set",
            actor=by,
            target=review.call,
            details={"departement": departement.code, "reviewers": [user.email for user in chosen]},
        )
    return rule


def delete_routing_rule(*, rule: RoutingRule, by) -> None:
    _ensure_manager(by, rule.review.call)
    with transaction.atomic():
        record_event(
            action="review_routing_rule_deleted",
            actor=by,
            target=rule.review.call,
            details={"departement": rule.departement_id},
        )
        rule.delete()


# Conflicts


def declare_no_conflict(*, assignment: Assignment, by, now: datetime | None = None) -> None:
    """The reviewer states they have no conflict of interest: the dossier opens to them (once: saying it
    again changes nothing)."""
    now = now or timezone.now()
    ensure(is_the_reviewer(assignment, by, now))
    if assignment.state in (AssignmentState.CLEARED, AssignmentState.SUBMITTED):
        return
    ASSIGNMENT.perform(
        assignment, "declare_no_conflict", by=by, now=now, changes={"no_conflict_declared_at": now}
    )


def declare_conflict(
    *, assignment: Assignment, reason: str, by, whole_legal_entity: bool = False, now: datetime | None = None
) -> Assignment:
    """The reviewer declares a conflict of interest: they leave the dossier, and it is logged. With
    `whole_legal_entity`, also every dossier of the call from the same legal entity (FINESS EJ), even
    those not given to them, so that neither the automatic assignment nor a manager gives them later."""
    now = now or timezone.now()
    ASSIGNMENT.ensure(assignment, "declare_conflict", by=by, now=now)
    reason = (reason or "").strip()
    if not reason:
        raise Refusal("Indiquez la nature du conflit d’intérêts.", field="reason")
    with transaction.atomic():
        _mark_conflict(assignment, reason=reason, by=by, now=now)
        if whole_legal_entity:
            for sibling in _same_legal_entity(assignment):
                taken, _ = Assignment.objects.get_or_create(
                    application=sibling, reviewer=by, defaults={"is_expert": assignment.is_expert}
                )
                if ASSIGNMENT.check(taken, "declare_conflict", by=by, now=now):
                    _mark_conflict(taken, reason=reason, by=by, now=now, legal_entity=True)
    return assignment


def _same_legal_entity(assignment: Assignment) -> QuerySet[Application]:
    application = assignment.application
    return Application.objects.filter(
        call_id=application.call_id,
        status=ApplicationStatus.IN_REVIEW,
        establishment__finess_ej=application.establishment.finess_ej,
    ).exclude(pk=application.pk)


def _mark_conflict(
    assignment: Assignment, *, reason: str, by, now: datetime, legal_entity: bool = False
) -> None:
    """The conflict replaces an earlier « no conflict » (kept in the audit log); draft scores go."""
    details = {"reviewer": by.email, "reason": reason}
    if legal_entity:
        details["legal_entity"] = assignment.application.establishment.finess_ej
    ASSIGNMENT.perform(
        assignment,
        "declare_conflict",
        by=by,
        now=now,
        changes={"conflict_declared_at": now, "conflict_reason": reason, "no_conflict_declared_at": None},
        details=details,
        event_target=assignment.application,
    )
    Score.objects.filter(assignment=assignment).delete()


# Scores


def save_scores(*, assignment: Assignment, values: dict[int, tuple], by) -> list[Score]:
    """Keep the reviewer's draft: for each criterion's pk, (value or None, comment)."""
    _ensure_scoring(assignment, by)
    criteria = {c.pk: c for c in Criterion.objects.filter(review__call_id=assignment.application.call_id)}
    cleaned = {}
    for pk, (raw, comment) in values.items():
        criterion = criteria.get(int(pk))
        if criterion is None:
            raise Refusal("Ce critère n’appartient pas à la grille de cet appel.")
        cleaned[criterion.pk] = (_score_value(criterion, raw), (comment or "").strip())
    with transaction.atomic():
        # Locked, and checked again: a submission that won the race seals the scores before this writes.
        _ensure_scoring(Assignment.objects.select_for_update().get(pk=assignment.pk), by)
        scores = []
        for pk, (value, comment) in cleaned.items():
            score, _ = Score.objects.update_or_create(
                assignment=assignment, criterion_id=pk, defaults={"value": value, "comment": comment}
            )
            scores.append(score)
        record_event(action="review_scores_saved", actor=by, target=assignment)
    return scores


def _score_value(criterion: Criterion, raw) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = -1
    if not 0 <= value <= criterion.scale_max:
        raise Refusal(
            f"« {criterion.label} » : la note va de 0 à {criterion.scale_max}.",
            field=f"criterion-{criterion.pk}",
        )
    return value


def _ensure_scoring(assignment: Assignment, by) -> None:
    """Scores are typed by the reviewer, once they stated they have no conflict, until they submit."""
    if assignment.state == AssignmentState.SUBMITTED:
        raise Refusal("Votre notation est remise : elle ne change plus.")
    ASSIGNMENT.ensure(assignment, "submit_scores", by=by)


def submit_scores(*, assignment: Assignment, by, now: datetime | None = None) -> Assignment:
    """Seal the reviewer's scores once every criterion is scored; the others' then appear to them."""
    now = now or timezone.now()
    ASSIGNMENT.ensure(assignment, "submit_scores", by=by, now=now)
    criteria = list(Criterion.objects.filter(review__call_id=assignment.application.call_id))
    if not criteria:
        raise Refusal("La grille de notation n’est pas encore définie.")
    with transaction.atomic():
        # Locked and read again first (save_scores locks it too): the scores counted are the last saved.
        ASSIGNMENT.ensure(
            Assignment.objects.select_for_update().get(pk=assignment.pk), "submit_scores", by=by
        )
        scored = set(assignment.scores.filter(value__isnull=False).values_list("criterion_id", flat=True))
        if missing := [c.label for c in criteria if c.pk not in scored]:
            raise Refusal(
                "Notez chaque critère avant de remettre votre notation : " + ", ".join(missing) + "."
            )
        ASSIGNMENT.perform(assignment, "submit_scores", by=by, now=now, changes={"submitted_at": now})
    return assignment


# Private notes and eligibility


def add_private_note(*, application: Application, text: str, by) -> PrivateNote:
    """A note on the dossier, read by the call's managers and its reviewers cleared of any conflict."""
    ensure(can_use_private_notes(by, application))
    text = (text or "").strip()
    if not text:
        raise Refusal("La note est vide.", field="text")
    with transaction.atomic():
        note = PrivateNote.objects.create(application=application, author=by, text=text)
        record_event(action="review_private_note_added", actor=by, target=application)
    return note


def review_eligibility(*, application: Application, eligible: bool, reason: str, by) -> EligibilityReview:
    """Confirm the automatic eligibility result, or override it with a reason."""
    _ensure_manager(by, application.call)
    if application.status != ApplicationStatus.IN_REVIEW:
        raise Refusal("Ce dossier n’est pas en instruction.")
    reason = (reason or "").strip()
    automatic = selectors.automatic_eligibility(application).passed
    if eligible != automatic and not reason:
        raise Refusal(
            "Vous allez à l’encontre des vérifications automatiques : indiquez le motif.", field="reason"
        )
    with transaction.atomic():
        result, _ = EligibilityReview.objects.update_or_create(
            application=application, defaults={"eligible": eligible, "reason": reason, "by": by}
        )
        record_event(
            action="review_eligibility_decided",
            actor=by,
            target=application,
            details={"eligible": eligible, "automatic": automatic, "reason": reason},
        )
    return result


# Digest


def send_daily_digests(now: datetime | None = None) -> int:
    """E-mail each reviewer, once, the dossiers given to them since their last digest."""
    now = now or timezone.now()
    pending = (
        Assignment.objects.filter(
            notified_at__isnull=True,
            conflict_declared_at__isnull=True,
            application__status=ApplicationStatus.IN_REVIEW,
        )
        .select_related("reviewer", "application__call", "application__establishment")
        .order_by("reviewer_id", "application__call_id", "application_id")
    )
    by_reviewer: dict[int, list[Assignment]] = {}
    for assignment in pending:
        by_reviewer.setdefault(assignment.reviewer_id, []).append(assignment)
    sent = 0
    for assignments in by_reviewer.values():
        reviewer = assignments[0].reviewer
        with transaction.atomic():
            # Claimed first, so that two workers never send the same digest.
            claimed = Assignment.objects.filter(
                pk__in=[a.pk for a in assignments], notified_at__isnull=True
            ).update(notified_at=now)
            if not claimed:
                continue
            send_templated_email(
                to=[reviewer.email],
                subject="Cap QVCT : de nouveaux dossiers à instruire",
                template="review/emails/digest.txt",
                purpose="review.digest",
                about=reviewer,
                context={
                    "reviewer": reviewer,
                    "lines": [_digest_line(a) for a in assignments],
                    "my_dossiers_path": reverse("review:my_assignments"),
                },
            )
            sent += 1
    return sent


def _digest_line(assignment: Assignment) -> str:
    application = assignment.application
    review = application.call.review
    name = (
        f"dossier n° {application.pk}"
        if selectors.is_blind_for(assignment, review)
        else application.establishment.name
    )
    return f"{application.call.title} : {name}"
