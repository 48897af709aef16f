"""The personal signing link of a trinôme member: no account needed, whoever holds it reads the letter
and signs for that member.

The link carries the invitation's number, its nonce, the fingerprint of the letter it was sent with
and its end of validity, signed with the site's SECRET_KEY under SALT (django.core.signing): a changed
character makes it invalid. Each e-mail (the first, a reminder, a new send) draws a new nonce, and a
signature draws one too, so only the latest link works, and only until it is used. A link whose
letter was frozen again since (its fingerprint differs) is refused, as is a link opened while signed
in with another account than the member's (permissions.can_sign_as).

`invitation_of_token` reads and checks a link and raises a LinkRefused with the French page's message
and status; it writes nothing.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from capqvct.cohorts.engagement_letters import fingerprint_of
from capqvct.cohorts.models import EngagementInvitation
from capqvct.cohorts.permissions import can_sign_as
from capqvct.core.exceptions import Refusal
from capqvct.core.formatting import format_datetime

SALT = "capqvct.cohorts.engagement-link"
LINK_VALIDITY = timedelta(days=30)

INVALID = "Ce lien de signature n’est pas valide. Vérifiez qu’il a été copié en entier depuis l’e-mail reçu."
EXPIRED = (
    "Ce lien de signature a expiré (il était valable {days} jours). Un nouveau lien vous sera envoyé "
    "avec la prochaine relance, ou demandez-le au responsable du programme."
)
ALREADY_SIGNED = (
    "Ce lien a déjà servi\u00a0: la lettre a été signée le {date}. Il n’y a rien d’autre à faire."
)
REPLACED = (
    "Vous ne faites plus partie du trinôme de cet établissement\u00a0: ce lien ne permet plus de signer."
)
CHANGED = (
    "La lettre a changé depuis l’envoi de ce lien\u00a0: son empreinte ne correspond plus. "
    "Utilisez le lien du dernier e-mail reçu, qui porte sur la lettre actuelle."
)
SUPERSEDED = "Un lien plus récent vous a été envoyé\u00a0: utilisez celui du dernier e-mail reçu."


class LinkRefused(Refusal):
    """A link that cannot be used, with the status of the page that says why."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.status = status


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def link_token(invitation: EngagementInvitation, *, now: datetime) -> str:
    payload = {
        "i": invitation.pk,
        "n": invitation.nonce,
        "f": invitation.letter.fingerprint,
        "e": int((now + LINK_VALIDITY).timestamp()),
    }
    return signing.dumps(payload, salt=SALT)


def link_url(invitation: EngagementInvitation, *, now: datetime) -> str:
    return f"{settings.SITE_URL}{reverse('cohorts:engagement_sign', args=[link_token(invitation, now=now)])}"


def invitation_of_token(token: str, *, user, now: datetime) -> EngagementInvitation:
    """The invitation a link names, if it may still sign; LinkRefused (with why) otherwise."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise LinkRefused(INVALID, status=404) from None
    if not isinstance(payload, dict) or not {"i", "n", "f", "e"} <= payload.keys():
        raise LinkRefused(INVALID, status=404)
    invitation = (
        EngagementInvitation.objects.filter(pk=payload["i"])
        .select_related(
            "member__user",
            "letter__participant__call__programme__region",
            "letter__participant__cohort__pair__first",
            "letter__participant__cohort__pair__second",
            "letter__participant__establishment",
        )
        .first()
    )
    if invitation is None:
        raise LinkRefused(INVALID, status=404)
    if now.timestamp() > payload["e"]:
        raise LinkRefused(EXPIRED.format(days=LINK_VALIDITY.days), status=410)
    letter, member = invitation.letter, invitation.member
    signed = letter.signatures.filter(member=member).first()
    if signed is not None:
        when = format_datetime(signed.signed_at, letter.participant.call.time_zone)
        raise LinkRefused(ALREADY_SIGNED.format(date=when), status=410)
    if not member.active:
        raise LinkRefused(REPLACED, status=410)
    decision = can_sign_as(user, member)
    if not decision:
        raise LinkRefused(decision.reason, status=403)
    if payload["f"] != letter.fingerprint or fingerprint_of(bytes(letter.pdf)) != letter.fingerprint:
        raise LinkRefused(CHANGED, status=409)
    if not constant_time_compare(str(payload["n"]), invitation.nonce):
        raise LinkRefused(SUPERSEDED, status=410)
    return invitation
