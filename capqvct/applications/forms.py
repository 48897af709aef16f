"""Forms of the agents' pages on dossiers; dates are typed in the call's own time zone."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.applications.attachments import ORIGINAL_EXTENSIONS, ORIGINAL_MAX_SIZE_MB
from capqvct.applications.models import Channel
from capqvct.calls.manage_forms import CHOICES, RefusalMixin, date_input, time_input
from capqvct.core.formatting import zone_label
from capqvct.establishments.forms import FinessNumberField

RECEIVED_CHANNELS = [(Channel.EMAIL, "Par e-mail"), (Channel.POST, "Par courrier")]


class SeveralFilesInput(forms.FileInput):
    allow_multiple_selected = True

    def __init__(self):
        super().__init__(attrs={"class": "fr-upload"})


class SeveralFilesField(forms.FileField):
    """Any number of files from one input; each is checked by the service that keeps them."""

    def __init__(self, **kwargs):
        super().__init__(widget=SeveralFilesInput(), **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(SeveralFilesField, self).clean(one, initial) for one in files]


class RecordReceivedForm(RefusalMixin, DsfrBaseForm):
    refusal_fields = {"establishment": "finess", "received_at": "received_day", "originals": "originals"}

    finess = FinessNumberField(
        label="Numéro FINESS de l’établissement",
        help_text="9 caractères, par exemple 340780477.",
    )
    channel = forms.ChoiceField(
        label="Comment le dossier a-t-il été reçu ?", choices=RECEIVED_CHANNELS, widget=forms.RadioSelect
    )
    received_day = forms.DateField(label="Date de réception", widget=date_input())
    received_time = forms.TimeField(label="Heure de réception", required=False, widget=time_input())
    sender_email = forms.EmailField(
        label="E-mail de l’expéditeur",
        help_text=(
            "Facultatif : l’accusé de réception lui sera envoyé "
            "quand le dossier sera enregistré comme déposé."
        ),
        required=False,
    )
    originals = SeveralFilesField(
        label="Pièces reçues",
        help_text=(
            "Le message, le courrier numérisé et ses pièces ; "
            f"{', '.join(e.upper() for e in ORIGINAL_EXTENSIONS)} ; "
            f"{ORIGINAL_MAX_SIZE_MB} Mo au plus par fichier."
        ),
        required=False,
    )

    def __init__(self, *args, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["channel"].template_name = CHOICES
        self.fields[
            "received_time"
        ].help_text = f"En {zone_label(zone)}. Vide : le dossier est daté du début de la journée."

    def received_at(self) -> datetime:
        day, at = self.cleaned_data["received_day"], self.cleaned_data.get("received_time") or time(0, 0)
        return datetime.combine(day, at, tzinfo=ZoneInfo(self.zone))
