"""The staff questionnaire in Chromium on a 360 px phone, as a care worker in a break room meets it:
the QR code's link, a first theme answered, the page closed when called away, the questionnaire
reopened later from the same link and resumed where it stopped, then sent; then the director reads the
results once the campaign is closed."""

import pytest
from playwright.sync_api import expect

from capqvct.surveys import services
from capqvct.surveys.models import Response
from capqvct.surveys.tests.builders import campaign_in, respond, survey_space
from tests.browser.conftest import ARTIFACTS, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 740}
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def shoot(page, name: str) -> None:
    """A screenshot to look at; axe-core, a script, checks the same pages in a context with scripts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def choose(page, label: str, index: int = 0) -> None:
    """Tick a DSFR radio button by its label, drawn over the input: what a thumb taps."""
    page.locator("label", has_text=label).nth(index).click()


def test_a_care_worker_answers_on_a_phone_leaves_and_comes_back(browser, live_server, look):
    space = survey_space()
    campaign = campaign_in(space, breakdowns=["shift"])
    link = f"{live_server.url}/q/{campaign.token}/"
    phone = browser.new_context(
        locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False
    )
    page = phone.new_page()

    page.goto(link)
    expect(page.get_by_role("heading", name="Votre avis sur votre travail")).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    shoot(page, "survey--start--360")
    page.get_by_role("link", name="Commencer").click()
    expect(page.get_by_text("Page 1 sur 7")).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    shoot(page, "survey--theme-1--360")
    for index in range(5):
        choose(page, "Plutôt d’accord", index)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Page 2 sur 7")).to_be_visible()
    choose(page, "Tout à fait d’accord", 0)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Page 3 sur 7")).to_be_visible()
    page.close()  # called away

    later = phone.new_page()
    later.goto(link)
    later.get_by_role("link", name="Reprendre où je m’étais arrêté").click()
    expect(later.get_by_text("Page 3 sur 7")).to_be_visible()
    later.get_by_role("button", name="Revenir en arrière").click()
    expect(later.get_by_text("Page 2 sur 7")).to_be_visible()
    expect(later.get_by_label("Tout à fait d’accord").first).to_be_checked()
    for _ in range(2, 7):
        later.get_by_role("button", name="Continuer").click()
    expect(later.get_by_text("Page 7 sur 7")).to_be_visible()
    choose(later, "La nuit")
    shoot(later, "survey--about-you--360")
    later.get_by_role("button", name="Continuer").click()
    expect(later.get_by_text("Vous avez répondu à 7 questions.")).to_be_visible()
    shoot(later, "survey--confirm--360")
    later.get_by_role("button", name="Envoyer mes réponses").click()
    expect(later.get_by_role("heading", name="Merci")).to_be_visible()
    shoot(later, "survey--thanks--360")
    phone.close()

    # The same pages, with scripts, for axe-core.
    checked = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    again = checked.new_page()
    for path in ("", "1/", "7/", "8/", "merci/"):
        again.goto(link + path)
        look(again, "survey-axe", screenshot=False)
    checked.close()

    response = Response.objects.get()
    assert response.shift == "night"
    assert response.answers == {"ORG1": 4, "ORG2": 4, "ORG3": 4, "ORG4": 4, "ORG5": 4, "CAR1": 5}

    # Closed with enough answers, the results read on the director's computer.
    respond(campaign, 9, about={"shift": "day"})
    services.close_campaign(campaign=campaign, by=space.director)
    desk = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    desk.add_cookies([session_cookie(space.director, live_server.url)])
    results = desk.new_page()
    results.goto(f"/enquetes/{campaign.pk}/")
    expect(results.get_by_text("10 réponses")).to_be_visible()
    expect(results.get_by_role("img", name="Score de chaque thème, de 0 à 100")).to_be_visible()
    look(results, "survey--results")
    results.set_viewport_size(PHONE)
    assert results.evaluate(NO_HORIZONTAL_SCROLL)
    look(results, "survey--results--360")
    desk.close()
