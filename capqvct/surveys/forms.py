"""Forms of the survey pages: the campaign's settings for those who run it, and the questionnaire's
sections for the respondent. They type what is posted; the services say what is wrong, at the field,
and the page keeps what was typed."""

from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.calls.manage_forms import CHOICES, RefusalMixin
from capqvct.cohorts.calendar_forms import DAY
from capqvct.surveys.bands import DIMENSIONS, FREE_TEXT_MAX_LENGTH
from capqvct.surveys.models import Access, QuestionKind, Wave
from capqvct.surveys.services import MAX_CODES_AT_ONCE


class CampaignForm(RefusalMixin, DsfrBaseForm):
    wave = forms.TypedChoiceField(label="Vague", coerce=int, choices=Wave.choices, required=False)
    instrument = forms.ChoiceField(label="Questionnaire", required=False)
    opens_on = forms.DateField(label="Ouverture le", required=False, widget=DAY)
    closes_on = forms.DateField(
        label="Clôture le", required=False, widget=DAY, help_text="Trois mois au plus."
    )
    headcount = forms.IntegerField(
        label="Effectif concerné",
        required=False,
        min_value=1,
        help_text=(
            "Le nombre de salariés invités à répondre\u00a0: le taux de réponse se calcule sur ce nombre."
        ),
    )
    access = forms.ChoiceField(
        label="Accès au questionnaire", choices=Access.choices, initial=Access.LINK, widget=forms.RadioSelect
    )
    breakdowns = forms.MultipleChoiceField(
        label="Questions descriptives, pour les répartitions",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(dimension.code, dimension.label) for dimension in DIMENSIONS.values()],
        help_text=(
            "Par grandes catégories seulement\u00a0; un groupe de moins de 5 personnes n’est jamais montré."
        ),
    )
    services = forms.CharField(
        label="Services proposés (si vous demandez le service)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Un par ligne, de 2 à 6, assez larges pour compter chacun au moins cinq personnes.",
    )

    def __init__(self, *args, instruments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.instruments = {str(version.pk): version for version in instruments}
        self.fields["instrument"].choices = [(key, str(version)) for key, version in self.instruments.items()]
        self.fields["breakdowns"].template_name = CHOICES
        self.fields["access"].template_name = CHOICES

    def chosen_instrument(self):
        return self.instruments.get(self.cleaned_data.get("instrument") or "")

    def service_list(self) -> list[str]:
        return [
            line.strip() for line in (self.cleaned_data.get("services") or "").splitlines() if line.strip()
        ]


class OwnQuestionForm(RefusalMixin, DsfrBaseForm):
    text = forms.CharField(label="Question", required=False, max_length=200)
    kind = forms.ChoiceField(label="Type de question", choices=QuestionKind.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].template_name = CHOICES


class CodesForm(RefusalMixin, DsfrBaseForm):
    count = forms.IntegerField(
        label="Nombre de codes à imprimer",
        required=False,
        min_value=1,
        max_value=MAX_CODES_AT_ONCE,
        help_text=(
            "Dix coupons par page. Les codes ne sont pas gardés en clair\u00a0: imprimez la feuille aussitôt."
        ),
    )


class CodeForm(DsfrBaseForm):
    code = forms.CharField(
        label="Votre code",
        max_length=20,
        required=False,
        help_text="Il est écrit sur votre coupon, par exemple ABCD-2345.",
    )


class ReviewForm(forms.Form):
    keep = forms.TypedChoiceField(
        coerce=lambda value: value == "1", choices=(("1", "garder"), ("0", "masquer"))
    )


def _radio(label: str, choices, *, help_text: str = "") -> forms.ChoiceField:
    field = forms.ChoiceField(
        label=label, choices=choices, required=False, widget=forms.RadioSelect, help_text=help_text
    )
    field.template_name = CHOICES
    return field


class SectionForm(DsfrBaseForm):
    """One page of the questionnaire: the items of one scale, the establishment's questions, or the
    questions about the respondent. Every answer may be left out."""

    def __init__(self, *args, section, campaign, own_questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for key, label, kind, options in section.questions(campaign, own_questions):
            if kind == "text":
                self.fields[key] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=FREE_TEXT_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    help_text=(
                        f"{FREE_TEXT_MAX_LENGTH} caractères au plus. N’écrivez le nom de personne\u00a0: "
                        "le comité relit chaque réponse avant de la montrer."
                    ),
                )
            else:
                self.fields[key] = _radio(label, options)

    def answers(self) -> dict[str, str]:
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}
