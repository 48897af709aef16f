"""Who may manage programmes and calls (programme managers of an agency of the region), and whether a
call takes dossiers now."""

from datetime import datetime

from capqvct.accounts.selectors import is_platform_admin, programme_manager_region_codes
from capqvct.calls.deadlines import describe_deadline
from capqvct.calls.models import Call, CallStatus, call_is_open
from capqvct.core.permissions import ALLOWED, Decision, refuse, require
from capqvct.territory.models import Region

MANAGERS_ONLY = "Ces pages sont réservées aux responsables de programme des agences régionales."


def managed_region_codes(user) -> set[str]:
    """The regions whose calls the user manages (cached on the user object by accounts.selectors)."""
    return programme_manager_region_codes(user)


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
