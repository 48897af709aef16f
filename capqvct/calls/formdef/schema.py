"""The definition of a call's application form: sections of typed questions, stored as JSON.

`validate_definition(data)` lists what is wrong with a definition, in French, for the agent who
builds it; `Form.from_json(data)` builds the typed definition (and raises `InvalidDefinition` with
the same list); `form.to_json()` gives the JSON back. The format is documented in README.md.
"""

import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Literal

import phonenumbers

from capqvct.core.formatting import NBSP, format_number

FORMAT_VERSION = 1
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,49}")

# Sizes beyond which a definition is surely a mistake (and a page nobody could fill in).
MAX_SECTIONS = 50
MAX_FIELDS = 300
MAX_OPTIONS = 200
MAX_ITEMS = 100
MAX_TEXT_LENGTH = 100_000
MAX_FILE_SIZE_MB = 1_000
MAX_DECIMAL_PLACES = 6
NUMBER_LIMIT = Decimal(10) ** 15
DEFAULT_SHORT_TEXT_LENGTH = 200


class Kind(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    DATE = "date"
    EMAIL = "email"
    PHONE = "phone"
    FILE = "file"
    ESTABLISHMENT = "establishment"
    PERSON = "person"
    TRIO = "trio"
    REPEATED = "repeated"


# What an agent reads in the form builder.
KIND_LABELS = {
    Kind.SHORT_TEXT: "Texte court",
    Kind.LONG_TEXT: "Texte long",
    Kind.INTEGER: "Nombre entier",
    Kind.DECIMAL: "Nombre décimal",
    Kind.YES_NO: "Oui ou non",
    Kind.SINGLE_CHOICE: "Choix unique",
    Kind.MULTIPLE_CHOICE: "Choix multiple",
    Kind.DATE: "Date",
    Kind.EMAIL: "Adresse e-mail",
    Kind.PHONE: "Téléphone",
    Kind.FILE: "Fichier",
    Kind.ESTABLISHMENT: "Établissement (numéro FINESS)",
    Kind.PERSON: "Personne",
    Kind.TRIO: "Trinôme",
    Kind.REPEATED: "Bloc répété",
}

PERSON_PARTS = {
    "name": "Nom et prénom",
    "function": "Fonction",
    "email": "Adresse e-mail",
    "phone": "Téléphone",
}
DEFAULT_REQUIRED_PARTS = ("name", "function", "email")

TRIO_ROLES = {
    "direction": "Représentant de la direction",
    "staff_representative": "Représentant du personnel",
    "professions": "Représentant des métiers ou de l’encadrement soignant",
}

# Kinds a show_if condition may look at: their answers are one of a few known values.
CONDITION_KINDS = (Kind.YES_NO, Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE)
# A repeated block holds simple questions: no file (stored apart), no nested block, no trio.
KINDS_IN_REPEATED = tuple(k for k in Kind if k not in (Kind.FILE, Kind.REPEATED, Kind.TRIO))

# Extensions a file question may accept, with the content types a detector (magic bytes) reports
# for them; the lead's upload code sends that detected type in the file's metadata.
FILE_TYPES: dict[str, frozenset[str]] = {
    "pdf": frozenset({"application/pdf"}),
    "doc": frozenset({"application/msword", "application/x-ole-storage", "application/cdfv2"}),
    "docx": frozenset(
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"}
    ),
    "odt": frozenset({"application/vnd.oasis.opendocument.text", "application/zip"}),
    "rtf": frozenset({"application/rtf", "text/rtf"}),
    "txt": frozenset({"text/plain"}),
    "csv": frozenset({"text/csv", "text/plain"}),
    "xls": frozenset({"application/vnd.ms-excel", "application/x-ole-storage", "application/cdfv2"}),
    "xlsx": frozenset(
        {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"}
    ),
    "ods": frozenset({"application/vnd.oasis.opendocument.spreadsheet", "application/zip"}),
    "ppt": frozenset({"application/vnd.ms-powerpoint", "application/x-ole-storage", "application/cdfv2"}),
    "pptx": frozenset(
        {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip"}
    ),
    "odp": frozenset({"application/vnd.oasis.opendocument.presentation", "application/zip"}),
    "jpg": frozenset({"image/jpeg"}),
    "jpeg": frozenset({"image/jpeg"}),
    "png": frozenset({"image/png"}),
}

_COMMON_ATTRIBUTES = frozenset({"key", "kind", "label", "help_text", "required", "show_if"})
_KIND_ATTRIBUTES: dict[Kind, frozenset[str]] = {
    Kind.SHORT_TEXT: frozenset({"max_length", "from_directory"}),
    Kind.LONG_TEXT: frozenset({"max_length", "from_directory"}),
    Kind.INTEGER: frozenset({"min", "max"}),
    Kind.DECIMAL: frozenset({"min", "max", "decimal_places"}),
    Kind.YES_NO: frozenset(),
    Kind.SINGLE_CHOICE: frozenset({"options"}),
    Kind.MULTIPLE_CHOICE: frozenset({"options"}),
    Kind.DATE: frozenset({"min", "max"}),
    Kind.EMAIL: frozenset(),
    Kind.PHONE: frozenset({"region"}),
    Kind.FILE: frozenset({"extensions", "max_size_mb"}),
    Kind.ESTABLISHMENT: frozenset({"from_directory"}),
    Kind.PERSON: frozenset({"required_parts"}),
    Kind.TRIO: frozenset({"required_parts"}),
    Kind.REPEATED: frozenset({"fields", "min_items", "max_items", "item_label"}),
}

# What of the applicant establishment's identity a question may take from the FINESS directory
# (`from_directory`): shown read-only in its dossier, never typed.
DIRECTORY_FACTS = {"name": "le nom", "address": "l’adresse", "finess": "le numéro FINESS"}
_DIRECTORY_FACTS_BY_KIND: dict[Kind, frozenset[str]] = {
    Kind.SHORT_TEXT: frozenset({"name", "address"}),
    Kind.LONG_TEXT: frozenset({"address"}),
    Kind.ESTABLISHMENT: frozenset({"finess"}),
}


def quoted(text: object) -> str:
    """« text », with the no-break spaces French typography puts inside guillemets."""
    return f"«{NBSP}{text}{NBSP}»"


class InvalidDefinition(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Condition:
    """Show a question when an earlier one `equals` a value (for a multiple choice: `contains` it)."""

    field: str
    operator: Literal["equals", "contains"]
    value: str | bool

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, self.operator: self.value}


@dataclass(frozen=True)
class Field:
    key: str
    kind: Kind
    label: str
    help_text: str = ""
    required: bool = False
    show_if: Condition | None = None
    # short_text, long_text
    max_length: int | None = None
    # integer, decimal (Decimal) and date (dt.date)
    minimum: Decimal | dt.date | None = None
    maximum: Decimal | dt.date | None = None
    decimal_places: int = 2
    # single_choice, multiple_choice
    options: tuple[Option, ...] = ()
    # phone: the region a number without +country code belongs to
    region: str = "FR"
    # file
    extensions: tuple[str, ...] = ()
    max_size_mb: int = 0
    # person, trio: the parts of each person required at submission
    required_parts: tuple[str, ...] = DEFAULT_REQUIRED_PARTS
    # repeated
    fields: tuple["Field", ...] = ()
    min_items: int = 0
    max_items: int | None = None
    item_label: str = "Élément"
    # short_text, long_text, establishment: the applicant's name, address or FINESS number, from
    # the directory (see DIRECTORY_FACTS); empty for a question the applicant answers.
    from_directory: str = ""

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "kind": str(self.kind), "label": self.label}
        if self.help_text:
            data["help_text"] = self.help_text
        data["required"] = self.required
        if self.show_if is not None:
            data["show_if"] = self.show_if.to_json()
        if self.from_directory:
            data["from_directory"] = self.from_directory
        match self.kind:
            case Kind.SHORT_TEXT | Kind.LONG_TEXT:
                data["max_length"] = self.max_length
            case Kind.INTEGER | Kind.DECIMAL:
                # Decimal bounds as strings: a float would lose digits.
                as_json = int if self.kind == Kind.INTEGER else _decimal_to_json
                if self.minimum is not None:
                    data["min"] = as_json(self.minimum)
                if self.maximum is not None:
                    data["max"] = as_json(self.maximum)
                if self.kind == Kind.DECIMAL:
                    data["decimal_places"] = self.decimal_places
            case Kind.DATE:
                if self.minimum is not None:
                    data["min"] = self.minimum.isoformat()
                if self.maximum is not None:
                    data["max"] = self.maximum.isoformat()
            case Kind.SINGLE_CHOICE | Kind.MULTIPLE_CHOICE:
                data["options"] = [{"value": o.value, "label": o.label} for o in self.options]
            case Kind.PHONE:
                data["region"] = self.region
            case Kind.FILE:
                data["extensions"] = list(self.extensions)
                data["max_size_mb"] = self.max_size_mb
            case Kind.PERSON | Kind.TRIO:
                data["required_parts"] = list(self.required_parts)
            case Kind.REPEATED:
                data["fields"] = [field.to_json() for field in self.fields]
                data["min_items"] = self.min_items
                if self.max_items is not None:
                    data["max_items"] = self.max_items
                data["item_label"] = self.item_label
        return data


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str = ""
    fields: tuple[Field, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "description": self.description,
            "fields": [field.to_json() for field in self.fields],
        }


@dataclass(frozen=True)
class Form:
    sections: tuple[Section, ...]

    @classmethod
    def from_json(cls, data: Any) -> "Form":
        """The typed form; raises InvalidDefinition (with French messages) if `data` is not valid."""
        parser = _Parser()
        form = parser.form(data)
        if parser.errors or form is None:
            raise InvalidDefinition(parser.errors)
        return form

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT_VERSION, "sections": [section.to_json() for section in self.sections]}

    def fields(self) -> Iterator[Field]:
        """The top-level questions, in order (sub-questions of repeated blocks are in `field.fields`)."""
        for section in self.sections:
            yield from section.fields

    def field(self, key: str) -> Field | None:
        return next((field for field in self.fields() if field.key == key), None)


def validate_definition(data: Any) -> list[str]:
    """What is wrong with a form definition, in French; an empty list if it is valid. Never raises."""
    parser = _Parser()
    parser.form(data)
    if _has_null_character(data):
        # PostgreSQL refuses the character in JSON; no one types it on purpose.
        parser.error("", "le formulaire contient un caractère nul (U+0000) : retirez-le.")
    return parser.errors


def _has_null_character(data: Any) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_has_null_character(key) or _has_null_character(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_has_null_character(value) for value in data)
    return False


def _decimal_to_json(value: Decimal) -> str:
    return format(value, "f")


def _fr(value: Decimal | int) -> str:
    return format_number(value)


class _Parser:
    """Reads a definition, collecting every problem rather than stopping at the first one."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}{NBSP}: {message}" if where else message[:1].upper() + message[1:])

    def form(self, data: Any) -> Form | None:
        if not isinstance(data, dict):
            self.error("", "la définition du formulaire doit être un objet JSON.")
            return None
        if "format" in data and (data["format"] != FORMAT_VERSION or isinstance(data["format"], bool)):
            self.error(
                "Formulaire", f"version de format inconnue (seule la version {FORMAT_VERSION} existe)."
            )
        for name in data:
            if name not in ("format", "sections"):
                self.error("Formulaire", f"attribut inconnu {quoted(name)}.")
        raw_sections = data.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            self.error("Formulaire", f"il faut une liste de sections non vide ({quoted('sections')}).")
            return None
        if len(raw_sections) > MAX_SECTIONS:
            self.error("Formulaire", f"{MAX_SECTIONS} sections au maximum.")
            return None
        sections: list[Section] = []
        section_keys: set[str] = set()
        scope: dict[str, Field] = {}
        field_count = 0
        for index, raw in enumerate(raw_sections, start=1):
            section = self.section(raw, index, scope)
            if section is None:
                continue
            if section.key in section_keys:
                self.error(f"Section {quoted(section.key)}", "cette clé est déjà celle d’une autre section.")
            section_keys.add(section.key)
            field_count += len(section.fields)
            sections.append(section)
        if field_count > MAX_FIELDS:
            self.error("Formulaire", f"{MAX_FIELDS} questions au maximum.")
        if not self.errors and field_count == 0:
            self.error("Formulaire", "il ne contient aucune question.")
        return None if self.errors else Form(sections=tuple(sections))

    def section(self, raw: Any, index: int, scope: dict[str, Field]) -> Section | None:
        where = f"Section n°{NBSP}{index}"
        if not isinstance(raw, dict):
            self.error(where, "une section doit être un objet JSON.")
            return None
        key = raw.get("key")
        if self.is_key(key):
            where = f"Section {quoted(key)}"
        else:
            self.error(where, _key_message(key))
        for name in raw:
            if name not in ("key", "title", "description", "fields"):
                self.error(where, f"attribut inconnu {quoted(name)}.")
        title = self.text(raw.get("title"), where, "le titre", required=True, limit=200)
        description = self.text(raw.get("description"), where, "la description", limit=5_000)
        raw_fields = raw.get("fields", [])
        if not isinstance(raw_fields, list):
            self.error(where, f"{quoted('fields')} doit être une liste de questions.")
            return None
        if len(raw_fields) > MAX_FIELDS:
            self.error(where, f"{MAX_FIELDS} questions au maximum.")
            return None
        fields = self.fields(raw_fields, where, scope, in_repeated=False)
        if not self.is_key(key) or title is None or description is None:
            return None
        return Section(key=key, title=title, description=description, fields=fields)

    def fields(
        self, raw_fields: list[Any], where: str, scope: dict[str, Field], *, in_repeated: bool
    ) -> tuple[Field, ...]:
        """Parse questions in order; `scope` holds the earlier ones a condition may refer to."""
        fields = []
        for index, raw in enumerate(raw_fields, start=1):
            field = self.field(raw, f"Question n°{NBSP}{index} ({where.lower()})", scope, in_repeated)
            if field is not None:
                fields.append(field)
        return tuple(fields)

    def field(self, raw: Any, where: str, scope: dict[str, Field], in_repeated: bool) -> Field | None:
        if not isinstance(raw, dict):
            self.error(where, "une question doit être un objet JSON.")
            return None
        errors_before = len(self.errors)
        key = raw.get("key")
        if self.is_key(key):
            where = f"Question {quoted(key)}"
            if key in scope:
                self.error(where, "cette clé est déjà celle d’une autre question.")
        else:
            self.error(where, _key_message(key))
        raw_kind = raw.get("kind")
        kind = Kind(raw_kind) if isinstance(raw_kind, str) and raw_kind in Kind._value2member_map_ else None
        if kind is None:
            known = ", ".join(str(k) for k in Kind)
            self.error(where, f"type {quoted(_shown(raw_kind))} inconnu (types possibles{NBSP}: {known}).")
            return None
        if in_repeated and kind not in KINDS_IN_REPEATED:
            self.error(where, f"une question de type {quoted(kind)} ne peut pas figurer dans un bloc répété.")
        allowed = _COMMON_ATTRIBUTES | _KIND_ATTRIBUTES[kind]
        for name in raw:
            if name not in allowed:
                self.error(where, f"attribut {quoted(_shown(name))} inconnu pour le type {quoted(kind)}.")
        label = self.text(raw.get("label"), where, "le libellé", required=True, limit=500)
        help_text = self.text(raw.get("help_text"), where, "le texte d’aide", limit=2_000)
        required = raw.get("required", False)
        if not isinstance(required, bool):
            self.error(where, f"{quoted('required')} doit valoir true ou false.")
        show_if = self.condition(raw["show_if"], where, scope) if raw.get("show_if") is not None else None
        attributes = self.kind_attributes(kind, raw, where, scope)
        if "from_directory" in raw and kind in _DIRECTORY_FACTS_BY_KIND:
            fact = self.directory_fact(raw["from_directory"], kind, where, in_repeated)
            attributes["from_directory"] = fact
        if len(self.errors) > errors_before or label is None or help_text is None:
            return None
        field = Field(
            key=key,
            kind=kind,
            label=label,
            help_text=help_text,
            required=required,
            show_if=show_if,
            **attributes,
        )
        scope[key] = field
        return field

    def kind_attributes(self, kind: Kind, raw: dict, where: str, scope: dict[str, Field]) -> dict[str, Any]:
        match kind:
            case Kind.SHORT_TEXT:
                limit = self.integer(raw, "max_length", where, low=1, high=MAX_TEXT_LENGTH)
                return {"max_length": DEFAULT_SHORT_TEXT_LENGTH if limit is None else limit}
            case Kind.LONG_TEXT:
                limit = self.integer(raw, "max_length", where, low=1, high=MAX_TEXT_LENGTH)
                if limit is None and "max_length" not in raw:
                    self.error(
                        where, f"un texte long doit avoir une longueur maximale ({quoted('max_length')})."
                    )
                return {"max_length": limit}
            case Kind.INTEGER | Kind.DECIMAL:
                places = 0
                if kind == Kind.DECIMAL:
                    places = self.integer(raw, "decimal_places", where, low=0, high=MAX_DECIMAL_PLACES)
                    places = 2 if places is None else places
                minimum = self.number(raw, "min", where, kind, places)
                maximum = self.number(raw, "max", where, kind, places)
                if minimum is not None and maximum is not None and minimum > maximum:
                    self.error(where, f"le minimum ({_fr(minimum)}) dépasse le maximum ({_fr(maximum)}).")
                attributes: dict[str, Any] = {"minimum": minimum, "maximum": maximum}
                if kind == Kind.DECIMAL:
                    attributes["decimal_places"] = places
                return attributes
            case Kind.DATE:
                minimum = self.date(raw, "min", where)
                maximum = self.date(raw, "max", where)
                if minimum is not None and maximum is not None and minimum > maximum:
                    self.error(where, "la date minimale est postérieure à la date maximale.")
                return {"minimum": minimum, "maximum": maximum}
            case Kind.SINGLE_CHOICE | Kind.MULTIPLE_CHOICE:
                return {"options": self.options(raw.get("options"), where)}
            case Kind.PHONE:
                region = raw.get("region", "FR")
                if not isinstance(region, str) or region not in phonenumbers.SUPPORTED_REGIONS:
                    self.error(
                        where, f"région téléphonique {quoted(_shown(region))} inconnue (par exemple FR)."
                    )
                    region = "FR"
                return {"region": region}
            case Kind.FILE:
                return self.file_attributes(raw, where)
            case Kind.PERSON | Kind.TRIO:
                return {"required_parts": self.required_parts(raw, where)}
            case Kind.REPEATED:
                return self.repeated_attributes(raw, where)
        return {}  # pragma: no cover - every kind is matched above

    def directory_fact(self, raw: Any, kind: Kind, where: str, in_repeated: bool) -> str:
        allowed = _DIRECTORY_FACTS_BY_KIND.get(kind, frozenset())
        if not isinstance(raw, str) or raw not in allowed:
            possible = ", ".join(quoted(fact) for fact in sorted(allowed))
            self.error(where, f"{quoted('from_directory')} vaut {possible} pour le type {quoted(kind)}.")
            return ""
        if in_repeated:
            self.error(where, "une question d’un bloc répété ne peut pas être reprise du répertoire.")
            return ""
        return raw

    def condition(self, raw: Any, where: str, scope: dict[str, Field]) -> Condition | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("field"), str):
            self.error(
                where, f"la condition d’affichage doit être de la forme {{{quoted('field')}: clé, …}}."
            )
            return None
        operators = [name for name in raw if name in ("equals", "contains")]
        unknown = [name for name in raw if name not in ("field", "equals", "contains")]
        if unknown or len(operators) != 1:
            self.error(
                where,
                f"la condition d’affichage doit contenir {quoted('field')} et soit {quoted('equals')}, "
                f"soit {quoted('contains')}.",
            )
            return None
        target_key, operator = raw["field"], operators[0]
        value = raw[operator]
        target = scope.get(target_key)
        if target is None:
            self.error(
                where,
                f"la condition d’affichage porte sur {quoted(_shown(target_key))}, qui n’est pas "
                "une question placée avant celle-ci.",
            )
            return None
        if target.kind not in CONDITION_KINDS:
            self.error(
                where,
                f"la condition d’affichage doit porter sur une question oui ou non ou à choix, pas sur "
                f"{quoted(target_key)}.",
            )
            return None
        expected = "contains" if target.kind == Kind.MULTIPLE_CHOICE else "equals"
        if operator != expected:
            self.error(
                where, f"pour la question {quoted(target_key)}, la condition s’écrit avec {quoted(expected)}."
            )
            return None
        if target.kind == Kind.YES_NO and not isinstance(value, bool):
            self.error(where, f"la condition sur {quoted(target_key)} doit valoir true ou false.")
            return None
        if target.kind != Kind.YES_NO and value not in target.option_values:
            self.error(where, f"{quoted(_shown(value))} n’est pas une option de {quoted(target_key)}.")
            return None
        return Condition(field=target_key, operator=operator, value=value)

    def options(self, raw: Any, where: str) -> tuple[Option, ...]:
        if not isinstance(raw, list) or not raw:
            self.error(where, "une question à choix doit proposer au moins une option.")
            return ()
        if len(raw) > MAX_OPTIONS:
            self.error(where, f"{MAX_OPTIONS} options au maximum.")
            return ()
        options, values = [], set()
        for index, item in enumerate(raw, start=1):
            value = item.get("value") if isinstance(item, dict) else None
            label = item.get("label") if isinstance(item, dict) else None
            if not isinstance(item, dict) or set(item) != {"value", "label"}:
                self.error(where, f"l’option n°{NBSP}{index} doit avoir exactement une valeur et un libellé.")
            elif not _is_clean_text(value, limit=100):
                self.error(where, f"la valeur de l’option n°{NBSP}{index} doit être un texte non vide.")
            elif not _is_clean_text(label, limit=500):
                self.error(where, f"le libellé de l’option n°{NBSP}{index} doit être un texte non vide.")
            elif value in values:
                self.error(where, f"la valeur {quoted(value)} est proposée deux fois.")
            else:
                values.add(value)
                options.append(Option(value=value, label=label))
        return tuple(options)

    def file_attributes(self, raw: dict, where: str) -> dict[str, Any]:
        extensions = raw.get("extensions")
        if not isinstance(extensions, list) or not extensions:
            self.error(
                where, f'indiquez les extensions acceptées ({quoted("extensions")}), par exemple ["pdf"].'
            )
            extensions = []
        cleaned: list[str] = []
        for extension in extensions:
            if not isinstance(extension, str) or extension not in FILE_TYPES:
                known = ", ".join(FILE_TYPES)
                self.error(where, f"extension {quoted(_shown(extension))} non prise en charge ({known}).")
            elif extension not in cleaned:
                cleaned.append(extension)
        size = self.integer(raw, "max_size_mb", where, low=1, high=MAX_FILE_SIZE_MB)
        if size is None and "max_size_mb" not in raw:
            self.error(where, f"indiquez la taille maximale en Mo ({quoted('max_size_mb')}).")
        return {"extensions": tuple(cleaned), "max_size_mb": size or 0}

    def required_parts(self, raw: dict, where: str) -> tuple[str, ...]:
        parts = raw.get("required_parts", list(DEFAULT_REQUIRED_PARTS))
        if not isinstance(parts, list) or any(not isinstance(p, str) or p not in PERSON_PARTS for p in parts):
            known = ", ".join(PERSON_PARTS)
            self.error(where, f"{quoted('required_parts')} doit être une liste parmi{NBSP}: {known}.")
            return DEFAULT_REQUIRED_PARTS
        return tuple(part for part in PERSON_PARTS if part in parts)

    def repeated_attributes(self, raw: dict, where: str) -> dict[str, Any]:
        raw_fields = raw.get("fields")
        fields: tuple[Field, ...] = ()
        if not isinstance(raw_fields, list) or not raw_fields:
            self.error(where, "un bloc répété doit contenir au moins une question.")
        elif len(raw_fields) > 50:
            self.error(where, "un bloc répété contient 50 questions au maximum.")
        else:
            # Sub-questions have their own scope: keys unique in the block, conditions on siblings.
            fields = self.fields(raw_fields, where, {}, in_repeated=True)
        low = self.integer(raw, "min_items", where, low=0, high=MAX_ITEMS)
        high = self.integer(raw, "max_items", where, low=1, high=MAX_ITEMS)
        if low is not None and high is not None and low > high:
            self.error(where, f"le nombre minimal d’éléments ({low}) dépasse le nombre maximal ({high}).")
        item_label = self.text(raw.get("item_label"), where, "le libellé d’un élément", limit=100)
        return {
            "fields": fields,
            "min_items": low or 0,
            "max_items": high,
            "item_label": item_label or "Élément",
        }

    # Scalars

    def is_key(self, key: Any) -> bool:
        return isinstance(key, str) and KEY_PATTERN.fullmatch(key) is not None

    def text(self, raw: Any, where: str, what: str, *, required: bool = False, limit: int) -> str | None:
        if raw is None and not required:
            return ""
        if not isinstance(raw, str) or (required and not raw.strip()):
            self.error(where, f"{what} doit être un texte{' non vide' if required else ''}.")
            return None
        if len(raw) > limit:
            self.error(where, f"{what} dépasse {_fr(limit)} caractères.")
            return None
        return raw

    def integer(self, raw: dict, name: str, where: str, *, low: int, high: int) -> int | None:
        value = raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(where, f"{quoted(name)} doit être un nombre entier entre {_fr(low)} et {_fr(high)}.")
            return None
        return value

    def number(self, raw: dict, name: str, where: str, kind: Kind, places: int) -> Decimal | None:
        value = raw.get(name)
        if value is None:
            return None
        number = _definition_number(value)
        if number is None:
            self.error(where, f"{quoted(name)} doit être un nombre.")
            return None
        if kind == Kind.INTEGER and number != number.to_integral_value():
            self.error(where, f"{quoted(name)} doit être un nombre entier.")
            return None
        if -number.as_tuple().exponent > places:  # type: ignore[operator]
            self.error(where, f"{quoted(name)} a plus de {places} chiffres après la virgule.")
            return None
        return Decimal(int(number)) if kind == Kind.INTEGER else number

    def date(self, raw: dict, name: str, where: str) -> dt.date | None:
        value = raw.get(name)
        if value is None:
            return None
        if not (isinstance(value, str) and _is_iso_date(value)):
            self.error(where, f"{quoted(name)} doit être une date de la forme AAAA-MM-JJ.")
            return None
        return dt.date.fromisoformat(value)


def _is_iso_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _definition_number(value: Any) -> Decimal | None:
    """A bound written as a JSON number or a decimal string, if it is a sensible finite number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value) if abs(value) < NUMBER_LIMIT else None
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= NUMBER_LIMIT:
            return None
        value = repr(value)
    if not isinstance(value, str) or not re.fullmatch(r"-?\d{1,15}(\.\d{1,6})?", value):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern above only lets valid decimals through
        return None
    return number if abs(number) < NUMBER_LIMIT else None


def _is_clean_text(value: Any, *, limit: int) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= limit


def _key_message(key: Any) -> str:
    return (
        f"la clé {quoted(_shown(key))} n’est pas valide (lettres minuscules sans accent, chiffres et "
        f"{quoted('_')}, en commençant par une lettre, 50 caractères au plus)."
    )


def _shown(value: Any) -> str:
    """A short, printable rendering of whatever an agent (or an attacker) put in a definition."""
    text = (
        value if isinstance(value, str) else type(value).__name__ if isinstance(value, dict | list) else None
    )
    if text is None:
        try:
            text = repr(value)
        except ValueError:  # ints too large to print
            text = "nombre"
    return text if len(text) <= 60 else text[:59] + "…"
