"""Use cases that change accounts, organisations and memberships; each writes its audit event."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from capqvct.accounts.models import Invitation, Membership, Organisation, Role, User, hash_secret
from capqvct.accounts.permissions import can_give_role, can_leave, can_manage_organisation
from capqvct.core.emails import send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.services import record_event


def invite_colleague(
    *, organisation: Organisation, email: str, role: str, by: User, now: datetime | None = None
) -> Invitation:
    """Invite someone by e-mail to join an organisation with a role; the link expires."""
    now = now or timezone.now()
    email = email.strip().lower()
    if not (allowed := can_manage_organisation(by, organisation)):
        raise Refusal(allowed.reason)
    if not (allowed := can_give_role(organisation, role)):
        raise Refusal(allowed.reason, field="role")
    if Membership.objects.filter(organisation=organisation, user__email=email).exists():
        raise Refusal("Cette personne fait déjà partie de l’organisation.", field="email")
    token = Invitation.new_token()
    with transaction.atomic():
        # A new invitation replaces any pending one to the same address.
        Invitation.objects.pending(now=now).filter(organisation=organisation, email=email).update(
            revoked_at=now
        )
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=hash_secret(token),
            invited_by=by,
            expires_at=now + settings.INVITATION_VALIDITY,
        )
        record_event(
            action="invitation_sent",
            actor=by,
            target=organisation,
            details={"email": email, "role": role},
        )
        send_templated_email(
            to=[email],
            subject=f"Invitation à rejoindre {organisation.name} sur Cap QVCT",
            template="accounts/emails/invitation.txt",
            context={
                "invitation": invitation,
                "inviter": by,
                "role_label": Role(role).label,
                "link": reverse("accounts:accept_invitation", args=[token]),
            },
        )
    return invitation


def find_pending_invitation(token: str, *, now: datetime | None = None) -> Invitation | None:
    return (
        Invitation.objects.pending(now=now)
        .select_related("organisation")
        .filter(token_hash=hash_secret(token))
        .first()
    )


def accept_invitation(
    *,
    token: str,
    user: User | None = None,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
    now: datetime | None = None,
) -> Membership:
    """Join the organisation: an existing user signed in with the invited address, or a new account."""
    now = now or timezone.now()
    invitation = find_pending_invitation(token, now=now)
    if invitation is None:
        raise Refusal(
            "Cette invitation n’est plus valable : demandez à votre contact de vous en renvoyer une."
        )
    with transaction.atomic():
        if user is None:
            if User.objects.filter(email=invitation.email).exists():
                raise Refusal("Un compte existe déjà pour cette adresse : connectez-vous pour accepter.")
            user = User(email=invitation.email, first_name=first_name.strip(), last_name=last_name.strip())
            validate_password(password, user)
            user.set_password(password)
            user.save()
        elif user.email != invitation.email:
            raise Refusal(f"Cette invitation est adressée à {invitation.email}, pas à votre compte.")
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    user=user, organisation=invitation.organisation, role=invitation.role
                )
        except IntegrityError:
            raise Refusal("Vous faites déjà partie de cette organisation.") from None
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        record_event(
            action="invitation_accepted",
            actor=user,
            target=invitation.organisation,
            details={"role": invitation.role},
        )
    return membership


def change_role(*, membership: Membership, role: str, by: User) -> Membership:
    """Give a member another role within the same organisation."""
    organisation = membership.organisation
    if not (allowed := can_manage_organisation(by, organisation)):
        raise Refusal(allowed.reason)
    if not (allowed := can_give_role(organisation, role)):
        raise Refusal(allowed.reason, field="role")
    if role == membership.role:
        return membership
    if not (allowed := can_leave(membership)):
        raise Refusal(allowed.reason, field="role")
    with transaction.atomic():
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        record_event(
            action="role_changed",
            actor=by,
            target=membership.user,
            details={"organisation": organisation.name, "from": previous, "to": role},
        )
    return membership


def remove_membership(*, membership: Membership, by: User) -> None:
    """A member leaves, or a manager removes them; the last manager stays."""
    if membership.user_id != by.pk and not (allowed := can_manage_organisation(by, membership.organisation)):
        raise Refusal(allowed.reason)
    if not (allowed := can_leave(membership)):
        raise Refusal(allowed.reason)
    with transaction.atomic():
        record_event(
            action="membership_left" if membership.user_id == by.pk else "membership_removed",
            actor=by,
            target=membership.user,
            details={"organisation": membership.organisation.name, "role": membership.role},
        )
        membership.delete()


def add_member(*, organisation: Organisation, user: User, role: str, by: User | None = None) -> Membership:
    """Attach a user directly (administration, approved claim, demonstration data)."""
    if not (allowed := can_give_role(organisation, role)):
        raise Refusal(allowed.reason, field="role")
    with transaction.atomic():
        membership, _ = Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": role}
        )
        record_event(
            action="role_changed",
            actor=by,
            target=user,
            details={"organisation": organisation.name, "to": role},
        )
    return membership
