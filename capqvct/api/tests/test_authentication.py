"""Who may call the API: personal tokens, the signed-in session, nobody else."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from ninja.errors import HttpError

from capqvct.accounts.models import ApiToken
from capqvct.api.auth import VerifiedSessionAuth
from capqvct.api.services import TOKEN_PREFIX, authenticate_api_token, create_api_token
from capqvct.api.tests.conftest import bearer, token_of
from tests.factories import UserFactory, login_verified

pytestmark = pytest.mark.django_db

URL = "/api/v1/etablissements"


def test_anonymous_request_is_refused_with_a_french_json_message(client):
    response = client.get(URL)

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"].startswith("Authentification requise")


@pytest.mark.parametrize("secret", ["cq_inconnu", "inconnu", "cq_" + "x" * 200, ""])
def test_unknown_token_is_refused(client, secret):
    UserFactory()

    response = client.get(URL, headers=bearer(secret))

    assert response.status_code == 401


def test_revoked_token_is_refused(client, nobody):
    token, secret = create_api_token(user=nobody, name="Ancien script")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    response = client.get(URL, headers=bearer(secret))

    assert response.status_code == 401


def test_token_of_a_deactivated_account_is_refused(client, nobody):
    secret = token_of(nobody)
    nobody.is_active = False
    nobody.save()

    assert client.get(URL, headers=bearer(secret)).status_code == 401


def test_valid_token_is_accepted_and_its_use_recorded(client, nobody):
    token, secret = create_api_token(user=nobody, name="Tableau de bord")

    response = client.get(URL, headers=bearer(secret))

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_the_hash_of_the_secret_is_stored(nobody):
    token, secret = create_api_token(user=nobody, name="Tableau de bord")

    assert secret.startswith(TOKEN_PREFIX)
    assert secret.startswith(token.prefix)
    assert secret not in (token.key_hash, token.prefix)
    assert not ApiToken.objects.filter(key_hash=secret).exists()


def test_last_use_is_written_at_most_once_a_minute(nobody):
    token, secret = create_api_token(user=nobody, name="Tableau de bord")
    first_use = timezone.now()
    authenticate_api_token(secret=secret, now=first_use)

    authenticate_api_token(secret=secret, now=first_use + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == first_use

    authenticate_api_token(secret=secret, now=first_use + timedelta(minutes=2))
    token.refresh_from_db()
    assert token.last_used_at == first_use + timedelta(minutes=2)


def test_signed_in_session_is_accepted(client, nobody):
    client.force_login(nobody)

    assert client.get(URL).status_code == 200


def test_session_of_an_agent_without_second_factor_is_refused(client, agent):
    client.force_login(agent)

    assert client.get(URL).status_code == 401


def test_session_of_an_agent_with_verified_second_factor_is_accepted(client, agent):
    login_verified(client, agent)

    assert client.get(URL).status_code == 200


def test_token_of_an_agent_works_without_a_session(client, agent):
    # The second factor was proven when the token was created, on a page behind it.
    assert client.get(URL, headers=bearer(token_of(agent))).status_code == 200


@pytest.mark.parametrize("name", ["api:openapi-json", "api:openapi-view", "api:list_regions"])
def test_documentation_and_reference_data_are_public(client, name):
    assert client.get(reverse(name)).status_code == 200


def test_openapi_document_is_in_french_and_declares_both_authentications(client):
    schema = client.get(reverse("api:openapi-json")).json()

    assert schema["info"]["title"] == "API Cap QVCT"
    assert set(schema["components"]["securitySchemes"]) == {"ApiTokenAuth", "VerifiedSessionAuth"}
    assert "security" not in schema["paths"]["/api/v1/territoire/regions"]["get"]


def test_session_needs_a_csrf_token_on_unsafe_methods(rf, nobody):
    request = rf.post(URL)
    request.user = nobody

    with pytest.raises(HttpError) as refusal:
        VerifiedSessionAuth()(request)

    assert refusal.value.status_code == 403
    assert "CSRF" in refusal.value.message
