"""Files on the pages of the workspace (minutes, photos of paper boards, a communication note), checked
as a dossier's files are: by their content, their kind and their size, stored under a random name."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from capqvct.applications.attachments import check_upload, received_file
from capqvct.approaches.models import ApproachDocument, Part
from capqvct.approaches.permissions import can_work_on
from capqvct.approaches.services import open_approach, record_change
from capqvct.calls.formdef.schema import Field, Kind
from capqvct.cohorts.models import Participant
from capqvct.core.exceptions import Refusal
from capqvct.core.permissions import ensure

DOCUMENTS_FIELD = Field(
    key="documents",
    kind=Kind.FILE,
    label="Documents de la démarche",
    extensions=(
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
    ),
    max_size_mb=20,
)


def add_document(
    *, participant: Participant, by, part: str, upload, now: datetime | None = None
) -> ApproachDocument:
    ensure(can_work_on(by, participant))
    if part not in Part.values:
        raise Refusal("Cette page ne reçoit pas de documents.", field="file")
    if upload is None:
        raise Refusal("Choisissez un fichier.", field="file")
    if problem := check_upload(DOCUMENTS_FIELD, upload):
        raise Refusal(problem, field="file")
    now = now or timezone.now()
    with transaction.atomic():
        approach = open_approach(participant)
        document = ApproachDocument(approach=approach, part=part, uploaded_by=by, **received_file(upload))
        document.file.save("document", upload, save=False)
        document.save()
        record_change(
            approach,
            by=by,
            action="approach_document_added",
            now=now,
            name=document.name,
            sha256=document.sha256,
        )
    return document


def remove_document(*, document: ApproachDocument, by, now: datetime | None = None) -> None:
    """Take a file off its page; the stored file goes once the removal is committed."""
    approach = document.approach
    ensure(can_work_on(by, approach.participant))
    stored, storage = document.file.name, document.file.storage
    now = now or timezone.now()
    with transaction.atomic():
        record_change(
            approach,
            by=by,
            action="approach_document_removed",
            now=now,
            name=document.name,
            sha256=document.sha256,
        )
        document.delete()
        transaction.on_commit(lambda: storage.delete(stored))
