"""The decision letter on the agencies' letterhead: logos, the sending agency's address, its signatory,
or the confirming agent when no agency has one; one A4 page, rendered with no network."""

import io
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from capqvct.accounts.models import OrganisationKind, Role
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls import services as call_services
from capqvct.review.letters import decision_letter_pdf
from capqvct.review.models import Decision, Outcome
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    published_call,
    region,
)

pytestmark = pytest.mark.django_db

OPENS = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
CLOSES = datetime(2026, 10, 15, 21, 59, tzinfo=UTC)
COMMISSION = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
# A motive longer than most: six lines in two paragraphs.
LONG_REASON = (
    "Votre projet est solide et bien porté par la direction et les représentants du personnel. "
    "Les places de cet appel sont toutefois attribuées aux dossiers les mieux classés par la commission, "
    "au regard de la grille publiée avec l’appel.\n"
    "Votre dossier est classé premier de la liste d’attente\u00a0: si un établissement retenu se retire, "
    "la place vous sera proposée et l’accompagnement commencera avec la première cohorte."
)


def logo_png(colour: str, label: str) -> bytes:
    """An invented logo: a coloured square and a word, nothing like a real institution's."""
    image = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 119, 119), fill=colour)
    draw.text((140, 50), label, fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def ars():
    return OrganisationFactory(
        region=region("76", "Occitanie"), name="ARS Occitanie", email="ars-oc-qvct@ars.sante.fr"
    )


@pytest.fixture
def aract():
    return OrganisationFactory(kind=OrganisationKind.ARACT, region=region("76"), name="Aract Occitanie")


@pytest.fixture
def manager(ars):
    return MembershipFactory(
        role=Role.PROGRAMME_MANAGER,
        organisation=ars,
        user__email="claire.martin@ars.sante.fr",
        user__first_name="Claire",
        user__last_name="Martin",
    ).user


def decision_of(
    manager,
    agencies,
    *,
    reason="La commission a examiné votre dossier.",
    outcome=Outcome.WAITING_LIST,
    name="EHPAD Les Tilleuls",
) -> Decision:
    """A confirmed decision on a dossier of a call whose programme the agencies run."""
    call = published_call(
        manager,
        programme_title="QVCT Occitanie 2026",
        agencies=agencies,
        title="Accompagnement QVCT 2026",
        opens_at=OPENS,
        closes_at=CLOSES,
    )
    establishment = EstablishmentFactory(
        name=name, address="12 rue des Lilas", postal_code="34000", city_label="34000 MONTPELLIER"
    )
    application = Application.objects.create(
        call=call,
        establishment=establishment,
        status=ApplicationStatus.IN_REVIEW,
        form_version=call_services.current_form(call),
        submitted_at=CLOSES - timedelta(days=1),
    )
    return Decision.objects.create(
        application=application,
        outcome=outcome,
        waiting_rank=1 if outcome == Outcome.WAITING_LIST else None,
        reason=reason,
        confirmed_at=COMMISSION,
        confirmed_by=manager,
    )


def set_letterhead(agency, *, address="", name="", title="", logo: bytes | None = None) -> None:
    agency.postal_address, agency.signatory_name, agency.signatory_title = address, name, title
    if logo is not None:
        agency.logo.save("logo", ContentFile(logo), save=False)
    agency.save()


def text_of(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def pages_of(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


def images_of(pdf: bytes, tmp_path) -> list[tuple[int, int]]:
    """Width and height of each image the PDF draws, from `pdfimages -list`."""
    path = tmp_path / "lettre.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfimages", "-list", path], capture_output=True, check=True).stdout.decode()
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    return [(int(row[3]), int(row[4])) for row in rows if row[2] == "image"]


def test_the_agency_signatory_signs_and_its_address_heads_the_letter(manager, ars, aract):
    set_letterhead(
        ars,
        address="Cité administrative\n1 rue de l’Exemple\n34000 Montpellier",
        name="Jeanne Exemple",
        title="Directrice générale de l’ARS Occitanie",
    )
    decision = decision_of(manager, [ars, aract])

    text = text_of(decision_letter_pdf(decision, now=COMMISSION))

    for expected in (
        "ARS Occitanie",
        "Aract Occitanie",
        "Cité administrative",
        "1 rue de l’Exemple",
        "34000 Montpellier",
        "Directrice générale de l’ARS Occitanie",
        "Jeanne Exemple",
        "12 rue des Lilas",
        "Liste d’attente — rang 1",
    ):
        assert expected in text, expected
    assert "Claire Martin" not in text
    assert "Responsable de programme" not in text


def test_without_a_signatory_the_confirming_agent_signs_as_programme_manager(manager, ars, aract):
    set_letterhead(ars, address="1 rue de l’Exemple\n34000 Montpellier")
    decision = decision_of(manager, [aract, ars])

    text = text_of(decision_letter_pdf(decision, now=COMMISSION))

    assert "Claire Martin" in text
    assert "Responsable de programme" in text
    # No signatory anywhere: the ARS still sends the letter, from its address.
    assert "1 rue de l’Exemple" in text


def test_the_ars_signs_before_the_aract(manager, ars, aract):
    set_letterhead(aract, address="5 avenue de l’Aract", name="Paul Aract", title="Directeur de l’Aract")
    set_letterhead(ars, address="1 rue de l’ARS", name="Jeanne Exemple", title="Directrice générale")
    decision = decision_of(manager, [aract, ars])

    text = text_of(decision_letter_pdf(decision, now=COMMISSION))

    assert "Jeanne Exemple" in text and "1 rue de l’ARS" in text
    assert "Paul Aract" not in text and "5 avenue de l’Aract" not in text


def test_the_aract_signs_when_the_ars_has_no_signatory(manager, ars, aract):
    set_letterhead(ars, address="1 rue de l’ARS")
    set_letterhead(aract, address="5 avenue de l’Aract", name="Paul Aract", title="Directeur de l’Aract")
    decision = decision_of(manager, [ars, aract])

    text = text_of(decision_letter_pdf(decision, now=COMMISSION))

    assert "Paul Aract" in text and "Directeur de l’Aract" in text and "5 avenue de l’Aract" in text
    assert "1 rue de l’ARS" not in text


def test_the_logos_are_images_of_a_one_page_letter(manager, ars, aract, tmp_path):
    set_letterhead(
        ars,
        address="Cité administrative\n1 rue de l’Exemple\nCS 00001\n34000 Montpellier cedex 2",
        name="Jeanne Exemple",
        title="Directrice générale de l’agence régionale de santé Occitanie",
        logo=logo_png("#000091", "ARS fictive"),
    )
    set_letterhead(aract, logo=logo_png("#c9191e", "Aract fictive"))
    decision = decision_of(manager, [ars, aract], reason=LONG_REASON)

    pdf = decision_letter_pdf(decision, now=COMMISSION)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (tmp_path / "lettre.pdf").write_bytes(pdf)
    page = [
        "pdftoppm",
        "-png",
        "-r",
        "80",
        "-singlefile",
        tmp_path / "lettre.pdf",
        ARTIFACTS / "lettre-en-tete",
    ]
    subprocess.run(page, check=True)
    assert sorted(images_of(pdf, tmp_path)) == [(360, 120), (360, 120)]
    assert pages_of(pdf) == 1


def test_an_svg_logo_is_drawn_and_a_lost_logo_file_leaves_the_name_alone(manager, ars, aract, tmp_path):
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 90 30">'
        b'<rect width="30" height="30" fill="#000091"/><text x="36" y="20" font-size="10">Logo</text></svg>'
    )
    set_letterhead(ars, logo=svg)
    set_letterhead(aract, logo=logo_png("#c9191e", "Aract fictive"))
    Path(aract.logo.path).unlink()
    decision = decision_of(manager, [ars, aract])

    pdf = decision_letter_pdf(decision, now=COMMISSION)

    # The SVG is drawn as vector graphics, not as an image; the lost PNG is simply left out.
    assert images_of(pdf, tmp_path) == []
    text = text_of(pdf)
    assert "ARS Occitanie" in text and "Aract Occitanie" in text
    assert pages_of(pdf) == 1
