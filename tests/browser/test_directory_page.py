"""The directory page in a browser: search as you type, the categories of the nomenclature grouped by
audience, and the count that stops at a cap (lowered here to 4)."""

import factory
import pytest

from capqvct.accounts.models import Role
from capqvct.establishments import paginator
from tests.browser.test_whole_review import signed_in_page
from tests.factories import EstablishmentFactory, MembershipFactory, departement, region

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_searches_the_directory_and_filters_by_category(browser, live_server, look, monkeypatch):
    monkeypatch.setattr(paginator, "RESULTS_COUNTED_UP_TO", 4)
    agent = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user
    herault = departement("34")
    EstablishmentFactory.create_batch(
        6, departement=herault, category_code="500", name=factory.Sequence(lambda n: f"EHPAD Les Pins {n}")
    )
    EstablishmentFactory(
        departement=herault,
        category_code="354",
        category_label="Service de soins infirmiers à domicile",
        name="SSIAD du Pic Saint-Loup",
    )
    page = signed_in_page(browser, live_server, agent)

    page.goto("/etablissements/")
    page.get_by_label("Rechercher un établissement").fill("ehpad")
    page.wait_for_url("**q=ehpad**")
    count = page.locator("#nombre-resultats")
    count.filter(has_text="Plus de 4").wait_for()
    assert count.inner_text().startswith("Plus de 4 établissements\u00a0: les 4 premiers sont listés")
    look(page, "annuaire-plus-de-resultats")

    page.get_by_label("Rechercher un établissement").fill("")
    page.get_by_label("Catégorie").select_option("354")
    count.filter(has_text="1 établissement").wait_for()
    assert page.get_by_role("link", name="SSIAD du Pic Saint-Loup").is_visible()
    assert page.locator("#id_category optgroup").count() >= 3
    look(page, "annuaire-categorie")
    page.context.close()
