"""Reads about users, their organisations and roles."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from capqvct.accounts.models import (
    AGENCY_KINDS,
    AGENT_ROLES,
    SECOND_FACTOR_ROLES,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from capqvct.core.text import without_accents
from capqvct.territory.models import Region


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation__region")
        .order_by("organisation__name")
    )


def _roles(user) -> set[str]:
    # Cached on the user object: many checks run on one request.
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_capqvct_roles"):
        user._capqvct_roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return user._capqvct_roles


def has_role(user, *roles: str) -> bool:
    return bool(_roles(user) & set(roles))


def is_platform_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def is_agent(user) -> bool:
    return has_role(user, *AGENT_ROLES)


def is_national_observer(user) -> bool:
    return has_role(user, Role.OBSERVER)


def needs_second_factor(user) -> bool:
    """Agents, consultants, observers and administrators see dossiers: they must use TOTP."""
    return is_platform_admin(user) or user.is_staff or has_role(user, *SECOND_FACTOR_ROLES)


def agent_region_codes(user) -> set[str]:
    """Codes of the regions whose agencies the user works for as an agent."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_capqvct_agent_regions"):
        user._capqvct_agent_regions = set(
            Membership.objects.filter(
                user=user, role__in=AGENT_ROLES, organisation__region__isnull=False
            ).values_list("organisation__region_id", flat=True)
        )
    return user._capqvct_agent_regions


def sees_every_region(user) -> bool:
    return is_platform_admin(user) or is_national_observer(user)


def regions_visible_to(user) -> QuerySet[Region]:
    if sees_every_region(user):
        return Region.objects.all()
    return Region.objects.filter(code__in=agent_region_codes(user))


def organisations_managed_by(user) -> QuerySet[Organisation]:
    """Organisations where the user may invite colleagues and change roles."""
    if is_platform_admin(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=[Role.PROGRAMME_MANAGER, Role.DIRECTOR]
    ).distinct()


def can_browse_directory(user) -> bool:
    return sees_every_region(user) or bool(agent_region_codes(user))


def time_zone_of(user) -> str | None:
    """The IANA zone of the one region the user's organisations belong to; None if several or none."""
    if not user.is_authenticated:
        return None
    zones = set(
        Membership.objects.filter(user=user, organisation__region__isnull=False).values_list(
            "organisation__region__time_zone", flat=True
        )
    )
    return zones.pop() if len(zones) == 1 else None


def is_unconfirmed(user) -> bool:
    """An account signed up on its own whose address has not been confirmed yet (see signup.py)."""
    return not user.is_active and user.last_login is None


def programme_manager_region_codes(user) -> set[str]:
    """Codes of the regions whose agencies the user works for as a programme manager."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_capqvct_manager_regions"):
        user._capqvct_manager_regions = set(
            Membership.objects.filter(
                user=user, role=Role.PROGRAMME_MANAGER, organisation__region__isnull=False
            ).values_list("organisation__region_id", flat=True)
        )
    return user._capqvct_manager_regions


def programme_managers_of_region(region_code: str) -> QuerySet[User]:
    """The programme managers of the region's agencies (ARS and Aract), who decide its claims."""
    return User.objects.filter(
        is_active=True,
        memberships__role=Role.PROGRAMME_MANAGER,
        memberships__organisation__kind__in=AGENCY_KINDS,
        memberships__organisation__region_id=region_code,
    ).distinct()


def platform_admins() -> QuerySet[User]:
    return User.objects.filter(is_active=True, is_superuser=True)


def regions_with_agencies(*, now: datetime | None = None) -> list[Region]:
    """Every region with its ARS and its Aract (`region.ars`, `region.aract`, None when missing), each
    counting its programme managers and pending invitations: the « Agences » page, in two queries."""
    now = now or timezone.now()
    agencies = Organisation.objects.agencies().annotate(
        manager_count=Count("memberships", filter=Q(memberships__role=Role.PROGRAMME_MANAGER), distinct=True),
        pending_invitation_count=Count(
            "invitations",
            filter=Q(
                invitations__accepted_at__isnull=True,
                invitations__revoked_at__isnull=True,
                invitations__expires_at__gt=now,
            ),
            distinct=True,
        ),
    )
    by_region = {(agency.region_id, agency.kind): agency for agency in agencies}
    # In French alphabetical order: « Île-de-France » between « Hauts-de-France » and « La Réunion ».
    regions = sorted(Region.objects.all(), key=lambda region: without_accents(region.name).lower())
    for region in regions:
        region.ars = by_region.get((region.code, OrganisationKind.ARS))
        region.aract = by_region.get((region.code, OrganisationKind.ARACT))
    return regions
