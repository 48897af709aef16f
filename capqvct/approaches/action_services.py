"""What changes the action plan of an approach (sequence 3, « Construction et mise en œuvre
d’actions »): an action added, then changed as it runs. Each action has a QVCT theme, may answer a
work situation of the same approach, has dates whose due date does not precede the start; a dropped
action says why, an experiment states its hypothesis. Each change checks who may make it, writes the
audit event that feeds the activity feed and dates the approach's last activity, in one transaction,
as services.py does for the first sequence."""

from datetime import date, datetime
from typing import TypedDict, Unpack

from django.db import transaction
from django.utils import timezone

from capqvct.approaches.models import Action, ActionStatus, Approach, Situation, Theme
from capqvct.approaches.permissions import can_work_on
from capqvct.approaches.services import clean_text, open_approach, record_change
from capqvct.cohorts.models import Participant
from capqvct.core.exceptions import Refusal
from capqvct.core.permissions import ensure


class ActionFields(TypedDict, total=False):
    """What a person types about an action; `situation_id` is the pk of a situation of the approach."""

    title: str
    theme: str
    situation_id: int | None
    owner: str
    starts_on: date | None
    due_on: date | None
    status: str
    drop_reason: str
    resources: str
    indicators: str
    experiment: bool
    hypothesis: str
    test_period: str
    result: str


DEFAULTS: ActionFields = {
    "title": "",
    "theme": "",
    "situation_id": None,
    "owner": "",
    "starts_on": None,
    "due_on": None,
    "status": ActionStatus.PLANNED,
    "drop_reason": "",
    "resources": "",
    "indicators": "",
    "experiment": False,
    "hypothesis": "",
    "test_period": "",
    "result": "",
}


def add_action(
    *, participant: Participant, by, now: datetime | None = None, **fields: Unpack[ActionFields]
) -> Action:
    """An action added to the participant's plan (the approach is opened at its first change)."""
    ensure(can_work_on(by, participant))
    _known(fields)
    values = _checked({**DEFAULTS, **fields})
    now = now or timezone.now()
    with transaction.atomic():
        approach = open_approach(participant)
        action = Action(
            approach=approach, situation=_situation_of(approach, fields.get("situation_id")), **values
        )
        action.save()
        record_change(
            approach,
            by=by,
            action="approach_action_added",
            now=now,
            title=action.title,
            status=action.status,
            experiment=action.experiment,
        )
    return action


def change_action(
    *, action: Action, by, now: datetime | None = None, **fields: Unpack[ActionFields]
) -> Action:
    """An action of the plan changed: the fields given replace its own, the others stay as they are."""
    approach = action.approach
    ensure(can_work_on(by, approach.participant))
    _known(fields)
    values = _checked({**_fields_of(action), **fields})
    situation_id = fields.get("situation_id", action.situation_id)
    now = now or timezone.now()
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        before = _fields_of(action)
        for name, value in values.items():
            setattr(action, name, value)
        action.situation = _situation_of(approach, situation_id)
        action.save()
        record_change(
            approach,
            by=by,
            action="approach_action_changed",
            now=now,
            title=action.title,
            status=action.status,
            changed=sorted(name for name, value in _fields_of(action).items() if before[name] != value),
        )
    return action


def _known(fields: dict) -> None:
    unknown = fields.keys() - DEFAULTS.keys()
    if unknown:
        raise TypeError(f"Not a field of an action: {', '.join(sorted(unknown))}")


def _fields_of(action: Action) -> ActionFields:
    return {name: getattr(action, name) for name in DEFAULTS}  # type: ignore[return-value]


def _checked(fields: ActionFields) -> dict:
    """The action's fields once each rule holds, its texts trimmed to what the model stores (the
    situation is checked against the approach inside the transaction, by _situation_of)."""
    title = clean_text(fields["title"], "title", required="Indiquez l’action.")
    if fields["theme"] not in Theme.values:
        raise Refusal("Choisissez le thème QVCT de l’action.", field="theme")
    starts_on, due_on = fields["starts_on"], fields["due_on"]
    if starts_on and due_on and due_on < starts_on:
        raise Refusal("L’échéance ne peut pas précéder le début.", field="due_on")
    if fields["status"] not in ActionStatus.values:
        raise Refusal("Choisissez l’état de l’action.", field="status")
    drop_reason = clean_text(fields["drop_reason"], "drop_reason")
    if fields["status"] == ActionStatus.DROPPED and not drop_reason:
        raise Refusal("Dites pourquoi l’action est abandonnée.", field="drop_reason")
    experiment = bool(fields["experiment"])
    hypothesis = clean_text(fields["hypothesis"], "hypothesis")
    if experiment and not hypothesis:
        raise Refusal(
            "Une expérimentation part d’une hypothèse\u00a0: écrivez ce que l’action doit changer.",
            field="hypothesis",
        )
    return {
        "title": title[:200],
        "theme": fields["theme"],
        "owner": clean_text(fields["owner"], "owner")[:150],
        "starts_on": starts_on,
        "due_on": due_on,
        "status": fields["status"],
        "drop_reason": drop_reason,
        "resources": clean_text(fields["resources"], "resources"),
        "indicators": clean_text(fields["indicators"], "indicators"),
        "experiment": experiment,
        "hypothesis": hypothesis,
        "test_period": clean_text(fields["test_period"], "test_period")[:150],
        "result": clean_text(fields["result"], "result"),
    }


def _situation_of(approach: Approach, situation_id: int | None) -> Situation | None:
    if situation_id is None:
        return None
    situation = approach.situations.filter(pk=situation_id).first()
    if situation is None:
        raise Refusal(
            "Cette situation de travail n’est pas une de celles de la démarche\u00a0: rechargez la page.",
            field="situation",
        )
    return situation
