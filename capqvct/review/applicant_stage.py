"""What an applicant reads of their dossier under review, derived from the review's own records:
a notified decision first, then a question waiting for their answer, else « En instruction »."""

from capqvct.applications.models import ApplicantStage, Application
from capqvct.applications.review_handover import show_applicant_stage
from capqvct.review.models import Decision, InformationRequest, Outcome

STAGE_OF_OUTCOME = {
    Outcome.SELECTED: ApplicantStage.SELECTED,
    Outcome.WAITING_LIST: ApplicantStage.WAITING_LIST,
    Outcome.NOT_SELECTED: ApplicantStage.NOT_SELECTED,
    # The letter gives the reason; the list of dossiers says the same words as for any refusal.
    Outcome.INELIGIBLE: ApplicantStage.NOT_SELECTED,
}


def stage_of(application: Application, *, notified: Decision | None = None) -> str:
    """`notified`: the dossier's decision just sent, which spares reading it again."""
    decision = notified or Decision.objects.filter(application=application, notified_at__isnull=False).first()
    if decision is not None:
        return STAGE_OF_OUTCOME[decision.outcome]
    if InformationRequest.objects.filter(application=application, answered_at__isnull=True).exists():
        return ApplicantStage.INFORMATION_REQUESTED
    return ""


def refresh_applicant_stage(application: Application, *, notified: Decision | None = None) -> None:
    show_applicant_stage(application=application, stage=stage_of(application, notified=notified))
