"""Deadlines are instants; people read and type them in the region's own time zone.

A deadline is the last accepted instant, to the second: « le 5 septembre 2022 inclus » at La Réunion
is 23:59:59 that day, Indian/Reunion time; « le 10 octobre 2018 à 17 h » is 17:00:00 Paris time.
A submission is accepted when its instant, truncated to the second, is not after the deadline.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from capqvct.core.formatting import format_date, format_datetime, zone_label

END_OF_DAY = time(23, 59, 59)
MAINLAND_ZONE = "Europe/Paris"


def deadline_instant(*, day: date, at: time | None, zone: str) -> datetime:
    """The deadline as an aware instant: the end of `day` when no time is given, else `at` that day."""
    return datetime.combine(day, at or END_OF_DAY, tzinfo=ZoneInfo(zone))


def is_end_of_day(deadline: datetime, zone: str) -> bool:
    return deadline.astimezone(ZoneInfo(zone)).time() == END_OF_DAY


def deadline_cutoff(now: datetime) -> datetime:
    """`now` as deadlines read it: truncated to the second, so 23:59:59.999 still counts as 23:59:59."""
    return now.replace(microsecond=0)


def is_before_deadline(now: datetime, deadline: datetime) -> bool:
    """The server's clock decides, to the second; the browser's is never asked."""
    return deadline_cutoff(now) <= deadline


def describe_deadline(deadline: datetime, zone: str, *, name_zone: bool = True) -> str:
    """The deadline in words, e.g. « le 5 septembre 2022 inclus (heure de La Réunion) »."""
    local = deadline.astimezone(ZoneInfo(zone))
    named = f" ({zone_label(zone)})" if name_zone else ""
    if is_end_of_day(deadline, zone):
        return f"le {format_date(local.date())} inclus{named}"
    return f"le {format_datetime(deadline, zone)}{named}"


def describe_instant(value: datetime, zone: str, *, name_zone: bool = True) -> str:
    """« le 1er août 2022 à 8 h (heure de La Réunion) », in the region's zone."""
    return f"le {format_datetime(value, zone, with_zone=name_zone)}"


def call_dates(call) -> list[tuple[str, str]]:
    """The dates of a call as its public page lists them, in its region's time zone; the zone is named
    when it is not mainland France's, which most readers assume (an overseas region's is)."""
    zone = call.time_zone
    named = zone != MAINLAND_ZONE
    dates = [
        ("Ouverture", describe_instant(call.opens_at, zone, name_zone=named)),
        ("Date limite de dépôt", describe_deadline(call.closes_at, zone, name_zone=named)),
    ]
    if call.closed_early_at:
        dates.append(("Clos par anticipation", describe_instant(call.closed_early_at, zone, name_zone=named)))
    return dates


def days_left(now: datetime, deadline: datetime, zone: str) -> int:
    """Whole calendar days between today and the deadline's day, both in the region's zone."""
    local_zone = ZoneInfo(zone)
    return (deadline.astimezone(local_zone).date() - now.astimezone(local_zone).date()).days


def reminder_day(deadline: datetime, zone: str, days_before: int) -> date:
    return deadline.astimezone(ZoneInfo(zone)).date() - timedelta(days=days_before)
