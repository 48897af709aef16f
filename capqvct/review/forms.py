"""The forms of the review's pages: the grid (a formset), opening the review, assignments, routing
rules, eligibility, conflicts, scores and private notes.

The forms read and type what was posted and say at the field what is wrong; the rules themselves stay in
services.py, whose refusals are put back on the field they name (`add_refusal`).
"""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from dsfr.forms import DsfrBaseForm

from capqvct.core.exceptions import Refusal
from capqvct.review.models import Criterion
from capqvct.review.services import MAX_REVIEWERS_PER_DOSSIER, SCALE_MAX, SCALE_MIN, CriterionInput

MAX_GRID_LINES = 50
REVIEWERS_REQUIRED = "Choisissez au moins un instructeur parmi les agents de la région."


def add_refusal(form: forms.Form, refusal: Refusal, *, field: str | None = None) -> None:
    """Show a service's refusal at the field it names, or at the top of the form."""
    field = field or refusal.field
    form.add_error(field if field in form.fields else None, refusal.message)


def first_error(form: forms.Form) -> Refusal:
    """The form's first error, as the services would have refused it (for pages that show one)."""
    for field, errors in form.errors.items():
        return Refusal(errors[0], field=None if field == "__all__" else field)
    return Refusal("")


def out_of_range(message: str) -> dict:
    """One message for a number that is not one, too small or too big."""
    return dict.fromkeys(("invalid", "min_value", "max_value"), message)


# The grid


class CriterionForm(DsfrBaseForm):
    """A line of the grid. A line without a label nor details is ignored (its default coefficient and
    maximum do not count as typed)."""

    label = forms.CharField(
        label="Intitulé",
        max_length=Criterion._meta.get_field("label").max_length,
        required=False,
        error_messages={"max_length": "L’intitulé tient en %(limit_value)d caractères au plus."},
    )
    help_text = forms.CharField(
        label="Précisions pour les instructeurs (facultatif)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    weight = forms.DecimalField(
        label="Coefficient",
        initial=Decimal(1),
        localize=True,
        max_value=Decimal("999.99"),
        error_messages={
            **out_of_range("Le coefficient doit être un nombre positif."),
            "required": "Indiquez le coefficient.",
            "max_value": "Le coefficient doit être inférieur à 1\u00a0000.",
        },
    )
    scale_max = forms.IntegerField(
        label="Note maximale",
        initial=4,
        min_value=SCALE_MIN,
        max_value=SCALE_MAX,
        error_messages={
            "required": "Indiquez la note maximale.",
            **out_of_range(f"La note maximale va de {SCALE_MIN} à {SCALE_MAX}."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weight"].widget.attrs["inputmode"] = "decimal"

    def has_changed(self) -> bool:
        # The formset skips an unchanged line; here a line counts as typed only by its label or details.
        return any(str(self[name].value() or "").strip() for name in ("label", "help_text"))

    def clean(self):
        data = super().clean()
        if self.has_changed() and not (data.get("label") or "").strip():
            self.add_error("label", "Indiquez l’intitulé du critère, ou videz ses précisions.")
        if data.get("weight") is not None and data["weight"] <= 0:
            self.add_error("weight", "Le coefficient doit être un nombre positif.")
        return data

    def criterion(self) -> CriterionInput:
        data = self.cleaned_data
        return CriterionInput(
            label=data["label"],
            weight=data["weight"],
            scale_max=data["scale_max"],
            help_text=data["help_text"],
        )


class BaseGridFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": f"La grille compte au plus {MAX_GRID_LINES} critères.",
    }

    def __init__(self, *args, **kwargs):
        # Every line may stay blank, the existing criteria's too: blank lines are ignored.
        kwargs.setdefault("form_kwargs", {})["empty_permitted"] = True
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Supprimer ce critère"

    def adds_a_line(self) -> bool:
        """« Ajouter un critère » was pressed (rather than « Enregistrer la grille »)."""
        return "add" in self.data

    def kept_forms(self) -> list[CriterionForm]:
        """The typed lines not marked « Supprimer », in the page's order."""
        return [form for form in self.forms if form.has_changed() and not self._should_delete_form(form)]

    def criteria(self) -> list[CriterionInput]:
        return [form.criterion() for form in self.kept_forms()]

    def add_refusal(self, refusal: Refusal) -> None:
        """The service numbers the kept lines from 1 (`label-2`): the error goes back to that line."""
        name, _, number = (refusal.field or "").rpartition("-")
        kept = self.kept_forms()
        if number.isdigit() and 1 <= int(number) <= len(kept):
            add_refusal(kept[int(number) - 1], refusal, field=name)
        else:
            self._non_form_errors = self.error_class(
                [*self.non_form_errors(), refusal.message], error_class="nonform", renderer=self.renderer
            )


def grid_formset(*, extra: int):
    return forms.formset_factory(
        CriterionForm,
        formset=BaseGridFormSet,
        extra=extra,
        can_delete=True,
        can_delete_extra=False,
        max_num=MAX_GRID_LINES,
        validate_max=True,
        absolute_max=MAX_GRID_LINES,
    )


def typed_lines(formset: BaseGridFormSet) -> list[dict]:
    """What was typed in each line of a posted grid, as initial data for the page again (« Ajouter un
    critère » adds a line without checking, nor losing, anything)."""
    lines = []
    for form in formset.forms:
        line = {name: form[name].value() for name in ("label", "help_text", "weight", "scale_max")}
        line["DELETE"] = bool(form["DELETE"].value()) if "DELETE" in form.fields else False
        lines.append(line)
    return lines


def criterion_lines(criteria) -> list[dict]:
    return [
        {"label": c.label, "help_text": c.help_text, "weight": c.weight, "scale_max": c.scale_max}
        for c in criteria
    ]


# Opening, assignments, routing rules


class OpenReviewForm(DsfrBaseForm):
    reviewers_per_dossier = forms.IntegerField(
        label="Instructeurs par dossier",
        initial=2,
        min_value=1,
        max_value=MAX_REVIEWERS_PER_DOSSIER,
        error_messages={
            **out_of_range(f"Le nombre d’instructeurs par dossier va de 1 à {MAX_REVIEWERS_PER_DOSSIER}."),
            "required": "Indiquez le nombre d’instructeurs par dossier.",
            "invalid": "Indiquez le nombre d’instructeurs par dossier en chiffres.",
        },
    )
    blind_for_experts = forms.BooleanField(
        label="Instruction à l’aveugle pour les experts extérieurs",
        required=False,
        help_text=(
            "Ils lisent les dossiers sans le nom, le numéro FINESS ni les personnes de l’établissement."
        ),
    )


class BackForm(forms.Form):
    """The page to go back to after a one-button action (checked to be a path of this site)."""

    next = forms.CharField(required=False)


class AssignForm(BackForm):
    """A chosen agent of the region, or an outside expert by the e-mail of their account."""

    reviewer = forms.IntegerField(required=False, error_messages={"invalid": "Choisissez un instructeur."})
    expert_email = forms.EmailField(
        required=False, error_messages={"invalid": "Saisissez une adresse électronique valide."}
    )

    def clean(self):
        data = super().clean()
        users = get_user_model().objects.filter(is_active=True)
        if self.errors:
            return data
        if email := (data.get("expert_email") or "").strip():
            data["chosen"] = users.filter(email__iexact=email).first()
            if data["chosen"] is None:
                raise forms.ValidationError(
                    "Aucun compte actif n’a cette adresse : invitez d’abord l’expert à créer son compte."
                )
        else:
            data["chosen"] = users.filter(pk=data.get("reviewer")).first() if data.get("reviewer") else None
            if data["chosen"] is None:
                raise forms.ValidationError("Choisissez un instructeur.")
        return data


class RoutingRuleForm(forms.Form):
    departement = forms.CharField(required=False)
    reviewers = forms.TypedMultipleChoiceField(
        coerce=int, required=False, error_messages={"invalid_choice": REVIEWERS_REQUIRED}
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].choices = [(user.pk, str(user)) for user in reviewers]

    def typed(self) -> dict:
        """What the manager typed, to fill the form again next to its error."""
        reviewers = []
        for raw in self.data.getlist(self.add_prefix("reviewers")):
            try:
                reviewers.append(int(raw))
            except ValueError:
                continue
        return {"departement": self.data.get(self.add_prefix("departement"), ""), "reviewers": reviewers}


class DashboardFilterForm(forms.Form):
    """The dashboard's filter (`?filtre=a-completer`) and page number, read from the address."""

    SHORT = "a-completer"

    filtre = forms.ChoiceField(choices=[("", "Tous les dossiers"), (SHORT, "À compléter")], required=False)
    page = forms.CharField(required=False)

    @property
    def short_only(self) -> bool:
        return self.is_valid() and self.cleaned_data["filtre"] == self.SHORT

    @property
    def page_number(self) -> str:
        # Any value: a wrong one gives the first or the last page (Paginator.get_page).
        return self.cleaned_data["page"] if self.is_valid() else ""


# A dossier's eligibility and private notes


class EligibilityForm(BackForm):
    eligible = forms.TypedChoiceField(
        choices=[("yes", "Éligible"), ("no", "Inéligible")],
        coerce=lambda value: value == "yes",
        error_messages={
            "required": "Indiquez si le dossier est éligible.",
            "invalid_choice": "Indiquez si le dossier est éligible.",
        },
    )
    reason = forms.CharField(required=False, max_length=5000)


class PrivateNoteForm(BackForm):
    text = forms.CharField(required=False, max_length=20000, strip=False)


# The reviewer's pages


class ConflictForm(forms.Form):
    answer = forms.ChoiceField(choices=[("none", "Aucun conflit"), ("conflict", "Conflit")], initial="none")
    reason = forms.CharField(required=False, max_length=5000, strip=False)
    scope = forms.ChoiceField(
        choices=[("establishment", "Cet établissement"), ("legal_entity", "Tout son organisme gestionnaire")],
        required=False,
    )

    @property
    def declares_conflict(self) -> bool:
        return self.cleaned_data.get("answer") == "conflict"

    @property
    def whole_legal_entity(self) -> bool:
        return self.cleaned_data.get("scope") == "legal_entity"


class ScoreForm(forms.Form):
    """A note and a comment per criterion of the grid (fields `value-<pk>`, `comment-<pk>`); a blank
    note is kept as a draft."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            out_of_range = f"«\u00a0{criterion.label}\u00a0»\u00a0: la note va de 0 à {criterion.scale_max}."
            self.fields[f"value-{criterion.pk}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=criterion.scale_max,
                error_messages={
                    "invalid": out_of_range,
                    "min_value": out_of_range,
                    "max_value": out_of_range,
                },
            )
            self.fields[f"comment-{criterion.pk}"] = forms.CharField(
                required=False, max_length=20000, strip=False
            )

    def submits(self) -> bool:
        """« Remettre ma notation » was pressed (rather than « Enregistrer »)."""
        return "submit" in self.data

    def values(self) -> dict[int, tuple]:
        """For the service: each criterion's pk to (note or None, comment)."""
        data = self.cleaned_data
        return {c.pk: (data[f"value-{c.pk}"], data[f"comment-{c.pk}"]) for c in self.criteria}

    def line(self, criterion) -> dict:
        """What the page shows of a criterion: what was typed (or saved), and its error."""
        errors = self.errors.get(f"value-{criterion.pk}") if self.is_bound else None
        value = self[f"value-{criterion.pk}"].value()
        return {
            "criterion": criterion,
            "value": "" if value is None else value,
            "comment": self[f"comment-{criterion.pk}"].value() or "",
            "error": errors[0] if errors else "",
        }


def saved_scores(scores) -> dict:
    """A reviewer's saved draft as the initial data of their ScoreForm."""
    initial = {}
    for score in scores:
        initial[f"value-{score.criterion_id}"] = score.value
        initial[f"comment-{score.criterion_id}"] = score.comment
    return initial
