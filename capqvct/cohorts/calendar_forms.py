"""Forms of the calendar pages: they type what is posted (days, hours typed in the call's time zone);
the services in calendar_services.py keep the rules and their refusals come back at the field."""

from datetime import date, time

from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.calls.manage_forms import CHOICES, RefusalMixin
from capqvct.cohorts.calendar_planning import WEEKDAYS
from capqvct.cohorts.calendar_services import local_instant
from capqvct.cohorts.forms import CHECKBOX, PersonChoiceField
from capqvct.cohorts.models import Mode, Participant, VisitKind, VisitLength

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HOUR = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class CalendarForm(RefusalMixin, DsfrBaseForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                field.template_name = CHECKBOX
            elif isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.template_name = CHOICES


class EventForm(CalendarForm):
    """When and where: a day and two hours in the call's time zone, on site at an address or by video."""

    refusal_fields = {"starts_at": "starts", "ends_at": "ends"}

    day = forms.DateField(label="Date", widget=DAY)
    starts = forms.TimeField(label="Début", widget=HOUR)
    ends = forms.TimeField(label="Fin", widget=HOUR)
    mode = forms.ChoiceField(
        label="Modalité", choices=Mode.choices, widget=forms.RadioSelect, initial=Mode.ON_SITE
    )
    address = forms.CharField(
        label="Adresse du lieu",
        help_text="Sur place : l’adresse que recevront les personnes invitées.",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    video_url = forms.CharField(
        label="Lien de la visioconférence",
        help_text="En visioconférence : une adresse commençant par https://.",
        required=False,
        max_length=200,
    )

    def __init__(self, *args, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        hint = f"Heure locale de la région ({zone})."
        self.fields["starts"].help_text = hint
        self.fields["ends"].help_text = hint

    def place(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": local_instant(data["day"], data["starts"], self.zone),
            "ends_at": local_instant(data["day"], data["ends"], self.zone),
            "mode": data["mode"],
            "address": data["address"],
            "video_url": data["video_url"],
        }

    @staticmethod
    def initial_for(event, zone: str) -> dict:
        from zoneinfo import ZoneInfo

        starts, ends = (moment.astimezone(ZoneInfo(zone)) for moment in (event.starts_at, event.ends_at))
        return {
            "day": starts.date(),
            "starts": starts.time().replace(second=0, microsecond=0),
            "ends": ends.time().replace(second=0, microsecond=0),
            "mode": event.mode,
            "address": event.address,
            "video_url": event.video_url,
        }


class SessionForm(EventForm):
    agenda = forms.CharField(
        label="Ordre du jour", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class ParticipantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, participant) -> str:
        return participant.establishment.name


class VisitForm(EventForm):
    participant = ParticipantChoiceField(
        label="Établissement", queryset=Participant.objects.none(), empty_label="Choisir"
    )
    kind = forms.ChoiceField(
        label="Type de rencontre",
        choices=VisitKind.choices,
        widget=forms.RadioSelect,
        initial=VisitKind.SUPPORT,
    )
    length = forms.ChoiceField(
        label="Durée", choices=VisitLength.choices, widget=forms.RadioSelect, initial=VisitLength.HALF_DAY
    )
    consultant = PersonChoiceField(label="Intervenant", queryset=None, empty_label="Choisir")
    subject = forms.CharField(label="Objet", required=False, max_length=200)
    field_order = [
        "participant",
        "kind",
        "length",
        "consultant",
        "subject",
        "day",
        "starts",
        "ends",
        "mode",
        "address",
        "video_url",
    ]

    def __init__(self, *args, cohort, consultants, participant_fixed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = (
            Participant.objects.filter(cohort=cohort)
            .select_related("establishment")
            .order_by("establishment__name")
        )
        self.fields["consultant"].queryset = consultants
        if participant_fixed is not None:
            self.fields["participant"].disabled = True
            self.fields["participant"].initial = participant_fixed.pk

    def visit(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "length": data["length"],
            "consultant": data["consultant"],
            "subject": data["subject"],
            **self.place(),
        }


class PlanningForm(CalendarForm):
    """The assistant's question: the span, how many sessions, which weekdays, which hours."""

    first = forms.DateField(label="Première date possible", widget=DAY)
    last = forms.DateField(
        label="Dernière date possible", help_text="Douze mois au plus après la première.", widget=DAY
    )
    count = forms.IntegerField(label="Nombre de séances", min_value=1, max_value=20, initial=5)
    weekdays = forms.TypedMultipleChoiceField(
        label="Jours de la semaine préférés",
        choices=[(str(index), name.capitalize()) for index, name in enumerate(WEEKDAYS)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=["1", "3"],
    )
    starts = forms.TimeField(label="Début", widget=HOUR, initial=time(9, 0))
    ends = forms.TimeField(label="Fin", widget=HOUR, initial=time(17, 0))
    mode = forms.ChoiceField(
        label="Modalité", choices=Mode.choices, widget=forms.RadioSelect, initial=Mode.ON_SITE
    )
    address = EventForm.base_fields["address"]
    video_url = EventForm.base_fields["video_url"]
    avoid_school_holidays = forms.BooleanField(
        label="Éviter les vacances scolaires saisies pour l’appel", required=False, initial=True
    )


class DaysForm(CalendarForm):
    """The proposed dates, one field per session, which the person may change before creating them."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(count):
            self.fields[f"day_{index}"] = forms.DateField(label=f"Séance {index + 1}", widget=DAY)

    def days(self) -> list[date]:
        return [self.cleaned_data[name] for name in self.fields]


class DocumentForm(CalendarForm):
    file = forms.FileField(
        label="Ajouter un document", help_text="PDF, bureautique ou image ; 20 Mo au plus.", required=False
    )


class SchoolHolidayForm(CalendarForm):
    name = forms.CharField(
        label="Nom de la période",
        max_length=120,
        help_text="Par exemple « Vacances de la Toussaint (zone C) ».",
    )
    starts_on = forms.DateField(label="Premier jour", widget=DAY)
    ends_on = forms.DateField(label="Dernier jour", widget=DAY)
