"""Help from the footer: the guides, read from docs/, and the contact page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_the_footer_to_a_guide_and_its_contents(page, look):
    page.goto("/")
    page.locator("footer").get_by_role("link", name="Aide", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aide")
    look(page, "aide")

    page.get_by_role("link", name="Guide des agents (ARS, Aract)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Guide des agents (ARS, Aract)")
    look(page, "aide-guide-agents")
    contents = page.get_by_role("navigation", name="Sommaire")
    contents.get_by_role("link", name="Classement des dossiers").click()
    expect(page).to_have_url(re.compile(r"/aide/agents/#classement-des-dossiers$"))

    page.goto("/aide/etablissements/")
    expect(page.get_by_role("heading", name="Déposer un dossier")).to_be_visible()
    look(page, "aide-guide-etablissements")


def test_the_contact_page(page, look):
    page.goto("/")
    page.locator("footer").get_by_role("link", name="Contact", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Contact")
    expect(page.get_by_role("link", name="contact@capqvct.example")).to_have_attribute(
        "href", "mailto:contact@capqvct.example"
    )
    look(page, "contact")
