"""Who may manage programmes and calls (programme managers of an agency of the region), and whether a
call takes dossiers now."""

from datetime import datetime

from capqvct.accounts.models import Role
from capqvct.accounts.selectors import is_platform_admin
from capqvct.calls.deadlines import describe_deadline
from capqvct.calls.models import Call, CallStatus, call_is_open
from capqvct.core.permissions import ALLOWED, Decision, refuse, require
from capqvct.territory.models import Region

MANAGERS_ONLY = "Ces pages sont réservées aux responsables de programme des agences régionales."


def managed_region_codes(user) -> set[str]:
    # Cached on the user object, as accounts.selectors does for roles: many checks run on one request.
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_capqvct_managed_regions"):
        user._capqvct_managed_regions = set(
            user.memberships.filter(
                role=Role.PROGRAMME_MANAGER, organisation__region__isnull=False
            ).values_list("organisation__region_id", flat=True)
        )
    return user._capqvct_managed_regions


def can_manage_region(user, region: Region | str) -> Decision:
    code = region if isinstance(region, str) else region.code
    if is_platform_admin(user) or code in managed_region_codes(user):
        return ALLOWED
    return refuse("Seuls les responsables de programme des agences de cette région peuvent le faire.")


def is_programme_manager(user) -> Decision:
    """A programme manager of some region, or an administrator: who may open the managers' pages."""
    if is_platform_admin(user) or managed_region_codes(user):
        return ALLOWED
    return refuse(MANAGERS_ONLY)


def require_manager(user) -> None:
    """The managers' pages answer 403 to whoever manages no region; a call of another region is then
    not found (404) through calls_managed_by."""
    require(is_programme_manager(user))


def submissions_open(call: Call, now: datetime) -> Decision:
    """call_is_open, with the reason an applicant reads when the call takes no dossier."""
    if call_is_open(call, now):
        return ALLOWED
    if call.status == CallStatus.PUBLISHED and now >= call.opens_at:
        return refuse(
            f"Le dépôt est clos depuis {describe_deadline(call.closes_at, call.time_zone)} : "
            "votre brouillon est conservé."
        )
    return refuse("Cet appel n’est pas ouvert aux dépôts.")
