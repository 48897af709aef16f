"""An ARS programme manager sets the agency's letterhead in Chromium (a wrong file first, then a logo
and the signatory); the decision letter then carries it, rendered to PNG."""

import io
import re

import pytest
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import expect

from capqvct.accounts.models import OrganisationKind, Role
from capqvct.review.models import Outcome
from capqvct.review.tests.test_letters import decision_of
from tests.browser.test_dossier_journeys import first_page_as_png
from tests.browser.test_whole_review import signed_in_page
from tests.factories import MembershipFactory, OrganisationFactory, departement, region

pytestmark = pytest.mark.django_db(transaction=True)


def invented_logo() -> bytes:
    """An invented logo, plainly not an institution's: a blue square, « ARS » and « logo fictif »."""
    image = Image.new("RGB", (540, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 196, 196), radius=32, fill="#000091")
    draw.text((100, 100), "ARS", fill="white", font=ImageFont.load_default(size=56), anchor="mm")
    draw.text((228, 110), "logo fictif", fill="#666666", font=ImageFont.load_default(size=46), anchor="ls")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def setting():
    """The ARS and the Aract of a programme, its manager, and a confirmed decision on a dossier."""
    occitanie = region("76", "Occitanie")
    departement("34", "Hérault", "76")
    ars = OrganisationFactory(region=occitanie, name="ARS Occitanie", email="ars-oc-qvct@ars.exemple.fr")
    aract = OrganisationFactory(kind=OrganisationKind.ARACT, region=occitanie, name="Aract Occitanie")
    manager = MembershipFactory(
        organisation=ars,
        role=Role.PROGRAMME_MANAGER,
        user__email="claire.martin@ars.exemple.fr",
        user__first_name="Claire",
        user__last_name="Martin",
    ).user
    decision = decision_of(
        manager,
        [ars, aract],
        outcome=Outcome.SELECTED,
        name="EHPAD Les Micocouliers",
        reason="Un projet porté par la direction et les représentants du personnel, "
        "avec un plan d’action précis pour les équipes de nuit.",
    )
    application = decision.application
    return ars, manager, application


def test_a_manager_sets_the_letterhead_and_the_letter_carries_it(
    browser, live_server, look, setting, tmp_path
):
    ars, manager, application = setting
    page = signed_in_page(browser, live_server, manager)
    wrong = tmp_path / "logo.png"
    wrong.write_bytes(b"%PDF-1.4\n%pas une image\n%%EOF\n")
    logo = tmp_path / "logo-ars.png"
    logo.write_bytes(invented_logo())

    page.goto(f"/compte/organisations/{ars.pk}/")
    look(page, "en-tete--page-organisation")
    page.get_by_role("link", name="En-tête des lettres de décision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("En-tête des lettres de décision")
    look(page, "en-tete--vide")

    # A PDF named like a PNG: refused at the field, what was typed stays.
    page.get_by_label("Nouveau logo").set_input_files(str(wrong))
    page.get_by_label("Adresse postale").fill(
        "Cité administrative\n1 rue de l’Exemple\nCS 00001\n34000 Montpellier"
    )
    page.get_by_label("Nom du signataire").fill("Jeanne Exemple")
    page.get_by_label("Qualité du signataire").fill("Directrice générale de l’ARS Occitanie")
    page.get_by_role("button", name="Enregistrer l’en-tête").click()
    expect(page.locator("#id_logo-desc-error")).to_contain_text("n’est pas une image PNG ou JPEG")
    expect(page.get_by_label("Nom du signataire")).to_have_value("Jeanne Exemple")
    expect(page.get_by_label("Adresse postale")).to_have_value(re.compile("1 rue de l’Exemple"))
    look(page, "en-tete--fichier-refuse")

    page.get_by_label("Nouveau logo").set_input_files(str(logo))
    page.get_by_role("button", name="Enregistrer l’en-tête").click()
    expect(page.get_by_text("En-tête des lettres de décision enregistré.")).to_be_visible()

    page.get_by_role("link", name="En-tête des lettres de décision").click()
    preview = page.get_by_role("img", name="Logo actuel de ARS Occitanie")
    expect(preview).to_be_visible()
    assert preview.evaluate("image => image.naturalWidth") > 0
    look(page, "en-tete--enregistre")

    response = page.request.get(f"/instruction/decisions/dossier/{application.pk}/lettre/")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    first_page_as_png(response.body(), "en-tete--lettre")
    page.context.close()
