"""Use cases on personal API tokens: create, revoke, and authenticate a request's bearer secret."""

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from capqvct.accounts.models import ApiToken, User, hash_secret
from capqvct.core.exceptions import Refusal
from capqvct.core.services import record_event

TOKEN_PREFIX = "cq_"
# What the token list shows to tell tokens apart: "cq_" and the first 8 characters of the random part.
DISPLAYED_PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
# token_urlsafe(32) gives 43 characters; anything much longer is not one of ours.
MAX_SECRET_LENGTH = 100
# Recording every use would cost a write per request: the date is refreshed at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def create_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal token; the secret is returned once and only its hash is kept."""
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
        )
        record_event(action="api_token_created", actor=user, target=token)
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
    """The active user owning this active token, or None; notes when the token was last used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_hash=hash_secret(secret), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # An UPDATE, not save(): concurrent requests do not overwrite each other's fields.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user
