"""Sign-in throttling: a stranger hammering an agent's address locks only themselves, an IP trying
many addresses is stopped, the agent signs in from their own network, a password reset unlocks."""

from urllib.parse import urlsplit

import pytest
from django.core import mail

from capqvct.accounts.models import Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

STRANGER, AGENCY = "203.0.113.66", "198.51.100.10"
LOCKED = "Compte temporairement bloqué"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_IP_FAILURE_LIMIT = 12


@pytest.fixture
def agent():
    return MembershipFactory(role=Role.REVIEWER, user__email="agent@ars.exemple.fr").user


def sign_in(client, email, password, ip):
    return client.post("/compte/connexion/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_a_stranger_hammering_an_address_is_locked_but_the_agent_signs_in_from_the_agency(client, agent):
    for _ in range(5):
        sign_in(client, agent.email, "devine", STRANGER)

    stranger = sign_in(client, agent.email, PASSWORD, STRANGER)
    at_the_agency = sign_in(client, agent.email, PASSWORD, AGENCY)

    assert stranger.status_code == 429 and LOCKED in stranger.content.decode()
    assert at_the_agency.status_code == 302
    assert at_the_agency["Location"].startswith("/compte/")


def test_four_failures_do_not_lock(client, agent):
    for _ in range(4):
        sign_in(client, agent.email, "devine", STRANGER)

    assert sign_in(client, agent.email, PASSWORD, STRANGER).status_code == 302


def test_an_ip_trying_many_addresses_is_stopped_whatever_the_address(client):
    users = [UserFactory(email=f"personne{n}@exemple.fr") for n in range(13)]
    for user in users[:11]:
        assert sign_in(client, user.email, "devine", STRANGER).status_code == 200
    # The twelfth failure from the address reaches its limit.
    assert sign_in(client, users[11].email, "devine", STRANGER).status_code == 429

    sprayed = sign_in(client, users[12].email, PASSWORD, STRANGER)
    elsewhere = sign_in(client, users[12].email, PASSWORD, AGENCY)

    assert sprayed.status_code == 429
    assert elsewhere.status_code == 302


def test_a_successful_sign_in_does_not_wipe_the_count_of_its_ip(client):
    """An attacker with one real account cannot reset their IP's count by signing in with it."""
    mine = UserFactory(email="complice@exemple.fr")
    victims = [UserFactory(email=f"cible{n}@exemple.fr") for n in range(12)]
    for victim in victims[:11]:
        sign_in(client, victim.email, "devine", STRANGER)
    assert sign_in(client, mine.email, PASSWORD, STRANGER).status_code == 302
    client.logout()

    assert sign_in(client, victims[11].email, "devine", STRANGER).status_code == 429


def test_a_password_reset_unlocks_the_address(client, agent, django_capture_on_commit_callbacks):
    for _ in range(5):
        sign_in(client, agent.email, "devine", STRANGER)
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        client.post("/compte/mot-de-passe/oubli/", {"email": agent.email}, REMOTE_ADDR=STRANGER)
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/mot-de-passe/nouveau/" in line)
    # The link is on the site's address (settings.SITE_URL): the test client takes its path.
    form = client.get(urlsplit(link).path, follow=True)
    new = "nouveau-mot-de-passe-2027"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    assert sign_in(client, agent.email, new, STRANGER).status_code == 302
