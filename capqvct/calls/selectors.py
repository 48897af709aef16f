"""Reads of programmes and calls."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from capqvct.accounts.selectors import is_platform_admin
from capqvct.calls.models import Call, CallStatus, Programme
from capqvct.calls.permissions import managed_region_codes


def public_calls(
    *, now: datetime | None = None, region: str = "", kind: str = "", category: str = ""
) -> QuerySet:
    """Published calls whose deadline has not passed (open, or opening later), for the public list of every
    region."""
    now = now or timezone.now()
    qs = Call.objects.listed_at(now).select_related("programme__region")
    if region:
        qs = qs.filter(programme__region_id=region)
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        # JSON containment is not portable to SQLite; open calls are few, so the test runs here.
        matching = [pk for pk, codes in qs.values_list("pk", "categories") if not codes or category in codes]
        qs = qs.filter(pk__in=matching)
    return qs.order_by("closes_at", "pk")


def visible_calls() -> QuerySet[Call]:
    """The calls anyone may read: published or closed, never a draft."""
    return Call.objects.select_related("programme__region").exclude(status=CallStatus.DRAFT)


def visible_call(pk: int) -> Call:
    return visible_calls().get(pk=pk)


def programmes_managed_by(user) -> QuerySet[Programme]:
    qs = Programme.objects.select_related("region")
    if is_platform_admin(user):
        return qs
    return qs.filter(region_id__in=managed_region_codes(user))


def calls_managed_by(user) -> QuerySet[Call]:
    return Call.objects.select_related("programme__region").filter(programme__in=programmes_managed_by(user))
