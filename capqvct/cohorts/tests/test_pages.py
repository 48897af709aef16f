"""The cohort pages as a programme manager uses them: each change goes back to the page, which warns
of the rules the grouping now breaks; a confirmed grouping offers no change."""

import pytest

from capqvct.cohorts import services
from capqvct.cohorts.models import Cohort, GroupingStatus
from capqvct.cohorts.tests.builders import consultants, manager_of_occitanie, selected_call
from capqvct.core.models import AuditEvent
from tests.factories import login_verified
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return manager_of_occitanie()


@pytest.fixture
def signed_in(client, manager):
    return login_verified(client, manager)


def text(response) -> str:
    html = response.content.decode()
    assert typography_errors(html) == []
    return html


def test_the_call_page_leads_to_the_cohorts(signed_in, manager):
    call = selected_call(manager, herault=2)
    call.status = "closed"
    assert "Constituer les collectifs" in text(signed_in.get(f"/appels/gestion/{call.pk}/"))


def test_propose_move_and_confirm_from_the_pages(signed_in, manager):
    call = selected_call(manager, herault=8, aude=4)
    first, second = consultants(2)
    response = signed_in.post(
        f"/collectifs/appels/{call.pk}/binomes/nouveau/",
        {"first": first.pk, "second": second.pk, "min_load": "1", "max_load": "12"},
    )
    assert response.status_code == 302, response.context["form"].errors
    page = text(signed_in.get(f"/collectifs/appels/{call.pk}/"))
    assert "Aucun collectif pour l’instant" in page
    assert "<svg" in page and "Hérault (34)" in page

    response = signed_in.post(f"/collectifs/appels/{call.pk}/proposer/", follow=True)
    page = text(response)
    assert "Collectif Hérault 1" in page and "au-dessus du minimum possible" in page

    aude = Cohort.objects.get(call=call, name="Collectif Aude 1")
    herault = Cohort.objects.get(call=call, name="Collectif Hérault 1")
    assert text(signed_in.get(f"/collectifs/{aude.pk}/deplacer/"))
    moved = aude.participants.first()
    response = signed_in.post(
        f"/collectifs/{aude.pk}/deplacer/", {"participant": moved.pk, "to": herault.pk}, follow=True
    )
    page = text(response)
    assert "compte 9 établissements (8 au plus)" in page
    assert "règles enfreintes" in page

    page = text(signed_in.get(f"/collectifs/appels/{call.pk}/confirmer/"))
    assert "compte 9 établissements (8 au plus)" in page
    response = signed_in.post(f"/collectifs/appels/{call.pk}/confirmer/", {})
    assert "confirmez-les en connaissance de cause" in text(response), response.context["form"].errors
    response = signed_in.post(f"/collectifs/appels/{call.pk}/confirmer/", {"acknowledged": "on"}, follow=True)
    page = text(response)
    assert "Collectifs confirmés le" in page
    assert call.grouping.status == GroupingStatus.CONFIRMED
    assert "Déplacer un établissement" not in page


def test_every_change_page_renders(signed_in, manager):
    call = selected_call(manager, herault=6)
    services.propose_cohorts(call=call, by=manager)
    cohort = Cohort.objects.get(call=call)
    for path in ("deplacer", "scinder", "fusionner", "binome"):
        assert text(signed_in.get(f"/collectifs/{cohort.pk}/{path}/")), path
    assert text(signed_in.get(f"/collectifs/appels/{call.pk}/regles/"))
    response = signed_in.post(
        f"/collectifs/{cohort.pk}/scinder/",
        {"participants": [p.pk for p in cohort.participants.all()]},
    )
    assert "Laissez au moins un établissement dans le collectif d’origine." in text(response)
    assert Cohort.objects.filter(call=call).count() == 1
    assert not AuditEvent.objects.filter(action="cohort_split").exists()


def test_an_establishment_without_coordinates_is_said_placed_approximately(signed_in, manager):
    from capqvct.cohorts.tests.builders import dossier

    call = selected_call(manager, herault=2)
    dossier(call, "SSIAD du Gard", departement_code="30", at=None)
    # The tests' Gard has no commune to take a mean from.
    notice = "Position approchée (1)\u00a0: SSIAD du Gard (position inconnue)."
    # Before any proposal, the selected dossiers; after, the participants: the same notice.
    assert notice in text(signed_in.get(f"/collectifs/appels/{call.pk}/"))
    first, second = consultants(2)
    services.save_pair(call=call, by=manager, first=first, second=second, min_load=1, max_load=10)
    services.propose_cohorts(call=call, by=manager, time_limit=2.0)
    assert notice in text(signed_in.get(f"/collectifs/appels/{call.pk}/"))
