"""Forms of the cohort pages: they type and check what is posted; the services keep the rules."""

from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.calls.manage_forms import CHOICES, RefusalMixin
from capqvct.cohorts.models import Cohort, ConsultantPair, Participant
from capqvct.core.forms import ModelMultipleChoiceField
from capqvct.establishments.models import Establishment
from capqvct.territory.models import Departement

CHECKBOX = "cohorts/_checkbox.html"


class CohortForm(RefusalMixin, DsfrBaseForm):
    """Checkboxes drawn by the project's DSFR snippets (django-dsfr's need widget_tweaks)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                field.template_name = CHECKBOX
            elif isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.template_name = CHOICES


class RulesForm(CohortForm):
    max_size = forms.IntegerField(label="Taille maximale d’un collectif", min_value=1, max_value=50)
    min_size = forms.IntegerField(label="Taille minimale d’un collectif", min_value=1, max_value=50)
    same_departement = forms.BooleanField(label="Un seul département par collectif", required=False)
    balance_categories = forms.BooleanField(
        label="Équilibrer les catégories d’établissements (EHPAD, SSIAD…) entre les collectifs",
        required=False,
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name()
        return f"{name} ({user.email})" if name else user.email


class PairForm(CohortForm):
    first = PersonChoiceField(label="Premier intervenant", queryset=None, empty_label="Choisir")
    second = PersonChoiceField(label="Second intervenant", queryset=None, empty_label="Choisir")
    min_load = forms.IntegerField(
        label="Établissements suivis, au moins", min_value=0, max_value=200, initial=6
    )
    max_load = forms.IntegerField(
        label="Établissements suivis, au plus", min_value=1, max_value=200, initial=10
    )
    departements = ModelMultipleChoiceField(
        label="Départements couverts",
        help_text="Aucune case cochée : toute la région.",
        queryset=Departement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    conflicts = ModelMultipleChoiceField(
        label="Établissements que ce binôme ne peut pas suivre (conflit d’intérêts)",
        queryset=Establishment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, consultants, departements, establishments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first"].queryset = consultants
        self.fields["second"].queryset = consultants
        self.fields["departements"].queryset = departements
        self.fields["conflicts"].queryset = establishments

    @staticmethod
    def initial_for(pair: ConsultantPair) -> dict:
        return {
            "first": pair.first_id,
            "second": pair.second_id,
            "min_load": pair.min_load,
            "max_load": pair.max_load,
            "departements": list(pair.departements.all()),
            "conflicts": list(pair.conflicts.all()),
        }


class CohortChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, cohort) -> str:
        return cohort.name


class MoveForm(CohortForm):
    participant = forms.ModelChoiceField(label="Établissement", queryset=Participant.objects.none())
    to = CohortChoiceField(label="Vers le collectif", queryset=Cohort.objects.none(), empty_label="Choisir")

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = Participant.objects.filter(cohort=cohort).select_related(
            "establishment"
        )
        self.fields["to"].queryset = Cohort.objects.filter(call_id=cohort.call_id).exclude(pk=cohort.pk)


class SplitForm(CohortForm):
    participants = ModelMultipleChoiceField(
        label="Établissements du nouveau collectif",
        queryset=Participant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = Participant.objects.filter(cohort=cohort).select_related(
            "establishment"
        )


class MergeForm(CohortForm):
    into = CohortChoiceField(label="Fusionner avec", queryset=Cohort.objects.none(), empty_label="Choisir")

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Cohort.objects.filter(call_id=cohort.call_id).exclude(pk=cohort.pk)


class PairChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, pair) -> str:
        return str(pair)


class SetPairForm(CohortForm):
    pair = PairChoiceField(
        label="Binôme d’intervenants",
        queryset=ConsultantPair.objects.none(),
        required=False,
        empty_label="Aucun",
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pair"].queryset = ConsultantPair.objects.filter(
            programme_id=cohort.call.programme_id
        ).select_related("first", "second")


class ConfirmForm(CohortForm):
    acknowledged = forms.BooleanField(
        label="Je confirme ces collectifs malgré les règles qu’ils enfreignent", required=False
    )
