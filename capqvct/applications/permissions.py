"""Who may fill in, submit and read dossiers."""

from capqvct.accounts.models import Membership, Role
from capqvct.calls.permissions import can_manage_region
from capqvct.core.permissions import ALLOWED, Decision, refuse
from capqvct.establishments.models import Establishment

APPLICANT_ROLES = (Role.DIRECTOR, Role.MEMBER)


def applicant_space_ids(user) -> set[int]:
    """The establishment spaces where the user fills in dossiers; cached on the user object, as a list
    page asks it of every dossier it shows."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_capqvct_applicant_spaces"):
        user._capqvct_applicant_spaces = set(
            Membership.objects.filter(user=user, role__in=APPLICANT_ROLES).values_list(
                "organisation_id", flat=True
            )
        )
    return user._capqvct_applicant_spaces


def can_apply_for(user, establishment: Establishment) -> Decision:
    if establishment.organisation_id and establishment.organisation_id in applicant_space_ids(user):
        return ALLOWED
    return refuse("Seuls les membres de l’espace de cet établissement peuvent remplir son dossier.")


def can_edit(user, application) -> Decision:
    """The establishment's members; for a dossier received by e-mail, post or import, also the
    region's programme managers, who transcribe it."""
    if application.channel != "online" and can_manage_region(user, application.call.programme.region_id):
        return ALLOWED
    return can_apply_for(user, application.establishment)
