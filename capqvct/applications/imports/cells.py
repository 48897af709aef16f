"""A cell converted into the answer format the form engine reads (see calls/formdef/README.md)."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from capqvct.applications.imports.mapping import Target, normalized
from capqvct.applications.imports.sheets import as_text
from capqvct.calls.formdef.answers import parse_date
from capqvct.calls.formdef.schema import Field, Kind, quoted

# What a yes/no cell may say; anything else is reported.
YES = frozenset({"oui", "o", "yes", "y", "vrai", "true", "1"})
NO = frozenset({"non", "n", "no", "faux", "false", "0"})


def convert(target: Target, raw: Any) -> tuple[Any, str | None]:
    """The answer a cell gives, in the format the form engine reads, or a French reason it cannot."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    match target.kind:
        case Kind.YES_NO:
            return _yes_no(raw)
        case Kind.SINGLE_CHOICE:
            value = _option(target.field, as_text(raw))
            if value is None:
                return None, _not_an_option(target.field, as_text(raw))
            return value, None
        case Kind.MULTIPLE_CHOICE:
            return _options(target.field, as_text(raw))
        case Kind.INTEGER | Kind.DECIMAL:
            return _number(raw), None
        case Kind.DATE:
            return _date(raw), None
        case Kind.PHONE:
            return _phone(raw), None
        case Kind.ESTABLISHMENT:
            return finess_text(raw), None
        case Kind.EMAIL:
            return as_text(raw).lower(), None
    return as_text(raw), None


def _yes_no(raw: Any) -> tuple[Any, str | None]:
    if isinstance(raw, bool):
        return raw, None
    text = normalized(as_text(raw))
    if text in YES:
        return True, None
    if text in NO:
        return False, None
    return (
        None,
        f"{quoted(as_text(raw))} n’est pas une réponse par oui ou par non (oui, non, vrai, faux, 1, 0).",
    )


def _option(question: Field, text: str) -> str | None:
    if text in question.option_values:
        return text
    wanted = normalized(text)
    for option in question.options:
        if wanted in (normalized(option.label), normalized(option.value)):
            return option.value
    return None


def _not_an_option(question: Field, text: str) -> str:
    labels = ", ".join(option.label for option in question.options)
    return f"{quoted(text)} ne fait pas partie des réponses proposées ({labels})."


def _options(question: Field, text: str) -> tuple[Any, str | None]:
    """Several answers separated by « ; », by line breaks or by « , » (unless a label has a comma)."""
    if (whole := _option(question, text)) is not None:
        return [whole], None
    values, unknown = [], []
    for chunk in re.split(r"[;\n]", text):
        if not chunk.strip():
            continue
        if (value := _option(question, chunk.strip())) is not None:
            values.append(value)
            continue
        for piece in chunk.split(","):
            if not piece.strip():
                continue
            if (value := _option(question, piece.strip())) is not None:
                values.append(value)
            else:
                unknown.append(piece.strip())
    if unknown:
        return None, _not_an_option(question, ", ".join(unknown))
    return [value for value in question.option_values if value in values], None


def _number(raw: Any) -> str:
    if isinstance(raw, bool):
        return as_text(raw)
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        if raw.is_integer():
            return str(int(raw))
        try:
            return format(Decimal(repr(raw)), "f")
        except InvalidOperation:
            return repr(raw)
    # « 1 200,5 » is read by the engine itself: spaces and the decimal comma are accepted.
    return as_text(raw)


def _date(raw: Any) -> str:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = as_text(raw)
    day = _day(text)
    return day.isoformat() if day else text


def _day(text: str) -> dt.date | None:
    """« 05/09/2022 », « 5-9-2022 », « 05.09.2022 », « 2022-09-05 », with or without a time after."""
    text = text.strip().split(" ")[0].split("T")[0]
    if re.fullmatch(r"\d{1,2}[-.]\d{1,2}[-.]\d{4}", text):
        text = re.sub(r"[-.]", "/", text)
    return parse_date(text)


def received_instant(raw: Any, zone: ZoneInfo) -> dt.datetime | None:
    """When a dossier was received; a day alone is its first instant, in the region's time zone."""
    if isinstance(raw, dt.datetime):
        return raw if timezone.is_aware(raw) else raw.replace(tzinfo=zone)
    if isinstance(raw, dt.date):
        return dt.datetime.combine(raw, dt.time(0), tzinfo=zone)
    text = as_text(raw)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=zone)
    day = _day(text)
    if day is None:
        return None
    clock = re.search(r"\s(\d{1,2})[:h](\d{2})(?::(\d{2}))?$", text)
    at = dt.time(0)
    if clock:
        hours, minutes, seconds = int(clock[1]), int(clock[2]), int(clock[3] or 0)
        if hours > 23 or minutes > 59 or seconds > 59:
            return None
        at = dt.time(hours, minutes, seconds)
    return dt.datetime.combine(day, at, tzinfo=zone)


def _phone(raw: Any) -> str:
    text = _number(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else as_text(raw)
    # A spreadsheet that took the number for a number dropped its leading 0.
    if re.fullmatch(r"[1-9]\d{8}", text):
        return "0" + text
    return text


def finess_text(raw: Any) -> str:
    """A FINESS number as the directory holds it; a spreadsheet may have dropped the 0 of « 01… »."""
    text = _number(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else as_text(raw)
    text = re.sub(r"\s", "", text).upper()
    if re.fullmatch(r"\d{8}", text):
        return "0" + text
    return text
