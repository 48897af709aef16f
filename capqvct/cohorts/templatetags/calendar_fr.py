"""The calendar's dates in French, in the call's time zone: {% load calendar_fr %}.

{{ session.starts_at|time_fr:zone }}      9 h 30
{{ session|event_when }}                  mardi 4 mars 2025, de 9 h à 17 h (heure de La Réunion)
"""

from zoneinfo import ZoneInfo

from django import template

from capqvct.cohorts.calendar_ics import event_zone
from capqvct.core import formatting

register = template.Library()

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


@register.filter
def time_fr(value, zone: str) -> str:
    if value in (None, ""):
        return ""
    return formatting.format_time(value.astimezone(ZoneInfo(zone)).time())


@register.filter
def day_fr(value) -> str:
    """« mardi 4 mars 2025 » for a date."""
    if value in (None, ""):
        return ""
    return f"{WEEKDAYS[value.weekday()]} {formatting.format_date(value)}"


@register.filter
def event_when(event, with_zone: bool = True) -> str:
    """The day, start and end of a session or visit, read in its call's time zone."""
    zone = ZoneInfo(event_zone(event))
    starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    start_time, end_time = formatting.format_time(starts.time()), formatting.format_time(ends.time())
    if ends.date() == starts.date():
        text = f"{day_fr(starts.date())}, de {start_time} à {end_time}"
    else:
        text = f"du {day_fr(starts.date())} à {start_time} au {day_fr(ends.date())} à {end_time}"
    if with_zone:
        text += f" ({formatting.zone_label(zone, at=event.starts_at)})"
    return text


@register.filter
def event_title(event) -> str:
    from capqvct.cohorts.calendar_ics import event_title as title

    return title(event)
