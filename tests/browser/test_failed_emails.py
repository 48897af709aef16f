"""The mail server is down: a manager invites a colleague and notifies the decisions; both actions are
done, the failures are shown (dashboard, « Envois en échec », decisions page); once the server is back,
« Renvoyer » sends each e-mail, once."""

import pytest
from playwright.sync_api import expect

from capqvct.core.tests import smtp
from capqvct.review.models import Outcome
from capqvct.review.tests import test_decisions as shared
from tests.browser.test_whole_review import signed_in_page

pytestmark = pytest.mark.django_db(transaction=True)

agency, manager, call, review = shared.agency, shared.manager, shared.call, shared.review
smtp_server = smtp.smtp_server


def test_failed_e_mails_are_shown_to_their_author_and_sent_again(
    browser, live_server, look, smtp_server, call, review, manager
):
    shared.draft(
        shared.dossier(call, "EHPAD Les Tilleuls", director_email="direction@tilleuls.fr"),
        Outcome.SELECTED,
        manager,
    )
    page = signed_in_page(browser, live_server, manager)
    page.goto(f"/instruction/decisions/appels/{call.pk}/")
    page.get_by_role("link", name="Confirmer en commission").click()
    page.get_by_role("button", name="Confirmer en commission").click()
    expect(page.locator(".fr-alert--success").first).to_be_visible()

    # The mail server is down from here on.
    page.get_by_role("link", name="Notifier les décisions").click()
    page.get_by_role("button", name="Notifier 1 décision").click()
    row = page.get_by_role("row").filter(has_text="EHPAD Les Tilleuls")
    expect(row).to_contain_text("Le serveur d’envoi est injoignable (connexion refusée).")
    expect(row).to_contain_text("Nouvel essai automatique le")
    look(page, "decisions-serveur-en-panne")

    page.goto(f"/compte/organisations/{manager.memberships.get().organisation_id}/inviter/")
    page.get_by_label("Adresse e-mail de la personne invitée").fill("ines.durand@ars.sante.fr")
    page.get_by_label("Rôle").select_option("reviewer")
    page.get_by_role("button", name="Envoyer l’invitation").click()
    expect(page.locator(".fr-alert--success").first).to_contain_text("Invitation envoyée")

    page.goto("/compte/tableau-de-bord/")
    notice = page.locator(".fr-alert--warning")
    expect(notice).to_contain_text("2 e-mails n’ont pas pu partir")
    look(page, "tableau-de-bord-envois-en-echec")
    notice.get_by_role("link", name="Voir les envois en échec").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Envois en échec")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="ines.durand@ars.sante.fr")).to_contain_text("Invitation à rejoindre")
    expect(rows.filter(has_text="direction@tilleuls.fr")).to_contain_text("Décision")
    look(page, "envois-en-echec")

    smtp_server.start()  # the server is back
    rows.filter(has_text="ines.durand@ars.sante.fr").get_by_role("button", name="Renvoyer").click()
    expect(page.locator(".fr-alert--success").first).to_contain_text(
        "Nouvel envoi lancé pour l’e-mail à ines.durand@ars.sante.fr."
    )
    expect(rows).to_have_count(1)
    rows.get_by_role("button", name="Renvoyer").click()
    expect(page.get_by_text("Aucun envoi en échec.")).to_be_visible()
    look(page, "envois-en-echec--renvoyes")

    assert smtp_server.recipients() == ["direction@tilleuls.fr", "ines.durand@ars.sante.fr"]
    page.goto(f"/instruction/decisions/appels/{call.pk}/")
    expect(page.get_by_role("row").filter(has_text="EHPAD Les Tilleuls")).to_contain_text("Notifiée le")
    page.context.close()
