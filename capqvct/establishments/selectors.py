"""Reads of the establishments directory, always scoped to what the user may see."""

import re
from bisect import bisect_left
from datetime import datetime, timedelta
from functools import cache

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from capqvct.accounts.models import Membership, Role
from capqvct.accounts.selectors import (
    agent_region_codes,
    is_platform_admin,
    programme_manager_region_codes,
    sees_every_region,
)
from capqvct.core.text import without_accents
from capqvct.establishments.categories import grouped_choices
from capqvct.establishments.models import REFUSED_CLAIM_STATUSES, Claim, ClaimStatus, Establishment
from capqvct.territory.models import Commune


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
        # The communes are looked up first, in memory: the establishments are then filtered on their
        # own columns only, which PostgreSQL serves with its indexes (trigrams on the name and the
        # routing line, migration 0004; the commune's foreign key) instead of a join.
        communes = communes_starting_with(query)
        qs = qs.filter(Q(name__icontains=query) | Q(commune_id__in=communes) | Q(city_label__icontains=query))
    if departement:
        qs = qs.filter(departement_id=departement)
    if category:
        qs = qs.filter(category_code=category)
    return qs.order_by("name", "finess_et")


def communes_starting_with(text: str) -> list[str]:
    """The codes of the communes whose name starts with `text`, case and accents aside (« beziers »
    finds Béziers): a prefix search in a sorted list held by the process, no query."""
    key = _commune_key(text)
    names = _communes_by_name()
    found = []
    for name, code in names[bisect_left(names, (key, "")) :]:
        if not name.startswith(key):
            break
        found.append(code)
    return found


def _commune_key(name: str) -> str:
    return without_accents(name).casefold()


@cache
def _communes_by_name() -> list[tuple[str, str]]:
    """Every commune, read once per process: the territory is reference data, loaded by migrations
    and changed by INSEE once a year with a new release of the application."""
    return sorted((_commune_key(name), code) for code, name in Commune.objects.values_list("code", "name"))


def claims_to_decide_by(user) -> QuerySet[Claim]:
    """Pending claims on establishments of the regions where the user is a programme manager; each
    claim's establishment carries its current direction (`establishment.directors`, a list)."""
    qs = (
        Claim.objects.filter(status=ClaimStatus.PENDING)
        .select_related(
            "establishment__departement", "establishment__commune", "establishment__organisation", "user"
        )
        .prefetch_related(_directors_of_establishment("establishment__"))
    )
    if is_platform_admin(user):
        return qs
    return qs.filter(establishment__departement__region_id__in=programme_manager_region_codes(user))


def decides_claims(user) -> bool:
    """Programme managers and platform administrators decide claims; reviewers do not."""
    return is_platform_admin(user) or bool(programme_manager_region_codes(user))


def _directors_of_establishment(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}organisation__memberships",
        queryset=Membership.objects.filter(role=Role.DIRECTOR).select_related("user").order_by("user__email"),
        to_attr="directors",
    )


def claims_awaiting_director(user) -> QuerySet[Claim]:
    """Pending claims on the establishments the user directs, which they may confirm or decline."""
    if not user.is_authenticated:
        return Claim.objects.none()
    directed = Membership.objects.filter(user=user, role=Role.DIRECTOR).values("organisation_id")
    return (
        Claim.objects.filter(status=ClaimStatus.PENDING, establishment__organisation_id__in=directed)
        .exclude(user=user)
        .select_related("establishment", "user")
        .order_by("created_at")
    )


# A claimant reads a refusal on their dashboard for this long after it.
REFUSAL_SHOWN_FOR = timedelta(days=60)


def claims_of_claimant(user, *, now: datetime | None = None) -> QuerySet[Claim]:
    """The user's claims still waiting, and those refused lately (with their reason); `has_direction`
    says whether the establishment's direction is on the platform (and may answer)."""
    now = now or timezone.now()
    directors = Membership.objects.filter(
        organisation_id=OuterRef("establishment__organisation_id"), role=Role.DIRECTOR
    )
    return (
        Claim.objects.filter(user=user)
        .annotate(has_direction=Exists(directors))
        .filter(
            Q(status=ClaimStatus.PENDING)
            | Q(status__in=REFUSED_CLAIM_STATUSES, decided_at__gte=now - REFUSAL_SHOWN_FOR)
        )
        .select_related("establishment")
        .order_by("-created_at")
    )


def pending_claims_of(user) -> QuerySet[Claim]:
    return Claim.objects.filter(user=user, status=ClaimStatus.PENDING).select_related("establishment")


# Words shorter than this say too little to search names with.
MIN_WORD_LENGTH = 2
MAX_WORDS = 6
WORD_SEPARATORS = re.compile(r"[\s\-'’,.()/]+")


def search_establishments_to_claim(*, query: str, departement: str = "") -> QuerySet[Establishment]:
    """The claim lookup: a FINESS number (of the establishment or its legal entity), a postal code, or
    words each found in the name, the commune or the postal code (« cigales montpellier », accents
    optional). Anyone
    signed in may look up: FINESS is public; the page shows what FINESS publishes, never the space's
    members."""
    qs = Establishment.objects.select_related("commune", "departement")
    compact = query.replace(" ", "").upper()
    if FINESS_NUMBER.match(compact):
        qs = qs.filter(Q(finess_et=compact) | Q(finess_ej=compact))
    elif POSTAL_CODE.match(compact):
        qs = qs.filter(postal_code=compact)
    else:
        words = [word for word in WORD_SEPARATORS.split(query.strip()) if len(word) >= MIN_WORD_LENGTH]
        if not words:
            return qs.none()
        for word in words[:MAX_WORDS]:
            # FINESS's routing line (« 34500 BEZIERS ») names the commune in capitals without accents:
            # « Béziers » is looked up as « BEZIERS ». Only the establishment's own columns are read, so
            # that trigram indexes serve each word on PostgreSQL (migration 0004).
            bare = without_accents(word)
            matches = Q(name__icontains=word) | Q(city_label__icontains=bare) | Q(postal_code=word)
            if bare != word:
                matches |= Q(name__icontains=bare)
            qs = qs.filter(matches)
    if departement:
        qs = qs.filter(departement_id=departement)
    return qs.order_by("name", "finess_et")


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The categories to filter the directory by, from the register's nomenclature (categories.py),
    grouped by audience: no query, rather than a DISTINCT over every establishment at each keystroke."""
    return grouped_choices()
