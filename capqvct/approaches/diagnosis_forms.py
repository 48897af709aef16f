"""Forms of the diagnosis page: a work group, a meeting of one, a year's HR figures, a situation and the
comité's rating of it."""

from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.approaches.forms import text_field
from capqvct.approaches.indicators import INPUT_LABELS
from capqvct.approaches.models import Theme
from capqvct.approaches.priorities import LEVELS
from capqvct.calls.manage_forms import RefusalMixin
from capqvct.cohorts.calendar_forms import DAY
from capqvct.cohorts.forms import CHECKBOX

# Which form field each raw figure is typed in: decimals for FTE, costs and hours, whole numbers
# for people and days.
DECIMAL_FIGURES = {
    "real_fte",
    "budgeted_fte",
    "replacement_fte",
    "staff_cost",
    "external_staff_cost",
    "hours_worked",
}


FIGURE_GROUPS = (
    (
        "Effectifs",
        ("real_fte", "budgeted_fte", "headcount_previous_dec31", "entries", "exits", "replacement_fte"),
    ),
    (
        "Jours calendaires d’absence",
        (
            "days_short_illness",
            "days_medium_illness",
            "days_long_illness",
            "days_maternity_paternity",
            "days_work_accident",
            "days_special_leave",
        ),
    ),
    ("Coûts", ("staff_cost", "external_staff_cost")),
    ("Heures et accidents du travail", ("hours_worked", "accidents_with_leave", "days_lost")),
)


class WorkGroupForm(RefusalMixin, DsfrBaseForm):
    name = forms.CharField(label="Nom du groupe", required=False, max_length=150)
    members = text_field("Membres, par métier", rows=4, help_text="Un membre par ligne : nom et métier.")
    subject = text_field("Situation ou sujet travaillé", rows=2)


class WorkGroupMeetingForm(RefusalMixin, DsfrBaseForm):
    group = forms.ChoiceField(label="Groupe", required=False)
    held_on = forms.DateField(label="Date de la réunion", required=False, widget=DAY)
    notes = text_field("Ce que le groupe a dit ou décidé", rows=4)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "Choisir"), *((str(group.pk), group.name) for group in groups)]


class IndicatorYearForm(RefusalMixin, DsfrBaseForm):
    year = forms.IntegerField(label="Année", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in INPUT_LABELS.items():
            if name in DECIMAL_FIGURES:
                field = forms.DecimalField(
                    label=label, required=False, max_digits=14, decimal_places=2, localize=True
                )
            else:
                field = forms.IntegerField(label=label, required=False)
            self.fields[name] = field

    def groups(self) -> list[tuple[str, list]]:
        """The figures by kind, for the page to lay them out in short fieldsets."""
        return [(legend, [self[name] for name in names]) for legend, names in FIGURE_GROUPS]

    def figures(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in INPUT_LABELS}


class SituationForm(RefusalMixin, DsfrBaseForm):
    title = forms.CharField(label="Situation de travail", required=False, max_length=200)
    theme = forms.ChoiceField(label="Thème QVCT", choices=[("", "Choisir"), *Theme.choices], required=False)
    description = text_field("Ce qui se passe, pour qui, quand", rows=3)


LEVEL_CHOICES = [("", "—"), *((str(level), str(level)) for level in LEVELS)]


class RatingForm(RefusalMixin, DsfrBaseForm):
    importance = forms.TypedChoiceField(
        label="Importance (1 à 4)", choices=LEVEL_CHOICES, coerce=int, required=False, empty_value=None
    )
    feasibility = forms.TypedChoiceField(
        label="Faisabilité (1 à 4)", choices=LEVEL_CHOICES, coerce=int, required=False, empty_value=None
    )
    retained = forms.BooleanField(label="Retenue par le comité", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["retained"].template_name = CHECKBOX
