"""An agency's letterhead: its managers set logo, address and signatory; the logo is checked by its
content and served only to the agency's members."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from capqvct.accounts import services
from capqvct.accounts.models import Organisation, Role
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, region

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
SVG_LOGO = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" width="120" height="40">'
    b'<rect width="40" height="40" fill="#000091"/><text x="48" y="26">Logo</text></svg>'
)
ADDRESS = "Cité administrative\n1 rue de l’Exemple\nCS 00001\n34000 Montpellier"
FIELDS = {
    "postal_address": ADDRESS,
    "city": "Montpellier",
    "signatory_name": "Jeanne Exemple",
    "signatory_title": "Directrice générale de l’ARS Occitanie",
}


def png(width: int = 160, height: int = 60, image_format: str = "PNG", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#000091").save(buffer, image_format, **save)
    return buffer.getvalue()


def stored_image(organisation: Organisation) -> Image.Image:
    """The stored logo, opened as the letter opens it; it must be a PNG."""
    image = Image.open(Path(settings.MEDIA_ROOT) / organisation.logo.name)
    assert image.format == "PNG"
    return image


@pytest.fixture
def ars():
    return OrganisationFactory(region=region("76", "Occitanie"), name="ARS Occitanie")


@pytest.fixture
def manager(ars):
    return MembershipFactory(organisation=ars, role=Role.PROGRAMME_MANAGER).user


def url(organisation: Organisation, rest: str = "") -> str:
    return f"/compte/organisations/{organisation.pk}/en-tete/{rest}"


def test_the_manager_saves_logo_address_and_signatory(ars, manager, verified_client):
    response = verified_client(manager).post(
        url(ars), {**FIELDS, "logo": SimpleUploadedFile("logo.png", png())}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/compte/organisations/{ars.pk}/"
    ars.refresh_from_db()
    assert (ars.postal_address, ars.city, ars.signatory_name, ars.signatory_title) == tuple(FIELDS.values())
    # Stored under a random name, without the sender's file name or extension.
    assert re.fullmatch(r"logos/[0-9a-f]{2}/[0-9a-f]{32}", ars.logo.name)
    assert stored_image(ars).size == (160, 60)
    event = AuditEvent.objects.get(action="letterhead_updated")
    assert (event.actor, event.target_id) == (manager, str(ars.pk))
    assert sorted(event.details["changed"]) == [
        "city",
        "logo",
        "postal_address",
        "signatory_name",
        "signatory_title",
    ]


def test_the_city_printed_on_the_letters_is_edited_with_the_letterhead(ars, manager, verified_client):
    client = verified_client(manager)
    client.post(url(ars), {**FIELDS, "city": "  Montpellier "})

    ars.refresh_from_db()
    assert ars.city == "Montpellier"
    assert 'value="Montpellier"' in client.get(url(ars)).content.decode()


def test_the_page_shows_the_current_values_and_the_logo_through_its_view(ars, manager, verified_client):
    services.update_letterhead(
        organisation=ars, by=manager, **FIELDS, logo=SimpleUploadedFile("logo.png", png())
    )

    page = verified_client(manager).get(url(ars)).content.decode()

    assert f'src="{url(ars, "logo/")}"' in page
    assert "/media/" not in page and ars.logo.name not in page
    assert "1 rue de l’Exemple" in page and 'value="Jeanne Exemple"' in page
    assert "Retirer le logo actuel" in page


def test_a_new_logo_replaces_the_old_file_once_committed(ars, manager, django_capture_on_commit_callbacks):
    services.update_letterhead(
        organisation=ars, by=manager, **FIELDS, logo=SimpleUploadedFile("a.png", png())
    )
    old = Path(settings.MEDIA_ROOT) / ars.logo.name

    with django_capture_on_commit_callbacks(execute=True):
        services.update_letterhead(
            organisation=ars, by=manager, **FIELDS, logo=SimpleUploadedFile("b.jpg", png(90, 30, "JPEG"))
        )

    assert not old.exists()
    assert stored_image(ars).size == (90, 30)


def test_the_logo_can_be_removed(ars, manager, verified_client, django_capture_on_commit_callbacks):
    services.update_letterhead(
        organisation=ars, by=manager, **FIELDS, logo=SimpleUploadedFile("a.png", png())
    )
    stored = Path(settings.MEDIA_ROOT) / ars.logo.name

    with django_capture_on_commit_callbacks(execute=True):
        response = verified_client(manager).post(url(ars), {**FIELDS, "remove_logo": "on"})

    assert response.status_code == 302
    ars.refresh_from_db()
    assert not ars.logo and not stored.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"%PDF-1.4\n%un document\n%%EOF\n", "n’est pas une image PNG ou JPEG"),
        ("logo.svg", b"Ceci est du texte, pas un logo.", "n’est pas une image PNG ou JPEG"),
        ("logo.svg", SVG_LOGO, "Les logos SVG ne sont pas acceptés"),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "n’est pas une image PNG ou JPEG"),
        ("logo.jpg", png()[:60], "n’est pas une image PNG ou JPEG"),
        ("logo.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,", "PNG ou JPEG"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "Les logos SVG ne sont pas acceptés",
        ),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<image xlink:href="https://exemple.fr/logo.png" width="4" height="4"/></svg>',
            "Les logos SVG ne sont pas acceptés",
        ),
        (
            "logo.svg",
            b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
            "n’est pas une image PNG ou JPEG",
        ),
        ("logo.png", b"", "Ce fichier est vide"),
    ],
)
def test_a_file_that_is_no_harmless_image_is_refused_at_the_field_and_the_rest_kept(
    ars, manager, verified_client, name, content, message
):
    response = verified_client(manager).post(url(ars), {**FIELDS, "logo": SimpleUploadedFile(name, content)})

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors["logo"])
    assert list(form.errors) == ["logo"]
    page = response.content.decode()
    assert "1 rue de l’Exemple" in page and 'value="Directrice générale de l’ARS Occitanie"' in page
    ars.refresh_from_db()
    assert (ars.logo.name, ars.signatory_name) == ("", "")
    assert not AuditEvent.objects.filter(action="letterhead_updated").exists()


@pytest.mark.parametrize(
    ("name", "content", "size"),
    [
        ("logo.png", png(), (160, 60)),
        ("logo", png(image_format="JPEG"), (160, 60)),
        ("logo.svg", png(2400, 600), (1200, 300)),
    ],
)
def test_png_and_jpeg_are_recognised_by_their_content_and_stored_as_png(ars, manager, name, content, size):
    services.update_letterhead(organisation=ars, by=manager, **FIELDS, logo=SimpleUploadedFile(name, content))

    assert stored_image(ars).size == size


def test_only_the_pixels_are_kept_not_what_the_file_carries_besides(ars, manager):
    """A PNG with a text chunk and bytes after its end, as a polyglot file would have."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<svg onload=alert(1)>")
    sent = png(pnginfo=info) + b"<html><script>alert(1)</script></html>"

    services.update_letterhead(organisation=ars, by=manager, **FIELDS, logo=SimpleUploadedFile("l.png", sent))

    stored = (Path(settings.MEDIA_ROOT) / ars.logo.name).read_bytes()
    assert b"alert" not in stored and b"Comment" not in stored
    assert stored_image(ars).size == (160, 60)


def test_an_image_claiming_a_huge_size_is_refused_before_it_is_decoded(ars, manager):
    """A small file can announce 40 000 × 40 000 pixels: it is refused, not decoded."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 40000, 40000, 8, 0, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )

    with pytest.raises(Refusal, match="n’est pas une image PNG ou JPEG lisible"):
        services.update_letterhead(
            organisation=ars, by=manager, **FIELDS, logo=SimpleUploadedFile("l.png", bomb)
        )
    ars.refresh_from_db()
    assert not ars.logo


def test_the_service_refuses_an_empty_logo_too(ars, manager):
    with pytest.raises(Refusal, match=f"Ce fichier est vide{NBSP}:"):
        services.update_letterhead(
            organisation=ars, by=manager, **FIELDS, logo=SimpleUploadedFile("l.png", b"")
        )


def test_a_logo_over_one_megabyte_is_refused_with_its_size(ars, manager, verified_client):
    heavy = png() + b"\x00" * (1024 * 1024)

    response = verified_client(manager).post(
        url(ars), {**FIELDS, "logo": SimpleUploadedFile("logo.png", heavy)}
    )

    assert response.context["form"].errors["logo"] == [
        f"Ce fichier pèse 1,1{NBSP}Mo{NBSP}: le logo ne doit pas dépasser 1{NBSP}Mo."
    ]
    assert 'value="Jeanne Exemple"' in response.content.decode()


def test_an_address_longer_than_the_letter_allows_is_refused_at_its_field(ars, manager, verified_client):
    long_address = "\n".join(f"Ligne {number}" for number in range(1, 8))

    response = verified_client(manager).post(url(ars), {**FIELDS, "postal_address": long_address})

    assert "6\u00a0lignes au plus" in " ".join(response.context["form"].errors["postal_address"])
    assert "Ligne 7" in response.content.decode()


def test_the_organisation_page_links_to_the_letterhead_of_an_agency_only(ars, manager, verified_client):
    assert url(ars) in verified_client(manager).get(f"/compte/organisations/{ars.pk}/").content.decode()
    director = MembershipFactory(organisation__establishment_space=True, role=Role.DIRECTOR)
    page = verified_client(director.user).get(f"/compte/organisations/{director.organisation_id}/")
    assert "en-tete" not in page.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_manager_of_another_agency_gets_a_404(ars, verified_client, method):
    other = MembershipFactory(
        organisation=OrganisationFactory(region=region("84", "Auvergne-Rhône-Alpes")),
        role=Role.PROGRAMME_MANAGER,
    ).user

    response = getattr(verified_client(other), method)(url(ars), FIELDS if method == "post" else None)

    assert response.status_code == 404
    ars.refresh_from_db()
    assert ars.signatory_name == ""


def test_a_reviewer_of_the_agency_cannot_edit_its_letterhead(ars, verified_client):
    reviewer = MembershipFactory(organisation=ars, role=Role.REVIEWER).user

    assert verified_client(reviewer).get(url(ars)).status_code == 404
    with pytest.raises(Refusal, match="responsables de programme"):
        services.update_letterhead(organisation=ars, by=reviewer, **FIELDS)


@pytest.mark.parametrize("trait", ["establishment_space", "consultancy", "national"])
def test_an_organisation_that_is_no_agency_has_no_letterhead(verified_client, trait):
    organisation = OrganisationFactory(**{trait: True})
    admin = UserFactory(is_superuser=True, is_staff=True)
    director = MembershipFactory(organisation=organisation, role=Role.DIRECTOR).user

    assert verified_client(admin).get(url(organisation)).status_code == 404
    assert verified_client(director).get(url(organisation)).status_code == 404
    with pytest.raises(Refusal, match="Seules les agences"):
        services.update_letterhead(organisation=organisation, by=admin, **FIELDS)


def test_the_logo_is_served_to_the_agency_members_only(ars, manager, verified_client, client):
    services.update_letterhead(
        organisation=ars, by=manager, **FIELDS, logo=SimpleUploadedFile("l.png", png())
    )
    reviewer = MembershipFactory(organisation=ars, role=Role.REVIEWER).user
    other = MembershipFactory(
        organisation=OrganisationFactory(region=region("84", "Auvergne-Rhône-Alpes")),
        role=Role.PROGRAMME_MANAGER,
    ).user

    response = verified_client(reviewer).get(url(ars, "logo/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (160, 60)
    # Opened on its own, an image (an SVG stored before they were refused) runs nothing, loads nothing.
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert verified_client(other).get(url(ars, "logo/")).status_code == 404
    assert client.get(url(ars, "logo/")).status_code == 302


def test_without_a_logo_the_logo_view_answers_404(ars, manager, verified_client):
    assert verified_client(manager).get(url(ars, "logo/")).status_code == 404


def test_an_svg_logo_stored_before_they_were_refused_is_served_as_svg(ars, manager, verified_client):
    ars.logo.save("logo", ContentFile(SVG_LOGO))

    response = verified_client(manager).get(url(ars, "logo/"))

    assert response["Content-Type"] == "image/svg+xml"
    assert response.content == SVG_LOGO


def test_the_media_folder_has_no_public_address(ars, manager, verified_client):
    services.update_letterhead(
        organisation=ars, by=manager, **FIELDS, logo=SimpleUploadedFile("l.png", png())
    )

    assert verified_client(manager).get(f"/media/{ars.logo.name}").status_code == 404
