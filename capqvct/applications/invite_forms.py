"""The forms of « Inviter une direction » on a call's pages."""

from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.establishments.forms import FinessNumberField, establishment_query_field


class FindEstablishmentForm(DsfrBaseForm):
    q = establishment_query_field("Trouver l’établissement")


class DirectorInvitationForm(DsfrBaseForm):
    finess = FinessNumberField(
        label="Numéro FINESS de l’établissement",
        error_messages={
            "required": "Indiquez le numéro FINESS de l’établissement, ou trouvez-le par son nom ci-dessus.",
        },
    )
    email = forms.EmailField(
        label="Adresse e-mail de la direction",
        help_text="La personne reçoit un lien valable 7\u00a0jours pour créer son compte et rejoindre "
        "l’espace de l’établissement.",
        error_messages={"required": "Indiquez l’adresse e-mail de la personne à inviter."},
    )
