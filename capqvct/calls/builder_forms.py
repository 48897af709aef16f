"""Forms of the form builder: a section, and a question whose fields depend on its kind.

`QuestionForm.attributes()` gives the question's JSON attributes (schema.py's format) from what
was typed; `QuestionForm.initial_for(question)` reads them back for editing.
"""

import json
from decimal import Decimal

from django import forms
from django.utils.text import slugify
from dsfr.forms import DsfrBaseForm

from capqvct.calls.formdef.schema import (
    DEFAULT_REQUIRED_PARTS,
    DEFAULT_SHORT_TEXT_LENGTH,
    FILE_TYPES,
    KIND_LABELS,
    MAX_DECIMAL_PLACES,
    MAX_FILE_SIZE_MB,
    MAX_ITEMS,
    MAX_OPTIONS,
    MAX_TEXT_LENGTH,
    NUMBER_LIMIT,
    PERSON_PARTS,
    Kind,
    quoted,
)
from capqvct.calls.manage_forms import RefusalMixin, date_input

CHECKBOX = "calls/manage/builder/_checkbox.html"
CHECKBOXES = "calls/manage/builder/_checkboxes.html"
CONDITION_SEPARATOR = "::"
OPTION_SEPARATOR = "|"
# Regions a phone number typed without +country code belongs to: metropolitan France and overseas.
PHONE_REGIONS = {
    "FR": "France métropolitaine",
    "GP": "Guadeloupe",
    "MQ": "Martinique",
    "GF": "Guyane",
    "RE": "La Réunion",
    "YT": "Mayotte",
    "PM": "Saint-Pierre-et-Miquelon",
    "BL": "Saint-Barthélemy",
    "MF": "Saint-Martin",
    "WF": "Wallis-et-Futuna",
    "PF": "Polynésie française",
    "NC": "Nouvelle-Calédonie",
}
FILE_TYPE_LABELS = {
    "pdf": "PDF",
    "doc": "Word 97-2003 (.doc)",
    "docx": "Word (.docx)",
    "odt": "Texte OpenDocument (.odt)",
    "rtf": "Texte enrichi (.rtf)",
    "txt": "Texte brut (.txt)",
    "csv": "CSV",
    "xls": "Excel 97-2003 (.xls)",
    "xlsx": "Excel (.xlsx)",
    "ods": "Classeur OpenDocument (.ods)",
    "ppt": "PowerPoint 97-2003 (.ppt)",
    "pptx": "PowerPoint (.pptx)",
    "odp": "Présentation OpenDocument (.odp)",
    "jpg": "Image JPEG (.jpg)",
    "jpeg": "Image JPEG (.jpeg)",
    "png": "Image PNG",
}
DEFAULT_EXTENSIONS = ("pdf",)
DEFAULT_FILE_SIZE_MB = 10
DEFAULT_LONG_TEXT_LENGTH = 3_000
NUMBER_BOUND = int(NUMBER_LIMIT) - 1


class SectionForm(RefusalMixin, DsfrBaseForm):
    title = forms.CharField(label="Titre de la section", max_length=200)
    description = forms.CharField(
        label="Présentation",
        help_text="Facultatif ; affichée sous le titre, les sauts de ligne sont gardés.",
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def option_value(label: str) -> str:
    """The value stored for an option typed without one: « Privé non lucratif » → prive_non_lucratif."""
    return slugify(label).replace("-", "_")[:100] or label.strip()[:100]


def options_from_text(text: str) -> list[dict]:
    """One option per line: « libellé », or « valeur | libellé » to choose the stored value."""
    options = []
    for line in text.splitlines():
        if not line.strip():
            continue
        value, separator, label = line.partition(OPTION_SEPARATOR)
        if separator:
            value, label = value.strip(), label.strip()
        else:
            label = line.strip()
            value = option_value(label)
        options.append({"value": value, "label": label})
    return options


def options_as_text(options: list) -> str:
    lines = []
    for option in options if isinstance(options, list) else []:
        if not isinstance(option, dict):
            continue
        value, label = str(option.get("value", "")), str(option.get("label", ""))
        lines.append(label if option_value(label) == value else f"{value} {OPTION_SEPARATOR} {label}")
    return "\n".join(lines)


def condition_choices(targets: list[dict]) -> list:
    """« Toujours » then, per earlier yes/no or choice question, one choice per possible answer."""
    choices: list = [("", "Toujours (pas de condition)")]
    for target in targets:
        verb = "comprend" if target["kind"] == Kind.MULTIPLE_CHOICE else "est"
        choices.append(
            (
                target["label"],
                [
                    (
                        f"{target['key']}{CONDITION_SEPARATOR}{json.dumps(value, ensure_ascii=False)}",
                        f"{quoted(target['label'])} {verb} {quoted(label)}",
                    )
                    for value, label in target["values"]
                ],
            )
        )
    return choices


class QuestionForm(RefusalMixin, DsfrBaseForm):
    label = forms.CharField(label="Libellé de la question", max_length=500)
    help_text = forms.CharField(
        label="Texte d’aide",
        help_text="Facultatif ; affiché sous le libellé pour guider le candidat.",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    required = forms.BooleanField(label="Réponse obligatoire pour déposer le dossier", required=False)
    show_if = forms.ChoiceField(
        label="Afficher seulement si",
        help_text="La question n’apparaît que si une question précédente (oui ou non, ou à choix) a "
        "la réponse choisie.",
        required=False,
    )

    def __init__(self, *args, kind: str, targets: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = Kind(kind)
        self.targets = targets
        self.fields["required"].template_name = CHECKBOX
        if self.kind == Kind.REPEATED:
            self.fields["required"].label = "Au moins un élément obligatoire pour déposer le dossier"
        if targets:
            self.fields["show_if"].choices = condition_choices(targets)
        else:
            del self.fields["show_if"]
        kind_fields = self.kind_fields()
        self.fields.update(kind_fields)
        self.kind_field_names = list(kind_fields)

    # Fields per kind

    def kind_fields(self) -> dict[str, forms.Field]:
        match self.kind:
            case Kind.SHORT_TEXT | Kind.LONG_TEXT:
                return {
                    "max_length": forms.IntegerField(
                        label="Nombre maximal de caractères",
                        help_text=f"Par défaut {DEFAULT_SHORT_TEXT_LENGTH}."
                        if self.kind == Kind.SHORT_TEXT
                        else "Par exemple 3000 pour une page environ.",
                        required=self.kind == Kind.LONG_TEXT,
                        min_value=1,
                        max_value=MAX_TEXT_LENGTH,
                    )
                }
            case Kind.INTEGER:
                return {
                    "min": self.bound_field("Valeur minimale", integer=True),
                    "max": self.bound_field("Valeur maximale", integer=True),
                }
            case Kind.DECIMAL:
                return {
                    "decimal_places": forms.IntegerField(
                        label="Nombre de chiffres après la virgule",
                        min_value=0,
                        max_value=MAX_DECIMAL_PLACES,
                        initial=2,
                    ),
                    "min": self.bound_field("Valeur minimale", integer=False),
                    "max": self.bound_field("Valeur maximale", integer=False),
                }
            case Kind.SINGLE_CHOICE | Kind.MULTIPLE_CHOICE:
                return {
                    "options": forms.CharField(
                        label="Options",
                        help_text="Une option par ligne. Pour fixer la valeur enregistrée, écrivez "
                        "« valeur | libellé ».",
                        widget=forms.Textarea(attrs={"rows": 5}),
                    )
                }
            case Kind.DATE:
                return {
                    "min": forms.DateField(label="Date au plus tôt", required=False, widget=date_input()),
                    "max": forms.DateField(label="Date au plus tard", required=False, widget=date_input()),
                }
            case Kind.PHONE:
                return {
                    "region": forms.ChoiceField(
                        label="Numéros sans indicatif lus comme ceux de",
                        choices=list(PHONE_REGIONS.items()),
                        initial="FR",
                    )
                }
            case Kind.FILE:
                extensions = forms.MultipleChoiceField(
                    label="Types de fichiers acceptés",
                    choices=[(ext, FILE_TYPE_LABELS.get(ext, ext)) for ext in FILE_TYPES],
                    widget=forms.CheckboxSelectMultiple,
                    initial=list(DEFAULT_EXTENSIONS),
                )
                extensions.template_name = CHECKBOXES
                return {
                    "extensions": extensions,
                    "max_size_mb": forms.IntegerField(
                        label="Taille maximale (Mo)",
                        min_value=1,
                        max_value=MAX_FILE_SIZE_MB,
                        initial=DEFAULT_FILE_SIZE_MB,
                    ),
                }
            case Kind.PERSON | Kind.TRIO:
                parts = forms.MultipleChoiceField(
                    label="Informations obligatoires pour chaque personne"
                    if self.kind == Kind.TRIO
                    else "Informations obligatoires",
                    choices=list(PERSON_PARTS.items()),
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                    initial=list(DEFAULT_REQUIRED_PARTS),
                )
                parts.template_name = CHECKBOXES
                return {"required_parts": parts}
            case Kind.REPEATED:
                return {
                    "item_label": forms.CharField(
                        label="Nom d’un élément",
                        help_text="Par exemple « Action » : le candidat clique sur « Ajouter une action ».",
                        max_length=100,
                        initial="Élément",
                    ),
                    "min_items": forms.IntegerField(
                        label="Nombre minimal d’éléments", min_value=0, max_value=MAX_ITEMS, initial=0
                    ),
                    "max_items": forms.IntegerField(
                        label="Nombre maximal d’éléments",
                        help_text="Facultatif.",
                        required=False,
                        min_value=1,
                        max_value=MAX_ITEMS,
                    ),
                }
        return {}

    @staticmethod
    def bound_field(label: str, *, integer: bool) -> forms.Field:
        if integer:
            return forms.IntegerField(
                label=label,
                help_text="Facultatif.",
                required=False,
                min_value=-NUMBER_BOUND,
                max_value=NUMBER_BOUND,
            )
        return forms.DecimalField(
            label=label,
            help_text="Facultatif.",
            required=False,
            min_value=-NUMBER_BOUND,
            max_value=NUMBER_BOUND,
            max_digits=21,
            decimal_places=MAX_DECIMAL_PLACES,
            localize=True,
        )

    # Checks the engine would make, shown next to the field they concern

    def clean_options(self) -> list[dict]:
        options = options_from_text(self.cleaned_data["options"])
        if not options:
            raise forms.ValidationError("Indiquez au moins une option.")
        if len(options) > MAX_OPTIONS:
            raise forms.ValidationError(f"{MAX_OPTIONS} options au maximum.")
        values: set[str] = set()
        for number, option in enumerate(options, start=1):
            if not option["value"] or not option["label"]:
                raise forms.ValidationError(
                    f"Ligne {number} : écrivez « valeur | libellé » avec une valeur et un libellé."
                )
            if len(option["value"]) > 100:
                raise forms.ValidationError(f"Ligne {number} : la valeur dépasse 100 caractères.")
            if len(option["label"]) > 500:
                raise forms.ValidationError(f"Ligne {number} : le libellé dépasse 500 caractères.")
            if option["value"] in values:
                raise forms.ValidationError(
                    f"Ligne {number} : la valeur {quoted(option['value'])} est déjà celle d’une autre option."
                )
            values.add(option["value"])
        return options

    def clean_show_if(self) -> dict | None:
        raw = self.cleaned_data.get("show_if") or ""
        if not raw:
            return None
        key, _, value = raw.partition(CONDITION_SEPARATOR)
        target = next(t for t in self.targets if t["key"] == key)  # the choice is one of the targets
        operator = "contains" if target["kind"] == Kind.MULTIPLE_CHOICE else "equals"
        return {"field": key, operator: json.loads(value)}

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min"), cleaned.get("max")
        if low is not None and high is not None and low > high:
            self.add_error("max", "Le maximum doit être supérieur ou égal au minimum.")
        if self.kind == Kind.DECIMAL and cleaned.get("decimal_places") is not None:
            for name in ("min", "max"):
                value = cleaned.get(name)
                if value is not None and -value.normalize().as_tuple().exponent > cleaned["decimal_places"]:
                    self.add_error(name, "Cette valeur a plus de chiffres après la virgule que permis.")
        low_items, high_items = cleaned.get("min_items"), cleaned.get("max_items")
        if low_items is not None and high_items is not None and low_items > high_items:
            self.add_error("max_items", "Le nombre maximal doit être supérieur ou égal au nombre minimal.")
        return cleaned

    # From and to the JSON definition

    def attributes(self) -> dict:
        """The question's JSON attributes (all but key and kind) from the valid form."""
        data = self.cleaned_data
        attributes: dict = {"label": data["label"].strip()}
        if data["help_text"].strip():
            attributes["help_text"] = data["help_text"].strip()
        attributes["required"] = data["required"]
        if data.get("show_if"):
            attributes["show_if"] = data["show_if"]
        match self.kind:
            case Kind.SHORT_TEXT | Kind.LONG_TEXT:
                attributes["max_length"] = data["max_length"] or DEFAULT_SHORT_TEXT_LENGTH
            case Kind.INTEGER | Kind.DECIMAL:
                if self.kind == Kind.DECIMAL:
                    attributes["decimal_places"] = data["decimal_places"]
                for name in ("min", "max"):
                    if data[name] is not None:
                        attributes[name] = (
                            data[name] if self.kind == Kind.INTEGER else _decimal_text(data[name])
                        )
            case Kind.DATE:
                for name in ("min", "max"):
                    if data[name] is not None:
                        attributes[name] = data[name].isoformat()
            case Kind.SINGLE_CHOICE | Kind.MULTIPLE_CHOICE:
                attributes["options"] = data["options"]
            case Kind.PHONE:
                attributes["region"] = data["region"]
            case Kind.FILE:
                attributes["extensions"] = list(data["extensions"])
                attributes["max_size_mb"] = data["max_size_mb"]
            case Kind.PERSON | Kind.TRIO:
                attributes["required_parts"] = [
                    part for part in PERSON_PARTS if part in data["required_parts"]
                ]
            case Kind.REPEATED:
                attributes["min_items"] = data["min_items"]
                if data["max_items"] is not None:
                    attributes["max_items"] = data["max_items"]
                attributes["item_label"] = data["item_label"].strip()
        return attributes

    @staticmethod
    def initial_for(question: dict) -> dict:
        """What the form shows for an existing question."""
        initial = {
            "label": question.get("label", ""),
            "help_text": question.get("help_text", ""),
            "required": question.get("required") is True,
        }
        show_if = question.get("show_if")
        if isinstance(show_if, dict) and ("equals" in show_if or "contains" in show_if):
            value = show_if.get("equals", show_if.get("contains"))
            initial["show_if"] = (
                f"{show_if.get('field')}{CONDITION_SEPARATOR}{json.dumps(value, ensure_ascii=False)}"
            )
        for name in (
            "max_length",
            "decimal_places",
            "region",
            "max_size_mb",
            "min_items",
            "max_items",
            "item_label",
        ):
            if name in question:
                initial[name] = question[name]
        for name in ("extensions", "required_parts"):
            if isinstance(question.get(name), list):
                initial[name] = question[name]
        for name in ("min", "max"):
            if question.get(name) is not None:
                initial[name] = (
                    question[name] if question.get("kind") != Kind.DECIMAL else Decimal(str(question[name]))
                )
        if "options" in question:
            initial["options"] = options_as_text(question["options"])
        return initial


def kind_choices(kinds=tuple(Kind)) -> list[tuple[str, str]]:
    return [(str(kind), KIND_LABELS[kind]) for kind in kinds]


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")
