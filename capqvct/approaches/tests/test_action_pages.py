"""The action plan pages as their users find them: the timeline and its table, an action added or
changed from the page, a refusal shown at its field with what was typed kept, the managers reading
without writing, and a page whose queries do not grow with the plan."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from capqvct.approaches import action_services
from capqvct.approaches.models import Action, Approach, Situation
from capqvct.approaches.tests.builders import workspace
from tests.factories import login_verified
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
VALID = {"title": "Des binômes de nuit stables", "theme": "organisation"}


@pytest.fixture
def w():
    return workspace()


def plan_path(w) -> str:
    return reverse("approaches:actions", args=[w.participant.pk])


def get(client, user, path):
    login_verified(client, user)
    response = client.get(path)
    return response.status_code, response.content.decode()


def add(w, title="Des binômes de nuit stables", **fields):
    return action_services.add_action(
        participant=w.participant, by=w.director, **{**VALID, "title": title, **fields}
    )


def timeline_of(text: str) -> ET.Element:
    return ET.fromstring(re.search(r"<svg\b.*?</svg>", text, re.DOTALL).group(0))


def field_group(text: str, name: str) -> str:
    """The markup of a field's group, from its container to the next field's."""
    start = text.index(f'id="id_{name}"')
    return text[text.rfind("fr-fieldset__element", 0, start) : text.find("fr-fieldset__element", start)]


def test_the_plan_shows_the_timeline_and_its_table(client, w):
    today = timezone.localdate()
    add(w, "Des binômes de nuit stables", starts_on=today, due_on=today + timedelta(days=60))
    experiment = add(
        w,
        "Une salle de pause réaménagée",
        theme="health",
        status="running",
        starts_on=today - timedelta(days=10),
        experiment=True,
        hypothesis="Une vraie pause réduit la fatigue de l’après-midi.",
        test_period="Trois mois dans l’unité A",
    )
    add(w, "Un point d’équipe hebdomadaire <b>court</b>", theme="dialogue")
    status, text = get(client, w.director, plan_path(w))
    assert status == 200
    assert "<h1>Plan d’actions</h1>" in text and "Retour à la démarche" in text
    svg = timeline_of(text)
    assert svg.get("role") == "img"
    assert len(svg.findall(f"{SVG}g[@class='row']")) == 3
    assert "<figcaption" in text and "<caption>Les actions du plan</caption>" in text
    assert text.count('<th scope="col">') == 7
    assert reverse("approaches:action", args=[experiment.pk]) in text
    assert (
        "Une vraie pause réduit la fatigue de l’après-midi." in text and "Trois mois dans l’unité A" in text
    )
    assert "<b>court</b>" not in text and "&lt;b&gt;court&lt;/b&gt;" in text
    main = text[text.index("<main") : text.index("</main>")]
    assert not re.search(r"\sstyle=", main) and "<script" not in main
    assert typography_errors(text) == []


def test_an_action_added_from_the_page(client, w):
    login_verified(client, w.director)
    response = client.post(
        plan_path(w),
        {
            **VALID,
            "owner": "La cadre de santé",
            "starts_on": "2027-01-04",
            "due_on": "2027-03-31",
            "status": "running",
            "experiment": "on",
            "hypothesis": "Des binômes stables réduisent les glissements de tâches.",
        },
        follow=True,
    )
    text = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("#plan")
    assert "Action ajoutée au plan." in text
    action = Action.objects.get()
    assert (action.owner, action.status, action.experiment) == ("La cadre de santé", "running", True)
    assert typography_errors(text) == []


def test_a_refused_action_keeps_what_was_typed_and_says_why_at_the_field(client, w):
    login_verified(client, w.director)
    response = client.post(
        plan_path(w),
        {
            **VALID,
            "owner": "La cadre de santé",
            "starts_on": "2027-03-01",
            "due_on": "2027-02-01",
            "status": "planned",
            "test_period": "Trois mois",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "L’échéance ne peut pas précéder le début." in field_group(text, "due_on")
    assert 'value="La cadre de santé"' in text and 'value="2027-03-01"' in text
    assert 'value="Trois mois"' in text and 'value="Des binômes de nuit stables"' in text
    assert not Action.objects.exists()
    assert typography_errors(text) == []


def test_an_experiment_without_its_hypothesis_is_refused_at_the_field(client, w):
    login_verified(client, w.director)
    response = client.post(plan_path(w), {**VALID, "status": "planned", "experiment": "on"})
    text = response.content.decode()
    assert "Une expérimentation part d’une hypothèse" in field_group(text, "hypothesis")
    assert re.search(r'name="experiment"[^>]*checked', text)
    assert not Action.objects.exists()


def test_a_late_action_says_so(client, w):
    today = timezone.localdate()
    add(
        w,
        "Le planning à six semaines",
        starts_on=today - timedelta(days=40),
        due_on=today - timedelta(days=2),
    )
    add(w, "Fini avant l’heure", status="done", due_on=today - timedelta(days=2))
    status, text = get(client, w.director, plan_path(w))
    assert text.count('fr-badge--error">en retard</span>') == 1
    late = Action.objects.get(title="Le planning à six semaines")
    status, text = get(client, w.director, reverse("approaches:action", args=[late.pk]))
    assert status == 200 and "en retard" in text
    assert typography_errors(text) == []


def test_the_managers_read_the_plan_and_a_post_gets_a_404(client, w):
    action = add(w, experiment=True, hypothesis="Moins de glissements de tâches.")
    status, text = get(client, w.manager, plan_path(w))
    assert status == 200 and "Ajouter une action" not in text and "Des binômes de nuit stables" in text
    response = client.post(
        plan_path(w), {**VALID, "title": "Par le chargé de programme", "status": "planned"}
    )
    assert response.status_code == 404
    assert list(Action.objects.values_list("title", flat=True)) == ["Des binômes de nuit stables"]
    status, text = get(client, w.manager, reverse("approaches:action", args=[action.pk]))
    assert status == 200 and "Modifier l’action" not in text and "Moins de glissements de tâches." in text
    assert typography_errors(text) == []
    response = client.post(
        reverse("approaches:action", args=[action.pk]), {**VALID, "title": "Changée", "status": "done"}
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert (action.title, action.status) == ("Des binômes de nuit stables", "planned")


def test_those_outside_get_a_404(client, w):
    action = add(w)
    assert get(client, w.stranger, plan_path(w))[0] == 404
    assert get(client, w.stranger, reverse("approaches:action", args=[action.pk]))[0] == 404
    # The director of one establishment does not see the other's plan.
    assert get(client, w.director, reverse("approaches:actions", args=[w.other.pk]))[0] == 404


def test_an_action_is_changed_from_its_page(client, w):
    action = add(w, starts_on=date(2027, 1, 4), due_on=date(2027, 3, 31), owner="La cadre de santé")
    path = reverse("approaches:action", args=[action.pk])
    status, text = get(client, w.consultant, path)
    assert status == 200 and "Modifier l’action" in text
    assert 'value="La cadre de santé"' in text and 'value="2027-01-04"' in text
    assert "Expérimentation</legend>" in text
    assert typography_errors(text) == []
    response = client.post(path, {**VALID, "status": "dropped", "drop_reason": "", "owner": "Nouvelle cadre"})
    text = response.content.decode()
    assert "Dites pourquoi l’action est abandonnée." in field_group(text, "drop_reason")
    assert 'value="Nouvelle cadre"' in text
    assert typography_errors(text) == []
    response = client.post(
        path,
        {**VALID, "status": "dropped", "drop_reason": "Le comité a choisi une autre piste."},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith(f"#action-{action.pk}")
    action.refresh_from_db()
    assert (action.status, action.owner, action.starts_on) == ("dropped", "", None)
    assert "Le comité a choisi une autre piste." in response.content.decode()


def test_the_plan_page_reads_in_a_fixed_number_of_queries(client, w):
    login_verified(client, w.director)
    approach, _ = Approach.objects.get_or_create(participant=w.participant)
    situation = Situation.objects.create(approach=approach, title="Les transmissions", theme="dialogue")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(plan_path(w)).status_code == 200
        return len(queries)

    def add_one(index) -> None:
        add(
            w,
            f"Action {index}",
            starts_on=date(2027, 1, 1) + timedelta(days=30 * index),
            due_on=date(2027, 2, 1) + timedelta(days=30 * index),
            experiment=bool(index % 2),
            hypothesis="Une hypothèse",
            situation_id=situation.pk,
        )

    add_one(0)
    first = count()
    for index in range(1, 8):
        add_one(index)
    assert count() == first
    assert Action.objects.count() == 8
