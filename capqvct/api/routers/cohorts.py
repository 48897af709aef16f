"""Cohorts once formed: the cohorts a caller follows (programme managers of the call's region, the
cohort's consultant pair once confirmed), their participants, sessions, sign-in sheets and attendance
summary; the participations a caller takes part in, and their visits with the consultants' reports;
the caller's own agenda, as their calendar feed holds it. Read through the cohorts' selectors, so the
API shows exactly what the pages show."""

from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Path, Router
from ninja.pagination import paginate

from capqvct.api.schemas import (
    MAX_ID,
    AgendaOut,
    CohortDetailOut,
    CohortOut,
    ErrorOut,
    Pagination,
    ParticipantAttendanceOut,
    ParticipationOut,
    SessionOut,
    SheetLineOut,
    ValidationErrorOut,
    VisitOut,
)
from capqvct.cohorts import calendar_ics, calendar_selectors
from capqvct.cohorts.attendance_selectors import attendance_by_participant, sessions_followed_by, sheet_of
from capqvct.cohorts.models import Cohort, Participant, Session, SupportVisit, TrioMember
from capqvct.cohorts.selectors import cohorts_followed_by, participations_visible_to

router = Router(tags=["Collectifs"])

# Documented examples: the conformance test maps them onto a seeded cohort and participation.
EXAMPLE_COHORT_ID = 1
EXAMPLE_PARTICIPATION_ID = 1
EXAMPLE_SESSION_ID = 1

UNAUTHENTICATED = {401: ErrorOut}
NOT_FOUND = {404: ErrorOut, 422: ValidationErrorOut, **UNAUTHENTICATED}


def _cohort_id() -> int:
    return Path(..., ge=1, le=MAX_ID, description="Identifiant du collectif.", example=EXAMPLE_COHORT_ID)


def _participation_id() -> int:
    return Path(
        ..., ge=1, le=MAX_ID, description="Identifiant de la participation.", example=EXAMPLE_PARTICIPATION_ID
    )


def _session_id() -> int:
    return Path(..., ge=1, le=MAX_ID, description="Identifiant de la séance.", example=EXAMPLE_SESSION_ID)


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


@router.get("/collectifs/{cohort_id}/presences", response={200: list[ParticipantAttendanceOut], **NOT_FOUND})
def get_attendance(request, cohort_id: int = _cohort_id()) -> list:
    """Pour chaque établissement du collectif : les séances tenues (passées, non annulées, présentation
    comprise) et, par rôle du trinôme, celles où une personne de ce rôle était présente."""
    cohort = get_object_or_404(cohorts_followed_by(request.auth), pk=cohort_id)
    return attendance_by_participant(cohort)


@router.get("/seances/{session_id}/emargement", response={200: list[SheetLineOut], **NOT_FOUND})
def get_sign_in_sheet(request, session_id: int = _session_id()) -> list:
    """La feuille d’émargement d’une séance : chaque membre attendu des trinômes et ce qui est noté pour
    lui ; pour les responsables de programme et le binôme d’intervenants."""
    session = get_object_or_404(sessions_followed_by(request.auth), pk=session_id)
    return [line for group in sheet_of(session) for line in group.lines]


@router.get("/agenda", response={200: AgendaOut, **UNAUTHENTICATED})
def get_agenda(request) -> dict:
    """Vos séances et rencontres, annulées comprises, comme les tient votre abonnement iCalendar ; les
    heures sont données dans le fuseau de l’appel."""
    feed = calendar_selectors.feed_of(request.auth)
    return {
        "feed_url": request.build_absolute_uri(reverse("cohorts:calendar_feed", args=[feed.token]))
        if feed
        else None,
        "events": [_agenda_event(event) for event in calendar_selectors.invited_events(request.auth)],
    }


def _agenda_event(event: Session | SupportVisit) -> dict:
    zone = ZoneInfo(calendar_ics.event_zone(event))
    return {
        "uid": str(event.uid),
        "sequence": event.sequence,
        "kind": "session" if isinstance(event, Session) else "visit",
        "id": event.pk,
        "title": calendar_ics.event_title(event),
        "starts_at": event.starts_at.astimezone(zone).isoformat(),
        "ends_at": event.ends_at.astimezone(zone).isoformat(),
        "time_zone": str(zone),
        "place": calendar_ics.event_place(event),
        "status": event.status,
    }
