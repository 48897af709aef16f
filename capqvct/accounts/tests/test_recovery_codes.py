"""Recovery codes: ten at set-up, shown once, each good for one sign-in, replaced from « Mon compte »."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from capqvct.accounts import second_factor
from capqvct.accounts.models import Role
from capqvct.core.models import AuditEvent
from tests.factories import MembershipFactory, with_totp

pytestmark = pytest.mark.django_db

SECOND_FACTOR = "/compte/double-authentification/"
CODES_PAGE = "/compte/double-authentification/codes-de-secours/"
DOWNLOAD = "/compte/double-authentification/codes-de-secours/telecharger/"
REGENERATE = "/compte/codes-de-secours/nouveaux/"
USED_OR_REPLACED = (
    "Ce code de secours n’est pas valable\u00a0: chaque code ne sert qu’une fois, et les codes remplacés "
    "par de nouveaux ne fonctionnent plus."
)


@pytest.fixture
def agent():
    return MembershipFactory(role=Role.REVIEWER, user__email="julie.agent@exemple.fr").user


def _code_of(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _shown_codes(html: str) -> list[str]:
    return re.findall(r'<code class="capqvct-mono">([a-z2-7]{4}-[a-z2-7]{4})</code>', html)


def _password_only(client, user):
    """Signed in with the password, the second factor still to prove."""
    client.force_login(user)
    return client


def _with_recovery_codes(user) -> list[str]:
    with_totp(user)
    return second_factor.generate_recovery_codes(user=user)


def _sign_in_with_recovery_code(client, user, code):
    _password_only(client, user)
    return client.post(f"{SECOND_FACTOR}?next=/etablissements/", {"recovery_code": code})


def _is_verified(client) -> bool:
    return client.get("/etablissements/").status_code == 200


def test_setting_up_totp_shows_ten_codes_once_then_goes_on(client, agent):
    _password_only(client, agent)
    client.get(SECOND_FACTOR)
    device = TOTPDevice.objects.get(user=agent)

    done = client.post(f"{SECOND_FACTOR}?next=/etablissements/", {"code": _code_of(device)})

    assert done["Location"] == CODES_PAGE
    page = client.get(CODES_PAGE).content.decode()
    codes = _shown_codes(page)
    assert len(set(codes)) == 10
    assert "Notez-les maintenant&nbsp;: ils ne seront plus affichés" in page
    download = client.get(DOWNLOAD)
    assert download["Content-Disposition"] == 'attachment; filename="codes-de-secours-cap-qvct.txt"'
    assert "no-store" in download["Cache-Control"]  # core.middleware, for every signed-in response
    text = download.content.decode()
    assert "Compte\u00a0: julie.agent@exemple.fr" in text
    assert all(f". {code}" in text for code in codes)

    noted = client.post(CODES_PAGE)

    assert noted["Location"] == "/etablissements/"
    # Shown once: afterwards neither the page nor the file gives them again.
    assert client.get(CODES_PAGE)["Location"] == "/compte/"
    assert client.get(DOWNLOAD).status_code == 404
    assert second_factor.recovery_codes_left(agent) == 10
    event = AuditEvent.objects.get(action="recovery_codes_generated", actor=agent)
    assert event.details == {"count": 10, "replaced": 0}
    assert not any(code.replace("-", "") in str(event.details) for code in codes)


def test_a_recovery_code_signs_in_once_and_says_how_many_remain(client, agent):
    codes = _with_recovery_codes(agent)

    response = _sign_in_with_recovery_code(client, agent, codes[0])

    assert response["Location"] == "/etablissements/"
    landing = client.get("/etablissements/")
    assert landing.status_code == 200
    assert "Code de secours accepté. Il vous en reste 9." in landing.content.decode()
    assert "9 codes valables sur 10" in client.get("/compte/").content.decode()
    assert AuditEvent.objects.get(action="recovery_code_used", actor=agent).details == {"remaining": 9}


def test_a_used_code_is_refused_the_second_time(client, agent):
    codes = _with_recovery_codes(agent)
    _sign_in_with_recovery_code(client, agent, codes[0])
    client.post("/compte/deconnexion/")

    response = _sign_in_with_recovery_code(client, agent, codes[0])

    assert response.status_code == 200
    assert USED_OR_REPLACED in response.content.decode()
    # What was typed stays in the field.
    assert response.context["recovery_form"]["recovery_code"].value() == codes[0]
    assert not _is_verified(client)
    assert second_factor.recovery_codes_left(agent) == 9
    assert AuditEvent.objects.filter(
        action="second_factor_failed", actor=agent, details={"method": "recovery_code"}
    ).exists()


def test_the_eleventh_sign_in_finds_no_code_left(client, agent):
    codes = _with_recovery_codes(agent)
    for code in codes:
        assert _sign_in_with_recovery_code(client, agent, code)["Location"] == "/etablissements/"
        client.post("/compte/deconnexion/")
    assert "C’était votre dernier" in client.get("/").content.decode()

    _password_only(client, agent)
    page = client.get(SECOND_FACTOR).content.decode()
    assert "Vous n’avez plus de code de secours valable." in page
    response = client.post(SECOND_FACTOR, {"recovery_code": codes[0]})

    assert (
        "Vous n’avez plus de code de secours valable. Sans votre application d’authentification, écrivez à "
        "contact@capqvct.example pour faire réinitialiser votre double authentification."
    ) in response.content.decode()
    assert not _is_verified(client)


def test_a_code_is_accepted_as_shown_in_capitals_or_with_spaces(client, agent):
    codes = _with_recovery_codes(agent)
    typed = f"  {codes[3][:4].upper()} {codes[3][4:].upper()} "

    assert _sign_in_with_recovery_code(client, agent, typed)["Location"] == "/etablissements/"


def test_a_wrong_code_makes_the_next_try_wait(client, agent):
    codes = _with_recovery_codes(agent)
    _sign_in_with_recovery_code(client, agent, "zzzz-zzzz")

    response = client.post(SECOND_FACTOR, {"recovery_code": codes[0]})

    wait = "Trop d’essais manqués\u00a0: attendez 1\u00a0seconde avant de réessayer."
    assert wait in response.content.decode()
    assert second_factor.recovery_codes_left(agent) == 10  # the good code was not spent


def test_new_codes_from_my_account_replace_the_old_ones(client, verified_client, agent):
    old = _with_recovery_codes(agent)
    client = verified_client(agent)
    assert "10 codes valables sur 10" in client.get("/compte/").content.decode()

    response = client.post(REGENERATE)

    assert response["Location"] == CODES_PAGE
    new = _shown_codes(client.get(CODES_PAGE).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert client.post(CODES_PAGE)["Location"] == "/compte/"
    assert AuditEvent.objects.filter(
        action="recovery_codes_generated", actor=agent, details={"count": 10, "replaced": 10}
    ).exists()
    client.post("/compte/deconnexion/")
    assert USED_OR_REPLACED in _sign_in_with_recovery_code(client, agent, old[0]).content.decode()


def test_a_password_alone_cannot_get_new_codes(client, agent):
    _with_recovery_codes(agent)
    _password_only(client, agent)

    response = client.post(REGENERATE)

    assert response["Location"].startswith(SECOND_FACTOR)
    assert AuditEvent.objects.filter(action="recovery_codes_generated").count() == 1


def test_a_director_without_second_factor_has_no_codes_to_generate(client):
    director = MembershipFactory(organisation__establishment_space=True, role=Role.DIRECTOR).user
    client.force_login(director)

    assert "Codes de secours" not in client.get("/compte/").content.decode()
    assert client.post(REGENERATE).status_code == 404


def test_the_second_factor_pages_have_no_menu(client, agent):
    _password_only(client, agent)

    html = client.get(SECOND_FACTOR).content.decode()

    assert 'id="navigation-principale"' not in html
    assert 'href="#navigation-principale"' not in html
    assert "Tableau de bord" not in html
    assert ">Se déconnecter</button>" in html
    assert '<p class="fr-header__service-title">Cap QVCT</p>' in html
