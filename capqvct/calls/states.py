"""A call's states and the transitions between them, declared once (see core/transitions.py)."""

from datetime import datetime

from capqvct.calls.models import Call, CallStatus
from capqvct.calls.permissions import can_manage_region
from capqvct.core.permissions import ALLOWED, Decision, refuse
from capqvct.core.transitions import StateMachine, Transition

DEADLINE_PASSED = "La date limite de dépôt est passée : reportez-la avant de publier."


def _may_manage(call: Call, by, now: datetime) -> Decision:
    return can_manage_region(by, call.programme.region_id)


def _may_publish(call: Call, by, now: datetime) -> Decision:
    if not (allowed := _may_manage(call, by, now)):
        return allowed
    if call.closes_at <= now:
        return refuse(DEADLINE_PASSED)
    return ALLOWED


CALL = StateMachine.on_field(
    Call,
    "status",
    moved="Cet appel a changé entre-temps : rechargez la page pour voir son état.",
    transitions=[
        Transition(
            "publish",
            sources=(CallStatus.DRAFT,),
            target=CallStatus.PUBLISHED,
            label="Publier l’appel",
            guard=_may_publish,
            event="call_published",
            refused="Cet appel est déjà publié.",
        ),
        Transition(
            "close_early",
            sources=(CallStatus.PUBLISHED,),
            target=CallStatus.CLOSED,
            label="Clore",
            guard=_may_manage,
            event="call_closed_early",
            refused="Seul un appel publié peut être clos.",
        ),
    ],
)
