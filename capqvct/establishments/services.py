"""Use cases of the establishments directory: claims on an establishment's space, and invitations of
its direction by the region's programme managers.

The FINESS import lives in finess.py.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from capqvct.accounts.models import (
    SECOND_FACTOR_ROLES,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from capqvct.accounts.selectors import platform_admins, programme_managers_of_region
from capqvct.accounts.services import add_member, create_invitation, send_invitation_email
from capqvct.core.emails import send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.services import record_event
from capqvct.establishments.models import Claim, ClaimStatus, Establishment
from capqvct.establishments.permissions import CLAIM_TRANSITIONS, can_claim, can_invite_director


def request_claim(
    *,
    establishment: Establishment,
    user: User,
    function: str,
    message: str = "",
    return_path: str = "",
) -> Claim:
    """Ask to join an establishment's space. The region's programme managers are told and decide; a
    direction already in the space is told too, and may confirm the claimant as a colleague."""
    if not (allowed := can_claim(user, establishment)):
        raise Refusal(allowed.reason)
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                establishment=establishment,
                user=user,
                function=function.strip(),
                message=message.strip(),
                return_path=return_path,
            )
            record_event(action="claim_requested", actor=user, target=establishment)
            _tell_about_new_claim(claim)
    except IntegrityError:
        # The same person sent the form twice at once: the first claim stands.
        raise Refusal("Votre demande pour cet établissement est déjà en attente.") from None
    return claim


def directors_of(establishment: Establishment) -> list[User]:
    if establishment.organisation_id is None:
        return []
    return list(
        User.objects.filter(
            memberships__organisation_id=establishment.organisation_id, memberships__role=Role.DIRECTOR
        ).order_by("last_name", "email")
    )


def _tell_about_new_claim(claim: Claim) -> None:
    """One e-mail per claim to each programme manager of the region (a claimant waits for the answer
    to apply before a deadline: a daily digest would cost them a day), and to the direction."""
    establishment = claim.establishment
    directors = [director for director in directors_of(establishment) if director.pk != claim.user_id]
    deciders = list(programme_managers_of_region(establishment.departement.region_id)) or list(
        platform_admins()
    )
    for decider in deciders:
        send_templated_email(
            to=[decider.email],
            subject=f"Demande de rattachement à {establishment.name}",
            template="establishments/emails/claim_requested_agents.txt",
            purpose="establishments.claim_requested",
            by=claim.user,
            about=claim,
            context={"claim": claim, "directors": directors, "link": reverse("establishments:claims")},
        )
    for director in directors:
        send_templated_email(
            to=[director.email],
            subject=f"{claim.user} demande à rejoindre l’espace de {establishment.name}",
            template="establishments/emails/claim_requested_director.txt",
            purpose="establishments.claim_requested",
            by=claim.user,
            about=claim,
            context={"claim": claim, "director": director, "link": reverse("accounts:dashboard")},
        )


def approve_claim(*, claim: Claim, by: User, now: datetime | None = None) -> Membership:
    """A programme manager gives the claimant the direction role in the establishment's space; a
    direction already there keeps its role and is told."""
    with transaction.atomic():
        _decide(claim, to=ClaimStatus.APPROVED, by=by, now=now)
        others = directors_of(claim.establishment)
        membership = add_member(
            organisation=space_of(claim.establishment), user=claim.user, role=Role.DIRECTOR, by=by
        )
        record_event(action="claim_approved", actor=by, target=claim.establishment)
        send_templated_email(
            to=[claim.user.email],
            subject=f"Votre rattachement à {claim.establishment.name} est accepté",
            template="establishments/emails/claim_approved.txt",
            purpose="establishments.claim_approved",
            by=by,
            about=claim,
            context={"claim": claim},
        )
        for director in others:
            send_templated_email(
                to=[director.email],
                subject=f"{claim.user} rejoint la direction de l’espace de {claim.establishment.name}",
                template="establishments/emails/director_added.txt",
                purpose="establishments.director_added",
                by=by,
                about=claim,
                context={"claim": claim, "director": director},
            )
    return membership


def reject_claim(*, claim: Claim, by: User, reason: str, now: datetime | None = None) -> Claim:
    """A programme manager refuses a claim with a reason the claimant reads."""
    _check(claim, to=ClaimStatus.REJECTED, by=by)
    if not reason.strip():
        raise Refusal("Indiquez le motif du refus\u00a0: il sera transmis au demandeur.", field="reason")
    with transaction.atomic():
        _decide(claim, to=ClaimStatus.REJECTED, by=by, now=now, reason=reason.strip())
        record_event(
            action="claim_rejected", actor=by, target=claim.establishment, details={"reason": reason}
        )
        send_templated_email(
            to=[claim.user.email],
            subject=f"Votre demande de rattachement à {claim.establishment.name}",
            template="establishments/emails/claim_rejected.txt",
            purpose="establishments.claim_rejected",
            by=by,
            about=claim,
            context={"claim": claim},
        )
    return claim


def confirm_claim(*, claim: Claim, by: User, now: datetime | None = None) -> Membership:
    """« Oui, c’est une collègue »: the direction lets the claimant in as a member; it may then give
    them the direction role from its members' page. Nothing is handed over by a click."""
    with transaction.atomic():
        _decide(claim, to=ClaimStatus.CONFIRMED, by=by, now=now)
        space = space_of(claim.establishment)
        # Someone who joined meanwhile (invited by the agency, say) keeps the role they have.
        membership = Membership.objects.filter(organisation=space, user=claim.user).first() or add_member(
            organisation=space, user=claim.user, role=Role.MEMBER, by=by
        )
        record_event(action="claim_confirmed", actor=by, target=claim.establishment)
        send_templated_email(
            to=[claim.user.email],
            subject=f"Vous rejoignez l’espace de {claim.establishment.name}",
            template="establishments/emails/claim_confirmed.txt",
            purpose="establishments.claim_confirmed",
            by=by,
            about=claim,
            context={"claim": claim},
        )
    return membership


def decline_claim(*, claim: Claim, by: User, reason: str = "", now: datetime | None = None) -> Claim:
    """The direction does not recognise the claimant; the claimant is told, with the reason if any."""
    with transaction.atomic():
        _decide(claim, to=ClaimStatus.DECLINED, by=by, now=now, reason=reason.strip())
        record_event(
            action="claim_declined", actor=by, target=claim.establishment, details={"reason": reason.strip()}
        )
        send_templated_email(
            to=[claim.user.email],
            subject=f"Votre demande de rattachement à {claim.establishment.name}",
            template="establishments/emails/claim_declined.txt",
            purpose="establishments.claim_declined",
            by=by,
            about=claim,
            context={"claim": claim},
        )
    return claim


def _decide(claim: Claim, *, to: str, by: User, now: datetime | None, reason: str = "") -> None:
    """Move a pending claim to `to` if `by` may: one conditional update, so that of two people
    deciding at once (two managers, or a manager and the direction) only the first wins."""
    _check(claim, to=to, by=by)
    now = now or timezone.now()
    moved = Claim.objects.filter(pk=claim.pk, status=claim.status).update(
        status=to, decided_by=by, decided_at=now, decision_reason=reason
    )
    if not moved:
        raise Refusal("Cette demande vient d’être traitée par quelqu’un d’autre.")
    claim.status, claim.decided_by, claim.decided_at, claim.decision_reason = to, by, now, reason


def _check(claim: Claim, *, to: str, by: User) -> None:
    guard = CLAIM_TRANSITIONS.get((claim.status, to))
    if guard is None:
        raise Refusal("Cette demande a déjà été traitée.")
    if not (allowed := guard(by, claim)):
        raise Refusal(allowed.reason)


def space_of(establishment: Establishment) -> Organisation:
    """The establishment's space on the platform, opened the first time someone joins or is invited."""
    if establishment.organisation_id is None:
        # Locked so that two first members at once do not open two spaces.
        locked = Establishment.objects.select_for_update().get(pk=establishment.pk)
        if locked.organisation_id is None:
            locked.organisation = Organisation.objects.create(
                kind=OrganisationKind.ESTABLISHMENT,
                name=establishment.name,
                region_id=establishment.departement.region_id,
            )
            locked.save(update_fields=["organisation"])
        establishment.organisation = locked.organisation
    return establishment.organisation


def invite_director(
    *,
    establishment: Establishment,
    email: str,
    by: User,
    purpose: str = "",
    next_path: str = "",
    next_label: str = "",
    now: datetime | None = None,
) -> Invitation:
    """A programme manager of the region invites someone to direct the establishment's space (opened
    if needed). `purpose` completes the e-mail (« pour répondre à l’appel … »); `next_path` is where
    the person lands once they have accepted."""
    if not (allowed := can_invite_director(by, establishment)):
        raise Refusal(allowed.reason)
    email = email.strip().lower()
    if establishment.organisation_id and (
        membership := Membership.objects.filter(
            organisation_id=establishment.organisation_id, user__email=email
        ).first()
    ):
        if membership.role == Role.DIRECTOR:
            raise Refusal("Cette personne dirige déjà l’espace de cet établissement.", field="email")
        raise Refusal(
            "Cette personne est déjà membre de l’espace de cet établissement\u00a0: sa direction peut lui "
            "confier le rôle de direction depuis «\u00a0Gérer les membres\u00a0».",
            field="email",
        )
    if Membership.objects.filter(user__email=email, role__in=SECOND_FACTOR_ROLES).exists():
        raise Refusal(
            "Cette adresse est celle d’un agent, d’un intervenant ou d’un observateur\u00a0: invitez la "
            "direction de l’établissement à sa propre adresse.",
            field="email",
        )
    with transaction.atomic():
        space = space_of(establishment)
        invitation, link = create_invitation(
            organisation=space,
            email=email,
            role=Role.DIRECTOR,
            by=by,
            now=now,
            next_path=next_path,
            next_label=next_label,
        )
        send_invitation_email(
            invitation,
            link=link,
            template="establishments/emails/director_invitation.txt",
            subject=f"Invitation à rejoindre l’espace de {establishment.name} sur Cap QVCT",
            context={"establishment": establishment, "purpose": purpose},
        )
    return invitation
