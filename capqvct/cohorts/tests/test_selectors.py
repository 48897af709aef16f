"""What the cohort pages read: the confirmed selection, where each establishment is, and a fixed
number of queries whatever the number of cohorts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capqvct.applications.models import ApplicationStatus
from capqvct.cohorts import selectors, services
from capqvct.cohorts.models import Placement
from capqvct.cohorts.tests.builders import (
    BEZIERS,
    MONTPELLIER,
    SETE,
    dossier,
    manager_of_occitanie,
    open_call,
    selected_call,
)
from capqvct.review.models import Outcome
from capqvct.territory.models import Commune
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return manager_of_occitanie()


def test_selected_means_retenu_and_confirmed_in_commission(manager):
    call = open_call(manager)
    selected = dossier(call, "EHPAD Retenu")
    dossier(call, "EHPAD En projet", confirmed=False)
    dossier(call, "EHPAD Liste", outcome=Outcome.WAITING_LIST)
    dossier(call, "EHPAD Sans décision", outcome=None)
    withdrawn = dossier(call, "EHPAD Retiré")
    withdrawn.status = ApplicationStatus.WITHDRAWN
    withdrawn.save()
    assert list(selectors.selected_dossiers(call)) == [selected]


def test_an_establishment_without_coordinates_is_placed_at_its_commune_else_its_departement(manager):
    call = open_call(manager)
    sete, agde = Commune.objects.get(name="Sète"), Commune.objects.get(name="Agde")
    EstablishmentFactory(commune=sete, x=SETE[0], y=SETE[1])
    EstablishmentFactory(commune=sete, x=SETE[0] + 2000, y=SETE[1])
    EstablishmentFactory(commune=None, x=BEZIERS[0], y=BEZIERS[1])
    dossier(call, "A EHPAD placé", at=MONTPELLIER)
    dossier(call, "B EHPAD de Sète", at=None, commune=sete)
    dossier(call, "C EHPAD d’Agde", at=None, commune=agde)

    with CaptureQueriesContext(connection) as queries:
        located = {
            item.establishment.name: item for item in selectors.locate(selectors.selected_dossiers(call))
        }

    assert len(queries) == 3  # the dossiers, then one mean per commune, one per département
    assert located["A EHPAD placé"].placement == Placement.FINESS
    assert (located["B EHPAD de Sète"].x, located["B EHPAD de Sète"].placement) == (SETE[0] + 1000, "commune")
    agde_item = located["C EHPAD d’Agde"]
    assert agde_item.placement == Placement.DEPARTEMENT and agde_item.approximate
    # The département's mean: Montpellier, Sète twice, Béziers.
    assert agde_item.x == pytest.approx((MONTPELLIER[0] + 2 * SETE[0] + 2000 + BEZIERS[0]) / 4)


def page_queries(client, call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/collectifs/appels/{call.pk}/")
    assert response.status_code == 200
    return len(queries)


def test_the_cohorts_and_the_page_cost_the_same_queries_for_2_or_6_cohorts(manager, client):
    from tests.factories import login_verified

    small = selected_call(manager, herault=8, aude=4)
    large = selected_call(manager, herault=30, aude=12)
    for call in (small, large):
        services.propose_cohorts(call=call, by=manager)
    assert len(selectors.cohorts_of(small)) < len(selectors.cohorts_of(large))
    counts = []
    for call in (small, large):
        with CaptureQueriesContext(connection) as queries:
            cohorts = selectors.cohorts_of(call)
            [p.establishment.departement.name for c in cohorts for p in c.participants.all()]
            [str(c.pair) for c in cohorts if c.pair]
        counts.append(len(queries))
    assert counts[0] == counts[1] == 2
    login_verified(client, manager)
    page_queries(client, small)  # warms the session and the caches
    assert page_queries(client, small) == page_queries(client, large)


def test_the_map_counts_the_selected_establishments_of_each_departement(manager):
    call = selected_call(manager, herault=3, aude=2)
    counts = {c.code: c.count for c in selectors.selected_by_departement(call)}
    assert len(counts) == 13  # Occitanie's départements, from the territory's reference data
    assert (counts["11"], counts["30"], counts["34"]) == (2, 0, 3)
