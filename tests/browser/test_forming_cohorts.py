"""« Constituer les collectifs » in Chromium: a manager opens it from the call, proposes, moves an
establishment so that a cohort grows too big, reads the warning, and confirms in full knowledge."""

import pytest

from capqvct.cohorts import services
from capqvct.cohorts.models import GroupingStatus
from capqvct.cohorts.tests.builders import consultants, dossier, manager_of_occitanie, selected_call
from capqvct.establishments.models import Establishment
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_forms_the_cohorts(page, live_server, look, sign_in):
    manager = manager_of_occitanie()
    call = selected_call(manager, herault=8, aude=4)
    # One establishment without FINESS coordinates: placed at its département's mean, and said so.
    dossier(call, "SSIAD du Gard", departement_code="30", at=None)
    EstablishmentFactory(name="EHPAD de Nîmes", departement_id="30", x=810_000.0, y=6_300_000.0)
    first, second = consultants(2)
    services.save_pair(call=call, by=manager, first=first, second=second, min_load=4, max_load=13)
    sign_in(manager)

    page.goto(f"/appels/gestion/{call.pk}/")
    page.get_by_role("link", name="Constituer les collectifs").click()
    page.get_by_role("heading", name="Constituer les collectifs").wait_for()
    look(page, "cohorts--before-proposal")

    page.get_by_role("button", name="Proposer des collectifs").click()
    page.get_by_text("Collectifs proposés").wait_for()
    assert page.get_by_role("heading", name="Collectif Hérault 1").is_visible()
    assert page.get_by_text("au-dessus du minimum possible").is_visible()
    look(page, "cohorts--proposal")

    page.get_by_role("link", name="Déplacer un établissement de Collectif Aude 1").click()
    moved = Establishment.objects.get(name="EHPAD de l’Aude 1")
    page.get_by_label("Établissement").select_option(label=str(moved))
    page.get_by_label("Vers le collectif").select_option(label="Collectif Hérault 1")
    look(page, "cohorts--move")
    page.get_by_role("button", name="Déplacer").click()
    warning = page.locator("#regles-enfreintes")
    warning.wait_for()
    assert "«\u00a0Collectif Hérault 1\u00a0» compte 9 établissements (8 au plus)." in warning.inner_text()
    look(page, "cohorts--warning")

    page.get_by_role("link", name="Confirmer les collectifs").click()
    page.get_by_role("button", name="Confirmer les collectifs").click()
    page.get_by_text("confirmez-les en connaissance de cause").wait_for()
    look(page, "cohorts--confirm-refused")
    page.get_by_text("Je confirme ces collectifs malgré les règles qu’ils enfreignent").click()
    page.get_by_role("button", name="Confirmer les collectifs").click()
    page.get_by_role("heading", name="Collectifs confirmés le", exact=False).wait_for()
    call.grouping.refresh_from_db()
    assert call.grouping.status == GroupingStatus.CONFIRMED

    page.set_viewport_size({"width": 360, "height": 800})
    look(page, "cohorts--confirmed-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    look(page, "cohorts--confirmed")
