import pytest
from django.contrib.auth.hashers import identify_hasher
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from capqvct.accounts.models import Role
from capqvct.core.models import AuditEvent
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, email, password=PASSWORD):
    return client.post("/compte/connexion/", {"username": email, "password": password})


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_argon2():
    user = UserFactory(email="argon@exemple.fr")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_a_director_signs_in_with_e_mail_and_password_and_it_is_logged(client):
    director = MembershipFactory(organisation__establishment_space=True, role=Role.DIRECTOR).user

    response = _login(client, director.email)

    assert response.status_code == 302
    assert response["Location"] == "/compte/tableau-de-bord/"
    assert AuditEvent.objects.filter(action="login", actor=director).exists()


def test_a_wrong_password_is_refused_with_a_french_message_and_logged(client):
    user = UserFactory(email="oubli@exemple.fr")
    response = _login(client, user.email, "pas-le-bon")
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()
    assert response.context["form"]["username"].value() == "oubli@exemple.fr"
    assert AuditEvent.objects.filter(action="login_failed", actor_email="oubli@exemple.fr").exists()


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, settings):
    user = UserFactory(email="cible@exemple.fr")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.email, "mauvais")

    response = _login(client, user.email)

    assert response.status_code == 429
    assert "Compte temporairement bloqué" in response.content.decode()


def test_an_agent_must_set_up_totp_before_reaching_anything(client):
    agent = MembershipFactory(role=Role.REVIEWER).user
    _login(client, agent.email)

    response = client.get("/etablissements/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/double-authentification/")

    page = client.get(response["Location"])
    assert "Scannez ce code" in page.content.decode()
    device = TOTPDevice.objects.get(user=agent)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    done = client.post("/compte/double-authentification/?next=/etablissements/", {"code": code})

    # The recovery codes are shown once, then the agent goes on where they were going.
    assert done["Location"] == "/compte/double-authentification/codes-de-secours/"
    noted = client.post(done["Location"])
    assert noted["Location"] == "/etablissements/"
    assert client.get("/etablissements/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="second_factor_enabled", actor=agent).exists()


def test_a_director_needs_no_second_factor(client):
    director = MembershipFactory(organisation__establishment_space=True, role=Role.DIRECTOR).user
    _login(client, director.email)
    assert client.get("/compte/tableau-de-bord/").status_code == 200


def test_the_next_parameter_cannot_send_the_user_to_another_site(client):
    agent = MembershipFactory(role=Role.REVIEWER).user
    _login(client, agent.email)
    client.get("/compte/double-authentification/")
    device = TOTPDevice.objects.get(user=agent)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    client.post("/compte/double-authentification/?next=https://ailleurs.example/", {"code": code})
    response = client.post("/compte/double-authentification/codes-de-secours/")
    assert response["Location"] == "/compte/tableau-de-bord/"


def test_a_wrong_code_is_refused_and_logged(client):
    agent = MembershipFactory(role=Role.REVIEWER).user
    _login(client, agent.email)
    client.get("/compte/double-authentification/")

    response = client.post("/compte/double-authentification/", {"code": "000000"})

    assert "Ce code est incorrect" in response.content.decode()
    assert client.get("/etablissements/").status_code == 302
    assert AuditEvent.objects.filter(action="second_factor_failed", actor=agent).exists()


def test_dates_are_shown_in_the_time_zone_of_the_users_region(client):
    from tests.factories import OrganisationFactory, region

    reunion = region("04", "La Réunion", "Indian/Reunion")
    agent = MembershipFactory(
        role=Role.DIRECTOR, organisation=OrganisationFactory(establishment_space=True, region=reunion)
    ).user
    membership = agent.memberships.get()
    membership.created_at = "2022-09-05T20:30:00Z"  # 6 September, 00:30 in La Réunion
    membership.save()
    client.force_login(agent)

    assert "6 septembre 2022" in client.get("/compte/").content.decode()
