"""French formatting in templates: {% load fr %}.

    {{ call.opens_on|date_fr }}                         5 septembre 2022
    {{ call.deadline|datetime_fr:region.time_zone }}    5 septembre 2022 à 23 h 59
    {{ call.deadline|datetime_fr_with_zone:region.zone }}
                                                        5 septembre 2022 à 23 h 59 (heure de La Réunion)
    {{ grant.amount|amount }}                           2 000 €
    {{ payment.amount|amount:"cents" }}                 2 000,50 €
    {{ count|number }}                                  34 875

Empty values (None, "") give an empty string, as Django's own filters do; anything else that is
not what the filter formats raises, so a mistake shows in the tests rather than on a page.
"""

import datetime as dt

from django import template
from django.utils import timezone

from capqvct.core import formatting

register = template.Library()


def _is_empty(value) -> bool:
    return value is None or value == ""


@register.filter
def date_fr(value: dt.date | None) -> str:
    if _is_empty(value):
        return ""
    return formatting.format_date(value)


@register.filter
def datetime_fr(value: dt.datetime | None, zone: str | dt.tzinfo | None = None) -> str:
    """In the given zone (a region's time_zone), else in the active one (settings.TIME_ZONE by default)."""
    if _is_empty(value):
        return ""
    return formatting.format_datetime(value, zone or timezone.get_current_timezone())


@register.filter
def datetime_fr_with_zone(value: dt.datetime | None, zone: str | dt.tzinfo | None = None) -> str:
    if _is_empty(value):
        return ""
    return formatting.format_datetime(value, zone or timezone.get_current_timezone(), with_zone=True)


@register.filter
def amount(value: formatting.Number | None, arg: str = "") -> str:
    if _is_empty(value):
        return ""
    if arg not in ("", "cents"):
        raise template.TemplateSyntaxError(f'amount takes no argument or "cents", not {arg!r}')
    return formatting.format_amount(value, cents=arg == "cents")


@register.filter
def number(value: formatting.Number | None) -> str:
    if _is_empty(value):
        return ""
    return formatting.format_number(value)
