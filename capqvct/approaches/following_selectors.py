"""What the consultants and the programme managers follow: for the establishments of a cohort (or of
a whole call, a page at a time), where each approach stands, when it last moved, what is late, and
the attendance to the collective sessions; an establishment with no activity for some weeks is
flagged. A fixed number of queries per page, whatever the number of cohorts and establishments."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from capqvct.approaches.models import Action, ActionStatus, Message, Sequence, SequenceClosure
from capqvct.approaches.selectors import count_of
from capqvct.cohorts.attendance_selectors import ParticipantAttendance, attendance_by_participant
from capqvct.cohorts.models import Cohort, Participant

ROWS_PER_PAGE = 50
# An establishment whose approach has not moved for this long is flagged (from the confirmation of
# the cohorts when it never moved).
INACTIVE_AFTER = timedelta(weeks=4)


def followed(participants: QuerySet[Participant], *, now: datetime) -> QuerySet[Participant]:
    today = timezone.localdate(now)
    return participants.select_related(
        "approach", "establishment__commune", "cohort", "call__grouping", "call__programme__region"
    ).annotate(
        late_actions=count_of(
            Action,
            of="approach__participant",
            due_on__lt=today,
            status__in=[ActionStatus.PLANNED, ActionStatus.RUNNING],
        ),
        unsent_messages=count_of(
            Message, of="approach__participant", planned_on__lt=today, sent_on__isnull=True
        ),
        waiting_closure=count_of(
            SequenceClosure, of="approach__participant", status=SequenceClosure.Status.REQUESTED
        ),
    )


@dataclass
class FollowRow:
    participant: Participant
    attendance: ParticipantAttendance | None
    now: datetime

    @property
    def approach(self):
        return getattr(self.participant, "approach", None)

    @property
    def sequence(self) -> int:
        return self.approach.sequence if self.approach else 1

    @property
    def sequence_label(self) -> str:
        if self.approach and self.approach.completed_at:
            return "Démarche terminée"
        return f"{self.sequence}. {Sequence(self.sequence).label}"

    @property
    def last_activity(self) -> datetime | None:
        return self.approach.last_activity_at if self.approach else None

    @property
    def inactive(self) -> bool:
        if self.approach and self.approach.completed_at:
            return False
        since = self.last_activity or self.participant.call.grouping.confirmed_at
        return since is not None and self.now - since > INACTIVE_AFTER

    @property
    def late(self) -> int:
        return self.participant.late_actions + self.participant.unsent_messages

    @property
    def waiting(self) -> bool:
        return self.participant.waiting_closure > 0


def following_of_cohort(cohort: Cohort, *, now: datetime | None = None) -> list[FollowRow]:
    now = now or timezone.now()
    participants = followed(Participant.objects.filter(cohort=cohort), now=now).order_by(
        "establishment__name", "pk"
    )
    attendance = {item.participant.pk: item for item in attendance_by_participant(cohort, now=now)}
    return [FollowRow(participant, attendance.get(participant.pk), now) for participant in participants]


def following_page(participants: list[Participant], *, now: datetime) -> list[FollowRow]:
    """Rows for one page of a call's participants (already `followed`), with their attendance."""
    attendance: dict[int, ParticipantAttendance] = {}
    if participants:
        page = attendance_by_participant(participants[0].call, now=now, only=[p.pk for p in participants])
        attendance = {item.participant.pk: item for item in page}
    return [FollowRow(participant, attendance.get(participant.pk), now) for participant in participants]


def inactive_filter(now: datetime) -> Q:
    """The participants flagged as inactive, as a filter (for the « sans activité » view)."""
    limit = now - INACTIVE_AFTER
    return Q(approach__completed_at__isnull=True) & (
        Q(approach__last_activity_at__lt=limit)
        | Q(approach__isnull=True, call__grouping__confirmed_at__lt=limit)
        | Q(approach__last_activity_at__isnull=True, call__grouping__confirmed_at__lt=limit)
    )


def following_of_call(call, *, only_inactive: bool = False, page_number=None, now: datetime | None = None):
    """One page of a call's following table: the page (for its links) and its rows. The page is cut on
    the bare list first, so the counts of late items are computed for its rows only."""
    now = now or timezone.now()
    participants = Participant.objects.filter(call=call)
    if only_inactive:
        participants = participants.filter(inactive_filter(now))
    order = ("cohort__number", "establishment__name", "pk")
    page = Paginator(participants.order_by(*order).values_list("pk", flat=True), ROWS_PER_PAGE).get_page(
        page_number
    )
    rows = followed(Participant.objects.filter(pk__in=list(page.object_list)), now=now).order_by(*order)
    return page, following_page(list(rows), now=now)
