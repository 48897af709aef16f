"""A director fills the standard dossier: identity from the directory, sommaire and progress, a save
with a field in error, then a reopening that asks first; on a desktop and on a 360 px phone."""

import pytest
from playwright.sync_api import expect

from capqvct.accounts.models import Role
from capqvct.applications import services
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.applications.tests.test_dossier_identity import call as call  # noqa: F401 (fixture)
from capqvct.applications.tests.test_dossier_identity import cigales as cigales  # noqa: F401 (fixture)
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def director(call, cigales):
    user = MembershipFactory(
        role=Role.DIRECTOR, organisation=cigales.organisation, user__email="directrice@cigales.fr"
    ).user
    services.start_application(call=call, establishment=cigales, by=user)
    return user


def sign_in(page, user):
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


@pytest.mark.parametrize("width", [1280, 360])
def test_the_dossier_shows_its_identity_sommaire_and_progress(page, look, director, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, director)
    dossier = Application.objects.get()

    page.goto(f"/dossiers/{dossier.pk}/")
    expect(page.get_by_text("Repris du répertoire FINESS").first).to_be_visible()
    expect(page.locator("#formdef-structure_name")).to_have_text("EHPAD Les Cigales")
    expect(page.get_by_role("textbox", name="Nom de la structure")).to_have_count(0)
    sommaire = page.get_by_role("navigation", name="Sommaire")
    expect(sommaire.get_by_role("link", name="Trinôme")).to_be_visible()
    expect(page.locator("#dossier-progress")).to_contain_text("3\u00a0questions obligatoires sur")
    look(page, f"dossier-sommaire-{width}")

    page.locator("#formdef-email").fill("pas-une-adresse")
    page.get_by_label("Nom et prénom du directeur ou de la directrice").fill("Camille Martin")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("vos autres réponses sont enregistrées")).to_be_visible()
    expect(page.locator("#formdef-email")).to_have_value("pas-une-adresse")
    expect(page.locator("#dossier-progress")).to_contain_text("5\u00a0questions obligatoires sur")
    look(page, f"dossier-enregistre-avec-erreur-{width}")

    sommaire.get_by_role("link", name="Trinôme").click()
    expect(page).to_have_url(f"{page.url.split('#')[0]}#formdef-section-trio")


def test_reopening_a_submitted_dossier_asks_first(page, look, director):
    dossier = Application.objects.get()
    dossier.answers = {**dossier.answers, **COMPLETE}
    dossier.save()
    services.submit_application(application=dossier, by=director)
    sign_in(page, director)

    page.goto(f"/dossiers/{dossier.pk}/")
    page.get_by_role("link", name="Rouvrir le dossier pour le modifier").click()
    expect(page.get_by_role("heading", name="Rouvrir le dossier", level=1)).to_be_visible()
    expect(page.get_by_text("compte toujours")).to_be_visible()
    look(page, "dossier-rouvrir-confirmation")
    dossier.refresh_from_db()
    assert dossier.status == ApplicationStatus.SUBMITTED

    page.get_by_role("button", name="Rouvrir le dossier pour le modifier").click()
    expect(page.get_by_text("votre dépôt n°\u00a01 compte toujours")).to_be_visible()
    look(page, "dossier-rouvert")
    dossier.refresh_from_db()
    assert dossier.status == ApplicationStatus.DRAFT


PERSON = {"name": "Camille Martin", "function": "Directrice", "email": "c.martin@cigales.fr"}
COMPLETE = {
    "legal_status": "public",
    "email": "direction@cigales.fr",
    "phone": "0467000000",
    "head_name": "Camille Martin",
    "head_status": "Directrice",
    "staff_fte": "45",
    "staff_headcount": "52",
    "motivation": "Réduire les glissements de tâches la nuit.",
    "steering": "Un comité QVT mensuel.",
    "trio": {"direction": PERSON, "staff_representative": PERSON, "professions": PERSON},
}


def test_the_browser_refuses_an_over_size_file_before_sending_it(page, look, director, tmp_path):
    dossier = Application.objects.get()
    definition = dossier.form_version.definition
    definition["sections"][0]["fields"].append(
        {
            "key": "organigramme",
            "kind": "file",
            "label": "Organigramme",
            "extensions": ["pdf"],
            "max_size_mb": 1,
        }
    )
    dossier.form_version.save()
    heavy = tmp_path / "organigramme.pdf"
    heavy.write_bytes(b"%PDF-1.4\n" + bytes(2 * 1024 * 1024))
    sign_in(page, director)

    page.goto(f"/dossiers/{dossier.pk}/")
    page.get_by_label("Organigramme").set_input_files(str(heavy))

    expect(page.get_by_text("la taille maximale est de 1\u00a0Mo")).to_be_visible()
    expect(page.get_by_label("Organigramme")).to_have_value("")
    look(page, "dossier-fichier-trop-lourd")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Brouillon enregistré").first).to_be_visible()
    assert not dossier.attachments.exists()
