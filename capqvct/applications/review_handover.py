"""The changes review makes to a dossier: handing it over to the review, and what its applicant
reads of its state.

Review imports applications, never the reverse: this is where it changes a dossier's state.
"""

from django.db.models import F

from capqvct.applications.models import ApplicantStage, Application
from capqvct.applications.states import DOSSIER


def hand_to_review(*, application: Application, by) -> Application:
    """Move a submitted dossier to « en instruction », with its audit event; the caller checks who may."""
    return DOSSIER.perform(
        application, "hand_to_review", by=by, changes={"lock_version": F("lock_version") + 1}
    )


def show_applicant_stage(*, application: Application, stage: str) -> None:
    """Set the stage the applicant reads (blank: « En instruction »); derived from the review's own
    records, which carry the audit events."""
    if stage and stage not in ApplicantStage.values:
        raise ValueError(f"Unknown applicant stage: {stage}")
    if application.applicant_stage != stage:
        application.applicant_stage = stage
        Application.objects.filter(pk=application.pk).update(applicant_stage=stage)
