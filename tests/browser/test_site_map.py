"""The site map as each role sees it."""

import pytest
from playwright.sync_api import expect

from capqvct.accounts.models import Role
from tests.browser.test_form_builder import signed_in
from tests.factories import EstablishmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _site_map(page):
    page.goto("/plan-du-site/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan du site")
    return page.locator("main")


def test_an_anonymous_visitor(page, look):
    content = _site_map(page)

    expect(content.get_by_role("link", name="Se connecter")).to_be_visible()
    expect(content.get_by_role("link", name="Guide des établissements")).to_be_visible()
    expect(content.get_by_role("link", name="Mes dossiers")).to_have_count(0)
    look(page, "plan-du-site-anonyme")


def test_a_director(page, look, live_server):
    membership = MembershipFactory(organisation__establishment_space=True, role=Role.DIRECTOR)
    EstablishmentFactory(name="EHPAD Les Cigales", organisation=membership.organisation)
    signed_in(page, membership.user, live_server.url)

    content = _site_map(page)

    expect(content.get_by_role("heading", name="Mon établissement")).to_be_visible()
    expect(content.get_by_role("link", name="Mes dossiers")).to_be_visible()
    expect(content.get_by_role("link", name="Gérer les appels")).to_have_count(0)
    look(page, "plan-du-site-direction")
    content.get_by_role("link", name="Fiche de l’établissement EHPAD Les Cigales").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("EHPAD Les Cigales")


def test_a_programme_manager(page, look, live_server):
    signed_in(page, MembershipFactory(role=Role.PROGRAMME_MANAGER).user, live_server.url)

    content = _site_map(page)

    expect(content.get_by_role("link", name="Gérer les appels")).to_be_visible()
    expect(content.get_by_role("link", name="Annuaire des établissements")).to_be_visible()
    expect(content.get_by_role("link", name="Se connecter")).to_have_count(0)
    look(page, "plan-du-site-responsable-de-programme")


def test_an_administrator(page, look, live_server):
    signed_in(page, UserFactory(is_superuser=True, is_staff=True), live_server.url)

    content = _site_map(page)

    expect(content.get_by_role("link", name="Administration de la plateforme")).to_be_visible()
    look(page, "plan-du-site-administrateur")
