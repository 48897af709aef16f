"""A call of Occitanie receives its dossiers: online with a signed letter, and by e-mail through an agent."""

import subprocess
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from capqvct.accounts.models import Role
from capqvct.applications.models import Application, ApplicationStatus, Channel
from tests.browser.conftest import ARTIFACTS
from tests.factories import (
    PASSWORD,
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    departement,
    login_verified,
    region,
)
from tests.permissions.world import published_call

pytestmark = pytest.mark.django_db(transaction=True)

SIGNED_LETTER = b"%PDF-1.4\n% lettre d'engagement signee par la direction et le CSE\n%%EOF\n"


@pytest.fixture
def manager():
    return MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation__region=region("76"), user__email="agent@ars-occitanie.fr"
    ).user


@pytest.fixture
def call(manager):
    call = published_call(manager)
    call.required_attachments = [
        {"label": "Lettre d’engagement signée", "required": True},
        {"label": "Organigramme", "required": False},
    ]
    call.save(update_fields=["required_attachments"])
    return call


def sign_in_agent(page, live_server, user):
    client = login_verified(Client(), user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def first_page_as_png(pdf: bytes, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(path),
            str(ARTIFACTS / name),
        ],
        check=True,
    )


def test_a_director_sends_a_dossier_with_its_signed_letter_and_gets_the_receipt(page, look, call, tmp_path):
    space = OrganisationFactory(establishment_space=True)
    EstablishmentFactory(name="EHPAD Les Cigales", departement=departement("34"), organisation=space)
    director = MembershipFactory(
        role=Role.DIRECTOR, organisation=space, user__email="directrice@cigales.fr"
    ).user
    letter = tmp_path / "lettre-engagement.pdf"
    letter.write_bytes(SIGNED_LETTER)
    disguised = tmp_path / "organigramme.pdf"
    disguised.write_bytes(b"MZ\x90\x00" + bytes(200))

    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(director.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"/dossiers/nouveau/{call.pk}/")
    page.get_by_role("button", name="Commencer le dossier").click()

    page.get_by_label("Motivation").fill("Réduire les glissements de tâches la nuit.")
    page.get_by_label("Lettre d’engagement signée").set_input_files(str(letter))
    page.get_by_label("Organigramme").set_input_files(str(disguised))
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(
        page.get_by_text("Le contenu de ce fichier ne correspond pas à un fichier PDF.").first
    ).to_be_visible()
    expect(page.get_by_role("link", name="lettre-engagement.pdf")).to_be_visible()
    look(page, "dossier-piece-refusee")

    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_text("l’accusé de réception vous est envoyé par e-mail")).to_be_visible()
    application = Application.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED

    page.goto(f"/dossiers/{application.pk}/")
    expect(page.get_by_text("Empreinte SHA-256")).to_be_visible()
    look(page, "dossier-depose-avec-pieces")
    receipt = page.request.get(f"/dossiers/{application.pk}/depots/1/accuse-reception.pdf")
    assert receipt.headers["content-type"] == "application/pdf"
    first_page_as_png(receipt.body(), "accuse-reception-en-ligne")
    (sent,) = [message for message in mail.outbox if "Accusé de réception" in message.subject]
    assert sent.to == ["directrice@cigales.fr"]


def test_an_agent_records_a_dossier_received_by_email_and_transcribes_it(
    page, look, live_server, call, manager, tmp_path
):
    EstablishmentFactory(
        name="Foyer d’accueil Le Mas Blanc", finess_et="340011121", departement=departement("34")
    )
    scan = tmp_path / "dossier-recu.pdf"
    scan.write_bytes(SIGNED_LETTER)
    received = timezone.localtime(timezone.now() - timedelta(hours=3))
    sign_in_agent(page, live_server, manager)

    page.goto(f"/appels/gestion/{call.pk}/")
    page.get_by_role("link", name="Dossiers", exact=True).click()
    page.get_by_role("link", name="Enregistrer un dossier reçu par e-mail ou courrier").click()
    page.get_by_label("Numéro FINESS de l’établissement").fill("340011121")
    page.get_by_text("Par e-mail").click()
    page.get_by_label("Date de réception").fill(received.strftime("%Y-%m-%d"))
    page.get_by_label("Heure de réception").fill(received.strftime("%H:%M"))
    page.get_by_label("E-mail de l’expéditeur").fill("direction@masblanc.fr")
    page.get_by_label("Pièces reçues").set_input_files(str(scan))
    look(page, "enregistrer-dossier-recu")
    page.get_by_role("button", name="Enregistrer le dossier").click()

    expect(page.get_by_text("Dossier reçu par e-mail")).to_be_visible()
    page.get_by_label("Motivation").fill("Dossier reçu par e-mail : améliorer l’organisation des plannings.")
    page.get_by_label("Lettre d’engagement signée").set_input_files(str(scan))
    look(page, "dossier-recu-a-saisir")
    page.get_by_role("button", name="Enregistrer comme déposé").click()

    expect(page.get_by_text("l’accusé de réception est envoyé à direction@masblanc.fr")).to_be_visible()
    look(page, "dossier-recu-depose")
    application = Application.objects.get()
    assert (application.channel, application.status) == (Channel.EMAIL, ApplicationStatus.SUBMITTED)
    assert application.submitted_at == application.received_at.replace(microsecond=0)
    receipt = page.request.get(f"/dossiers/{application.pk}/depots/1/accuse-reception.pdf")
    first_page_as_png(receipt.body(), "accuse-reception-courriel")

    page.goto(f"/dossiers/gestion/appels/{call.pk}/")
    expect(page.get_by_text("1 dossier")).to_be_visible()
    look(page, "dossiers-de-l-appel")
    assert [message.to for message in mail.outbox] == [["direction@masblanc.fr"]]
