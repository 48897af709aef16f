"""The changes review makes to a dossier: handing it over to the review, and what its applicant
reads of its state.

Review imports applications, never the reverse: this is where it changes a dossier's state.
"""

from django.db import transaction

from capqvct.applications.models import ApplicantStage, Application, ApplicationStatus
from capqvct.core.exceptions import Refusal
from capqvct.core.services import record_event


def hand_to_review(*, application: Application, by) -> Application:
    """Move a submitted dossier to « en instruction », with its audit event; the caller checks who may."""
    if application.status != ApplicationStatus.SUBMITTED:
        raise Refusal("Seul un dossier déposé peut passer en instruction.")
    with transaction.atomic():
        application.status = ApplicationStatus.IN_REVIEW
        application.lock_version += 1
        application.save(update_fields=["status", "lock_version", "updated_at"])
        record_event(
            action="application_handed_to_review",
            actor=by,
            target=application,
            details={"from": ApplicationStatus.SUBMITTED, "to": ApplicationStatus.IN_REVIEW},
        )
    return application


def show_applicant_stage(*, application: Application, stage: str) -> None:
    """Set the stage the applicant reads (blank: « En instruction »); derived from the review's own
    records, which carry the audit events."""
    if stage and stage not in ApplicantStage.values:
        raise ValueError(f"Unknown applicant stage: {stage}")
    if application.applicant_stage != stage:
        application.applicant_stage = stage
        Application.objects.filter(pk=application.pk).update(applicant_stage=stage)
