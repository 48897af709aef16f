"""Forms of the engagement pages: they read what is posted and keep it as typed; the services say what
is wrong, and the page shows their refusal at the field."""

from django import forms

from capqvct.cohorts.forms import CohortForm


class EngagementTemplateForm(CohortForm):
    body = forms.CharField(
        label="Texte de la lettre",
        help_text=(
            "Une ligne vide sépare deux paragraphes ; "
            "une ligne qui commence par « - » est un élément de liste."
        ),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18}),
    )
    reminder_days = forms.IntegerField(
        label="Relancer les membres qui n’ont pas signé après (jours)",
        required=False,
        error_messages={"invalid": "Indiquez un nombre de jours."},
    )


class SignForm(CohortForm):
    typed_name = forms.CharField(label="Votre nom et votre prénom", required=False, max_length=300)
    consent = forms.BooleanField(
        label=(
            "J’ai lu la lettre d’engagement et je m’engage, avec le trinôme de mon établissement, "
            "à la respecter."
        ),
        required=False,
    )


class ReplaceMemberForm(CohortForm):
    reason = forms.CharField(
        label="Motif du remplacement",
        help_text=(
            "Par exemple : départ de l’établissement, changement de fonction, "
            "élection d’un nouveau représentant."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    name = forms.CharField(label="Nom et prénom de la nouvelle personne", required=False, max_length=200)
    function = forms.CharField(label="Fonction", required=False, max_length=200)
    email = forms.EmailField(
        label="Adresse e-mail",
        help_text="Elle reçoit son lien personnel pour signer la lettre d’engagement.",
        required=False,
        error_messages={"invalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."},
    )
