"""Managing one's API tokens: create (the secret shown once), list, revoke, never someone else's."""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from capqvct.accounts.models import ApiToken
from capqvct.api.services import create_api_token, revoke_api_token
from capqvct.api.tests.conftest import bearer
from capqvct.core.models import AuditEvent
from tests.factories import UserFactory, login_verified
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, nobody):
    client.force_login(nobody)
    return client


def test_pages_need_a_signed_in_user(client):
    response = client.get(reverse("tokens:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_agent_must_prove_the_second_factor_first(client, agent):
    client.force_login(agent)

    response = client.get(reverse("tokens:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor"))


def test_agent_with_verified_second_factor_reaches_the_pages(client, agent):
    login_verified(client, agent)

    assert client.get(reverse("tokens:list")).status_code == 200


def test_create_shows_the_secret_once(signed_in, nobody):
    response = signed_in.post(reverse("tokens:create"), {"name": "Tableau de bord régional"})
    token = ApiToken.objects.get(user=nobody)
    assertRedirects(response, reverse("tokens:created", args=[token.pk]), fetch_redirect_response=False)

    shown = signed_in.get(response["Location"])
    secret = shown.context["secret"]
    shown_again = signed_in.get(response["Location"])

    assertContains(shown, secret)
    assert typography_errors(shown.content.decode()) == []
    assert shown["Cache-Control"].startswith("max-age=0")
    assertRedirects(shown_again, reverse("tokens:list"))
    assert secret not in signed_in.get(reverse("tokens:list")).content.decode()
    assert Client().get("/api/v1/etablissements", headers=bearer(secret)).status_code == 200
    assert AuditEvent.objects.filter(
        action="api_token_created", actor=nobody, target_id=str(token.pk)
    ).exists()


def test_create_needs_a_name(signed_in, nobody):
    response = signed_in.post(reverse("tokens:create"), {"name": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert typography_errors(response.content.decode()) == []
    assert not ApiToken.objects.exists()


def test_list_shows_my_tokens_only(signed_in, nobody):
    create_api_token(user=nobody, name="Mon script")
    create_api_token(user=UserFactory(), name="Script d’un autre")

    response = signed_in.get(reverse("tokens:list"))

    assertContains(response, "Mon script")
    assertNotContains(response, "Script d’un autre")
    assert typography_errors(response.content.decode()) == []


def test_revoke_my_token(signed_in, nobody):
    token, secret = create_api_token(user=nobody, name="Ancien script")

    response = signed_in.post(reverse("tokens:revoke", args=[token.pk]))

    assertRedirects(response, reverse("tokens:list"))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/etablissements", headers=bearer(secret)).status_code == 401
    assert AuditEvent.objects.filter(
        action="api_token_revoked", actor=nobody, target_id=str(token.pk)
    ).exists()


def test_revoking_twice_says_so(signed_in, nobody):
    token, _ = create_api_token(user=nobody, name="Ancien script")
    signed_in.post(reverse("tokens:revoke", args=[token.pk]))

    response = signed_in.post(reverse("tokens:revoke", args=[token.pk]), follow=True)

    assertContains(response, "déjà révoqué")
    assert AuditEvent.objects.filter(action="api_token_revoked").count() == 1


def test_cannot_revoke_someone_elses_token(signed_in):
    token, _ = create_api_token(user=UserFactory(), name="Script d’un autre")

    response = signed_in.post(reverse("tokens:revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_cannot_see_someone_elses_new_secret(signed_in):
    token, _ = create_api_token(user=UserFactory(), name="Script d’un autre")

    assert signed_in.get(reverse("tokens:created", args=[token.pk])).status_code == 404


def test_revoke_needs_post(signed_in, nobody):
    token, _ = create_api_token(user=nobody, name="Mon script")

    assert signed_in.get(reverse("tokens:revoke", args=[token.pk])).status_code == 405


def test_active_tokens_are_listed_before_revoked_ones(signed_in, nobody):
    create_api_token(user=nobody, name="Script actuel")
    newer, _ = create_api_token(user=nobody, name="Script abandonné")
    revoke_api_token(token=newer, by=nobody)

    tokens = signed_in.get(reverse("tokens:list")).context["tokens"]

    assert [token.name for token in tokens] == ["Script actuel", "Script abandonné"]
