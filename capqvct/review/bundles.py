"""The archive of a call's dossiers: a ZIP with, per dossier in review, its PDF and its attachments.

Built by the worker (bundle_tasks) for a large call; written under MEDIA_ROOT/exports with a random
name, which only bundle_views serve, to the call's managers. An archive holds every dossier's personal
data, so it lives a day: each new build, and `manage.py purge_review_exports`, delete older ones.
"""

import re
import secrets
import shutil
import zipfile
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils import timezone

from capqvct.applications.models import Application, ApplicationStatus
from capqvct.applications.receipts import receipt_pdf
from capqvct.review.models import Review

DOSSIER_PDF = "dossier.pdf"
# The names build_bundle gives its files: nothing else is ever served from the exports folder.
BUNDLE_NAME = re.compile(r"^[0-9a-f]{32}\.zip$")
BUNDLE_LIFETIME = timedelta(days=1)
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def exports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def bundle_path(file_name: str) -> Path | None:
    """The archive of that name, or None for a name build_bundle never gives or a file gone."""
    if not BUNDLE_NAME.match(file_name or ""):
        return None
    path = exports_dir() / file_name
    return path if path.is_file() else None


def safe_name(name: str, *, fallback: str) -> str:
    """A file or folder name without path separators nor characters Windows refuses."""
    cleaned = _UNSAFE.sub(" ", name).strip(" .")
    return cleaned[:150] or fallback


def unique_name(name: str, taken: set[str]) -> str:
    """« lettre.pdf », then « lettre (2).pdf », « lettre (3).pdf »… (case-insensitive, as on Windows)."""
    candidate, number = name, 1
    path = PurePosixPath(name)
    while candidate.lower() in taken:
        number += 1
        candidate = f"{path.stem} ({number}){path.suffix}"
    taken.add(candidate.lower())
    return candidate


def bundle_dossiers(review: Review):
    return (
        Application.objects.filter(call_id=review.call_id, status=ApplicationStatus.IN_REVIEW)
        .select_related("establishment", "call__programme__region")
        .prefetch_related("attachments", "submissions")
        .order_by("establishment__name", "pk")
    )


def purge_old_bundles(now: datetime | None = None) -> int:
    """Delete the archives (and any interrupted build) older than BUNDLE_LIFETIME; returns how many."""
    folder = exports_dir()
    if not folder.is_dir():
        return 0
    limit = ((now or timezone.now()) - BUNDLE_LIFETIME).timestamp()
    removed = 0
    for path in folder.iterdir():
        is_ours = BUNDLE_NAME.match(path.name) or BUNDLE_NAME.match(path.name.removesuffix(".part"))
        if is_ours and path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def build_bundle(review_id: int) -> str:
    """Write the archive of the review's dossiers in review; return its file name."""
    review = Review.objects.get(pk=review_id)
    purge_old_bundles()
    folder = exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    file_name = f"{secrets.token_hex(16)}.zip"
    partial = folder / f"{file_name}.part"
    folders: set[str] = set()
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for application in bundle_dossiers(review):
            establishment = application.establishment
            directory = unique_name(
                safe_name(f"{establishment.finess_et} {establishment.name}", fallback=str(application.pk)),
                folders,
            )
            taken = {DOSSIER_PDF}
            submissions = sorted(application.submissions.all(), key=lambda s: s.number)
            if submissions:
                archive.writestr(f"{directory}/{DOSSIER_PDF}", receipt_pdf(submissions[-1]))
            attachments = sorted(application.attachments.all(), key=lambda a: (a.uploaded_at, a.name))
            for attachment in attachments:
                name = unique_name(safe_name(attachment.name, fallback="piece-jointe"), taken)
                with attachment.file.open("rb") as source, archive.open(f"{directory}/{name}", "w") as target:
                    shutil.copyfileobj(source, target, length=1024 * 1024)
    partial.rename(folder / file_name)
    return file_name
