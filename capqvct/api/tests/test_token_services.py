"""The rules of token creation and revocation, below the pages."""

import pytest

from capqvct.api.services import create_api_token, revoke_api_token
from capqvct.core.exceptions import Refusal
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_each_token_has_its_own_secret(nobody):
    first, first_secret = create_api_token(user=nobody, name="Un")
    second, second_secret = create_api_token(user=nobody, name="Deux")

    assert first_secret != second_secret
    assert first.key_hash != second.key_hash
    assert len(first.prefix) <= 12


def test_name_is_required(nobody):
    with pytest.raises(Refusal) as refusal:
        create_api_token(user=nobody, name="   ")

    assert refusal.value.field == "name"


def test_only_the_owner_may_revoke(nobody):
    token, _ = create_api_token(user=UserFactory(), name="Script d’un autre")

    with pytest.raises(Refusal):
        revoke_api_token(token=token, by=nobody)

    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_revoked_token_cannot_be_revoked_again(nobody):
    token, _ = create_api_token(user=nobody, name="Mon script")
    revoke_api_token(token=token, by=nobody)

    with pytest.raises(Refusal):
        revoke_api_token(token=token, by=nobody)
