"""The action plan's rules (sequence 3): an action has a title and a QVCT theme, its due date does
not precede its start, a dropped action says why, an experiment states its hypothesis, the situation
it answers is one of the approach's; the establishment and its pair write it, no one else."""

from datetime import date

import pytest

from capqvct.approaches import action_services
from capqvct.approaches.action_selectors import actions_of, plan_of
from capqvct.approaches.models import Action, Approach, Situation
from capqvct.approaches.tests.builders import workspace
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent

pytestmark = pytest.mark.django_db

VALID = {"title": "Des binômes de nuit stables", "theme": "organisation"}


@pytest.fixture
def w():
    return workspace()


def situation_of(participant, title="Les transmissions du soir") -> Situation:
    """A situation of the participant's approach, as the shared diagnosis leaves it."""
    approach, _ = Approach.objects.get_or_create(participant=participant)
    return Situation.objects.create(approach=approach, title=title, theme="organisation")


def test_the_first_action_opens_the_approach_and_dates_the_activity(w):
    assert not Approach.objects.exists()
    action = action_services.add_action(
        participant=w.participant,
        by=w.director,
        title="  Des binômes de nuit stables  ",
        theme="organisation",
        owner="La cadre de santé",
        starts_on=date(2027, 1, 4),
        due_on=date(2027, 3, 31),
        resources="Deux heures par mois",
        indicators="Arrêts de travail de l’équipe de nuit",
    )
    approach = Approach.objects.get(participant=w.participant)
    assert action.approach == approach and action.title == "Des binômes de nuit stables"
    assert action.status == "planned" and not action.experiment
    assert approach.last_activity_at is not None
    event = AuditEvent.objects.get(action="approach_action_added")
    assert event.actor == w.director and event.details["title"] == "Des binômes de nuit stables"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"title": "  "}, "title", "Indiquez l’action."),
        ({"theme": ""}, "theme", "Choisissez le thème QVCT de l’action."),
        ({"theme": "bonheur"}, "theme", "Choisissez le thème QVCT de l’action."),
        (
            {"starts_on": date(2027, 3, 1), "due_on": date(2027, 2, 28)},
            "due_on",
            "L’échéance ne peut pas précéder le début.",
        ),
        ({"status": "paused"}, "status", "Choisissez l’état de l’action."),
        ({"status": "dropped", "drop_reason": " "}, "drop_reason", "Dites pourquoi l’action est abandonnée."),
        (
            {"experiment": True, "test_period": "Trois mois"},
            "hypothesis",
            "Une expérimentation part d’une hypothèse\u00a0: écrivez ce que l’action doit changer.",
        ),
        ({"title": "x" * 5001}, "title", "5000 caractères au plus."),
        ({"resources": "x" * 5001}, "resources", "5000 caractères au plus."),
    ],
)
def test_an_action_refused_creates_nothing(w, fields, field, message):
    with pytest.raises(Refusal) as refused:
        action_services.add_action(participant=w.participant, by=w.director, **{**VALID, **fields})
    assert (refused.value.field, refused.value.message) == (field, message)
    assert not Approach.objects.exists() and not Action.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="approach_").exists()


def test_the_situation_must_be_one_of_the_approach(w):
    others = situation_of(w.other, "Une situation d’un autre établissement")
    with pytest.raises(Refusal) as refused:
        action_services.add_action(participant=w.participant, by=w.director, situation_id=others.pk, **VALID)
    assert (refused.value.field, refused.value.message) == (
        "situation",
        "Cette situation de travail n’est pas une de celles de la démarche\u00a0: rechargez la page.",
    )
    assert not Approach.objects.filter(participant=w.participant).exists()
    assert not Action.objects.exists()
    own = situation_of(w.participant)
    action = action_services.add_action(
        participant=w.participant, by=w.director, situation_id=own.pk, **VALID
    )
    assert action.situation == own


def test_a_same_day_action_and_a_dropped_one_with_a_reason_are_taken(w):
    same_day = action_services.add_action(
        participant=w.participant,
        by=w.director,
        starts_on=date(2027, 2, 1),
        due_on=date(2027, 2, 1),
        **VALID,
    )
    dropped = action_services.add_action(
        participant=w.participant,
        by=w.director,
        title="Un planning à la carte",
        theme="organisation",
        status="dropped",
        drop_reason="Le logiciel de planning ne le permet pas.",
    )
    assert same_day.due_on == same_day.starts_on
    assert dropped.drop_reason == "Le logiciel de planning ne le permet pas."


def test_an_experiment_keeps_its_hypothesis_period_and_result(w):
    action = action_services.add_action(
        participant=w.participant,
        by=w.director,
        experiment=True,
        hypothesis="Des binômes stables réduisent les glissements de tâches.",
        test_period="Trois mois dans l’unité A",
        **VALID,
    )
    changed = action_services.change_action(
        action=action, by=w.consultant, status="done", result="Moins d’heures supplémentaires."
    )
    action.refresh_from_db()
    assert (action.status, action.result, action.test_period) == (
        "done",
        "Moins d’heures supplémentaires.",
        "Trois mois dans l’unité A",
    )
    assert changed.hypothesis == "Des binômes stables réduisent les glissements de tâches."
    event = AuditEvent.objects.get(action="approach_action_changed")
    assert event.actor == w.consultant and event.details["changed"] == ["result", "status"]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"title": ""}, "title", "Indiquez l’action."),
        ({"due_on": date(2026, 12, 31)}, "due_on", "L’échéance ne peut pas précéder le début."),
        ({"status": "dropped"}, "drop_reason", "Dites pourquoi l’action est abandonnée."),
        (
            {"experiment": True},
            "hypothesis",
            "Une expérimentation part d’une hypothèse\u00a0: écrivez ce que l’action doit changer.",
        ),
    ],
)
def test_a_change_refused_leaves_the_action_as_it_was(w, changes, field, message):
    action = action_services.add_action(
        participant=w.participant, by=w.director, starts_on=date(2027, 1, 4), **VALID
    )
    with pytest.raises(Refusal) as refused:
        action_services.change_action(action=action, by=w.director, **changes)
    assert (refused.value.field, refused.value.message) == (field, message)
    action.refresh_from_db()
    assert (action.title, action.status, action.experiment, action.due_on) == (
        VALID["title"],
        "planned",
        False,
        None,
    )
    assert not AuditEvent.objects.filter(action="approach_action_changed").exists()


def test_a_change_cannot_take_another_approachs_situation(w):
    action = action_services.add_action(participant=w.participant, by=w.director, **VALID)
    others = situation_of(w.other)
    with pytest.raises(Refusal) as refused:
        action_services.change_action(action=action, by=w.director, situation_id=others.pk)
    assert refused.value.field == "situation"
    action.refresh_from_db()
    assert action.situation is None


def test_the_pair_writes_the_plan_and_the_managers_and_strangers_do_not(w):
    for outsider in (w.manager, w.stranger):
        with pytest.raises(Refusal) as refused:
            action_services.add_action(participant=w.participant, by=outsider, **VALID)
        assert (
            refused.value.message
            == "Seuls l’établissement et son binôme d’intervenants travaillent dans la démarche."
        )
    assert not Action.objects.exists()
    action = action_services.add_action(participant=w.participant, by=w.consultant, **VALID)
    for outsider in (w.manager, w.stranger):
        with pytest.raises(Refusal) as refused:
            action_services.change_action(action=action, by=outsider, status="running")
        assert (
            refused.value.message
            == "Seuls l’établissement et son binôme d’intervenants travaillent dans la démarche."
        )
    action.refresh_from_db()
    assert action.status == "planned"


def test_the_plan_is_ordered_by_date_with_the_late_actions_counted(w):
    def add(title, **fields):
        return action_services.add_action(
            participant=w.participant, by=w.director, title=title, theme="health", **fields
        )

    add("Sans date")
    add("En mars", starts_on=date(2027, 3, 1), due_on=date(2027, 3, 31), status="running")
    add("Échéance en février", due_on=date(2027, 2, 15))
    add("Finie en retard", starts_on=date(2027, 1, 4), due_on=date(2027, 1, 29), status="done")
    approach = Approach.objects.get()
    assert [action.title for action in actions_of(approach)] == [
        "Finie en retard",
        "Échéance en février",
        "En mars",
        "Sans date",
    ]
    plan = plan_of(approach, date(2027, 3, 10))
    assert [row.late for row in plan.rows] == [False, True, False, False]
    assert plan.late == 1
    assert {count.status: count.count for count in plan.counts} == {
        "planned": 2,
        "running": 1,
        "done": 1,
        "dropped": 0,
    }
    assert plan.svg.startswith("<svg") and plan.svg.count('class="row"') == 4


def test_an_unsaved_approach_has_an_empty_plan(w):
    approach = Approach(participant=w.participant)
    plan = plan_of(approach, date(2027, 3, 10))
    assert actions_of(approach) == [] and plan.entries == [] and plan.svg == ""
