"""Who may decide on an establishment's claim."""

from capqvct.accounts.selectors import agent_region_codes, is_platform_admin
from capqvct.core.permissions import ALLOWED, Decision, refuse
from capqvct.establishments.models import Claim, ClaimStatus, Establishment


def can_decide_claim(user, claim: Claim) -> Decision:
    if claim.status != ClaimStatus.PENDING:
        return refuse("Cette demande a déjà été traitée.")
    if is_platform_admin(user) or claim.establishment.departement.region_id in agent_region_codes(user):
        return ALLOWED
    return refuse("Seuls les agents de la région de l’établissement peuvent traiter cette demande.")


def can_claim(user, establishment: Establishment) -> Decision:
    if establishment.organisation_id and establishment.organisation.memberships.filter(user=user).exists():
        return refuse("Vous faites déjà partie de l’espace de cet établissement.")
    if Claim.objects.filter(establishment=establishment, user=user, status=ClaimStatus.PENDING).exists():
        return refuse("Votre demande pour cet établissement est déjà en attente.")
    return ALLOWED
