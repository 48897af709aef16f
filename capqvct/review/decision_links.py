"""The signed link printed on a decision's letter and e-mail for an establishment without an account
(a dossier recorded by an agent from paper, an e-mail or a spreadsheet): whoever holds it reads the
decision and its letter without signing in, and is invited to create an account and claim the
establishment.

The link carries the decision's number and reference, signed with the site's SECRET_KEY and dated
(django.core.signing): a changed character makes it invalid, and it expires LINK_VALIDITY after it
was written, well after the two months of the « voies et délais de recours ».
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from capqvct.accounts.models import Membership
from capqvct.applications.models import Channel
from capqvct.applications.permissions import APPLICANT_ROLES
from capqvct.review.models import Decision
from capqvct.review.states import CONFIRMED_STATES, DECISION

SALT = "capqvct.review.decision-link"
LINK_VALIDITY = timedelta(days=180)


class LinkExpired(Exception):
    """A genuine link, past its validity."""


class LinkInvalid(Exception):
    """Not a link the platform wrote (changed, truncated), or its decision is gone or not confirmed."""


def needs_link(decision: Decision, *, members: list[str] | None = None) -> bool:
    """Recorded off the site, or an establishment that no one can sign in for. `members`: the
    establishment's members' addresses when already read."""
    application = decision.application
    if application.channel != Channel.ONLINE:
        return True
    if members is not None:
        return not members
    organisation_id = application.establishment.organisation_id
    return not (
        organisation_id
        and Membership.objects.filter(organisation_id=organisation_id, role__in=APPLICANT_ROLES).exists()
    )


def link_token(decision: Decision) -> str:
    return signing.dumps({"d": decision.pk, "r": decision.reference}, salt=SALT)


def link_path(decision: Decision) -> str:
    return reverse("review:decision_by_link", args=[link_token(decision)])


def link_url(decision: Decision) -> str:
    return f"{settings.SITE_URL}{link_path(decision)}"


def decision_of_token(token: str) -> Decision:
    """The confirmed decision a link names; LinkExpired or LinkInvalid otherwise."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=LINK_VALIDITY)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    if not isinstance(payload, dict):
        raise LinkInvalid
    decision = (
        Decision.objects.filter(pk=payload.get("d"), reference=payload.get("r", ""))
        .filter(DECISION.condition(*CONFIRMED_STATES))
        .select_related("application__call__programme__region", "application__establishment", "confirmed_by")
        .first()
    )
    if decision is None:
        raise LinkInvalid
    return decision
