from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.accounts.models import ApiToken


class ApiTokenForm(DsfrBaseForm):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="Pour le reconnaître plus tard : l’outil ou le script qui l’utilisera.",
    )
