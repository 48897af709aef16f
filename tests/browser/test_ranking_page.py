"""The ranking table as a programme manager sees it: ranks, ties, a disagreement, badges; axe-clean."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from capqvct.accounts.models import Role
from capqvct.calls import services as call_services
from capqvct.calls.models import CallKind, FundingRule, ProgrammeFormat
from capqvct.review.models import Criterion, Outcome, Review
from capqvct.review.tests.test_ranking_views import FORM, SUBMITTED_AT, dossier
from tests.factories import MembershipFactory, OrganisationFactory, departement, login_verified, region

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_ranking_table(browser, live_server, look):
    occitanie = region("76", "Occitanie")
    departement("34", "Hérault", "76")
    departement("11", "Aude", "76")
    manager = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation=OrganisationFactory(region=occitanie)
    ).user
    programme = call_services.create_programme(
        by=manager,
        region_id="76",
        title="OMEGA",
        format=ProgrammeFormat.COHORTS,
        funding_rule=FundingRule.FLAT_RATE,
        flat_rate_amount=2000,
    )
    call = call_services.create_call(
        programme=programme,
        by=manager,
        definition=FORM,
        kind=CallKind.AAC,
        title="Accompagnement QVCT OMEGA",
        opens_at=SUBMITTED_AT - timedelta(days=30),
        closes_at=SUBMITTED_AT + timedelta(days=1),
    )
    review = Review.objects.create(call=call, started_by=manager)
    Criterion.objects.create(review=review, label="Projet", weight=2, scale_max=4, position=1)
    Criterion.objects.create(review=review, label="Équipe", weight=1, scale_max=4, position=2)
    dossier(review, "EHPAD Les Tilleuls", notations=[(4, 4), (2, 1)], eligible=True, outcome=Outcome.SELECTED)
    dossier(review, "EHPAD Les Glycines", notations=[(3, 3), (3, 3)], eligible=True)
    dossier(
        review, "EHPAD Bel Air", notations=[(3, 3), (3, 3), None], eligible=True, outcome=Outcome.WAITING_LIST
    )
    dossier(review, "SSIAD de l’Aude", notations=[(2, 4), None], departement_code="11")
    dossier(review, "EHPAD Les Oliviers", notations=[None, None], eligible=False, outcome=Outcome.INELIGIBLE)

    client = login_verified(Client(), manager)
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"/instruction/appels/{call.pk}/classement/")
    rows = page.locator("tbody tr")
    assert rows.count() == 5
    assert rows.nth(0).locator("td").nth(1).inner_text().startswith("EHPAD Bel Air")
    assert page.locator(".fr-badge", has_text="désaccord").count() == 1
    look(page, "review-ranking")

    page.get_by_role("link", name="Écart entre instructeurs").click()
    assert rows.nth(0).locator("td").nth(1).inner_text().startswith("EHPAD Les Tilleuls")
    page.locator("label[for=filtre-desaccord]").click()
    page.get_by_role("button", name="Filtrer").click()
    assert rows.count() == 1
    look(page, "review-ranking--disagreements")
    context.close()
