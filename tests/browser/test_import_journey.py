"""A programme manager imports dossiers from an XLSX export: upload, mapping, preview, report."""

from datetime import datetime

import pytest
import tablib
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from capqvct.accounts.models import Role
from capqvct.applications.models import Application, ApplicationStatus, Channel
from capqvct.calls import services as call_services
from capqvct.calls.formdef.templates_library import standard_qvct_application
from tests.factories import EstablishmentFactory, MembershipFactory, departement, login_verified, region
from tests.permissions.world import published_call

pytestmark = pytest.mark.django_db(transaction=True)

TRIO = {
    "direction": ("Marie Dupont", "Directrice", "m.dupont@cigales.fr"),
    "staff_representative": ("Paul Martin", "Aide-soignant, élu CSE", "p.martin@cigales.fr"),
    "professions": ("Awa Diallo", "Cadre de santé", "a.diallo@cigales.fr"),
}


def _export(path) -> None:
    """What an online survey tool exports: its own headers, French dates, a line that cannot be imported."""
    data = tablib.Dataset(
        headers=[
            "Horodateur",
            "Adresse e-mail",
            "N° FINESS",
            "Nom de la structure",
            "Statut juridique",
            "Adresse postale",
            "Téléphone",
            "Nom et prénom du directeur ou de la directrice",
            "Statut du directeur ou de la directrice",
            "Effectif en équivalents temps plein (ETP)",
            "Effectif en nombre de personnes",
            "Pourquoi souhaitez-vous engager une démarche QVT, pour quel projet ou quelle problématique ?",
            "Comment la démarche sera-t-elle pilotée ?",
            *(
                f"{role} - {part}"
                for role in ("Direction", "Personnel", "Métiers")
                for part in ("Nom", "Fonction", "E-mail")
            ),
        ]
    )
    trio = [value for member in TRIO.values() for value in member]
    data.append(
        [
            datetime(2026, 11, 2, 9, 41),
            "direction@cigales.fr",
            340000017,
            "EHPAD Les Cigales",
            "Privé non lucratif",
            "12 rue des Cigales, 34000 Montpellier",
            "467123456",
            "Marie Dupont",
            "D3S",
            "45,5",
            52,
            "Réduire les glissements de tâches la nuit.",
            "Un comité QVT mensuel avec le CSE.",
            *trio,
        ]
    )
    data.append(
        [
            datetime(2026, 11, 3, 10, 0),
            "contact@inconnu.fr",
            "999999999",
            "Inconnu",
            "Public",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            *[""] * 9,
        ]
    )
    path.write_bytes(data.export("xlsx"))


def test_a_manager_imports_dossiers_from_a_spreadsheet(page, look, tmp_path, live_server):
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user
    call = published_call(manager)
    call_services.save_form(call=call, definition=standard_qvct_application().to_json(), by=manager)
    EstablishmentFactory(finess_et="340000017", name="EHPAD Les Cigales", departement=departement("34"))
    session = login_verified(Client(), manager).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    export = tmp_path / "export-questionnaire.xlsx"
    _export(export)

    page.goto(f"/dossiers/gestion/appels/{call.pk}/import/")
    look(page, "import-depot")
    page.get_by_label("Tableur des dossiers").set_input_files(str(export))
    page.get_by_role("button", name="Déposer le fichier").click()

    expect(page.get_by_role("heading", name="Correspondance des colonnes")).to_be_visible()
    expect(page.get_by_label("Numéro FINESS de l’établissement", exact=True)).to_have_value("N° FINESS")
    look(page, "import-correspondance")
    page.get_by_role("button", name="Voir l’aperçu").click()

    expect(page.get_by_role("heading", name="Aperçu de l’import")).to_be_visible()
    expect(page.get_by_text("1\u00a0dossier sera importé et déposé")).to_be_visible()
    look(page, "import-apercu")
    page.get_by_role("button", name="Importer").click()

    expect(page.get_by_role("heading", name="Compte rendu de l’import")).to_be_visible()
    look(page, "import-compte-rendu")
    application = Application.objects.get()
    assert (application.channel, application.status) == (Channel.IMPORT, ApplicationStatus.SUBMITTED)
    assert application.answers["trio"]["professions"]["name"] == "Awa Diallo"
