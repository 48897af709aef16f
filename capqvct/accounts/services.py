"""Use cases that change accounts, organisations and memberships; each writes its audit event."""

import math
from datetime import datetime

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from capqvct.accounts.models import (
    API_TOKEN_MAX_LIFETIME_DAYS,
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    Role,
    User,
    hash_secret,
)
from capqvct.accounts.permissions import (
    can_edit_letterhead,
    can_give_role,
    can_leave,
    can_manage_organisation,
)
from capqvct.accounts.selectors import is_unconfirmed
from capqvct.core import files
from capqvct.core.emails import send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.formatting import NBSP, format_number
from capqvct.core.services import record_event

LOGO_MAX_SIZE_MB = 1
# The logo is stored as a PNG drawn again from the sent pixels, at most this many pixels on its longer
# side: about 2 cm high on the letter, this is well over 300 dpi.
LOGO_MAX_SIDE = 1200
# The letter's header leaves room for this many lines of address, and the letter stays on one page.
ADDRESS_MAX_LINES = 6


def invite_colleague(
    *, organisation: Organisation, email: str, role: str, by: User, now: datetime | None = None
) -> Invitation:
    """Invite someone by e-mail to join an organisation with a role; the link expires."""
    email = email.strip().lower()
    if not (allowed := can_manage_organisation(by, organisation)):
        raise Refusal(allowed.reason)
    if not (allowed := can_give_role(organisation, role)):
        raise Refusal(allowed.reason, field="role")
    if Membership.objects.filter(organisation=organisation, user__email=email).exists():
        raise Refusal("Cette personne fait déjà partie de l’organisation.", field="email")
    with transaction.atomic():
        invitation, link = create_invitation(
            organisation=organisation, email=email, role=role, by=by, now=now
        )
        send_invitation_email(invitation, link=link, template="accounts/emails/invitation.txt")
    return invitation


def create_invitation(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    by: User | None,
    now: datetime | None = None,
    next_path: str = "",
    next_label: str = "",
) -> tuple[Invitation, str]:
    """Store an invitation (replacing any pending one to the same address) with its audit event and
    return it with the link to send; the caller has checked who may invite, and sends the e-mail."""
    now = now or timezone.now()
    email = email.strip().lower()
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
            next_path=next_path,
            next_label=next_label,
        )
        record_event(
            action="invitation_sent",
            actor=by,
            target=organisation,
            details={"email": email, "role": role},
        )
    return invitation, reverse("accounts:accept_invitation", args=[token])


def send_invitation_email(
    invitation: Invitation, *, link: str, template: str, subject: str = "", context: dict | None = None
) -> None:
    """The e-mail carrying an invitation's link; each kind of invitation words it its own way."""
    send_templated_email(
        to=[invitation.email],
        subject=subject or f"Invitation à rejoindre {invitation.organisation.name} sur Cap QVCT",
        template=template,
        purpose="accounts.invitation",
        by=invitation.invited_by,
        about=invitation,
        context={
            "invitation": invitation,
            "inviter": invitation.invited_by,
            "role_label": Role(invitation.role).label,
            "link": link,
            **(context or {}),
        },
    )


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
            existing = User.objects.filter(email=invitation.email).first()
            if existing is not None and not is_unconfirmed(existing):
                raise Refusal("Un compte existe déjà pour cette adresse : connectez-vous pour accepter.")
            # An account signed up but never confirmed: the invitation's link proves the address too.
            user = existing or User(email=invitation.email)
            user.first_name, user.last_name, user.is_active = first_name.strip(), last_name.strip(), True
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


def password_reset_completed(*, user: User, now: datetime | None = None) -> int:
    """After a password reset: every API token of the user is revoked, the sign-in lock on their
    address is lifted, and the reset is logged; returns how many tokens were revoked."""
    now = now or timezone.now()
    with transaction.atomic():
        revoked = ApiToken.objects.unrevoked().filter(user=user).update(revoked_at=now)
        record_event(
            action="password_reset", actor=user, target=user, details={"api_tokens_revoked": revoked}
        )
    axes_reset(username=user.email)
    return revoked


def set_api_token_lifetime(*, organisation: Organisation, days: int, by: User) -> Organisation:
    """An agency's managers set how long its members' API tokens last (tokens made from now on)."""
    if not (allowed := can_edit_letterhead(by, organisation)):
        raise Refusal(allowed.reason)
    if not 1 <= days <= API_TOKEN_MAX_LIFETIME_DAYS:
        raise Refusal(
            f"Choisissez une durée entre 1 et {API_TOKEN_MAX_LIFETIME_DAYS}{NBSP}jours.",
            field="api_token_lifetime_days",
        )
    with transaction.atomic():
        previous = organisation.api_token_lifetime_days
        organisation.api_token_lifetime_days = days
        organisation.save(update_fields=["api_token_lifetime_days"])
        record_event(
            action="api_token_lifetime_changed",
            actor=by,
            target=organisation,
            details={"from": previous, "to": days},
        )
    return organisation


def update_letterhead(
    *,
    organisation: Organisation,
    by: User,
    postal_address: str,
    signatory_name: str,
    signatory_title: str,
    city: str = "",
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
) -> Organisation:
    """An agency's managers set the logo, postal address, city and signatory of its decision letters."""
    if not (allowed := can_edit_letterhead(by, organisation)):
        raise Refusal(allowed.reason)
    lines = [line.strip() for line in postal_address.strip().splitlines()]
    if len(lines) > ADDRESS_MAX_LINES:
        raise Refusal(
            f"L’adresse tient en {ADDRESS_MAX_LINES}{NBSP}lignes au plus sur la lettre{NBSP}: "
            "regroupez-en certaines.",
            field="postal_address",
        )
    logo_png = logo_as_png(logo) if logo is not None else None
    previous_logo = organisation.logo.name
    values = {
        "postal_address": "\n".join(lines),
        "city": city.strip(),
        "signatory_name": signatory_name.strip(),
        "signatory_title": signatory_title.strip(),
    }
    changed = [name for name, value in values.items() if getattr(organisation, name) != value]
    with transaction.atomic():
        for name, value in values.items():
            setattr(organisation, name, value)
        if logo_png is not None:
            organisation.logo.save("logo", ContentFile(logo_png), save=False)
            changed.append("logo")
        elif remove_logo and previous_logo:
            organisation.logo = ""
            changed.append("logo")
        organisation.save(update_fields=[*values, "logo"])
        record_event(action="letterhead_updated", actor=by, target=organisation, details={"changed": changed})
        if previous_logo and organisation.logo.name != previous_logo:
            # The replaced file goes once the change is committed, never before.
            storage, name = organisation.logo.storage, previous_logo
            transaction.on_commit(lambda: storage.delete(name))
    return organisation


def logo_as_png(upload: UploadedFile) -> bytes:
    """The logo drawn again as a PNG from a PNG or JPEG; a Refusal at the field otherwise.

    SVG is refused: it is a document that may point at other addresses or files (`xml:base`, CSS,
    `<image>`), and its safety would rest on a filter of ours; a PNG is pixels only."""
    if not upload.size:
        raise Refusal(f"Ce fichier est vide{NBSP}: choisissez-en un autre.", field="logo")
    if upload.size > LOGO_MAX_SIZE_MB * 1024 * 1024:
        # Rounded up: « 1,1 Mo », never « 1,0 Mo » for a file just over the limit.
        size = format_number(math.ceil(upload.size * 10 / 1024 / 1024) / 10, decimals=1)
        raise Refusal(
            f"Ce fichier pèse {size}{NBSP}Mo{NBSP}: le logo ne doit pas dépasser {LOGO_MAX_SIZE_MB}{NBSP}Mo.",
            field="logo",
        )
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    content_type = files.image_type(content)
    if content_type == files.SVG:
        raise Refusal(
            f"Les logos SVG ne sont pas acceptés{NBSP}: enregistrez le logo en PNG ou en JPEG.", field="logo"
        )
    png = files.as_png(content, max_side=LOGO_MAX_SIDE) if content_type in (files.PNG, files.JPEG) else None
    if png is None:
        raise Refusal(
            f"Ce fichier n’est pas une image PNG ou JPEG lisible{NBSP}: "
            "choisissez le logo dans l’un de ces formats.",
            field="logo",
        )
    return png
