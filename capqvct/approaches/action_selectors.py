"""What the action plan page reads: the approach's actions in the order of the plan, the timeline
drawn from them with its table alternative, how many actions are in each state, and the situations
an action may answer. Each function runs a fixed number of queries whatever the number of actions."""

from dataclasses import dataclass
from datetime import date

from django.db.models import F
from django.db.models.functions import Coalesce

from capqvct.approaches.models import Action, ActionStatus, Approach, Situation
from capqvct.approaches.timeline import Bar, TimelineRow, render_timeline, timeline_rows

OPEN = (ActionStatus.PLANNED, ActionStatus.RUNNING)
# How a count reads: « 1 prévue », « 2 prévues », « 3 en cours ».
COUNTED = {
    ActionStatus.PLANNED: ("prévue", "prévues"),
    ActionStatus.RUNNING: ("en cours", "en cours"),
    ActionStatus.DONE: ("réalisée", "réalisées"),
    ActionStatus.DROPPED: ("abandonnée", "abandonnées"),
}


def actions_of(approach: Approach) -> list[Action]:
    """The plan's actions by start date (by due date when only that is known), undated last."""
    if approach.pk is None:
        return []
    return list(
        approach.actions.select_related("situation").order_by(
            Coalesce("starts_on", "due_on").asc(nulls_last=True),
            F("due_on").asc(nulls_last=True),
            "pk",
        )
    )


def situations_of(approach: Approach) -> list[Situation]:
    """The situations an action may answer: those the comité retained first."""
    if approach.pk is None:
        return []
    return list(approach.situations.order_by("-retained", "pk"))


def is_late(action: Action, today: date) -> bool:
    """Neither done nor dropped, and its due date is past."""
    return action.status in OPEN and action.due_on is not None and action.due_on < today


@dataclass
class PlanEntry:
    """An action with its row of the table (dates and state in words)."""

    action: Action
    row: TimelineRow


@dataclass
class StatusCount:
    status: str
    count: int

    @property
    def text(self) -> str:
        singular, plural = COUNTED[self.status]
        return f"{self.count}\u00a0{singular if self.count < 2 else plural}"


@dataclass
class Plan:
    entries: list[PlanEntry]
    # The timeline's SVG markup, "" without any action; timeline.py escapes every text in it.
    svg: str
    counts: list[StatusCount]
    late: int
    experiments: int

    @property
    def actions(self) -> list[Action]:
        return [entry.action for entry in self.entries]

    @property
    def rows(self) -> list[TimelineRow]:
        return [entry.row for entry in self.entries]


def plan_of(approach: Approach, today: date) -> Plan:
    """The action plan as its page shows it: the actions, their timeline and table, the counts."""
    actions = actions_of(approach)
    bars = [
        Bar(
            title=action.title,
            theme=action.get_theme_display(),
            starts_on=action.starts_on,
            due_on=action.due_on,
            status=action.status,
            experiment=action.experiment,
            late=is_late(action, today),
        )
        for action in actions
    ]
    return Plan(
        entries=[PlanEntry(action, row) for action, row in zip(actions, timeline_rows(bars), strict=True)],
        svg=render_timeline(bars, today=today, title="Le plan d’actions dans le temps", id_prefix="plan"),
        counts=[
            StatusCount(value, sum(1 for action in actions if action.status == value))
            for value in ActionStatus.values
        ],
        late=sum(1 for bar in bars if bar.late),
        experiments=sum(1 for action in actions if action.experiment),
    )
