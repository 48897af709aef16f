from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.establishments.finess_numbers import finess_problem, normalize_finess
from capqvct.territory.models import Departement


class FinessNumberField(forms.CharField):
    """A FINESS number as typed (spaces allowed), checked against the register's rule
    (`finess_numbers.py`); whether the directory holds it is the page's to say."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        number = normalize_finess(super().clean(value) or "")
        if number and (problem := finess_problem(number)):
            raise forms.ValidationError(f"{problem}.", code="invalid")
        return number


class DirectorySearchForm(DsfrBaseForm):
    q = forms.CharField(
        label="Rechercher un établissement",
        help_text="Nom, numéro FINESS, commune ou code postal",
        required=False,
        max_length=100,
    )
    departement = forms.ChoiceField(label="Département", required=False)
    category = forms.ChoiceField(label="Catégorie", required=False)

    def __init__(self, *args, departements, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "Tous")] + [(d.code, str(d)) for d in departements]
        self.fields["category"].choices = [("", "Toutes")] + list(categories)


def establishment_query_field(label: str) -> forms.CharField:
    """What the claim lookup understands (see selectors.search_establishments_to_claim)."""
    return forms.CharField(
        label=label,
        help_text="Son numéro FINESS (9\u00a0caractères, sur les arrêtés d’autorisation), ou des mots "
        "de son nom et sa commune, par exemple «\u00a0Cigales Montpellier\u00a0».",
        max_length=100,
        min_length=3,
        error_messages={
            "required": "Saisissez un numéro FINESS, un nom ou une commune.",
            "min_length": "Saisissez au moins 3\u00a0caractères.",
        },
    )


class ClaimSearchForm(DsfrBaseForm):
    q = establishment_query_field("Votre établissement")
    departement = forms.ModelChoiceField(
        label="Département (facultatif)",
        queryset=Departement.objects.order_by("code"),
        required=False,
        empty_label="Tous les départements",
        to_field_name="code",
    )


class ClaimForm(DsfrBaseForm):
    function = forms.CharField(label="Votre fonction dans l’établissement", max_length=120)
    message = forms.CharField(
        label="Message à l’agence (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeclineClaimForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Message au demandeur (facultatif)",
        required=False,
        max_length=1000,
        help_text="Par exemple\u00a0: «\u00a0Cette personne ne travaille pas dans l’établissement.\u00a0»",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RejectClaimForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif du refus, transmis au demandeur", widget=forms.Textarea(attrs={"rows": 3})
    )
