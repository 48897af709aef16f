"""Checking and normalising the answers of an application against its form.

Answers are a JSON object keyed by question key (see README.md for the value of each kind).
Errors are keyed by dotted path: `structure_name`, `trio.staff_representative.email`,
`actions.2.title`; errors that belong to no question are under `__all__`.

A draft keeps whatever was typed: checking a draft only reports values that are wrong as typed,
never what is missing. Questions hidden by their `show_if` condition are neither checked nor required.
"""

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from capqvct.calls.formdef.schema import (
    FILE_TYPES,
    PERSON_PARTS,
    TRIO_ROLES,
    Condition,
    Field,
    Form,
    Kind,
)
from capqvct.core.formatting import NARROW_NBSP, NBSP, format_date, format_number
from capqvct.establishments.finess_numbers import finess_problem, normalize_finess

NON_FIELD_ERRORS = "__all__"
MAX_NUMBER_DIGITS = 18
# Regions whose national numbers (0262…, 0590…, 0696…) share France's 0 prefix but not its +33
# country code: a number typed in the French way is tried there first.
FRENCH_OVERSEAS_REGIONS = ("RE", "YT", "GP", "MQ", "GF", "PM", "BL", "MF")
_SPACES = re.compile(rf"[\s{NBSP}{NARROW_NBSP}]+")
_email_validator = EmailValidator()

# Digit groups held together by no-break spaces.
PHONE_EXAMPLES = f"{'01 23 45 67 89'.replace(' ', NBSP)} ou {'+262 262 12 34 56'.replace(' ', NBSP)}"
REQUIRED = "Ce champ est obligatoire."
UNREADABLE = "Réponse illisible, saisissez-la à nouveau."


def validate_answers(form: Form, answers: Any, *, for_submission: bool) -> dict[str, list[str]]:
    """French errors by dotted path; `for_submission` adds the required questions. Never raises."""
    errors: dict[str, list[str]] = {}
    if not isinstance(answers, dict):
        errors[NON_FIELD_ERRORS] = ["Les réponses sont illisibles."]
        answers = {}
    _Reader(errors, for_submission=for_submission).scope(list(form.fields()), answers, prefix="")
    return errors


def clean_answers(form: Form, answers: Any, *, drop_hidden: bool = False) -> dict[str, Any]:
    """Answers in canonical form: numbers as canonical strings, dates in ISO, phones in E.164, e-mails
    lower-cased. Invalid values are kept as typed; empty ones and keys the form does not know are dropped.
    """
    if not isinstance(answers, dict):
        return {}
    reader = _Reader({}, for_submission=False)
    return reader.scope(list(form.fields()), answers, prefix="", drop_hidden=drop_hidden)


def visibility(fields: Iterable[Field], values: Any) -> dict[str, bool]:
    """Whether each question is shown given the answers of its scope (the form, or one repeated item)."""
    values = values if isinstance(values, dict) else {}
    visible: dict[str, bool] = {}
    for field in fields:
        condition = field.show_if
        visible[field.key] = condition is None or (
            visible.get(condition.field, False) and condition_is_met(condition, values.get(condition.field))
        )
    return visible


def condition_is_met(condition: Condition, value: Any) -> bool:
    if condition.operator == "contains":
        return isinstance(value, list) and any(item == condition.value for item in value)
    if isinstance(condition.value, bool):
        return as_bool(value) is condition.value
    return isinstance(value, str) and value == condition.value


def as_bool(value: Any) -> bool | None:
    """A yes/no answer: a JSON boolean, or « yes » / « no » as a form posts it."""
    if isinstance(value, bool):
        return value
    return {"yes": True, "no": False}.get(value) if isinstance(value, str) else None


def is_empty(value: Any, *, depth: int = 0) -> bool:
    """Nothing was answered: None, blank text, an empty list, or an object with only empty values."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not value
    if isinstance(value, dict):
        # Answers nest three levels at most (trio, role, part): deeper is not an empty answer.
        return depth < 3 and all(is_empty(item, depth=depth + 1) for item in value.values())
    return False


def person_fields(field: Field, *, engaged: bool) -> list[Field]:
    """The sub-questions of one person; its required parts apply once the person is engaged."""
    return [
        Field(
            key=part,
            kind=Kind.EMAIL if part == "email" else Kind.PHONE if part == "phone" else Kind.SHORT_TEXT,
            label=label,
            required=engaged and part in field.required_parts,
            max_length=200,
        )
        for part, label in PERSON_PARTS.items()
    ]


class _Reader:
    def __init__(self, errors: dict[str, list[str]], *, for_submission: bool):
        self.errors = errors
        self.for_submission = for_submission

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def scope(
        self, fields: list[Field], values: Any, *, prefix: str, drop_hidden: bool = False
    ) -> dict[str, Any]:
        values = values if isinstance(values, dict) else {}
        visible = visibility(fields, values)
        cleaned = {}
        for field in fields:
            raw = values.get(field.key)
            if visible[field.key]:
                value = self.value(field, raw, prefix + field.key)
            elif drop_hidden:
                continue
            else:
                # A hidden answer is kept (the applicant may show the question again), never judged.
                value = _Reader({}, for_submission=False).value(field, raw, prefix + field.key)
            if not is_empty(value):
                cleaned[field.key] = value
        return cleaned

    def value(self, field: Field, raw: Any, path: str) -> Any:
        if field.kind == Kind.PERSON:
            return self.person(field, raw, path, engaged=field.required or not is_empty(raw))
        if field.kind == Kind.TRIO:
            return self.trio(field, raw, path)
        if is_empty(raw):
            if self.for_submission and field.required:
                self.add(path, _required_message(field))
            return None
        if field.kind == Kind.REPEATED:
            return self.repeated(field, raw, path)
        value, message = _SCALARS[field.kind](field, raw)
        if message:
            self.add(path, message)
            return raw
        return value

    def person(self, field: Field, raw: Any, path: str, *, engaged: bool) -> Any:
        if raw is not None and not isinstance(raw, dict):
            self.add(path, UNREADABLE)
            return raw
        return self.scope(person_fields(field, engaged=engaged), raw, prefix=f"{path}.")

    def trio(self, field: Field, raw: Any, path: str) -> Any:
        if raw is not None and not isinstance(raw, dict):
            self.add(path, UNREADABLE)
            return raw
        raw = raw or {}
        engaged = field.required or not is_empty(raw)
        cleaned = {}
        for role in TRIO_ROLES:
            value = self.person(field, raw.get(role), f"{path}.{role}", engaged=engaged)
            if not is_empty(value):
                cleaned[role] = value
        return cleaned

    def repeated(self, field: Field, raw: Any, path: str) -> Any:
        if not isinstance(raw, list):
            self.add(path, UNREADABLE)
            return raw
        if field.max_items is not None and len(raw) > field.max_items:
            self.add(path, f"{_count(field.max_items, 'élément')} au maximum.")
        if self.for_submission and len(raw) < field.min_items:
            self.add(path, _required_message(field))
        items = []
        for index, item in enumerate(raw):
            item_path = f"{path}.{index}"
            if isinstance(item, dict):
                items.append(self.scope(list(field.fields), item, prefix=f"{item_path}."))
            else:
                self.add(item_path, UNREADABLE)
                items.append(item)
        return items


def _required_message(field: Field) -> str:
    match field.kind:
        case Kind.YES_NO | Kind.SINGLE_CHOICE:
            return "Sélectionnez une réponse."
        case Kind.MULTIPLE_CHOICE:
            return "Cochez au moins une réponse."
        case Kind.FILE:
            return "Joignez un fichier."
        case Kind.REPEATED:
            least = max(field.min_items, 1)
            return "Ajoutez au moins un élément." if least == 1 else f"Ajoutez au moins {least} éléments."
    return REQUIRED


def _count(number: int, noun: str) -> str:
    return f"{format_number(number)}{NBSP}{noun}{'s' if number > 1 else ''}"


# Scalar kinds: each returns (normalised value, None) or (None, French message).

Outcome = tuple[Any, str | None]


def _text(field: Field, raw: Any) -> Outcome:
    if not isinstance(raw, str):
        return None, UNREADABLE
    text = raw.replace("\r\n", "\n").strip()
    if field.max_length is not None and len(text) > field.max_length:
        return None, (
            f"{_count(field.max_length, 'caractère')} au maximum{NARROW_NBSP}; "
            f"vous en avez saisi {format_number(len(text))}."
        )
    return text, None


def _number_text(raw: Any) -> str | None:
    """What was typed, without the spaces and with a dot: « 1 200,5 » → "1200.5"."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return str(raw) if abs(raw) < 10**MAX_NUMBER_DIGITS else None
    if isinstance(raw, float):
        return repr(raw) if abs(raw) < 10**MAX_NUMBER_DIGITS else None  # nan and inf fail the pattern
    if isinstance(raw, str) and len(raw) <= 100:
        return _SPACES.sub("", raw).replace(",", ".")
    return None


def _bounds_message(field: Field, shown: Any) -> str:
    low, high = field.minimum, field.maximum
    if low is not None and high is not None:
        return f"Saisissez un nombre entre {shown(low)} et {shown(high)}."
    if low is not None:
        return f"Saisissez un nombre supérieur ou égal à {shown(low)}."
    return f"Saisissez un nombre inférieur ou égal à {shown(high)}."


def _in_bounds(field: Field, value: Any) -> bool:
    above_minimum = field.minimum is None or value >= field.minimum
    return above_minimum and (field.maximum is None or value <= field.maximum)


def _integer(field: Field, raw: Any) -> Outcome:
    text = _number_text(raw)
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    if text is None or not re.fullmatch(rf"[+-]?\d{{1,{MAX_NUMBER_DIGITS}}}", text):
        return None, "Saisissez un nombre entier, par exemple 12."
    number = int(text)
    if not _in_bounds(field, number):
        return None, _bounds_message(field, format_number)
    return str(number), None


def _decimal(field: Field, raw: Any) -> Outcome:
    text = _number_text(raw)
    if text is None or not re.fullmatch(rf"[+-]?\d{{1,{MAX_NUMBER_DIGITS}}}(\.\d{{1,10}})?", text):
        return None, "Saisissez un nombre, par exemple 12,5."
    number = Decimal(text).normalize()
    if number.is_zero():
        number = Decimal(0)
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite by the pattern above
    if -exponent > field.decimal_places:
        if field.decimal_places == 0:
            return None, "Saisissez un nombre entier, par exemple 12."
        return None, f"Saisissez un nombre avec au plus {field.decimal_places} chiffres après la virgule."
    if not _in_bounds(field, number):
        return None, _bounds_message(field, format_number)
    return format(number, "f"), None


def _yes_no(field: Field, raw: Any) -> Outcome:
    value = as_bool(raw)
    return (value, None) if value is not None else (None, "Répondez par oui ou par non.")


def _single_choice(field: Field, raw: Any) -> Outcome:
    if isinstance(raw, str) and raw in field.option_values:
        return raw, None
    return None, "Choisissez l’une des réponses proposées."


def _multiple_choice(field: Field, raw: Any) -> Outcome:
    if not isinstance(raw, list) or any(not isinstance(v, str) or v not in field.option_values for v in raw):
        return None, "Choisissez parmi les réponses proposées."
    return [value for value in field.option_values if value in raw], None


def _date(field: Field, raw: Any) -> Outcome:
    value = parse_date(raw)
    if value is None:
        return None, "Saisissez une date valide, par exemple 17/11/2021."
    low, high = field.minimum, field.maximum
    if low is not None and high is not None and not low <= value <= high:
        return None, f"Saisissez une date entre le {format_date(low)} et le {format_date(high)}."
    if low is not None and value < low:
        return None, f"Saisissez une date à partir du {format_date(low)}."
    if high is not None and value > high:
        return None, f"Saisissez une date jusqu’au {format_date(high)} au plus tard."
    return value.isoformat(), None


def parse_date(raw: Any) -> dt.date | None:
    """A date typed as 2021-11-17 (what a date input posts) or 17/11/2021 (what a person types)."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        year, month, day = match.groups()
    elif match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        day, month, year = match.groups()
    else:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _email(field: Field, raw: Any) -> Outcome:
    message = "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."
    if not isinstance(raw, str) or len(raw) > 320:
        return None, message
    text = raw.strip().lower()
    try:
        _email_validator(text)
    except ValidationError:
        return None, message
    return text, None


def parse_phone(raw: Any, region: str = "FR") -> str | None:
    """The number in E.164 (+33123456789), or None if it is not a valid number."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    # A number typed the French way (0262 …) may belong to an overseas region with its own code.
    regions = [*FRENCH_OVERSEAS_REGIONS, region] if region == "FR" else [region]
    for candidate in regions:
        try:
            number = phonenumbers.parse(raw, candidate)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def _phone(field: Field, raw: Any) -> Outcome:
    value = parse_phone(raw, field.region)
    if value is None:
        return None, f"Saisissez un numéro de téléphone valide, par exemple {PHONE_EXAMPLES}."
    return value, None


def _establishment(field: Field, raw: Any) -> Outcome:
    # The register's rule (length, département, key); whether the number is in the directory is
    # the caller's to check, this package knows no database.
    number = normalize_finess(raw) if isinstance(raw, str) else ""
    if problem := finess_problem(number):
        return None, f"{problem}."
    return number, None


def file_problem(field: Field, metadata: dict) -> str | None:
    """Why an uploaded file cannot answer `field` (extension, size, detected type), or None."""
    return _file(field, metadata)[1]


def _file(field: Field, raw: Any) -> Outcome:
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("name"), str)
        or isinstance(raw.get("size"), bool)
        or not isinstance(raw.get("size"), int)
        or not isinstance(raw.get("content_type", ""), str)
    ):
        return None, "Fichier illisible, déposez-le à nouveau."
    name, size = raw["name"], raw["size"]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in field.extensions:
        accepted = ", ".join(extension.upper() for extension in field.extensions)
        return None, f"Ce format de fichier n’est pas accepté. Formats acceptés{NBSP}: {accepted}."
    if size > field.max_size_mb * 1024 * 1024:
        return None, f"Le fichier dépasse la taille maximale de {format_number(field.max_size_mb)}{NBSP}Mo."
    content_type = raw.get("content_type")
    if content_type and content_type.lower() not in FILE_TYPES[extension]:
        return None, f"Le contenu de ce fichier ne correspond pas à un fichier {extension.upper()}."
    return dict(raw), None


_SCALARS = {
    Kind.SHORT_TEXT: _text,
    Kind.LONG_TEXT: _text,
    Kind.INTEGER: _integer,
    Kind.DECIMAL: _decimal,
    Kind.YES_NO: _yes_no,
    Kind.SINGLE_CHOICE: _single_choice,
    Kind.MULTIPLE_CHOICE: _multiple_choice,
    Kind.DATE: _date,
    Kind.EMAIL: _email,
    Kind.PHONE: _phone,
    Kind.ESTABLISHMENT: _establishment,
    Kind.FILE: _file,
}
