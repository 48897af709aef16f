"""A call's grouping: a draft the managers adjust, then confirmed once (see core/transitions.py).

Confirming is one conditional UPDATE from « draft »: of two managers confirming at once, one does it
and the other is told the cohorts are already confirmed. Every manual change locks the grouping's
row and checks it is still a draft, so nothing changes a confirmed grouping.
"""

from datetime import datetime

from capqvct.cohorts.models import Grouping, GroupingStatus
from capqvct.cohorts.permissions import can_form_cohorts
from capqvct.core.permissions import Decision
from capqvct.core.transitions import StateMachine, Transition

ALREADY_CONFIRMED = "Les collectifs de cet appel sont confirmés : ils ne changent plus."


def _may_form(grouping: Grouping, by, now: datetime) -> Decision:
    return can_form_cohorts(by, grouping.call)


GROUPING = StateMachine.on_field(
    Grouping,
    "status",
    moved="Les collectifs ont changé entre-temps : rechargez la page.",
    transitions=[
        Transition(
            "confirm",
            sources=(GroupingStatus.DRAFT,),
            target=GroupingStatus.CONFIRMED,
            label="Confirmer les collectifs",
            guard=_may_form,
            event="cohorts_confirmed",
            refused=ALREADY_CONFIRMED,
        ),
    ],
)
