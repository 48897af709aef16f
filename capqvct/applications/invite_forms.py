"""The forms of « Inviter une direction » on a call's pages."""

from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.establishments.forms import establishment_query_field


class FindEstablishmentForm(DsfrBaseForm):
    q = establishment_query_field("Trouver l’établissement")


class DirectorInvitationForm(DsfrBaseForm):
    finess = forms.RegexField(
        label="Numéro FINESS de l’établissement",
        regex=r"^\s*[0-9][0-9AB][0-9]{7}\s*$",
        error_messages={
            "required": "Indiquez le numéro FINESS de l’établissement, ou trouvez-le par son nom ci-dessus.",
            "invalid": "Un numéro FINESS compte 9\u00a0caractères\u00a0: chiffres, et A ou B en Corse.",
        },
    )
    email = forms.EmailField(
        label="Adresse e-mail de la direction",
        help_text="La personne reçoit un lien valable 7\u00a0jours pour créer son compte et rejoindre "
        "l’espace de l’établissement.",
        error_messages={"required": "Indiquez l’adresse e-mail de la personne à inviter."},
    )

    def clean_finess(self) -> str:
        return self.cleaned_data["finess"].strip().upper()
