"""Upload limits: the file question's size (said to the browser too), the whole request's, and office
files that are zip bombs, found from the archive's central directory without inflating it."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from capqvct.applications.attachments import check_upload, zip_problem
from capqvct.calls.formdef.render import render_form
from capqvct.calls.formdef.schema import Field, Form, Kind

pytestmark = pytest.mark.django_db

LETTER = Field(key="lettre", kind=Kind.FILE, label="Lettre", extensions=("docx", "pdf"), max_size_mb=5)
BOMB_REFUSED = "Ce document se décompresse en un volume anormalement grand"


def docx(**entries: bytes) -> SimpleUploadedFile:
    """A Word document as a zip archive, with entries named by keyword (dots written as __)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        for name, content in entries.items():
            archive.writestr(name.replace("__", "/").replace("_xml", ".xml"), content)
    return SimpleUploadedFile("lettre.docx", buffer.getvalue())


def test_an_ordinary_office_document_is_accepted():
    upload = docx(word__document_xml=b"<w:document>Lettre d'engagement</w:document>" * 200)

    assert check_upload(LETTER, upload) is None


def test_an_entry_inflating_absurdly_is_refused_as_a_zip_bomb():
    # 20 MiB of zeros deflate to about 20 KiB: a ratio near 1 000.
    upload = docx(word__document_xml=bytes(20 * 1024 * 1024))

    assert upload.size < 100_000
    assert check_upload(LETTER, upload).startswith(BOMB_REFUSED)


def test_a_document_inflating_beyond_the_bound_is_refused(settings):
    settings.ZIP_MAX_INFLATED_MB = 1
    text = "".join(f"Ligne {n} de la lettre d’engagement signée.\n" for n in range(40_000)).encode()

    upload = docx(word__document_xml=text)

    assert len(text) > 1024 * 1024
    assert check_upload(LETTER, upload).startswith(BOMB_REFUSED)


def test_the_archive_is_not_inflated_to_be_checked(monkeypatch):
    bomb = docx(word__document_xml=bytes(20 * 1024 * 1024))

    def never(*args, **kwargs):
        raise AssertionError("an entry was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    monkeypatch.setattr(zipfile.ZipFile, "read", never)

    assert zip_problem(bomb).startswith(BOMB_REFUSED)


def test_a_broken_archive_is_refused_with_its_own_message():
    broken = SimpleUploadedFile("lettre.docx", b"PK\x03\x04" + bytes(60) + b"pas une archive")

    assert zip_problem(broken).startswith("Ce fichier est endommagé ou n’est pas un document valide")


def test_the_file_input_tells_the_browser_its_maximum_size():
    form = Form.from_json({"sections": [{"key": "s", "title": "Pièces", "fields": [LETTER.to_json()]}]})

    html = render_form(form, {})

    assert 'data-max-size="5242880"' in html
    assert 'data-max-size-text="5\u00a0Mo"' in html


def test_a_request_above_the_cap_is_refused_before_it_is_read(client, settings):
    settings.UPLOAD_MAX_REQUEST_MB = 1
    body = b"x" * (1024 * 1024 + 1)

    response = client.generic("POST", "/compte/connexion/", body, content_type="application/octet-stream")

    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.content.decode()
