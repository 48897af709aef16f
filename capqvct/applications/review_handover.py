"""The one change review makes to a dossier: handing a submitted dossier over to the review.

Review imports applications, never the reverse: this is where it changes a dossier's state.
"""

from django.db import transaction

from capqvct.applications.models import Application, ApplicationStatus
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
