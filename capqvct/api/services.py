"""Use cases on personal API tokens: create, revoke, and authenticate a request's bearer secret."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from capqvct.accounts.models import ApiToken, Organisation, User, hash_secret
from capqvct.core.exceptions import Refusal
from capqvct.core.formatting import NBSP, format_date
from capqvct.core.services import record_event

TOKEN_PREFIX = "cq_"
# What the token list shows to tell tokens apart: "cq_" and the first 8 characters of the random part.
DISPLAYED_PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
# token_urlsafe(32) gives 43 characters; anything much longer is not one of ours.
MAX_SECRET_LENGTH = 100
# Recording every use would cost a write per request: the date is refreshed at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_lifetime(user: User) -> timedelta:
    """The shortest lifetime set by the user's agencies; the platform's default for everyone else."""
    days = (
        Organisation.objects.agencies()
        .filter(memberships__user=user)
        .aggregate(days=Min("api_token_lifetime_days"))["days"]
    )
    return timedelta(days=days or settings.API_TOKEN_DEFAULT_LIFETIME_DAYS)


def create_api_token(*, user: User, name: str, now: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a personal token, expiring after the lifetime of the user's agencies; the secret is
    returned once and only its hash is kept."""
    now = now or timezone.now()
    name = name.strip()
    if not name:
        raise Refusal("Donnez un nom au jeton pour le reconnaître.", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[:DISPLAYED_PREFIX_LENGTH],
            key_hash=hash_secret(secret),
            expires_at=now + token_lifetime(user),
        )
        record_event(
            action="api_token_created",
            actor=user,
            target=token,
            details={"expires_at": token.expires_at.isoformat()},
        )
    return token, secret


def revoke_api_token(*, token: ApiToken, by: User, now: datetime | None = None) -> ApiToken:
    """Revoke a token for good; only its owner may do it."""
    now = now or timezone.now()
    if token.user_id != by.pk:
        raise Refusal("Vous ne pouvez révoquer que vos propres jetons.")
    if token.revoked_at is not None:
        raise Refusal("Ce jeton est déjà révoqué.")
    with transaction.atomic():
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        record_event(action="api_token_revoked", actor=by, target=token)
    return token


def authenticate_api_token(*, secret: str, now: datetime | None = None) -> User | None:
    """The active user owning this token, or None for a secret that is none of ours; notes when the
    token was last used. A token of ours that expired or was revoked is refused with a Refusal saying
    so: whoever sends it holds the secret, and learns what to do."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        return None
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_secret(secret), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.revoked_at is not None:
        raise Refusal(
            f"Ce jeton d’API a été révoqué le {format_date(timezone.localdate(token.revoked_at))}{NBSP}: "
            f"créez-en un nouveau depuis « Mon compte › Mes jetons d’API »."
        )
    if token.has_expired(now):
        raise Refusal(
            f"Ce jeton d’API a expiré le {format_date(timezone.localdate(token.expires_at))}{NBSP}: "
            f"créez-en un nouveau depuis « Mon compte › Mes jetons d’API »."
        )
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # An UPDATE, not save(): concurrent requests do not overwrite each other's fields.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user
