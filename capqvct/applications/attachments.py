"""Files of a dossier: checked by their content, stored under random names, read back by allowed users."""

import hashlib
import zipfile
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from capqvct.applications.models import Application, Attachment
from capqvct.calls.formdef.answers import file_problem
from capqvct.calls.formdef.schema import Field, Kind

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
HEAD_SIZE = 8192
# Originals received by e-mail or post: what agencies are sent, scanned or typed.
ORIGINAL_EXTENSIONS = ("pdf", "doc", "docx", "odt", "rtf", "txt", "xls", "xlsx", "ods", "jpg", "jpeg", "png")
ORIGINAL_MAX_SIZE_MB = 20
# What a session or a workspace page takes: office documents, presentations and photos.
OFFICE_AND_IMAGE_EXTENSIONS = (
    "pdf",
    "doc",
    "docx",
    "odt",
    "ppt",
    "pptx",
    "odp",
    "xls",
    "xlsx",
    "ods",
    "jpg",
    "jpeg",
    "png",
)
# What `detect_content_type` says of a zip archive: docx, xlsx, pptx, odt, ods, odp and plain zips.
ZIP_TYPES = frozenset(
    {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
# An entry inflating to less than this is never a bomb, however well it compresses.
ZIP_RATIO_FLOOR = 1024 * 1024


def detect_content_type(head: bytes) -> str:
    """The type the bytes say they are, whatever the name claims."""
    if kind := filetype.guess(head):
        return kind.mime
    if head.startswith(OLE_MAGIC):
        return "application/x-ole-storage"
    if _is_text(head):
        return "text/plain"
    return "application/octet-stream"


def upload_metadata(upload: UploadedFile) -> dict:
    """Name, size and detected type of an upload, as a file question's answer holds them."""
    upload.seek(0)
    head = upload.read(HEAD_SIZE)
    upload.seek(0)
    return {
        "name": clean_name(upload.name or ""),
        "size": upload.size or 0,
        "content_type": detect_content_type(head),
    }


def check_upload(field: Field, upload: UploadedFile) -> str | None:
    """The French message to show next to the question if this file cannot be accepted."""
    if not upload.size:
        return "Ce fichier est vide : choisissez-en un autre."
    metadata = upload_metadata(upload)
    if problem := file_problem(field, metadata):
        return problem
    if metadata["content_type"] in ZIP_TYPES:
        return zip_problem(upload)
    return None


def zip_problem(upload: UploadedFile) -> str | None:
    """Why an archive (docx, xlsx, odt… are zip files) is refused: unreadable, or a zip bomb.

    Only the central directory is read (`infolist`: names and sizes as the archive declares them);
    nothing is inflated, so a bomb costs nothing to refuse.
    """
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return "Ce fichier est endommagé ou n’est pas un document valide : enregistrez-le de nouveau."
    finally:
        upload.seek(0)
    inflated = sum(entry.file_size for entry in entries)
    if inflated > settings.ZIP_MAX_INFLATED_MB * 1024 * 1024 or any(map(_absurdly_compressed, entries)):
        return (
            "Ce document se décompresse en un volume anormalement grand : il est refusé par "
            "précaution. Enregistrez-le de nouveau depuis votre logiciel, ou envoyez-le en PDF."
        )
    return None


def _absurdly_compressed(entry: zipfile.ZipInfo) -> bool:
    # Small entries may compress very well (blank styles); only a large inflated size matters.
    ratio = entry.file_size / max(entry.compress_size, 1)
    return entry.file_size > ZIP_RATIO_FLOOR and ratio > settings.ZIP_MAX_RATIO


def received_file(upload: UploadedFile) -> dict:
    """Name, size, detected type and SHA-256 of an upload: what is kept next to the stored file."""
    metadata = upload_metadata(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {**metadata, "sha256": digest.hexdigest()}


def store(application: Application, upload: UploadedFile, *, field_key: str, by) -> Attachment:
    """Keep the file under a random name; the caller has checked it and holds the transaction."""
    attachment = Attachment(
        application=application, field_key=field_key, uploaded_by=by, **received_file(upload)
    )
    attachment.file.save("piece", upload, save=False)
    attachment.save()
    return attachment


def clean_name(name: str) -> str:
    """The file's own name without any folder part or control character, shortened to fit."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(char for char in base if char.isprintable()).strip() or "fichier"
    if len(base) > 200:
        stem, dot, extension = base.rpartition(".")
        base = f"{stem[: 190 - len(extension)]}{dot}{extension}" if dot else base[:200]
    return base


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as error:
            # A multi-byte character cut by the end of the head is still text.
            if encoding == "utf-8" and error.start >= len(head) - 3:
                return True
            continue
        return True
    return False


ORIGINALS_FIELD = Field(
    key="originaux",
    kind=Kind.FILE,
    label="Pièces reçues",
    extensions=ORIGINAL_EXTENSIONS,
    max_size_mb=ORIGINAL_MAX_SIZE_MB,
)
