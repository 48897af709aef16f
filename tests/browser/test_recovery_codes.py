"""An agent sets up the second factor, notes their recovery codes, and later signs in with one."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from capqvct.accounts.models import Role
from tests.browser.test_pages import _sign_in_with_totp
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _current_code(user) -> str:
    """The code the agent's application shows now (their one device, being set up)."""
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_set_up_with_recovery_codes_then_sign_in_with_one(page, look):
    agent = MembershipFactory(role=Role.REVIEWER, user__email="julie.agent@exemple.fr").user
    _sign_in_with_totp(page, agent)
    # Before the second factor, the header has no menu: only « Se déconnecter ».
    expect(page.get_by_role("navigation", name="Menu principal")).to_have_count(0)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.get_by_label("Code à 6 chiffres").fill(_current_code(agent))
    page.get_by_role("button", name="Activer la double authentification").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    codes = page.locator("ol code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", code) for code in codes)
    look(page, "codes-de-secours")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger les codes (.txt)").click()
    download = download_info.value
    assert download.suggested_filename == "codes-de-secours-cap-qvct.txt"
    text = open(download.path(), encoding="utf-8").read()
    assert all(code in text for code in codes)

    page.get_by_role("button", name="J’ai noté mes codes").click()
    expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()
    expect(page.get_by_text("Double authentification prête.")).to_be_visible()

    # Another day, without the phone.
    page.get_by_role("button", name="Se déconnecter").click()
    _sign_in_with_totp(page, agent)
    expect(page.get_by_text("il vous en reste 10")).to_be_visible()
    look(page, "double-authentification-code")
    page.get_by_label("Code de secours").fill(codes[0].upper())
    page.get_by_role("button", name="Utiliser ce code de secours").click()

    expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()
    expect(page.get_by_text("Code de secours accepté. Il vous en reste 9.")).to_be_visible()

    # The same code does not open a second time.
    page.get_by_role("button", name="Se déconnecter").click()
    _sign_in_with_totp(page, agent)
    page.get_by_label("Code de secours").fill(codes[0])
    page.get_by_role("button", name="Utiliser ce code de secours").click()
    expect(page.get_by_text("Ce code de secours n’est pas valable")).to_be_visible()
    look(page, "double-authentification-code-de-secours-refuse")


def test_new_codes_from_my_account(page, look):
    agent = MembershipFactory(role=Role.PROGRAMME_MANAGER, user__email="paul.agent@exemple.fr").user
    _sign_in_with_totp(page, agent)
    page.get_by_label("Code à 6 chiffres").fill(_current_code(agent))
    page.get_by_role("button", name="Activer la double authentification").click()
    first = page.locator("ol code").all_inner_texts()
    page.get_by_role("button", name="J’ai noté mes codes").click()

    page.goto("/compte/")
    expect(page.get_by_text("10 codes valables sur 10")).to_be_visible()
    look(page, "mon-compte-codes-de-secours")
    page.get_by_role("button", name="Générer de nouveaux codes de secours").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    second = page.locator("ol code").all_inner_texts()
    assert len(second) == 10 and not set(first) & set(second)
    page.get_by_role("button", name="J’ai noté mes codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")


def test_on_a_phone_the_reduced_header_still_signs_out(page, look):
    agent = MembershipFactory(role=Role.REVIEWER).user
    page.set_viewport_size({"width": 375, "height": 740})
    _sign_in_with_totp(page, agent)

    page.get_by_role("button", name="Menu").click()

    menu = page.locator("#menu-mobile")
    expect(menu.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(menu.get_by_role("navigation", name="Menu principal")).to_have_count(0)
    look(page, "double-authentification-mobile-menu")
    menu.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()
