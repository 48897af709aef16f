"""Forms of the programme managers' pages; dates are typed in the region's own time zone."""

import json
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.accounts.models import Organisation
from capqvct.calls.deadlines import deadline_instant, is_end_of_day
from capqvct.calls.formdef.schema import validate_definition
from capqvct.calls.models import Call, CallKind, FundingRule, ProgrammeFormat
from capqvct.core.exceptions import Refusal
from capqvct.core.formatting import zone_label
from capqvct.core.forms import ModelMultipleChoiceField
from capqvct.establishments.categories import grouped_choices
from capqvct.territory.models import Departement

OPTIONAL_MARK = "(facultatif)"
GROUPED_CHECKBOXES = "calls/manage/_grouped_checkboxes.html"
# django-dsfr's own checkbox and radio snippets load widget_tweaks, which is not an installed app.
CHOICES = "calls/manage/_choices.html"


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def attachments_from_text(text: str) -> list[dict]:
    """« Lettre d’engagement » is required, « Organigramme (facultatif) » is not."""
    attachments = []
    for line in lines_of(text):
        required = not line.lower().endswith(OPTIONAL_MARK)
        label = line if required else line[: -len(OPTIONAL_MARK)].strip()
        attachments.append({"label": label, "required": required})
    return attachments


def attachments_as_text(attachments: list[dict]) -> str:
    return "\n".join(
        item["label"] if item.get("required", True) else f"{item['label']} {OPTIONAL_MARK}"
        for item in attachments
    )


class RefusalMixin:
    """Shows a service's refusal next to the field the person typed, not the model field it names."""

    refusal_fields: dict[str, str] = {}

    def add_refusal(self, refusal: Refusal) -> None:
        field = self.refusal_fields.get(refusal.field, refusal.field)
        self.add_error(field if field in self.fields else None, refusal.message)


class ProgrammeForm(RefusalMixin, DsfrBaseForm):
    region = forms.ChoiceField(label="Région")
    title = forms.CharField(label="Intitulé", max_length=200)
    description = forms.CharField(
        label="Présentation", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    agencies = ModelMultipleChoiceField(
        label="Agences partenaires",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_categories = forms.MultipleChoiceField(
        label="Catégories d’établissements visées",
        help_text="Aucune case cochée : toutes les catégories.",
        required=False,
        choices=grouped_choices,
    )
    format = forms.ChoiceField(label="Format", choices=ProgrammeFormat.choices, widget=forms.RadioSelect)
    funding_rule = forms.ChoiceField(
        label="Financement", choices=FundingRule.choices, widget=forms.RadioSelect
    )
    flat_rate_amount = forms.DecimalField(
        label="Forfait par établissement (€)",
        help_text="Obligatoire pour un financement forfaitaire.",
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )
    budget = forms.DecimalField(
        label="Enveloppe (€)", required=False, min_value=0, max_digits=12, decimal_places=2
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_categories"].template_name = GROUPED_CHECKBOXES
        for name in ("agencies", "format", "funding_rule"):
            self.fields[name].template_name = CHOICES
        regions = list(regions)
        self.fields["region"].choices = [(region.code, region.name) for region in regions]
        if len(regions) == 1:
            # A manager of one region has nothing to choose.
            self.fields["region"].widget = forms.HiddenInput()
            self.fields["region"].initial = regions[0].code
        self.fields["agencies"].queryset = (
            Organisation.objects.agencies().filter(region__in=regions).select_related("region")
        )
        if len(regions) > 1:
            self.fields["agencies"].label_from_instance = lambda o: f"{o.name} ({o.region.name})"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("funding_rule") == FundingRule.FLAT_RATE and cleaned.get("flat_rate_amount") is None:
            self.add_error("flat_rate_amount", "Indiquez le montant du forfait par établissement.")
        region = cleaned.get("region")
        strangers = [agency for agency in cleaned.get("agencies", []) if agency.region_id != region]
        if region and strangers:
            self.add_error("agencies", "Les agences partenaires doivent être de la région du programme.")
        return cleaned


class DatesMixin:
    """Opening and deadline typed as a day and a time in the region's zone, stored as instants."""

    refusal_fields = {"opens_at": "opens_day", "closes_at": "deadline_day"}

    def add_date_fields(self, zone: str) -> None:
        self.zone = zone
        where = zone_label(zone)
        self.fields["opens_day"] = forms.DateField(label="Ouverture du dépôt", widget=date_input())
        self.fields["opens_time"] = forms.TimeField(
            label="Heure d’ouverture",
            help_text=f"En {where}. Vide : dès 0 h.",
            required=False,
            widget=time_input(),
        )
        self.fields["deadline_day"] = forms.DateField(label="Date limite de dépôt", widget=date_input())
        self.fields["deadline_time"] = forms.TimeField(
            label="Heure limite",
            help_text=f"En {where}. Vide : la journée est incluse, jusqu’à 23 h 59 min 59 s.",
            required=False,
            widget=time_input(),
        )

    def instants(self, cleaned: dict) -> dict:
        if not (cleaned.get("opens_day") and cleaned.get("deadline_day")):
            return {}
        opens_at = datetime.combine(
            cleaned["opens_day"], cleaned.get("opens_time") or time(0, 0), tzinfo=ZoneInfo(self.zone)
        )
        closes_at = deadline_instant(
            day=cleaned["deadline_day"], at=cleaned.get("deadline_time"), zone=self.zone
        )
        if closes_at <= opens_at:
            self.add_error("deadline_day", "La date limite doit suivre la date d’ouverture.")
            return {}
        return {"opens_at": opens_at, "closes_at": closes_at}


def date_initial(call: Call) -> dict:
    """What the manager typed, read back from the stored instants."""
    zone = ZoneInfo(call.time_zone)
    opens, closes = call.opens_at.astimezone(zone), call.closes_at.astimezone(zone)
    return {
        "opens_day": opens.date(),
        "opens_time": None if opens.time() == time(0, 0) else opens.time(),
        "deadline_day": closes.date(),
        "deadline_time": None if is_end_of_day(call.closes_at, call.time_zone) else closes.time(),
    }


class CallForm(DatesMixin, RefusalMixin, DsfrBaseForm):
    kind = forms.ChoiceField(label="Type d’appel", choices=CallKind.choices)
    title = forms.CharField(label="Intitulé", max_length=200)
    description = forms.CharField(
        label="Présentation",
        help_text="Le contexte, les objectifs, ce que l’agence finance ; les sauts de ligne sont gardés.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    departements = ModelMultipleChoiceField(
        label="Départements éligibles",
        help_text="Aucune case cochée : toute la région.",
        queryset=Departement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.MultipleChoiceField(
        label="Catégories d’établissements éligibles",
        help_text="Aucune case cochée : toutes les catégories.",
        required=False,
        choices=grouped_choices,
    )
    declared_criteria = forms.CharField(
        label="Critères déclarés par le candidat",
        help_text="Un critère par ligne ; le candidat atteste qu’il les remplit.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    places = forms.IntegerField(label="Nombre de places", required=False, min_value=1)
    notification_on = forms.DateField(
        label="Date annoncée de notification", required=False, widget=date_input()
    )
    contacts = forms.CharField(label="Contacts", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    required_attachments = forms.CharField(
        label="Pièces à joindre",
        help_text=(
            "Une pièce par ligne ; ajoutez « (facultatif) » à la fin d’une pièce qui n’est pas obligatoire."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reminder_days = forms.IntegerField(
        label="Relance des brouillons (jours avant la date limite)",
        help_text="Les candidats qui n’ont pas déposé leur dossier sont relancés, puis le dernier jour.",
        min_value=0,
        max_value=60,
        initial=2,
    )

    field_order = [
        "kind",
        "title",
        "description",
        "departements",
        "categories",
        "declared_criteria",
        "places",
        "opens_day",
        "opens_time",
        "deadline_day",
        "deadline_time",
        "notification_on",
        "contacts",
        "required_attachments",
        "reminder_days",
    ]

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_date_fields(programme.region.time_zone)
        self.order_fields(self.field_order)
        self.fields["departements"].queryset = Departement.objects.filter(region=programme.region)
        self.fields["categories"].template_name = GROUPED_CHECKBOXES
        self.fields["departements"].template_name = CHOICES

    @classmethod
    def initial_for(cls, call: Call) -> dict:
        return {
            "kind": call.kind,
            "title": call.title,
            "description": call.description,
            "departements": list(call.departements.all()),
            "categories": call.categories,
            "declared_criteria": "\n".join(call.declared_criteria),
            "places": call.places,
            "notification_on": call.notification_on,
            "contacts": call.contacts,
            "required_attachments": attachments_as_text(call.required_attachments),
            "reminder_days": call.reminder_days,
            **date_initial(call),
        }

    def clean(self):
        cleaned = super().clean()
        cleaned.update(self.instants(cleaned))
        return cleaned

    def call_fields(self) -> dict:
        """The keyword arguments of create_call and update_call."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "description": data["description"],
            "departements": list(data["departements"]),
            "categories": data["categories"],
            "declared_criteria": lines_of(data["declared_criteria"]),
            "places": data["places"],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "notification_on": data["notification_on"],
            "contacts": data["contacts"].strip(),
            "required_attachments": attachments_from_text(data["required_attachments"]),
            "reminder_days": data["reminder_days"],
        }


class CloneCallForm(DatesMixin, RefusalMixin, DsfrBaseForm):
    def __init__(self, *args, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_date_fields(zone)

    def clean(self):
        cleaned = super().clean()
        cleaned.update(self.instants(cleaned))
        return cleaned


class CloseCallForm(RefusalMixin, DsfrBaseForm):
    reason = forms.CharField(
        label="Motif de la clôture",
        help_text="Il est affiché sur la page publique de l’appel.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FormDefinitionForm(DsfrBaseForm):
    definition = forms.CharField(
        label="Définition du formulaire (JSON)",
        help_text="Sections et questions, au format décrit dans la documentation du moteur de formulaires.",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "fr-input"}),
    )

    @staticmethod
    def as_text(definition: dict) -> str:
        return json.dumps(definition, ensure_ascii=False, indent=2)

    def clean_definition(self) -> dict:
        text = self.cleaned_data["definition"]
        try:
            definition = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"Ce texte n’est pas du JSON valide (ligne {error.lineno}, colonne {error.colno})."
            ) from None
        errors = validate_definition(definition)
        if errors:
            raise forms.ValidationError(errors)
        return definition
