import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from capqvct.accounts.models import Role
from tests.factories import PASSWORD, EstablishmentFactory, MembershipFactory, departement, region

pytestmark = pytest.mark.django_db(transaction=True)


def _current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _sign_in_with_totp(page, agent):
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(agent.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    return page


@pytest.fixture
def agent():
    herault = departement("34")
    region("76")
    EstablishmentFactory(
        name="EHPAD Les Glycines", departement=herault, postal_code="34000", city_label="MONTPELLIER"
    )
    EstablishmentFactory(
        name="SSIAD du Pic Saint-Loup",
        departement=herault,
        category_code="354",
        category_label="Service de soins infirmiers à domicile",
    )
    EstablishmentFactory.create_batch(25, departement=herault)
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, user__email="claire@exemple.fr").user


def test_home_page(page, look):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cap QVCT")
    expect(page.get_by_role("link", name="Mentions légales")).to_be_visible()
    expect(page.get_by_role("link", name="Gestion des cookies")).to_be_visible()
    look(page, "accueil")


def test_login_with_second_factor_then_directory_search_and_an_establishment(page, look, agent):
    page.goto("/compte/connexion/")
    look(page, "connexion")
    _sign_in_with_totp(page, agent)
    look(page, "double-authentification-configuration")

    page.get_by_label("Code à 6 chiffres").fill(_current_code(agent))
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    page.get_by_role("button", name="J’ai noté mes codes").click()
    expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()
    look(page, "tableau-de-bord-agent")

    page.get_by_role("link", name="Annuaire des établissements").first.click()
    expect(page.locator("#nombre-resultats")).to_have_text("27 établissements")
    page.get_by_label("Rechercher un établissement").press_sequentially("glyc", delay=40)
    expect(page.locator("#nombre-resultats")).to_have_text("1 établissement")
    expect(page).to_have_url(re.compile(r"q=glyc"))
    look(page, "annuaire-recherche")

    page.get_by_role("link", name="EHPAD Les Glycines").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("EHPAD Les Glycines")
    look(page, "etablissement")
