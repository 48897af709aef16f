"""Reads of the establishments directory, always scoped to what the user may see."""

import re

from django.db.models import Q, QuerySet

from capqvct.accounts.models import Membership
from capqvct.accounts.selectors import agent_region_codes, is_platform_admin, sees_every_region
from capqvct.establishments.models import Claim, ClaimStatus, Establishment


def establishments_visible_to(user) -> QuerySet[Establishment]:
    """Agents see their region's establishments; observers and admins all; members their own."""
    qs = Establishment.objects.select_related("departement__region", "commune")
    if not user.is_authenticated:
        return qs.none()
    if sees_every_region(user):
        return qs
    own_spaces = Membership.objects.filter(user=user).values("organisation_id")
    return qs.filter(
        Q(departement__region_id__in=agent_region_codes(user)) | Q(organisation_id__in=own_spaces)
    )


FINESS_NUMBER = re.compile(r"^(?:[0-9]{2}|2[AB])[0-9]{7}$")
POSTAL_CODE = re.compile(r"^[0-9]{5}$")


def search_directory(user, *, query: str = "", departement: str = "", category: str = "") -> QuerySet:
    """The directory search: a name, a FINESS number, a commune, a postal code or a département."""
    qs = establishments_visible_to(user)
    query = query.strip()
    compact = query.replace(" ", "").upper()
    # A FINESS number or a postal code is looked up through its index, not by scanning names.
    if FINESS_NUMBER.match(compact):
        qs = qs.filter(Q(finess_et=compact) | Q(finess_ej=compact))
    elif POSTAL_CODE.match(compact):
        qs = qs.filter(postal_code=compact)
    elif query:
        qs = qs.filter(
            Q(name__icontains=query) | Q(commune__name__istartswith=query) | Q(city_label__icontains=query)
        )
    if departement:
        qs = qs.filter(departement_id=departement)
    if category:
        qs = qs.filter(category_code=category)
    return qs.order_by("name", "finess_et")


def claims_to_decide_by(user) -> QuerySet[Claim]:
    """Pending claims on establishments of the regions where the user is an agent."""
    qs = Claim.objects.filter(status=ClaimStatus.PENDING).select_related("establishment__departement", "user")
    if is_platform_admin(user):
        return qs
    return qs.filter(establishment__departement__region_id__in=agent_region_codes(user))


def categories_visible_to(user) -> list[tuple[str, str]]:
    """The categories present among the establishments the user sees, for the search filter."""
    return list(
        establishments_visible_to(user)
        .order_by("category_label")
        .values_list("category_code", "category_label")
        .distinct()
    )
