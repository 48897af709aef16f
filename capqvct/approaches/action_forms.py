"""The form of an action of the plan, to add one or change it. It types what is posted; the rules
are action_services.py's and their refusals come back at the field, the page keeping what was typed."""

from collections.abc import Iterable

from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.approaches.action_services import ActionFields
from capqvct.approaches.forms import text_field
from capqvct.approaches.models import Action, ActionStatus, Situation, Theme
from capqvct.calls.manage_forms import RefusalMixin
from capqvct.cohorts.calendar_forms import DAY
from capqvct.cohorts.forms import CHECKBOX


class ActionForm(RefusalMixin, DsfrBaseForm):
    # The service names the situation by its pk.
    refusal_fields = {"situation_id": "situation"}

    title = forms.CharField(
        label="Action",
        required=False,
        max_length=200,
        help_text="Ce qui sera fait, en une phrase. Par exemple\u00a0: des binômes de nuit stables.",
    )
    theme = forms.ChoiceField(label="Thème QVCT", choices=[("", "Choisir"), *Theme.choices], required=False)
    situation = forms.TypedChoiceField(
        label="Situation de travail à laquelle elle répond",
        coerce=int,
        empty_value=None,
        required=False,
        choices=(),
        help_text="Une des situations analysées lors de l’état des lieux partagé, s’il y a lieu.",
    )
    owner = forms.CharField(
        label="Responsable",
        required=False,
        max_length=150,
        help_text="Qui porte l’action. Par exemple\u00a0: la cadre de santé de l’unité A.",
    )
    starts_on = forms.DateField(label="Début", required=False, widget=DAY)
    due_on = forms.DateField(label="Échéance", required=False, widget=DAY)
    status = forms.ChoiceField(label="État", choices=[("", "Choisir"), *ActionStatus.choices], required=False)
    drop_reason = text_field(
        "Raison de l’abandon", rows=2, help_text="Obligatoire pour une action abandonnée."
    )
    resources = text_field("Moyens", help_text="Le temps, le budget, les personnes, le matériel.")
    indicators = text_field(
        "Indicateurs à suivre", help_text="Ce qui dira si l’action produit l’effet attendu."
    )
    experiment = forms.BooleanField(
        label="Cette action est une expérimentation",
        required=False,
        help_text="Testée sur une période, dans une unité, avant d’être étendue ou arrêtée.",
    )
    hypothesis = text_field(
        "Hypothèse",
        help_text="Ce que l’action doit changer, et pour qui. Obligatoire pour une expérimentation.",
    )
    test_period = forms.CharField(
        label="Période de test",
        required=False,
        max_length=150,
        help_text="Par exemple\u00a0: trois mois dans l’unité A.",
    )
    result = text_field("Résultat", help_text="Ce que l’expérimentation a montré, une fois terminée.")

    def __init__(self, *args, situations: Iterable[Situation] = (), **kwargs):
        kwargs.setdefault("initial", {"status": ActionStatus.PLANNED})
        super().__init__(*args, **kwargs)
        self.fields["situation"].choices = [
            ("", "Aucune"),
            *((situation.pk, _situation_label(situation)) for situation in situations),
        ]
        self.fields["experiment"].template_name = CHECKBOX

    def action_fields(self) -> ActionFields:
        """What the service takes, from what was typed (empty where the form refused a value)."""
        data = self.cleaned_data
        return {
            "title": data.get("title", ""),
            "theme": data.get("theme", ""),
            "situation_id": data.get("situation"),
            "owner": data.get("owner", ""),
            "starts_on": data.get("starts_on"),
            "due_on": data.get("due_on"),
            "status": data.get("status", ""),
            "drop_reason": data.get("drop_reason", ""),
            "resources": data.get("resources", ""),
            "indicators": data.get("indicators", ""),
            "experiment": data.get("experiment", False),
            "hypothesis": data.get("hypothesis", ""),
            "test_period": data.get("test_period", ""),
            "result": data.get("result", ""),
        }

    @staticmethod
    def initial_for(action: Action) -> dict:
        return {
            "title": action.title,
            "theme": action.theme,
            "situation": action.situation_id,
            "owner": action.owner,
            "starts_on": action.starts_on,
            "due_on": action.due_on,
            "status": action.status,
            "drop_reason": action.drop_reason,
            "resources": action.resources,
            "indicators": action.indicators,
            "experiment": action.experiment,
            "hypothesis": action.hypothesis,
            "test_period": action.test_period,
            "result": action.result,
        }


def _situation_label(situation: Situation) -> str:
    retained = " (retenue par le comité)" if situation.retained else ""
    return f"{situation.title}{retained}"
