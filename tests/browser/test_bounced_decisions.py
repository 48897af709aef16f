"""A decision e-mail came back in error: the manager sees it on the decisions page and sends it again."""

import pytest
from playwright.sync_api import expect

from capqvct.review import decisions
from capqvct.review.models import Decision, Outcome
from capqvct.review.tests import test_decisions as shared
from tests.browser.test_whole_review import signed_in_page

pytestmark = pytest.mark.django_db(transaction=True)

# The call, its agency, manager and review, and the dossier helpers of the services' tests.
agency, manager, call, review = shared.agency, shared.manager, shared.call, shared.review


def test_a_bounced_decision_is_shown_and_sent_again(
    browser, live_server, look, call, review, manager, mailoutbox
):
    shared.draft(
        shared.dossier(call, "EHPAD Les Tilleuls", director_email="direction@tilleuls.fr"),
        Outcome.SELECTED,
        manager,
    )
    bounced = shared.dossier(call, "SSIAD de l’Aude", director_email="direction@ssiad-aude.fr")
    shared.draft(bounced, Outcome.WAITING_LIST, manager, reason="Dossier solide, places épuisées.")
    shared.draft(shared.dossier(call, "Foyer Les Capitelles"), Outcome.NOT_SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager, now=shared.COMMISSION)
    decisions.notify_decisions(review=review, by=manager)  # tasks run at once, after the commit
    decisions.record_bounce(
        message_id=Decision.objects.get(application=bounced).message_id,
        recipient="direction@ssiad-aude.fr",
        status="5.1.1",
        diagnostic="550 5.1.1 <direction@ssiad-aude.fr>: Recipient address rejected: User unknown",
    )
    mailoutbox.clear()

    page = signed_in_page(browser, live_server, manager)
    page.goto(f"/instruction/decisions/appels/{call.pk}/")
    progress = page.locator("#avancement-notification")
    expect(progress).to_contain_text("1 / 3 décisions notifiées, 1 en échec, 1 retour en erreur.")
    row = page.get_by_role("row").filter(has_text="SSIAD de l’Aude")
    expect(row).to_contain_text("Retour en erreur le")
    expect(row).to_contain_text(
        "Adresse refusée\u00a0: direction@ssiad-aude.fr — 550 5.1.1 <direction@ssiad-aude.fr>"
    )
    look(page, "decisions-retour-en-erreur")

    row.get_by_role("button", name="Renvoyer").click()

    expect(page.locator(".fr-alert--success, .fr-alert--info").first).to_contain_text("Nouvel envoi lancé.")
    expect(progress).to_contain_text("2 / 3 décisions notifiées, 1 en échec.")
    expect(page.get_by_role("row").filter(has_text="SSIAD de l’Aude")).to_contain_text("Notifiée le")
    (again,) = mailoutbox
    assert again.to == ["direction@ssiad-aude.fr"]
    look(page, "decisions-retour-en-erreur--renvoyee")
    page.context.close()
