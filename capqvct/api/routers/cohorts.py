"""Cohorts once formed: the cohorts a caller follows (programme managers of the call's region, the
cohort's consultant pair once confirmed), their participants and sessions; the participations a
caller takes part in, and their visits with the consultants' reports. Read through the cohorts'
selectors, so the API shows exactly what the pages show."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Path, Router
from ninja.pagination import paginate

from capqvct.api.schemas import (
    MAX_ID,
    CohortDetailOut,
    CohortOut,
    ErrorOut,
    Pagination,
    ParticipationOut,
    SessionOut,
    ValidationErrorOut,
    VisitOut,
)
from capqvct.cohorts.models import Cohort, Participant, Session, SupportVisit, TrioMember
from capqvct.cohorts.selectors import cohorts_followed_by, participations_visible_to

router = Router(tags=["Collectifs"])

# Documented examples: the conformance test maps them onto a seeded cohort and participation.
EXAMPLE_COHORT_ID = 1
EXAMPLE_PARTICIPATION_ID = 1

UNAUTHENTICATED = {401: ErrorOut}
NOT_FOUND = {404: ErrorOut, 422: ValidationErrorOut, **UNAUTHENTICATED}


def _cohort_id() -> int:
    return Path(..., ge=1, le=MAX_ID, description="Identifiant du collectif.", example=EXAMPLE_COHORT_ID)


def _participation_id() -> int:
    return Path(
        ..., ge=1, le=MAX_ID, description="Identifiant de la participation.", example=EXAMPLE_PARTICIPATION_ID
    )


def _cohorts(user) -> QuerySet[Cohort]:
    return (
        cohorts_followed_by(user)
        .select_related("call")
        .annotate(participant_count=Count("participants"))
        .order_by("call_id", "number")
    )


@router.get("/collectifs", response={200: list[CohortOut], 422: ValidationErrorOut, **UNAUTHENTICATED})
@paginate(Pagination)
def list_cohorts(request) -> QuerySet[Cohort]:
    """Les collectifs que vous suivez : ceux des appels de votre région pour un responsable de
    programme, ceux de votre binôme une fois confirmés pour un intervenant ; réponse paginée."""
    return _cohorts(request.auth)


@router.get("/collectifs/{cohort_id}", response={200: CohortDetailOut, **NOT_FOUND})
def get_cohort(request, cohort_id: int = _cohort_id()) -> Cohort:
    """Un collectif avec ses établissements et leur trinôme ; 404 si vous ne le suivez pas."""
    participants = Participant.objects.select_related("establishment").prefetch_related(
        Prefetch("trio", queryset=TrioMember.objects.order_by("role", "-active", "pk"))
    )
    cohorts = _cohorts(request.auth).prefetch_related(
        Prefetch("participants", queryset=participants.order_by("establishment__name"))
    )
    return get_object_or_404(cohorts, pk=cohort_id)


@router.get("/collectifs/{cohort_id}/seances", response={200: list[SessionOut], **NOT_FOUND})
def list_sessions(request, cohort_id: int = _cohort_id()) -> QuerySet[Session]:
    """Les séances collectives du collectif et la présentation de son appel, annulées comprises, par
    date ; les heures sont données dans le fuseau de l’appel."""
    cohort = get_object_or_404(cohorts_followed_by(request.auth), pk=cohort_id)
    return (
        Session.objects.filter(Q(cohort=cohort) | Q(call_id=cohort.call_id, cohort__isnull=True))
        .select_related("call__programme__region")
        .order_by("starts_at", "pk")
    )


@router.get(
    "/participations", response={200: list[ParticipationOut], 422: ValidationErrorOut, **UNAUTHENTICATED}
)
@paginate(Pagination)
def list_participations(request) -> QuerySet[Participant]:
    """Les participations que vous voyez : celles de vos établissements et de vos trinômes, et
    celles des collectifs que vous suivez ; réponse paginée."""
    return participations_visible_to(request.auth).select_related("cohort", "establishment").order_by("pk")


@router.get("/participations/{participation_id}/rencontres", response={200: list[VisitOut], **NOT_FOUND})
def list_visits(request, participation_id: int = _participation_id()) -> QuerySet[SupportVisit]:
    """La rencontre préalable et les appuis individuels de l’établissement, avec le compte rendu de
    l’intervenant une fois écrit ; les heures sont données dans le fuseau de l’appel."""
    participant = get_object_or_404(participations_visible_to(request.auth), pk=participation_id)
    return (
        SupportVisit.objects.filter(participant=participant)
        .select_related("participant__call__programme__region", "consultant")
        .order_by("starts_at", "pk")
    )
