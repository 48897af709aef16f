"""Who may manage programmes and calls: programme managers of an agency of the region."""

from capqvct.accounts.models import Role
from capqvct.accounts.selectors import is_platform_admin
from capqvct.core.permissions import ALLOWED, Decision, refuse
from capqvct.territory.models import Region


def managed_region_codes(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(
        user.memberships.filter(role=Role.PROGRAMME_MANAGER, organisation__region__isnull=False).values_list(
            "organisation__region_id", flat=True
        )
    )


def can_manage_region(user, region: Region | str) -> Decision:
    code = region if isinstance(region, str) else region.code
    if is_platform_admin(user) or code in managed_region_codes(user):
        return ALLOWED
    return refuse("Seuls les responsables de programme des agences de cette région peuvent le faire.")
