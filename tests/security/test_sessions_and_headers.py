"""Agents are signed out after 30 idle minutes (directors keep their day), private responses are never
stored by a cache while public pages stay cacheable, and the security headers are sent."""

import time

import pytest
from django.test import Client

from capqvct.accounts.middleware import LAST_ACTIVITY_KEY
from capqvct.accounts.models import Role
from tests.factories import MembershipFactory, login_verified

pytestmark = pytest.mark.django_db

DASHBOARD = "/compte/tableau-de-bord/"


def idle_for(client: Client, minutes: float) -> None:
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - minutes * 60
    session.save()


@pytest.fixture
def agent():
    return MembershipFactory(role=Role.REVIEWER).user


@pytest.fixture
def director():
    return MembershipFactory(organisation__establishment_space=True, role=Role.DIRECTOR).user


def test_an_agent_idle_for_31_minutes_is_signed_out_with_a_message(agent):
    client = login_verified(Client(), agent)
    assert client.get(DASHBOARD).status_code == 200
    idle_for(client, 31)

    response = client.get(f"{DASHBOARD}?onglet=2")

    assert response.status_code == 302
    assert (
        response["Location"]
        == "/compte/connexion/?session=expiree&next=%2Fcompte%2Ftableau-de-bord%2F%3Fonglet%3D2"
    )
    login_page = client.get(response["Location"]).content.decode()
    assert "Votre session a expiré après 30&nbsp;minutes d’inactivité" in login_page
    assert client.get(DASHBOARD).status_code == 302


def test_an_agent_active_within_30_minutes_stays_signed_in(agent):
    client = login_verified(Client(), agent)
    client.get(DASHBOARD)
    idle_for(client, 29)

    assert client.get(DASHBOARD).status_code == 200


def test_each_request_pushes_the_limit_back(agent):
    client = login_verified(Client(), agent)
    client.get(DASHBOARD)
    for _ in range(3):
        idle_for(client, 25)
        assert client.get(DASHBOARD).status_code == 200


def test_a_director_keeps_the_session_after_an_hour_idle(director):
    client = Client()
    client.force_login(director)
    client.get(DASHBOARD)
    idle_for(client, 60)

    assert client.get(DASHBOARD).status_code == 200


def test_a_signed_in_user_s_pages_and_files_are_never_stored(director):
    client = Client()
    client.force_login(director)

    for path in (DASHBOARD, "/", "/appels/"):
        response = client.get(path)
        assert "no-store" in response["Cache-Control"], path
        assert "private" in response["Cache-Control"], path


def test_public_pages_seen_anonymously_stay_cacheable(client):
    for path in ("/", "/appels/", "/mentions-legales/"):
        response = client.get(path)
        assert "no-store" not in response.get("Cache-Control", ""), path


def test_the_content_security_policy_allows_this_site_only(client):
    policy = client.get("/")["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_hsts_is_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    response = client.get("/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
