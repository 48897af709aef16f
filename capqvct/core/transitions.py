"""State machines written once, as data: the states of a model, and for each action the states it
leaves from, the state it leads to, the words of its button and who may fire it.

Every app with a lifecycle declares one `StateMachine` next to its models (`applications/states.py`,
`review/states.py`…) and its services fire transitions through it:

    DOSSIER = StateMachine.on_field(
        Application,
        "status",
        transitions=[
            Transition("reopen", sources=("submitted",), target="draft", label="Rouvrir le dossier",
                       refused="Seul un dossier déposé peut être rouvert.", guard=can_reopen),
        ],
        moved="Ce dossier a changé entre-temps : rechargez la page.",
    )
    DOSSIER.perform(application, "reopen", by=user, now=now)

`perform` is one conditional UPDATE (`… WHERE pk = … AND <the state the caller saw>`) in the caller's
transaction, with its audit event: when two people act on the same object at once, the database lets
one through and the other is refused with a French message, never a double change. Pages and the API
read `allowed_actions(obj, by=user)` rather than testing states themselves.

A state is either the value of a status column (`on_field`) or derived from other columns (a decision
is « confirmed » once `confirmed_at` is set): the machine then takes, for each state, the `Q` that
finds it in the database and a function that reads it on an instance, and the model's CheckConstraints
make the states a partition of the rows.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Q
from django.db.models.expressions import Combinable
from django.utils import timezone

from capqvct.core.exceptions import Refusal
from capqvct.core.permissions import ALLOWED, Decision, refuse
from capqvct.core.services import record_event

# A guard answers whether `by` may fire the transition on the object at `now`, with the reason a user
# reads when it may not. It runs after the state check: it never needs to test the state itself.
Guard = Callable[[Any, Any, datetime], Decision]


def always(obj, by, now) -> Decision:
    """The guard of transitions no rule restricts beyond their source states."""
    return ALLOWED


@dataclass(frozen=True)
class State:
    code: str
    label: str
    # How the database finds the objects in this state (for conditional updates and filters).
    condition: Q


@dataclass(frozen=True)
class Transition:
    """One arrow of the diagram: `action` moves an object from one of `sources` to `target`."""

    action: str
    sources: tuple[str, ...]
    target: str
    # Why the action is refused from any other state, in French; `refused_from` refines it per state.
    refused: str
    # The words of its button; "" for a transition no page offers (the system fires it).
    label: str = ""
    guard: Guard = always
    # The audit event's action; the machine's prefix and the action code when empty.
    event: str = ""
    refused_from: Mapping[str, str] = field(default_factory=dict)

    def refusal_from(self, state: str) -> str:
        return self.refused_from.get(state, self.refused)


@dataclass(frozen=True)
class RefusedAction:
    label: str
    reason: str


class StateMachine:
    """The states and transitions of one model; see the module's docstring."""

    def __init__(
        self,
        model: type[models.Model],
        *,
        states: Iterable[State],
        state_of: Callable[[Any], str],
        transitions: Iterable[Transition],
        moved: str,
        field: str = "",
        event_prefix: str = "",
    ):
        self.model = model
        self.states = {state.code: state for state in states}
        self.state_of = state_of
        self.transitions = {}
        # Written by perform() when the state is a column; derived states are written by `changes`.
        self.field = field
        # Said when the object changed (or vanished) between the page and the action.
        self.moved = moved
        self.event_prefix = event_prefix or model._meta.model_name
        for transition in transitions:
            if transition.action in self.transitions:
                raise ImproperlyConfigured(f"{model.__name__}: two transitions named {transition.action!r}")
            unknown = {*transition.sources, transition.target} - set(self.states)
            if unknown:
                raise ImproperlyConfigured(f"{model.__name__}.{transition.action}: unknown states {unknown}")
            self.transitions[transition.action] = transition

    @classmethod
    def on_field(
        cls,
        model: type[models.Model],
        field_name: str,
        *,
        transitions: Iterable[Transition],
        moved: str,
        **kwargs,
    ) -> "StateMachine":
        """A machine whose state is the value of a column with choices."""
        choices = model._meta.get_field(field_name).choices
        return cls(
            model,
            states=[State(value, str(label), Q(**{field_name: value})) for value, label in choices],
            state_of=lambda obj: getattr(obj, field_name),
            transitions=transitions,
            moved=moved,
            field=field_name,
            **kwargs,
        )

    # Reading

    def state(self, obj) -> str:
        return self.state_of(obj)

    def label(self, obj) -> str:
        return self.states[self.state(obj)].label

    def transition(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise ValueError(f"{self.model.__name__} has no transition {action!r}") from None

    def condition(self, *codes: str) -> Q:
        """The objects in any of these states, for a queryset's filter()."""
        found = Q(pk__in=[])
        for code in codes:
            found |= self.states[code].condition
        return found

    def check(self, obj, action: str, *, by, now: datetime | None = None) -> Decision:
        """Whether `by` may fire `action` on the object as it is in memory, and why not."""
        transition = self.transition(action)
        current = self.state(obj)
        if current not in transition.sources:
            return refuse(transition.refusal_from(current))
        return transition.guard(obj, by, now or timezone.now())

    def ensure(self, obj, action: str, *, by, now: datetime | None = None) -> None:
        """check(), raising its refusal."""
        if not (allowed := self.check(obj, action, by=by, now=now)):
            raise Refusal(allowed.reason)

    def allowed_actions(self, obj, *, by, now: datetime | None = None) -> dict[str, Transition]:
        """The actions a page or the API offers `by` on the object, by code, in declaration order: a
        template shows a button `{% if actions.reopen %}` with `{{ actions.reopen.label }}`."""
        return {action: transition for action, transition, allowed in self._offered(obj, by, now) if allowed}

    def refused_actions(self, obj, *, by, now: datetime | None = None) -> dict[str, "RefusedAction"]:
        """The actions leaving the object's state that the guard refuses to `by`, with the reason a page
        shows by a disabled button (« La date limite de dépôt est passée… »)."""
        return {
            action: RefusedAction(transition.label, allowed.reason)
            for action, transition, allowed in self._offered(obj, by, now)
            if not allowed
        }

    def _offered(self, obj, by, now: datetime | None):
        now = now or timezone.now()
        current = self.state(obj)
        for action, transition in self.transitions.items():
            if transition.label and current in transition.sources:
                yield action, transition, transition.guard(obj, by, now)

    # Writing

    def perform(
        self,
        obj,
        action: str,
        *,
        by,
        now: datetime | None = None,
        changes: Mapping[str, Any] | None = None,
        details: Mapping[str, Any] | None = None,
        event_target: models.Model | None = None,
    ):
        """Check the guard, then move the object with one conditional UPDATE from the state the caller
        read, write `changes` with it and record the audit event, all in the caller's transaction.

        Refused (nothing written) when the guard says no, or when someone moved the object first. The
        event's details hold the states under "from" and "to", unless `details` describes the change in
        its own terms under those keys (a decision's outcome before and after); `event_target` names
        the object the event is filed under when it is not the one moved.
        """
        now = now or timezone.now()
        transition = self.transition(action)
        self.ensure(obj, action, by=by, now=now)
        previous = self.state(obj)
        values = dict(changes or {})
        if self.field:
            values[self.field] = transition.target
        for model_field in self.model._meta.concrete_fields:
            if getattr(model_field, "auto_now", False):
                values.setdefault(model_field.name, timezone.now())
        with transaction.atomic():
            rows = self.model._default_manager.filter(Q(pk=obj.pk) & self.states[previous].condition)
            if rows.update(**values) != 1:
                raise Refusal(self._why_not_moved(obj, transition))
            self._apply(obj, values)
            if self.state(obj) != transition.target:
                raise ImproperlyConfigured(
                    f"{self.model.__name__}.{action} left the object in {self.state(obj)!r}, "
                    f"not {transition.target!r}: its changes do not match the declared target"
                )
            record_event(
                action=transition.event or f"{self.event_prefix}_{action}",
                actor=by,
                target=obj if event_target is None else event_target,
                details={"from": previous, "to": transition.target, **(details or {})},
            )
        return obj

    def _why_not_moved(self, obj, transition: Transition) -> str:
        """Someone acted first: what the object has become says why, else the machine's message."""
        fresh = self.model._default_manager.filter(pk=obj.pk).first()
        if fresh is None:
            return self.moved
        current = self.state(fresh)
        if current in transition.sources:
            return self.moved
        return transition.refusal_from(current)

    @staticmethod
    def _apply(obj, values: Mapping[str, Any]) -> None:
        computed = []
        for name, value in values.items():
            if isinstance(value, Combinable):
                computed.append(name)
            else:
                setattr(obj, name, value)
        if computed:
            obj.refresh_from_db(fields=computed)
