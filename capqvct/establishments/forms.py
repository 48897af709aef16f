from django import forms
from dsfr.forms import DsfrBaseForm


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


class ClaimSearchForm(DsfrBaseForm):
    finess = forms.RegexField(
        label="Numéro FINESS de l’établissement",
        help_text="9 caractères, par exemple 340000000 ; il figure sur vos arrêtés d’autorisation.",
        regex=r"^\s*[0-9][0-9AB][0-9]{7}\s*$",
        error_messages={"invalid": "Un numéro FINESS compte 9 caractères : chiffres, et A ou B en Corse."},
    )


class ClaimForm(DsfrBaseForm):
    function = forms.CharField(label="Votre fonction dans l’établissement", max_length=120)
    message = forms.CharField(
        label="Message à l’agence (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RejectClaimForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif du refus, transmis au demandeur", widget=forms.Textarea(attrs={"rows": 3})
    )
