"""Files of a dossier: checked by content, stored under random names, downloaded only by readers."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from capqvct.accounts.models import Role
from capqvct.applications import services
from capqvct.applications.attachments import detect_content_type
from capqvct.applications.models import Application, ApplicationStatus, Attachment
from capqvct.calls import services as call_services
from capqvct.establishments.models import Establishment
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory, departement, region
from tests.permissions.world import published_call

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FORM = {
    "sections": [
        {
            "key": "projet",
            "title": "Votre projet",
            "fields": [
                {"key": "motivation", "kind": "long_text", "label": "Motivation", "max_length": 3000},
                {
                    "key": "organigramme",
                    "kind": "file",
                    "label": "Organigramme",
                    "extensions": ["pdf", "png"],
                    "max_size_mb": 1,
                },
            ],
        }
    ]
}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def manager():
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user


@pytest.fixture
def call(manager):
    call = published_call(manager)
    call_services.save_form(call=call, definition=FORM, by=manager)
    call.required_attachments = [{"label": "Lettre d’engagement signée", "required": True}]
    call.save(update_fields=["required_attachments"])
    return call


@pytest.fixture
def director(client):
    space = OrganisationFactory(establishment_space=True)
    user = MembershipFactory(role=Role.DIRECTOR, organisation=space, user__email="dir@ehpad.fr").user
    EstablishmentFactory(name="EHPAD Les Cigales", departement=departement("34"), organisation=space)
    client.force_login(user)
    return user


@pytest.fixture
def application(call, director):
    establishment = Establishment.objects.get(organisation=director.memberships.get().organisation)
    return services.start_application(call=call, establishment=establishment, by=director)


def post(client, application, **fields):
    data = {"lock_version": application.lock_version, "save": "", **fields}
    return client.post(f"/dossiers/{application.pk}/", data)


def test_the_type_is_read_from_the_bytes_not_from_the_name():
    assert detect_content_type(PDF) == "application/pdf"
    assert detect_content_type(png_bytes()) == "image/png"
    assert detect_content_type(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(100)) == "application/x-ole-storage"
    assert detect_content_type("Compte rendu du CSE : accord à l’unanimité.".encode()) == "text/plain"
    assert detect_content_type(bytes(range(256))) == "application/octet-stream"


def test_a_file_is_stored_under_a_random_name_and_answers_its_question(client, director, application):
    response = post(
        client,
        application,
        **{
            "answers.motivation": "Réduire l’absentéisme.",
            "answers.organigramme": SimpleUploadedFile("Organigramme EHPAD.pdf", PDF),
        },
    )
    assert response.status_code == 200
    application.refresh_from_db()
    answer = application.answers["organigramme"]
    attachment = Attachment.objects.get(pk=answer["id"])
    assert answer["name"] == "Organigramme EHPAD.pdf"
    assert answer["content_type"] == "application/pdf"
    assert answer["size"] == len(PDF)
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == PDF
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "Organigramme" not in str(stored) and stored.suffix == ""
    assert application.answers["motivation"] == "Réduire l’absentéisme."
    assert "Organigramme EHPAD.pdf" in response.content.decode()


def test_a_file_whose_content_is_not_its_extension_is_refused_next_to_the_question(client, application):
    post(client, application, **{"answers.organigramme": SimpleUploadedFile("scan.png", PDF)})
    application.refresh_from_db()
    previous = application.answers["organigramme"] if "organigramme" in application.answers else None
    assert previous is None
    response = post(
        client,
        application,
        **{
            "answers.motivation": "Texte gardé",
            "answers.organigramme": SimpleUploadedFile("photo.pdf", png_bytes()),
        },
    )
    body = response.content.decode()
    assert "Le contenu de ce fichier ne correspond pas à un fichier PDF." in body
    assert "Texte gardé" in body
    assert not Attachment.objects.filter(application=application).exists()


def test_a_refused_file_keeps_the_one_sent_before(client, application):
    post(client, application, **{"answers.organigramme": SimpleUploadedFile("organigramme.pdf", PDF)})
    application.refresh_from_db()
    response = post(
        client,
        application,
        **{"answers.organigramme": SimpleUploadedFile("programme.exe", b"MZ\x90\x00" + bytes(60))},
    )
    assert "Ce format de fichier n’est pas accepté. Formats acceptés" in response.content.decode()
    application.refresh_from_db()
    assert application.answers["organigramme"]["name"] == "organigramme.pdf"


def test_a_file_over_the_size_limit_is_refused(client, application):
    big = PDF + b"0" * (1024 * 1024)
    response = post(client, application, **{"answers.organigramme": SimpleUploadedFile("gros.pdf", big)})
    assert "Le fichier dépasse la taille maximale de 1" in response.content.decode()
    assert not Attachment.objects.exists()


def test_an_empty_file_is_refused(client, application):
    response = post(client, application, **{"answers.organigramme": SimpleUploadedFile("vide.pdf", b"")})
    assert "Ce fichier est vide" in response.content.decode()


def test_the_pieces_to_provide_are_file_questions_required_at_submission(client, application):
    response = client.post(
        f"/dossiers/{application.pk}/",
        {"lock_version": application.lock_version, "answers.motivation": "Oui", "submit": ""},
    )
    body = response.content.decode()
    assert "Pièces à joindre" in body
    assert "Lettre d’engagement signée" in body
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT

    client.post(
        f"/dossiers/{application.pk}/",
        {
            "lock_version": application.lock_version,
            "answers.piece_lettre_dengagement_signee": SimpleUploadedFile("lettre.pdf", PDF),
            "submit": "",
        },
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    frozen = application.submissions.get().answers["piece_lettre_dengagement_signee"]
    assert frozen["sha256"] == Attachment.objects.get(pk=frozen["id"]).sha256


def test_a_refused_file_stops_the_submission(client, application):
    client.post(
        f"/dossiers/{application.pk}/",
        {
            "lock_version": application.lock_version,
            "answers.piece_lettre_dengagement_signee": SimpleUploadedFile("lettre.pdf", PDF),
        },
    )
    application.refresh_from_db()
    response = client.post(
        f"/dossiers/{application.pk}/",
        {
            "lock_version": application.lock_version,
            "answers.organigramme": SimpleUploadedFile("organigramme.pdf", png_bytes()),
            "submit": "",
        },
    )
    assert "un fichier a été refusé" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_a_stale_save_keeps_no_file(application, director):
    stale = application.lock_version
    services.save_draft(
        application=application, answers={"motivation": "A"}, by=director, expected_version=stale
    )
    with pytest.raises(services.StaleDraft):
        services.save_draft(
            application=application,
            answers={},
            by=director,
            expected_version=stale,
            uploads={"organigramme": SimpleUploadedFile("o.pdf", PDF)},
        )
    assert not Attachment.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_the_file_is_downloaded_by_readers_only(client, director, application, manager, verified_client):
    post(client, application, **{"answers.organigramme": SimpleUploadedFile("Organigramme.pdf", PDF)})
    application.refresh_from_db()
    url = f"/dossiers/pieces/{application.answers['organigramme']['id']}/"

    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="Organigramme.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"

    assert verified_client(manager).get(url).status_code == 200
    stranger = MembershipFactory(
        role=Role.DIRECTOR, organisation=OrganisationFactory(establishment_space=True)
    ).user
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    other_region = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("84")).user
    assert verified_client(other_region).get(url).status_code == 404


def test_the_receipt_lists_the_files_sent(client, application, django_capture_on_commit_callbacks):
    from capqvct.applications.receipts import receipt_pdf

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/dossiers/{application.pk}/",
            {
                "lock_version": application.lock_version,
                "answers.piece_lettre_dengagement_signee": SimpleUploadedFile("lettre-signee.pdf", PDF),
                "submit": "",
            },
        )
    submission = Application.objects.get(pk=application.pk).submissions.get()
    pdf = receipt_pdf(submission)
    assert pdf.startswith(b"%PDF")
    from capqvct.applications.tests.test_submission import _pdf_text_first_page

    text = _pdf_text_first_page(pdf)
    assert "lettre-signee.pdf" in text


def test_the_director_is_offered_to_invite_colleagues_from_the_dossier(client, director, application):
    page = client.get(f"/dossiers/{application.pk}/").content.decode()
    space = director.memberships.get().organisation
    assert f'href="/compte/organisations/{space.pk}/inviter/"' in page
    member = MembershipFactory(role=Role.MEMBER, organisation=space).user
    client.force_login(member)
    assert "/inviter/" not in client.get(f"/dossiers/{application.pk}/").content.decode()
