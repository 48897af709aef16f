"""Who may fill in, submit and read dossiers."""

from capqvct.accounts.models import Membership, Role
from capqvct.calls.permissions import can_manage_region
from capqvct.core.permissions import ALLOWED, Decision, refuse
from capqvct.establishments.models import Establishment

APPLICANT_ROLES = (Role.DIRECTOR, Role.MEMBER)


def can_apply_for(user, establishment: Establishment) -> Decision:
    if (
        establishment.organisation_id
        and Membership.objects.filter(
            user=user, organisation_id=establishment.organisation_id, role__in=APPLICANT_ROLES
        ).exists()
    ):
        return ALLOWED
    return refuse("Seuls les membres de l’espace de cet établissement peuvent remplir son dossier.")


def can_edit(user, application) -> Decision:
    """The establishment's members; for a dossier received by e-mail, post or import, also the
    region's programme managers, who transcribe it."""
    if application.channel != "online" and can_manage_region(user, application.call.programme.region_id):
        return ALLOWED
    return can_apply_for(user, application.establishment)
