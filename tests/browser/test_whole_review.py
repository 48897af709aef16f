"""A whole review in Chromium: twelve dossiers, two reviewers (ARS and Aract), ranking, commission,
notification and a decision letter rendered to PNG; every main screen is axe-clean."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from capqvct.review import decisions, services
from capqvct.review.models import Assignment, Decision, Outcome, Review
from capqvct.review.tests.test_assignment import Setting
from tests.browser.test_dossier_journeys import first_page_as_png
from tests.factories import login_verified

pytestmark = pytest.mark.django_db(transaction=True)

ESTABLISHMENTS = [
    "EHPAD Les Micocouliers",
    "EHPAD La Garrigue",
    "EHPAD Le Clos des Vignes",
    "SSIAD du Pic Saint-Loup",
    "EHPAD Les Salins",
    "Centre de rééducation de Lodève",
    "EHPAD Les Arbousiers",
    "SSIAD des Cévennes",
    "EHPAD L’Étang de Thau",
    "Foyer d’accueil médicalisé Les Capitelles",
    "EHPAD Le Mas des Aires",
    "EHPAD Les Lavandes",
]
GRID = [("Portage par la direction", "2", "5"), ("Dialogue social", "1", "4"), ("Plan d’action", "1", "4")]
# Dossiers scored in the browser by each reviewer; the others are scored through the services.
SCORED_IN_BROWSER = 2
# Decisions drafted in the browser; the others are drafted through the services.
DRAFTED_IN_BROWSER = 2


def signed_in_page(browser, live_server, user):
    """A page in its own browser context, carrying the user's session cookie."""
    client = login_verified(Client(), user)
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
    return context.new_page()


def build_setting() -> Setting:
    setting = Setting(dossiers=len(ESTABLISHMENTS))
    for number, (application, name) in enumerate(zip(setting.applications, ESTABLISHMENTS, strict=True)):
        # The establishment's address receives the decision (no member account in this setting).
        application.establishment.name = name
        application.establishment.email = f"direction{number}@etablissement.fr"
        application.establishment.save(update_fields=["name", "email"])
    return setting


def score_through_services(reviewer) -> None:
    review = Review.objects.get()
    criteria = list(review.criteria.order_by("position"))
    pending = Assignment.objects.filter(reviewer=reviewer, submitted_at__isnull=True).order_by("pk")
    for offset, assignment in enumerate(pending):
        services.declare_no_conflict(assignment=assignment, by=reviewer)
        values = {c.pk: ((offset + c.position) % (c.scale_max + 1), "") for c in criteria}
        services.save_scores(assignment=assignment, values=values, by=reviewer)
        services.submit_scores(assignment=assignment, by=reviewer)


def score_as_reviewer(browser, live_server, look, reviewer, label: str, count: int) -> None:
    page = signed_in_page(browser, live_server, reviewer)
    page.goto("/instruction/mes-dossiers/")
    expect(page.get_by_role("table").locator("caption")).to_have_text(f"{count} dossiers confiés")
    look(page, f"revue-complete--mes-dossiers-{label}")
    for number in range(SCORED_IN_BROWSER):
        page.goto("/instruction/mes-dossiers/")
        page.get_by_role("row").filter(has_text="Conflit d’intérêts à déclarer").first.get_by_role(
            "link"
        ).click()
        page.get_by_role("button", name="Je n’ai pas de conflit d’intérêts").click()
        page.get_by_label("Note, de 0 à 5").fill(str(5 - number))
        for field in page.get_by_label("Note, de 0 à 4").all():
            field.fill(str(3 - number))
        page.get_by_label("Commentaire").first.fill("Direction très impliquée, calendrier réaliste.")
        if number == 0:
            look(page, f"revue-complete--notation-{label}")
        page.get_by_role("button", name="Remettre ma notation").click()
        expect(page.get_by_text("Notation remise : les notes des autres instructeurs")).to_be_visible()
    # The rest of the reviewer's dossiers go through the services, to keep the test fast.
    score_through_services(reviewer)
    page.goto("/instruction/mes-dossiers/")
    expect(page.locator(".fr-badge", has_text="Notation remise")).to_have_count(count)
    look(page, f"revue-complete--mes-dossiers-remis-{label}")
    page.context.close()


def test_a_whole_review_of_twelve_dossiers(browser, live_server, look):
    setting = build_setting()
    call = setting.call
    manager = signed_in_page(browser, live_server, setting.manager)

    # Opening the review, the grid, the automatic assignment.
    manager.goto(f"/instruction/appels/{call.pk}/")
    look(manager, "revue-complete--avant-ouverture")
    manager.get_by_role("button", name="Ouvrir l’instruction").click()
    manager.get_by_role("link", name="Modifier la grille").click()
    for number, (label, weight, scale_max) in enumerate(GRID):
        manager.locator(f"#id_form-{number}-label").fill(label)
        manager.locator(f"#id_form-{number}-weight").fill(weight)
        manager.locator(f"#id_form-{number}-scale_max").fill(scale_max)
    look(manager, "revue-complete--grille")
    manager.get_by_role("button", name="Enregistrer la grille").click()
    expect(manager.get_by_text("Grille de notation enregistrée.")).to_be_visible()
    manager.get_by_role("button", name="Répartir automatiquement").click()
    rows = manager.locator("table:has(caption:has-text('en instruction')) tbody tr")
    expect(rows).to_have_count(12)
    # Programme managers of the ARS count as its agents (selectors.region_agents): the ARS half of the
    # dossiers is shared between the manager and the ARS reviewer, the Aract reviewer takes all twelve.
    loads = manager.locator("h2:has-text('Charge des instructeurs') + ul")
    expect(loads).to_contain_text("Camille Aubert : 6 dossiers")
    expect(loads).to_contain_text("Camille Bernard : 6 dossiers")
    expect(loads).to_contain_text("Camille Chevalier : 12 dossiers")
    look(manager, "revue-complete--tableau-de-bord")
    assert Assignment.objects.count() == 24

    # Each reviewer, in a browser context of their own.
    score_as_reviewer(browser, live_server, look, setting.ars_reviewer, "ars", 6)
    score_as_reviewer(browser, live_server, look, setting.aract_reviewer, "aract", 12)
    # The manager's own share of the ARS dossiers, through the services.
    score_through_services(setting.manager)
    assert Assignment.objects.filter(submitted_at__isnull=False).count() == 24

    # The ranking.
    manager.goto(f"/instruction/appels/{call.pk}/classement/")
    expect(manager.locator("tbody tr")).to_have_count(12)
    expect(manager.get_by_role("table").locator("caption")).to_have_text("12 dossiers")
    look(manager, "revue-complete--classement")
    ranked = [
        manager.locator("tbody tr").nth(n).locator("td").nth(1).inner_text().splitlines()[0]
        for n in range(12)
    ]
    assert sorted(ranked) == sorted(ESTABLISHMENTS)

    # Decisions: a few drafted in the browser, the rest through the services.
    manager.goto(f"/instruction/decisions/appels/{call.pk}/")
    look(manager, "revue-complete--decisions-a-prendre")
    in_browser, by_services = ranked[:DRAFTED_IN_BROWSER], ranked[DRAFTED_IN_BROWSER:]
    for name in in_browser:
        row = manager.get_by_role("row").filter(has_text=name)
        row.get_by_label("Décision").select_option(label="Retenu")
        row.get_by_label("Motif adressé au candidat").fill("Projet solide, direction et CSE engagés.")
    # One form for the whole page.
    manager.get_by_role("button", name="Enregistrer les projets de cette page").click()
    for name in in_browser:
        expect(
            manager.get_by_role("row").filter(has_text=name).get_by_label("Décision (projet)")
        ).to_have_value(Outcome.SELECTED)
    outcomes = [Outcome.SELECTED] * 4 + [Outcome.WAITING_LIST] * 2 + [Outcome.NOT_SELECTED] * 4
    for name, outcome in zip(by_services, outcomes, strict=True):
        application = next(a for a in setting.applications if a.establishment.name == name)
        application.refresh_from_db()
        decisions.draft_decision(
            application=application,
            outcome=outcome,
            reason="Classement de la commission.",
            by=setting.manager,
        )
    manager.reload()
    expect(manager.get_by_text("12 décisions en projet")).to_be_visible()
    manager.get_by_role("link", name="Confirmer en commission").click()
    look(manager, "revue-complete--commission-a-confirmer")
    manager.get_by_role("button", name="Confirmer en commission").click()
    bilan = manager.locator(".fr-callout")
    expect(bilan).to_contain_text("6 retenus")
    expect(bilan).to_contain_text("Liste d’attente : 2")
    expect(bilan).to_contain_text("Non retenu : 4")
    expect(bilan).to_contain_text("Sans décision confirmée : 0 sur 12")
    expect(manager.get_by_text("Aucune décision en projet.")).to_be_visible()
    look(manager, "revue-complete--decisions-confirmees")

    # Notification (tasks run at once in tests).
    manager.get_by_role("link", name="Notifier les décisions").click()
    manager.get_by_role("button", name="Notifier 12 décisions").click()
    manager.goto(f"/instruction/decisions/appels/{call.pk}/")
    expect(manager.locator("#avancement-notification")).to_contain_text("12 / 12 décisions notifiées")
    expect(manager.get_by_text("Notifiée le")).to_have_count(12)
    look(manager, "revue-complete--decisions-notifiees")
    assert Decision.objects.filter(notified_at__isnull=False).count() == 12

    # One letter, its first page as a PNG.
    first = next(a for a in setting.applications if a.establishment.name == ranked[0])
    response = manager.request.get(f"/instruction/decisions/dossier/{first.pk}/lettre/")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    first_page_as_png(response.body(), "revue-complete--lettre")
    manager.context.close()
