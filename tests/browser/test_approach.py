"""The QVT approach in Chromium: the establishment's director walks through the four sequences with
realistic content (comité, EDT, a year of HR figures, rated situations, an experiment, the bilan), a
consultant of the pair agrees to close each of the first three; the bilan's PDF is looked at; the home and the
action plan read on a phone."""

import re
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from capqvct.approaches.tests.builders import workspace
from tests.browser.conftest import ARTIFACTS, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

COMMITTEE = [
    ("Claire Dubois", "Direction", "Directrice"),
    ("Karim Benali", "Représentant du personnel", "Aide-soignant, élu au CSE"),
    ("Awa Diallo", "Professionnel de terrain", "Aide-soignante de nuit"),
]
NIGHT_SHIFTS = "Les transmissions de nuit se font debout, en dix minutes"
LIFTING = "Les toilettes du matin sans lève-personne dans l’unité B"
ORGANISATION = "Organisation, contenu et réalisation du travail"
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def tick(scope, label: str) -> None:
    """Tick a DSFR checkbox: its label, drawn over the input, is what a person clicks."""
    scope.locator("label", has_text=label).click()
    expect(scope.get_by_label(label)).to_be_checked()


def test_a_trinome_walks_through_the_four_sequences(page, browser, live_server, look, sign_in):
    w = workspace()
    today = timezone.localdate()
    home = f"/demarches/{w.participant.pk}/"
    sign_in(w.director)

    # Sequence 1: the comité, its first meeting, the scope, a first message.
    page.goto(home)
    page.get_by_role("link", name="1. Lancement et pilotage").click()
    for name, role, function in COMMITTEE:
        page.get_by_label("Nom", exact=True).fill(name)
        page.get_by_label("Rôle au comité").select_option(label=role)
        page.get_by_label("Fonction").fill(function)
        page.get_by_role("button", name="Ajouter au comité").click()
        page.get_by_text("Membre ajouté au comité QVT.").wait_for()
    page.get_by_label("Date de la réunion").fill((today - timedelta(days=1)).isoformat())
    for name, role, _ in COMMITTEE:
        tick(page, f"{name} ({role})")
    page.get_by_label("Compte rendu", exact=True).fill(
        "Présentation du programme ; tour de table sur ce qui pèse."
    )
    page.get_by_label("Décisions").fill("La démarche porte sur les deux unités de l’EHPAD, nuit comprise.")
    page.get_by_role("button", name="Enregistrer la réunion").click()
    page.get_by_text("Réunion du comité enregistrée.").wait_for()
    held = page.get_by_role("region", name="Réunion du")
    for name, _, _ in COMMITTEE:
        expect(held).to_contain_text(name)
    page.get_by_label("Services et équipes concernés").fill(
        "Unité A (32 lits), unité B (28 lits), équipe de nuit"
    )
    page.get_by_label("Sites concernés").fill("Site principal, 12 rue des Écoles")
    page.get_by_label("Précisions").fill("La cuisine, confiée à un prestataire, est hors du périmètre.")
    page.get_by_role("button", name="Enregistrer le périmètre").click()
    page.get_by_text("Périmètre enregistré.").wait_for()
    page.get_by_label("À qui").fill("Toutes les équipes")
    page.get_by_label("Ce qui est dit").fill("Le comité QVT est constitué : qui y siège, ce qu’il va faire.")
    page.get_by_label("Par quel moyen").fill("Réunion d’équipe et affichage en salle de pause")
    page.get_by_label("Prévu le").fill((today + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Ajouter au plan").click()
    page.get_by_text("Message ajouté au plan de communication.").wait_for()
    look(page, "approach--launch")

    consultant = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    consultant.add_cookies([session_cookie(w.consultant, live_server.url)])
    consultant_page = consultant.new_page()

    def close_sequence(number: int) -> None:
        """The director asks (saying why when items are missing), the consultant agrees."""
        page.goto(home)
        reason = page.get_by_label("Pourquoi clore la séquence malgré ce qui manque")
        if reason.count():
            reason.fill("Le comité a choisi d’avancer ; le reste suivra en séance.")
        page.get_by_role("button", name=f"Demander à clore la séquence {number}").click()
        page.get_by_text("Demande envoyée").wait_for()
        consultant_page.goto(home)
        consultant_page.get_by_role("button", name="Donner mon accord").click()
        consultant_page.get_by_text("Séquence close\u00a0: la suivante commence.").wait_for()
        page.goto(home)
        expect(page.locator(".fr-stepper__state")).to_have_text(f"Séquence {number + 1} sur 4")

    page.get_by_role("link", name="Retour à la démarche").click()
    expect(page.get_by_text("Éléments réunis")).to_contain_text("6 sur 6")
    close_sequence(1)
    look(page, "approach--home")

    # Sequence 2: an EDT, a year of HR figures, two situations, one rated and retained.
    page.get_by_role("link", name="2. État des lieux partagé").click()
    page.get_by_label("Nom du groupe").fill("EDT de nuit")
    page.get_by_label("Membres, par métier").fill("Awa Diallo, aide-soignante\nLéo Martin, infirmier")
    page.get_by_label("Situation ou sujet travaillé").fill(
        "Les transmissions entre l’équipe de nuit et du matin"
    )
    page.get_by_role("button", name="Ajouter le groupe").click()
    page.get_by_text("Espace de discussion sur le travail (EDT) ajouté.").wait_for()
    page.get_by_label("Année", exact=True).fill("2025")
    page.get_by_label("ETP réels", exact=True).fill("50")
    page.get_by_label("Jours calendaires d’absence pour maladie ordinaire (courte durée)").fill("730")
    page.get_by_role("button", name="Enregistrer l’année").click()
    page.get_by_text("Indicateurs de l’année enregistrés.").wait_for()
    short_illness = page.get_by_role("row").filter(
        has_text="Taux d’absentéisme pour maladie ordinaire (courte durée)"
    )
    expect(short_illness.get_by_role("cell")).to_have_text("4,00 %")
    expect(
        short_illness.get_by_text(
            "jours calendaires d’absence pour maladie ordinaire (courte durée) ÷ (ETP réels × 365)"
        )
    ).to_be_visible()
    for title, theme in [(NIGHT_SHIFTS, ORGANISATION), (LIFTING, "Santé au travail")]:
        page.get_by_label("Situation de travail", exact=True).fill(title)
        page.get_by_label("Thème QVCT").select_option(label=theme)
        page.get_by_label("Ce qui se passe, pour qui, quand").fill("Signalé par l’EDT de nuit en novembre.")
        page.get_by_role("button", name="Ajouter la situation").click()
        page.get_by_text("Situation de travail ajoutée.").wait_for()
    rating = page.get_by_role("group", name=NIGHT_SHIFTS)
    rating.get_by_label("Importance (1 à 4)").select_option("4")
    rating.get_by_label("Faisabilité (1 à 4)").select_option("3")
    tick(rating, "Retenue par le comité")
    rating.get_by_role("button", name="Enregistrer la cotation").click()
    page.get_by_text(re.compile(r"^Cotation de .+ enregistrée\.$")).wait_for()
    expect(page.get_by_role("row").filter(has_text=NIGHT_SHIFTS).first).to_contain_text("4 × 3 = 12")
    look(page, "approach--diagnosis")

    # Sequence 3: an action run as an experiment, answering the retained situation.
    close_sequence(2)
    page.get_by_role("link", name="3. Plan d’actions").click()
    page.get_by_role("textbox", name=re.compile(r"^Action\b")).fill(
        "Des transmissions assises, de vingt minutes, avec un support écrit"
    )
    page.get_by_label("Thème QVCT").select_option(label=ORGANISATION)
    page.get_by_label("Situation de travail à laquelle elle répond").select_option(
        label=f"{NIGHT_SHIFTS} (retenue par le comité)"
    )
    page.get_by_label("Responsable").fill("La cadre de santé de l’unité A")
    page.get_by_label("Début").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("Échéance").fill((today + timedelta(days=120)).isoformat())
    page.get_by_label("Moyens").fill("Vingt minutes de chevauchement payées ; une salle réservée.")
    page.get_by_label("Indicateurs à suivre").fill(
        "Erreurs de transmission signalées ; ressenti des équipes à trois mois."
    )
    tick(page, "Cette action est une expérimentation")
    page.get_by_label("Hypothèse").fill(
        "Des transmissions assises et plus longues réduisent les oublis de soins."
    )
    page.get_by_label("Période de test").fill("Trois mois dans l’unité A")
    page.get_by_role("button", name="Ajouter l’action au plan").click()
    page.get_by_text("Action ajoutée au plan.").wait_for()
    expect(page.locator("figure svg")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Des transmissions assises")).to_contain_text(
        "Trois mois dans l’unité A"
    )
    look(page, "approach--actions")

    # Sequence 4: the bilan, written, validated by the comité, downloaded as a PDF.
    close_sequence(3)
    consultant.close()
    page.get_by_role("link", name="4. Bilan et évaluation").click()
    page.get_by_label("Ce qui a marché").fill(
        "Les transmissions assises : moins d’oublis, une équipe de nuit écoutée."
    )
    page.get_by_label("Ce qui n’a pas marché").fill("Le lève-personne de l’unité B n’est pas encore livré.")
    page.get_by_label("Ce qui continue après le programme").fill("Le comité QVT se réunit chaque trimestre.")
    page.get_by_role("button", name="Enregistrer le bilan").click()
    page.get_by_text("Bilan enregistré.").wait_for()
    page.get_by_role("button", name="Enregistrer la validation du comité").click()
    page.get_by_text("Validation du bilan par le comité enregistrée.").wait_for()
    expect(page.get_by_text("Validé par le comité")).to_be_visible()
    look(page, "approach--review")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le bilan (PDF)").click()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "approach--bilan.pdf"
    download.value.save_as(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(ARTIFACTS / "approach--bilan-pdf"),
        ],
        check=True,
    )
    assert (ARTIFACTS / "approach--bilan-pdf.png").stat().st_size > 0

    # On a phone: the page itself never scrolls sideways (tables scroll inside their .fr-table).
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(home)
    look(page, "approach--home--375")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    page.get_by_role("link", name="3. Plan d’actions").click()
    look(page, "approach--actions--375")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
