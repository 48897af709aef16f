"""Forms of the workspace pages. They type what is posted; the services say what is wrong, at the
field, and the page keeps what was typed."""

from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.approaches.models import CommitteeRole
from capqvct.calls.manage_forms import CHOICES, RefusalMixin
from capqvct.cohorts.calendar_forms import DAY


def text_field(label: str, *, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
    )


class CommitteeMemberForm(RefusalMixin, DsfrBaseForm):
    name = forms.CharField(label="Nom", required=False, max_length=150)
    role = forms.ChoiceField(
        label="Rôle au comité", choices=[("", "Choisir"), *CommitteeRole.choices], required=False
    )
    function = forms.CharField(
        label="Fonction", required=False, max_length=150, help_text="Par exemple : aide-soignante de nuit."
    )


class CommitteeMeetingForm(RefusalMixin, DsfrBaseForm):
    held_on = forms.DateField(label="Date de la réunion", required=False, widget=DAY)
    attendees = forms.MultipleChoiceField(
        label="Présents", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    minutes = text_field("Compte rendu", rows=5)
    decisions = text_field("Décisions", help_text="Le périmètre, les priorités, les actions décidées…")

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].template_name = CHOICES
        self.fields["attendees"].choices = [
            (str(m.pk), f"{m.name} ({m.get_role_display()})") for m in members
        ]

    def attendee_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("attendees", [])]


class ScopeForm(RefusalMixin, DsfrBaseForm):
    scope_services = text_field("Services et équipes concernés", rows=3)
    scope_sites = text_field("Sites concernés", rows=2)
    scope_notes = text_field("Précisions", rows=3, help_text="Ce qui est hors du périmètre, et pourquoi.")


class MessageForm(RefusalMixin, DsfrBaseForm):
    audience = forms.CharField(
        label="À qui", required=False, max_length=200, help_text="Par exemple : toutes les équipes."
    )
    content = text_field("Ce qui est dit")
    channel = forms.CharField(
        label="Par quel moyen", required=False, max_length=120, help_text="Réunion d’équipe, affichage, note…"
    )
    planned_on = forms.DateField(label="Prévu le", required=False, widget=DAY)


class ClosureAskForm(RefusalMixin, DsfrBaseForm):
    reason = text_field(
        "Pourquoi clore la séquence malgré ce qui manque",
        help_text="À remplir seulement s’il manque des éléments de la liste.",
    )


class ClosureAnswerForm(RefusalMixin, DsfrBaseForm):
    comment = text_field(
        "Commentaire pour l’établissement", help_text="Obligatoire pour refuser : dites ce qui manque."
    )
    # The button pressed: « Donner mon accord » or « Demander des compléments ».
    answer = forms.ChoiceField(choices=[("agree", "agree"), ("decline", "decline")], required=False)

    def agrees(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("answer") == "agree"


class ReviewForm(RefusalMixin, DsfrBaseForm):
    what_worked = text_field("Ce qui a marché", rows=5)
    what_did_not = text_field("Ce qui n’a pas marché", rows=5)
    what_continues = text_field(
        "Ce qui continue après le programme",
        rows=4,
        help_text="Le plan d’actions annuel, le comité qui le suit, les règles de suivi.",
    )


class CommentForm(RefusalMixin, DsfrBaseForm):
    body = text_field(
        "Votre commentaire",
        rows=3,
        help_text="Écrivez « @Prénom Nom » pour prévenir une personne de la démarche.",
    )
    mentions = forms.MultipleChoiceField(
        label="Prévenir aussi par e-mail", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentions"].template_name = CHOICES
        self.fields["mentions"].choices = [
            (str(person.pk), person.get_full_name() or person.email) for person in people
        ]

    def mention_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("mentions", [])]


class DigestForm(forms.Form):
    """The button pressed on the home page: a daily digest of one's mentions (1) or an e-mail each (0)."""

    daily = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")

    def wants_digest(self) -> bool | None:
        """The choice, or None when the posted value is none of the two."""
        return self.cleaned_data["daily"] if self.is_valid() else None
