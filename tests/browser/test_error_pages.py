"""The error pages in Chromium: French, DSFR, accessible, within the Content-Security-Policy, with a
way back."""

import pytest
from playwright.sync_api import expect

from capqvct.accounts.models import Role
from tests.browser.test_content_security_policy import RECORD_VIOLATIONS
from tests.browser.test_form_builder import signed_in
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def policy_recorder(page):
    page.add_init_script(RECORD_VIOLATIONS)


def _expect_error_page(page, title: str, status: int) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.cspViolations") == []
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text(f"Erreur {status}", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Page d’accueil")).to_be_visible()
    expect(page.get_by_role("link", name="Nous contacter")).to_have_attribute("href", "/contact/")


@pytest.fixture
def director():
    return MembershipFactory(organisation__establishment_space=True, role=Role.DIRECTOR).user


def test_page_not_found(page, look):
    response = page.goto("/nulle-part/")

    assert response.status == 404
    _expect_error_page(page, "Page non trouvée", 404)
    look(page, "erreur-404")
    page.get_by_role("link", name="Nous contacter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact")


def test_access_refused_with_its_reason(page, look, director, live_server):
    signed_in(page, director, live_server.url)

    response = page.goto("/etablissements/")

    assert response.status == 403
    _expect_error_page(page, "Accès refusé", 403)
    expect(page.get_by_text("L’annuaire est réservé aux agents des agences")).to_be_visible()
    look(page, "erreur-403")


def test_a_post_only_address_opened_as_a_page(page, look, director, live_server):
    signed_in(page, director, live_server.url)

    response = page.goto("/compte/deconnexion/")

    assert response.status == 405
    _expect_error_page(page, "Action impossible depuis cette adresse", 405)
    look(page, "erreur-405")


def test_a_form_sent_after_its_cookies_are_gone(page, look, director):
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(director.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.context.clear_cookies()  # as when the browser refuses them, or the page was open for days

    page.get_by_role("button", name="Se connecter").click()

    _expect_error_page(page, "Formulaire expiré", 403)
    look(page, "erreur-formulaire-expire")


@pytest.mark.urls("capqvct.core.tests.error_urls")
def test_an_unexpected_error(page, look):
    response = page.goto("/essais/panne/")

    assert response.status == 500
    _expect_error_page(page, "Erreur inattendue", 500)
    expect(page.get_by_role("link", name="contact@capqvct.example")).to_have_attribute(
        "href", "mailto:contact@capqvct.example"
    )
    look(page, "erreur-500")
