"""The forms of the decisions pages: a row per dossier, the bulk proposal, the commission."""

from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.core.exceptions import Refusal
from capqvct.review.models import Outcome

NBSP = "\u00a0"
RANK_MAX = 32767  # the column's limit: a bigger number is an error at the field, not a 500
REASON_REQUIRED = "Écrivez le motif adressé au candidat."
# What the bulk proposal offers as the reason of each outcome, to be read and adapted before saving.
DEFAULT_REASONS = {
    Outcome.SELECTED: "Votre dossier figure parmi les mieux classés par la commission de sélection.",
    Outcome.WAITING_LIST: (
        "Votre dossier est de qualité, mais les places ont été attribuées aux dossiers les mieux "
        "classés. Il est inscrit sur la liste d’attente."
    ),
    Outcome.NOT_SELECTED: (
        "Le nombre de places étant limité, la commission a retenu les dossiers les mieux classés "
        "au regard des critères de l’appel."
    ),
    Outcome.INELIGIBLE: "Votre dossier ne remplit pas les conditions d’éligibilité de l’appel.",
}


def _add_refusal(form: forms.Form, refusal: Refusal) -> None:
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)


class DraftRowForm(forms.Form):
    """One dossier's draft in the page's form (prefix: the dossier's number). Blank: left as it is."""

    outcome = forms.ChoiceField(
        label="Décision",
        required=False,
        choices=[("", "—"), *Outcome.choices],
        error_messages={"invalid_choice": "Choisissez une décision de la liste."},
    )
    waiting_rank = forms.IntegerField(
        label="Rang sur la liste d’attente",
        required=False,
        min_value=1,
        max_value=RANK_MAX,
        error_messages={
            "invalid": "Indiquez le rang en chiffres.",
            "min_value": "Le rang sur la liste d’attente commence à 1.",
            "max_value": f"Indiquez un rang inférieur à {RANK_MAX}.",
        },
    )
    reason = forms.CharField(label="Motif adressé au candidat", required=False, max_length=5000)

    add_refusal = _add_refusal

    def clean(self):
        data = super().clean()
        if data.get("outcome") and not data.get("reason"):
            self.add_error("reason", REASON_REQUIRED)
        return data


class ProposalForm(DsfrBaseForm):
    """« Retenir les N premiers », then M on the waiting list, the others not selected."""

    retenus = forms.IntegerField(
        label="Nombre de dossiers à retenir",
        min_value=0,
        max_value=100000,
        help_text="Les premiers du classement, hors dossiers inéligibles.",
        error_messages={
            "required": "Indiquez le nombre de dossiers à retenir.",
            "invalid": "Indiquez un nombre en chiffres.",
            "min_value": "Indiquez un nombre positif ou nul.",
            "max_value": "Indiquez un nombre plus petit.",
        },
    )
    attente = forms.IntegerField(
        label="Puis, sur la liste d’attente",
        min_value=0,
        max_value=100000,
        required=False,
        help_text="Les suivants du classement, dans cet ordre. Les autres sont «\u00a0non retenus\u00a0».",
        error_messages={
            "invalid": "Indiquez un nombre en chiffres.",
            "min_value": "Indiquez un nombre positif ou nul.",
            "max_value": "Indiquez un nombre plus petit.",
        },
    )


class ProposalReasonsForm(DsfrBaseForm):
    """The reason written to the applicants of each outcome of the proposal."""

    def __init__(self, *args, outcomes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Outcome.choices)
        for outcome in outcomes:
            self.fields[f"motif_{outcome}"] = forms.CharField(
                label=f"Motif adressé aux dossiers «{NBSP}{labels[outcome]}{NBSP}»",
                initial=DEFAULT_REASONS[outcome],
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": REASON_REQUIRED},
            )

    def reason(self, outcome: str) -> str:
        return self.cleaned_data[f"motif_{outcome}"]


class CommissionForm(DsfrBaseForm):
    places_override_reason = forms.CharField(
        label="Motif du dépassement du nombre de places",
        required=False,
        max_length=2000,
        help_text="Consigné dans l’historique.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    add_refusal = _add_refusal
