"""Who may decide on an establishment's claim, answer it as its direction, or invite its direction.

A claim's transitions, as data: from « pending », a programme manager of the establishment's region
(or a platform administrator) accepts or refuses it; when the establishment's space already has a
direction, that direction may instead confirm the claimant as a colleague or decline.
"""

from capqvct.accounts.models import Membership, Role
from capqvct.accounts.selectors import can_browse_directory, is_platform_admin, programme_manager_region_codes
from capqvct.core.permissions import ALLOWED, Decision, refuse, require
from capqvct.establishments.models import Claim, ClaimStatus, Establishment
from capqvct.establishments.selectors import decides_claims


def may_browse_directory(user) -> Decision:
    if can_browse_directory(user):
        return ALLOWED
    return refuse("L’annuaire est réservé aux agents des agences et aux observateurs nationaux.")


def require_directory(user) -> None:
    """The directory's pages answer 403 to applicants and consultants."""
    require(may_browse_directory(user))


def may_decide_claims(user) -> Decision:
    if decides_claims(user):
        return ALLOWED
    return refuse("Les demandes de rattachement sont traitées par les responsables de programme des agences.")


def require_claim_decider(user) -> None:
    """The claims' page answers 403 to whoever decides no claim."""
    require(may_decide_claims(user))


def can_decide_claim(user, claim: Claim) -> Decision:
    """Programme managers of the establishment's region decide; reviewers do not."""
    if claim.status != ClaimStatus.PENDING:
        return refuse("Cette demande a déjà été traitée.")
    if is_platform_admin(user) or claim.establishment.departement.region_id in programme_manager_region_codes(
        user
    ):
        return ALLOWED
    return refuse(
        "Seuls les responsables de programme de la région de l’établissement peuvent traiter cette demande."
    )


def can_answer_as_director(user, claim: Claim) -> Decision:
    """The establishment's current direction vouches (or not) for a colleague who asks to join."""
    if claim.status != ClaimStatus.PENDING:
        return refuse("Cette demande a déjà été traitée.")
    if claim.user_id == user.pk:
        return refuse("Vous ne pouvez pas répondre à votre propre demande.")
    if is_director_of(user, claim.establishment):
        return ALLOWED
    return refuse("Seule la direction de l’établissement peut répondre à cette demande.")


CLAIM_TRANSITIONS = {
    (ClaimStatus.PENDING, ClaimStatus.APPROVED): can_decide_claim,
    (ClaimStatus.PENDING, ClaimStatus.REJECTED): can_decide_claim,
    (ClaimStatus.PENDING, ClaimStatus.CONFIRMED): can_answer_as_director,
    (ClaimStatus.PENDING, ClaimStatus.DECLINED): can_answer_as_director,
}


def is_director_of(user, establishment: Establishment) -> bool:
    return bool(
        establishment.organisation_id
        and Membership.objects.filter(
            user=user, organisation_id=establishment.organisation_id, role=Role.DIRECTOR
        ).exists()
    )


def can_claim(user, establishment: Establishment) -> Decision:
    if establishment.organisation_id and establishment.organisation.memberships.filter(user=user).exists():
        return refuse("Vous faites déjà partie de l’espace de cet établissement.")
    if Claim.objects.filter(establishment=establishment, user=user, status=ClaimStatus.PENDING).exists():
        return refuse("Votre demande pour cet établissement est déjà en attente.")
    return ALLOWED


def can_invite_director(user, establishment: Establishment) -> Decision:
    """The programme managers of the establishment's region invite its direction to the platform."""
    if is_platform_admin(user) or establishment.departement.region_id in programme_manager_region_codes(user):
        return ALLOWED
    return refuse(
        "Seuls les responsables de programme de la région de l’établissement peuvent inviter sa direction."
    )
