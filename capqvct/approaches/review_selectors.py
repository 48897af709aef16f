"""What the review page and the bilan read: the indicators before and after (the first year entered
against the last), the history of the sequences' closures, and, for the bilan, everything the four
sequences hold. A fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from capqvct.approaches import action_selectors, diagnosis_selectors, selectors
from capqvct.approaches.action_selectors import Plan
from capqvct.approaches.diagnosis_selectors import IndicatorTable
from capqvct.approaches.models import (
    Approach,
    CommitteeMeeting,
    CommitteeMember,
    IndicatorYear,
    Message,
    SequenceClosure,
    WorkGroup,
)
from capqvct.approaches.priorities import Ranked
from capqvct.cohorts.models import Participant


def before_after(years: list[IndicatorYear]) -> IndicatorTable | None:
    """The first year entered and the last, with the change; None with fewer than two years."""
    if len(years) < 2:
        return None
    return diagnosis_selectors.indicator_table([years[0], years[-1]])


def closures_of(approach: Approach) -> list[SequenceClosure]:
    if approach.pk is None:
        return []
    return list(
        approach.closures.select_related("requested_by", "answered_by").order_by("requested_at", "pk")
    )


@dataclass
class Bilan:
    participant: Participant
    approach: Approach
    generated_at: datetime
    members: list[CommitteeMember]
    meetings: list[CommitteeMeeting]
    plan_messages: list[Message]
    groups: list[WorkGroup]
    indicators: IndicatorTable
    before_after: IndicatorTable | None
    ranked: list[Ranked]
    plan: Plan
    closures: list[SequenceClosure]


def bilan_of(participant: Participant, *, now: datetime | None = None) -> Bilan:
    now = now or timezone.now()
    approach = selectors.approach_of(participant)
    years = diagnosis_selectors.indicator_years_of(approach)
    return Bilan(
        participant=participant,
        approach=approach,
        generated_at=now,
        members=selectors.committee_of(approach),
        meetings=selectors.meetings_of(approach),
        plan_messages=selectors.messages_of(approach),
        groups=diagnosis_selectors.work_groups_of(approach),
        indicators=diagnosis_selectors.indicator_table(years),
        before_after=before_after(years),
        ranked=diagnosis_selectors.ranked_situations(diagnosis_selectors.situations_of(approach)),
        plan=action_selectors.plan_of(approach, timezone.localdate(now)),
        closures=closures_of(approach),
    )
