"""French formatting of dates, times, amounts and numbers, for pages, PDF and e-mails alike.

Typography follows the Lexique des règles typographiques de l’Imprimerie nationale:
- thousands are grouped with a narrow no-break space (U+202F): « 2 000 » ;
- a no-break space (U+00A0) ties a number to its unit or word: « 2 000 € », « 5 septembre »,
  « 23 h 59 », so a line never breaks inside an amount, a date's day or a time;
- the minus sign is U+2212 (−), not the hyphen;
- the first day of a month is « 1er », hours have no leading zero, and an hour on the dot has
  no minutes: « 9 h », « 9 h 05 », « 23 h 59 ».

Functions are strict (a naive datetime, a datetime passed as a date or a NaN raises): a wrong
value shown to a user is worse than a failing test. The template filters in
capqvct.core.templatetags.fr render None as an empty string.
"""

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
MINUS = "\u2212"

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# The time zones of the regions (see capqvct/territory), as a reader names them.
ZONE_LABELS = {
    "Europe/Paris": "heure de Paris",
    "America/Guadeloupe": "heure de la Guadeloupe",
    "America/Martinique": "heure de la Martinique",
    "America/Cayenne": "heure de la Guyane",
    "Indian/Reunion": "heure de La Réunion",
    "Indian/Mayotte": "heure de Mayotte",
}

Number = Decimal | int | float


def format_date(value: dt.date) -> str:
    """« 5 septembre 2022 », « 1er mars 2023 »."""
    if isinstance(value, dt.datetime):
        # The day of an instant depends on the zone it is read in: say which with format_datetime().
        raise TypeError("format_date() takes a date; use format_datetime() for a datetime")
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day}{NBSP}{MONTHS[value.month - 1]} {value.year}"


def format_time(value: dt.time) -> str:
    """« 9 h », « 9 h 05 », « 23 h 59 »."""
    if value.minute == 0:
        return f"{value.hour}{NBSP}h"
    return f"{value.hour}{NBSP}h{NBSP}{value.minute:02d}"


def format_datetime(value: dt.datetime, zone: str | dt.tzinfo, *, with_zone: bool = False) -> str:
    """« 5 septembre 2022 à 23 h 59 » in the given zone, with « (heure de La Réunion) » if with_zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("format_datetime() needs an aware datetime")
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    local = value.astimezone(tz)
    text = f"{format_date(local.date())} à {format_time(local.time())}"
    if with_zone:
        text += f" ({zone_label(tz, at=value)})"
    return text


def zone_label(zone: str | dt.tzinfo, *, at: dt.datetime | None = None) -> str:
    """« heure de La Réunion »; « UTC+5:30 » for a zone that no region uses."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    key = getattr(tz, "key", None)
    if key in ZONE_LABELS:
        return ZONE_LABELS[key]
    offset = (at or dt.datetime.now(dt.UTC)).astimezone(tz).utcoffset() or dt.timedelta(0)
    return "UTC" + _format_offset(offset)


def _format_offset(offset: dt.timedelta) -> str:
    if not offset:
        return ""
    sign = "+" if offset > dt.timedelta(0) else MINUS
    hours, seconds = divmod(int(abs(offset).total_seconds()), 3600)
    minutes = seconds // 60
    return f"{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def format_amount(value: Number, *, cents: bool = False) -> str:
    """« 2 000 € », « −1 500 € », « 2 000,50 € » with cents; rounded half up to the euro otherwise."""
    return f"{format_number(value, decimals=2 if cents else 0)}{NBSP}€"


def format_number(value: Number, *, decimals: int | None = None) -> str:
    """« 34 875 », « −1 234,5 »; rounded half up to `decimals` places if given, else as precise as given."""
    number = _to_decimal(value)
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign, digits, exponent = number.as_tuple()
    if exponent >= 0:
        integer_part, fraction_part = "".join(map(str, digits)) + "0" * exponent, ""
    else:
        all_digits = "".join(map(str, digits)).rjust(-exponent + 1, "0")
        integer_part, fraction_part = all_digits[:exponent], all_digits[exponent:]
    integer_part = integer_part.lstrip("0") or "0"
    text = _group_thousands(integer_part) + (f",{fraction_part}" if fraction_part else "")
    # -0.4 rounded to the euro is « 0 € », not « −0 € ».
    is_zero = not any(digits)
    return f"{MINUS}{text}" if sign and not is_zero else text


def _to_decimal(value: Number) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise TypeError(f"Not a number: {value!r}")
    # str() first: Decimal(0.1) would show the float's binary expansion.
    number = (
        value
        if isinstance(value, Decimal)
        else Decimal(str(value))
        if isinstance(value, float)
        else Decimal(value)
    )
    if not number.is_finite():
        raise ValueError(f"Not a finite number: {value!r}")
    return number


def _group_thousands(digits: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return NARROW_NBSP.join(groups)


_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t\n]+([;:!?])(?=\s|$)")
_SPACE_AFTER_OPENING_GUILLEMET = re.compile(r"«[ \t\n]+")
_SPACE_BEFORE_CLOSING_GUILLEMET = re.compile(r"[ \t\n]+»")


def french_spacing(text: str) -> str:
    """Text typed with ordinary spaces, as French typography spaces it: a no-break space before
    « ; : ! ? » and inside guillemets, so that no line starts with the sign."""
    text = _SPACE_BEFORE_PUNCTUATION.sub(NBSP + r"\1", text)
    text = _SPACE_AFTER_OPENING_GUILLEMET.sub("«" + NBSP, text)
    return _SPACE_BEFORE_CLOSING_GUILLEMET.sub(NBSP + "»", text)
