"""Files on the workspace's pages: checked by their content, downloaded by the readers, taken off by
those who work in it; the file goes once the removal is committed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from capqvct.approaches import document_services
from capqvct.approaches.models import ApproachDocument
from capqvct.approaches.tests.builders import workspace
from capqvct.core.exceptions import Refusal
from tests.factories import login_verified

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return workspace()


def test_a_document_is_checked_by_its_content(w):
    fake = SimpleUploadedFile("compte-rendu.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(Refusal) as refused:
        document_services.add_document(participant=w.participant, by=w.director, part="launch", upload=fake)
    assert refused.value.field == "file" and "ne correspond pas à un fichier PDF" in refused.value.message
    with pytest.raises(Refusal):
        document_services.add_document(
            participant=w.participant, by=w.manager, part="launch", upload=SimpleUploadedFile("cr.pdf", PDF)
        )
    assert not ApproachDocument.objects.exists()


def test_readers_download_and_workers_remove(client, w, tmp_path, django_capture_on_commit_callbacks):
    document = document_services.add_document(
        participant=w.participant, by=w.director, part="diagnosis", upload=SimpleUploadedFile("edt.pdf", PDF)
    )
    stored = tmp_path / document.file.name
    login_verified(client, w.manager)
    download = client.get(reverse("approaches:document", args=[document.pk]))
    assert (
        download["Content-Disposition"].startswith("attachment")
        and b"".join(download.streaming_content) == PDF
    )
    assert client.post(reverse("approaches:document_remove", args=[document.pk])).status_code == 404
    login_verified(client, w.stranger)
    assert client.get(reverse("approaches:document", args=[document.pk])).status_code == 404
    login_verified(client, w.consultant)
    page = client.get(reverse("approaches:diagnosis", args=[w.participant.pk])).content.decode()
    assert "edt.pdf" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("approaches:document_remove", args=[document.pk]))
    assert response["Location"].endswith(f"/demarches/{w.participant.pk}/diagnostic/#documents")
    assert not ApproachDocument.objects.exists() and not stored.exists()


def test_the_page_adds_a_document(client, w):
    login_verified(client, w.director)
    response = client.post(
        reverse("approaches:document_add", args=[w.participant.pk, "launch"]),
        {"file": SimpleUploadedFile("note-de-lancement.pdf", PDF)},
        follow=True,
    )
    assert (
        "Document ajouté." in response.content.decode()
        and "note-de-lancement.pdf" in response.content.decode()
    )
    assert ApproachDocument.objects.get().part == "launch"
