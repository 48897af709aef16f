"""What the workspace pages read: the participations a user sees or works on, the approach of one
(unsaved until its first change), its counts for the checklists, the home page's summary (where the
establishment stands, what is expected, what is late, the next collective session). Each function
runs a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from capqvct.approaches.models import (
    Action,
    ActionStatus,
    Approach,
    ApproachDocument,
    CommitteeMeeting,
    CommitteeMember,
    CommitteeRole,
    IndicatorYear,
    Message,
    Sequence,
    SequenceClosure,
    Situation,
    WorkGroup,
    WorkGroupMeeting,
)
from capqvct.approaches.sequences import Check, checklist
from capqvct.cohorts.models import EventStatus, Participant, Session
from capqvct.cohorts.selectors import cohorts_followed_by, participations_of, participations_visible_to

PARTICIPANT_RELATED = (
    "call__programme__region",
    "cohort__pair__first",
    "cohort__pair__second",
    "establishment__commune",
)


def participants_visible_to(user) -> QuerySet[Participant]:
    """Whose workspace the user may read: the establishment's side, the pair, the programme managers."""
    return participations_visible_to(user).select_related(*PARTICIPANT_RELATED)


def participants_worked_on_by(user) -> QuerySet[Participant]:
    """Whose workspace the user may change: the establishment's side and the cohort's pair once the
    cohorts are confirmed (the managers read only)."""
    if not getattr(user, "is_authenticated", False):
        return Participant.objects.none()
    own = participations_of(user).values("pk")
    paired = Participant.objects.filter(
        Q(cohort__pair__first=user) | Q(cohort__pair__second=user),
        cohort__in=cohorts_followed_by(user),
    ).values("pk")
    return Participant.objects.filter(Q(pk__in=own) | Q(pk__in=paired)).select_related(*PARTICIPANT_RELATED)


def _in_workspaces(model, participants: QuerySet[Participant], of: str) -> QuerySet:
    return model.objects.filter(**{f"{of}__participant__in": participants}).select_related(
        of, *(f"{of}__participant__{related}" for related in PARTICIPANT_RELATED)
    )


def read_by(model, user, *, of: str = "approach") -> QuerySet:
    """The rows of a workspace's `model` (a member, a document…) the user may read, `of` naming their
    approach, with what the pages and the permission checks read of it."""
    return _in_workspaces(model, participants_visible_to(user), of)


def worked_on_by(model, user, *, of: str = "approach") -> QuerySet:
    """The same rows, in the workspaces the user may change."""
    return _in_workspaces(model, participants_worked_on_by(user), of)


def approach_of(participant: Participant) -> Approach:
    """The participant's approach; before its first change, an unsaved one at the first sequence."""
    return Approach.objects.filter(participant=participant).first() or Approach(participant=participant)


def count_of(model, *conditions, of: str = "approach", **filters):
    """A correlated count of `model`'s rows whose `of` is the outer row, as an annotation (zero when
    there is none): one query counts many things."""
    counted = (
        model.objects.filter(*conditions, **{of: OuterRef("pk")}, **filters)
        .order_by()
        .values(of)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


COUNTS = {
    "committee_members": lambda: count_of(CommitteeMember, active=True),
    "committee_direction": lambda: count_of(CommitteeMember, active=True, role=CommitteeRole.DIRECTION),
    "committee_staff": lambda: count_of(
        CommitteeMember, active=True, role=CommitteeRole.STAFF_REPRESENTATIVE
    ),
    "committee_meetings": lambda: count_of(CommitteeMeeting),
    "messages": lambda: count_of(Message),
    "work_groups": lambda: count_of(WorkGroup),
    "work_group_meetings": lambda: count_of(WorkGroupMeeting, of="group__approach"),
    "indicator_years": lambda: count_of(IndicatorYear),
    "situations": lambda: count_of(Situation),
    "retained_situations": lambda: count_of(Situation, retained=True),
    "actions": lambda: count_of(Action),
    "experiments": lambda: count_of(Action, experiment=True, hypothesis__gt=""),
    "actions_without_owner_or_due": lambda: count_of(
        Action, Q(owner="") | Q(due_on__isnull=True), status__in=[ActionStatus.PLANNED, ActionStatus.RUNNING]
    ),
}


def approach_counts(approach: Approach) -> dict[str, int]:
    """Everything the checklists count, in one query (zeros for an approach not saved yet)."""
    if approach.pk is None:
        counts = dict.fromkeys(COUNTS, 0)
    else:
        # Prefixed: some counts share their name with a relation of Approach (messages).
        row = Approach.objects.filter(pk=approach.pk).values(
            **{f"n_{name}": build() for name, build in COUNTS.items()}
        )[0]
        counts = {name.removeprefix("n_"): value for name, value in row.items()}
    counts["scope"] = int(bool(approach.scope_services.strip() or approach.scope_sites.strip()))
    counts["lessons"] = int(bool(approach.what_worked.strip() and approach.what_did_not.strip()))
    counts["continues"] = int(bool(approach.what_continues.strip()))
    counts["review_validated"] = int(approach.review_validated_at is not None)
    return counts


@dataclass
class Step:
    sequence: int
    label: str
    state: str  # "done", "current" or "next"


@dataclass
class Home:
    approach: Approach
    steps: list[Step]
    checks: list[Check]
    pending: SequenceClosure | None
    late: list[str] = field(default_factory=list)
    next_session: Session | None = None

    @property
    def current(self) -> Step:
        return next((step for step in self.steps if step.state == "current"), self.steps[-1])

    @property
    def checks_done(self) -> int:
        return sum(check.done for check in self.checks)


def home_of(participant: Participant, *, now: datetime | None = None) -> Home:
    now = now or timezone.now()
    approach = approach_of(participant)
    counts = approach_counts(approach)
    pending = None
    if approach.pk is not None:
        pending = (
            approach.closures.filter(status=SequenceClosure.Status.REQUESTED)
            .select_related("requested_by")
            .first()
        )
    return Home(
        approach=approach,
        steps=steps_of(approach),
        checks=checklist(approach.sequence, counts),
        pending=pending,
        late=late_items(approach, now.date()),
        next_session=next_session_of(participant, now),
    )


def steps_of(approach: Approach) -> list[Step]:
    def state(sequence: int) -> str:
        if approach.completed_at is not None or sequence < approach.sequence:
            return "done"
        return "current" if sequence == approach.sequence else "next"

    return [Step(value, str(label), state(value)) for value, label in Sequence.choices]


def late_items(approach: Approach, today: date) -> list[str]:
    """What is past its date and not done: actions due, messages planned but not sent."""
    if approach.pk is None:
        return []
    overdue = Action.objects.filter(
        approach=approach, due_on__lt=today, status__in=[ActionStatus.PLANNED, ActionStatus.RUNNING]
    ).order_by("due_on", "pk")
    unsent = Message.objects.filter(approach=approach, planned_on__lt=today, sent_on__isnull=True).order_by(
        "planned_on", "pk"
    )
    return [f"Action «\u00a0{action.title}\u00a0»" for action in overdue] + [
        f"Message pour {message.audience}" for message in unsent
    ]


def next_session_of(participant: Participant, now: datetime) -> Session | None:
    """The next collective session of the participant's cohort (or the call's presentation)."""
    return (
        Session.objects.filter(
            Q(cohort_id=participant.cohort_id) | Q(cohort__isnull=True, call_id=participant.call_id)
        )
        .filter(status=EventStatus.SCHEDULED, ends_at__gte=now)
        .select_related("call__programme__region", "cohort")
        .order_by("starts_at", "pk")
        .first()
    )


def closures_answerable_by(user) -> QuerySet[SequenceClosure]:
    """The requests a consultant of the pair may answer."""
    if not getattr(user, "is_authenticated", False):
        return SequenceClosure.objects.none()
    return SequenceClosure.objects.filter(
        Q(approach__participant__cohort__pair__first=user)
        | Q(approach__participant__cohort__pair__second=user),
        approach__participant__in=participants_worked_on_by(user),
    ).select_related(
        *(f"approach__participant__{related}" for related in PARTICIPANT_RELATED), "requested_by"
    )


# Sequence 1


def committee_of(approach: Approach) -> list[CommitteeMember]:
    """The comité's members, those still sitting first."""
    if approach.pk is None:
        return []
    return list(approach.committee.order_by("-active", "role", "name", "pk"))


def meetings_of(approach: Approach) -> list[CommitteeMeeting]:
    if approach.pk is None:
        return []
    return list(
        approach.meetings.prefetch_related(
            Prefetch("attendees", queryset=CommitteeMember.objects.order_by("role", "name"))
        ).order_by("-held_on", "-pk")
    )


def messages_of(approach: Approach) -> list[Message]:
    if approach.pk is None:
        return []
    return list(approach.messages.order_by("planned_on", "pk"))


def documents_of(approach: Approach, part: str) -> list[ApproachDocument]:
    if approach.pk is None:
        return []
    return list(approach.documents.filter(part=part).order_by("uploaded_at", "pk"))
