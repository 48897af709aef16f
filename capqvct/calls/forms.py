from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.calls.models import CallKind
from capqvct.establishments.categories import grouped_choices
from capqvct.territory.models import Region


class PublicCallFilterForm(DsfrBaseForm):
    region = forms.ChoiceField(label="Région", required=False)
    kind = forms.ChoiceField(label="Type d’appel", required=False, choices=[("", "Tous"), *CallKind.choices])
    category = forms.ChoiceField(label="Catégorie d’établissement", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Toutes")] + [(r.code, r.name) for r in Region.objects.all()]
        self.fields["category"].choices = [("", "Toutes"), *grouped_choices()]
