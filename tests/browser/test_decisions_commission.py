"""The commission in Chromium: the decisions page in ranking order, the bulk proposal « Retenir les N
premiers » reviewed before saving, a row in error that keeps what was typed, the confirmation pages
before « Confirmer en commission » and « Notifier », and the signed link of a paper dossier's letter
opened without an account. Every screen is axe-clean and saved for people to look at."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from capqvct.review.decision_links import link_path
from capqvct.review.models import Assignment, Criterion, Decision, EligibilityReview, Outcome, Score
from capqvct.review.tests import test_decisions as shared
from capqvct.review.tests.test_decision_letter_content import record_paper_decision
from tests.browser.test_whole_review import signed_in_page
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

agency, manager, call, review = shared.agency, shared.manager, shared.call, shared.review
# (name, mark on 20, eligibility confirmed: True, False or None for « à confirmer »)
DOSSIERS = [
    ("EHPAD Les Micocouliers", 18, True),
    ("EHPAD La Garrigue", 17, None),
    ("SSIAD du Pic Saint-Loup", 16, True),
    ("EHPAD Les Salins", 15, False),
    ("EHPAD Les Arbousiers", 14, True),
    ("SSIAD des Cévennes", 12, True),
    ("EHPAD Le Mas des Aires", 9, True),
]


def scored(call, criterion, name, mark, eligible):
    application = shared.dossier(call, name, director_email=f"direction@{len(name)}-{mark}.fr")
    assignment = Assignment.objects.create(
        application=application,
        reviewer=UserFactory(),
        no_conflict_declared_at=shared.CLOSES,
        submitted_at=shared.CLOSES,
    )
    Score.objects.create(
        assignment=assignment,
        criterion=criterion,
        value=mark,
    )
    if eligible is not None:
        EligibilityReview.objects.create(application=application, eligible=eligible)
    return application


def test_a_commission_from_the_proposal_to_the_notification(
    browser, live_server, look, call, review, manager
):
    criterion = Criterion.objects.create(review=review, label="Projet", weight=1, scale_max=20, position=1)
    for name, mark, eligible in DOSSIERS:
        scored(call, criterion, name, mark, eligible)
    page = signed_in_page(browser, live_server, manager)
    page.goto(f"/instruction/decisions/appels/{call.pk}/")
    expect(page.locator(".fr-alert--warning")).to_contain_text("EHPAD La Garrigue")
    names = page.locator("tbody tr td:nth-child(2) a")
    expect(names.first).to_have_text("EHPAD Les Micocouliers")
    look(page, "decisions--classement")

    # « Retenir les 2 premiers », 2 on the waiting list: shown for review, nothing saved yet.
    page.get_by_label("Nombre de dossiers à retenir").fill("2")
    page.get_by_label("Puis, sur la liste d’attente").fill("2")
    page.get_by_role("button", name="Voir la proposition").click()
    expect(page.get_by_role("heading", name="Proposition, à relire avant de l’enregistrer")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="EHPAD Les Arbousiers")).to_contain_text("rang 2")
    look(page, "decisions--proposition")
    assert not Decision.objects.exists()
    page.get_by_role("button", name="Enregistrer ces projets").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("7 projets de décision enregistrés")
    assert (
        Decision.objects.get(application__establishment__name="EHPAD Les Salins").outcome
        == Outcome.INELIGIBLE
    )

    # One row in error: nothing saved, what was typed is still there.
    row = page.get_by_role("row").filter(has_text="EHPAD Le Mas des Aires")
    row.get_by_label("Décision").select_option(label="Liste d’attente")
    row.get_by_label("Motif adressé au candidat").fill("")
    other = page.get_by_role("row").filter(has_text="EHPAD Les Arbousiers")
    other.get_by_label("Motif adressé au candidat").fill("Un motif réécrit à la main.")
    page.get_by_role("button", name="Enregistrer les projets de cette page").click()
    expect(page.locator(".fr-alert--error")).to_contain_text("EHPAD Le Mas des Aires")
    expect(row.locator(".fr-error-text")).to_have_text("Écrivez le motif adressé au candidat.")
    expect(other.get_by_label("Motif adressé au candidat")).to_have_value("Un motif réécrit à la main.")
    look(page, "decisions--ligne-en-erreur")
    row.get_by_label("Motif adressé au candidat").fill("Inscrit en dernier sur la liste d’attente.")
    page.get_by_role("button", name="Enregistrer les projets de cette page").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("2 projets de décision enregistrés")

    # The commission, from its summary page.
    page.get_by_role("link", name="Confirmer en commission").click()
    expect(page.locator("main")).to_contain_text("7 décisions en projet")
    look(page, "decisions--commission")
    page.get_by_role("button", name="Confirmer en commission").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("7 décisions confirmées en commission")

    # The notification, from its summary page.
    page.get_by_role("link", name="Notifier les décisions").click()
    look(page, "decisions--notification")
    page.get_by_role("button", name="Notifier 7 décisions").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Notification lancée pour 7 décisions")
    look(page, "decisions--notifiees")
    page.context.close()


def test_the_signed_link_of_a_paper_dossier_opens_without_an_account(
    browser, live_server, look, call, review, manager
):
    decision = record_paper_decision(call, review, manager)
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    page = context.new_page()

    page.goto(link_path(decision))

    expect(page.get_by_role("heading", name="Décision de la commission de sélection")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Voies et délais de recours")
    expect(page.get_by_role("link", name="Créer un compte et rattacher l’établissement")).to_be_visible()
    look(page, "decisions--lien-sans-compte")
    assert Client().get(f"{link_path(decision)}lettre/")["Content-Type"] == "application/pdf"
    context.close()
