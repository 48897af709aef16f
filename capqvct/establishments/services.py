"""Use cases of the establishments directory: claims on an establishment's space.

The FINESS import lives in finess.py.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from capqvct.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from capqvct.accounts.services import add_member
from capqvct.core.emails import send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.services import record_event
from capqvct.establishments.models import Claim, ClaimStatus, Establishment
from capqvct.establishments.permissions import can_claim, can_decide_claim


def request_claim(*, establishment: Establishment, user: User, function: str, message: str = "") -> Claim:
    """A director asks to manage their establishment's space; an agent of the region decides."""
    if not (allowed := can_claim(user, establishment)):
        raise Refusal(allowed.reason)
    with transaction.atomic():
        claim = Claim.objects.create(
            establishment=establishment, user=user, function=function.strip(), message=message.strip()
        )
        record_event(action="claim_requested", actor=user, target=establishment)
    return claim


def _space_of(establishment: Establishment) -> Organisation:
    if establishment.organisation_id is None:
        establishment.organisation = Organisation.objects.create(
            kind=OrganisationKind.ESTABLISHMENT,
            name=establishment.name,
            region_id=establishment.departement.region_id,
        )
        establishment.save(update_fields=["organisation"])
    return establishment.organisation


def approve_claim(*, claim: Claim, by: User, now: datetime | None = None) -> Membership:
    """Give the claimant the direction role in the establishment's space and tell them by e-mail."""
    if not (allowed := can_decide_claim(by, claim)):
        raise Refusal(allowed.reason)
    with transaction.atomic():
        membership = add_member(
            organisation=_space_of(claim.establishment), user=claim.user, role=Role.DIRECTOR, by=by
        )
        _close(claim, status=ClaimStatus.APPROVED, by=by, now=now)
        record_event(action="claim_approved", actor=by, target=claim.establishment)
        send_templated_email(
            to=[claim.user.email],
            subject=f"Votre rattachement à {claim.establishment.name} est accepté",
            template="establishments/emails/claim_approved.txt",
            context={"claim": claim},
        )
    return membership


def reject_claim(*, claim: Claim, by: User, reason: str, now: datetime | None = None) -> Claim:
    """Refuse a claim with a reason the claimant reads."""
    if not (allowed := can_decide_claim(by, claim)):
        raise Refusal(allowed.reason)
    if not reason.strip():
        raise Refusal("Indiquez le motif du refus : il sera transmis au demandeur.", field="reason")
    with transaction.atomic():
        _close(claim, status=ClaimStatus.REJECTED, by=by, now=now, reason=reason.strip())
        record_event(
            action="claim_rejected", actor=by, target=claim.establishment, details={"reason": reason}
        )
        send_templated_email(
            to=[claim.user.email],
            subject=f"Votre demande de rattachement à {claim.establishment.name}",
            template="establishments/emails/claim_rejected.txt",
            context={"claim": claim},
        )
    return claim


def _close(claim: Claim, *, status: str, by: User, now: datetime | None, reason: str = "") -> None:
    claim.status = status
    claim.decided_by = by
    claim.decided_at = now or timezone.now()
    claim.decision_reason = reason
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
