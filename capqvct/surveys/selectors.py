"""What the survey pages read: the campaigns a user may see or run, the questionnaires a campaign may
use, and a campaign by its public address. Results are read through results.py only."""

from django.db.models import Count, Q, QuerySet

from capqvct.approaches.selectors import participants_visible_to, participants_worked_on_by
from capqvct.cohorts.models import Participant
from capqvct.cohorts.selectors import participations_of
from capqvct.surveys.models import Campaign, FreeText, InstrumentVersion, OwnQuestion
from capqvct.surveys.services import ensure_shipped_instruments

CAMPAIGN_RELATED = (
    "instrument",
    "participant__establishment",
    "participant__call__programme__region",
    "participant__cohort__pair__first",
    "participant__cohort__pair__second",
)


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """The campaigns of the workspaces the user reads (establishment, pair, programme managers)."""
    return Campaign.objects.filter(participant__in=participants_visible_to(user)).select_related(
        *CAMPAIGN_RELATED
    )


def campaigns_worked_on_by(user) -> QuerySet[Campaign]:
    return Campaign.objects.filter(participant__in=participants_worked_on_by(user)).select_related(
        *CAMPAIGN_RELATED
    )


def campaigns_with_counts(participant: Participant) -> QuerySet[Campaign]:
    """The participant's campaigns with their number of responses, in one query."""
    return (
        participant.campaigns.select_related("instrument")
        .annotate(respondents=Count("responses"))
        .order_by("wave")
    )


def campaign_by_token(token: str) -> QuerySet[Campaign]:
    return Campaign.objects.filter(token=token).select_related(
        "instrument", "participant__establishment", "participant__call__programme__region"
    )


def questions_of(campaign: Campaign) -> list[OwnQuestion]:
    return list(campaign.own_questions.all())


def free_texts_reviewed_by(user) -> QuerySet[FreeText]:
    """The open answers the user may review: those of their own establishment (its comité)."""
    return FreeText.objects.filter(
        question__campaign__participant__in=participations_of(user)
    ).select_related("question__campaign__participant")


def free_texts_of(campaign: Campaign) -> list[FreeText]:
    return list(FreeText.objects.filter(question__campaign=campaign).select_related("question"))


def instruments_for(participant: Participant) -> list[InstrumentVersion]:
    """The shipped questionnaires and those the programme's agencies completed with their texts; only
    those with every text may be used."""
    ensure_shipped_instruments()
    agencies = participant.call.programme.agencies.all()
    versions = InstrumentVersion.objects.filter(Q(agency__isnull=True) | Q(agency__in=agencies))
    return [version for version in versions if version.instrument.has_texts]
