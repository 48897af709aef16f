"""What the calendar reads: who is invited to an event, the events a user is invited to (their « Mon
agenda » page and their private feed), and the calendar sections of the cohort and participation
pages. Each reads a fixed number of queries whatever the number of events."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from capqvct.calls.selectors import calls_managed_by
from capqvct.cohorts.calendar_planning import (
    Period,
    PlanningError,
    check_span,
    excluded_days,
    propose_dates,
    public_holidays,
)
from capqvct.cohorts.models import (
    CalendarFeed,
    Cohort,
    EventStatus,
    GroupingStatus,
    Participant,
    SchoolHoliday,
    Session,
    SessionDocument,
    SessionKind,
    SupportVisit,
    TrioMember,
)
from capqvct.cohorts.permissions import can_plan_cohort_calendar, can_plan_presentation
from capqvct.cohorts.selectors import cohorts_followed_by, participations_of
from capqvct.core.exceptions import Refusal

SESSION_RELATED = ("call__programme__region", "cohort")
VISIT_RELATED = (
    "participant__call__programme__region",
    "participant__establishment",
    "participant__cohort",
    "consultant",
)


def _emails(addresses) -> list[str]:
    return list(
        dict.fromkeys(address.strip().lower() for address in addresses if address and address.strip())
    )


def invitees(event: Session | SupportVisit) -> list[str]:
    """Everyone an event's invitation goes to: the active trinôme members of the participants concerned
    and the consultants (the cohort's pair; every pair of the call for its presentation; the visit's
    consultant)."""
    trio = TrioMember.objects.filter(active=True)
    if isinstance(event, SupportVisit):
        people = trio.filter(participant_id=event.participant_id).values_list("email", flat=True)
        return _emails([*people, event.consultant.email])
    if event.kind == SessionKind.PRESENTATION:
        cohorts = Cohort.objects.filter(call_id=event.call_id)
    else:
        cohorts = Cohort.objects.filter(pk=event.cohort_id)
    people = trio.filter(participant__cohort__in=cohorts).values_list("email", flat=True)
    pairs = cohorts.filter(pair__isnull=False).values_list("pair__first__email", "pair__second__email")
    return _emails([*people, *(email for both in pairs for email in both)])


def _own_participants(user) -> QuerySet[Participant]:
    """The participants of whose trinôme the user is an active member (by account, or by e-mail for an
    account made after the confirmation)."""
    mine = TrioMember.objects.filter(active=True).filter(Q(user=user) | Q(email__iexact=user.email))
    return Participant.objects.filter(
        pk__in=mine.values("participant_id"), call__grouping__status=GroupingStatus.CONFIRMED
    )


def invited_sessions(user) -> QuerySet[Session]:
    """The sessions the user is invited to, as `invitees` says (cancelled ones included)."""
    pair_cohorts = Cohort.objects.filter(Q(pair__first=user) | Q(pair__second=user)).filter(
        call__grouping__status=GroupingStatus.CONFIRMED
    )
    own = _own_participants(user)
    collective = Q(cohort_id__in=pair_cohorts.values("pk")) | Q(cohort_id__in=own.values("cohort_id"))
    presentation = Q(kind=SessionKind.PRESENTATION) & (
        Q(call_id__in=pair_cohorts.values("call_id")) | Q(call_id__in=own.values("call_id"))
    )
    return Session.objects.filter(collective | presentation).select_related(*SESSION_RELATED)


def invited_visits(user) -> QuerySet[SupportVisit]:
    own = _own_participants(user)
    return SupportVisit.objects.filter(
        Q(consultant=user) | Q(participant_id__in=own.values("pk"))
    ).select_related(*VISIT_RELATED)


def invited_events(user) -> list[Session | SupportVisit]:
    """Sessions and visits together, in time order: two queries."""
    if not getattr(user, "is_authenticated", False):
        return []
    events = [*invited_sessions(user), *invited_visits(user)]
    return sorted(events, key=lambda event: (event.starts_at, event.pk))


def feed_of_token(token: str) -> CalendarFeed | None:
    if not token:
        return None
    return CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()


def feed_of(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


# Pages


def sessions_followed_by(user) -> QuerySet[Session]:
    """The sessions a user may change: those of the cohorts they follow, and the presentations of the
    calls they manage."""
    return Session.objects.filter(
        Q(cohort__in=cohorts_followed_by(user))
        | Q(kind=SessionKind.PRESENTATION, call__in=calls_managed_by(user))
    ).select_related(*SESSION_RELATED, "cohort__pair", "call__grouping")


def visits_followed_by(user) -> QuerySet[SupportVisit]:
    return SupportVisit.objects.filter(participant__cohort__in=cohorts_followed_by(user)).select_related(
        *VISIT_RELATED, "participant__cohort__pair", "participant__call__grouping"
    )


def sessions_visible_to(user) -> QuerySet[Session]:
    """What `sessions_followed_by` gives, and the sessions the user's establishments are invited to."""
    own = participations_of(user)
    return Session.objects.filter(
        Q(pk__in=sessions_followed_by(user).values("pk"))
        | Q(pk__in=invited_sessions(user).values("pk"))
        | Q(cohort_id__in=own.values("cohort_id"))
        | Q(kind=SessionKind.PRESENTATION, call_id__in=own.values("call_id"))
    )


def documents_visible_to(user) -> QuerySet[SessionDocument]:
    return SessionDocument.objects.filter(session__in=sessions_visible_to(user))


def documents_changeable_by(user) -> QuerySet[SessionDocument]:
    """The documents of the sessions the user may change, with what the permission check reads."""
    return SessionDocument.objects.filter(session__in=sessions_followed_by(user)).select_related(
        "session__cohort__pair", "session__call__programme__region", "session__call__grouping"
    )


def _with_documents(sessions: QuerySet[Session]) -> QuerySet[Session]:
    return sessions.prefetch_related(
        Prefetch("documents", queryset=SessionDocument.objects.order_by("uploaded_at", "pk"))
    )


def cohort_section(cohort: Cohort, user) -> dict:
    """The cohort page's calendar: its sessions and the call's presentation, the visits to its
    participants, and what the user may do (four queries)."""
    sessions = _with_documents(
        Session.objects.filter(
            Q(cohort=cohort) | Q(kind=SessionKind.PRESENTATION, call_id=cohort.call_id)
        ).select_related(*SESSION_RELATED)
    )
    visits = SupportVisit.objects.filter(participant__cohort=cohort).select_related(*VISIT_RELATED)
    return {
        "calendar_sessions": list(sessions),
        "calendar_visits": list(visits),
        "calendar_can_plan": bool(can_plan_cohort_calendar(user, cohort)),
        "calendar_can_present": bool(can_plan_presentation(user, cohort.call)),
    }


def participation_section(participant: Participant, user, *, now: datetime | None = None) -> dict:
    """The participation page's calendar: the next sessions of its cohort (and the presentation), and
    its visits."""
    now = now or timezone.now()
    sessions = _with_documents(
        Session.objects.filter(
            Q(cohort_id=participant.cohort_id)
            | Q(kind=SessionKind.PRESENTATION, call_id=participant.call_id),
            ends_at__gte=now,
            status=EventStatus.SCHEDULED,
        ).select_related(*SESSION_RELATED)
    )
    visits = SupportVisit.objects.filter(participant=participant).select_related(*VISIT_RELATED)
    return {"calendar_next_sessions": list(sessions), "calendar_visits": list(visits)}


def school_holidays_of(call) -> list[SchoolHoliday]:
    return list(SchoolHoliday.objects.filter(call=call).order_by("starts_on", "pk"))


def next_session_number(cohort: Cohort) -> int:
    numbers = Session.objects.filter(cohort=cohort, status=EventStatus.SCHEDULED).values_list(
        "number", flat=True
    )
    return max(numbers, default=0) + 1


@dataclass(frozen=True)
class Proposal:
    days: list[date]
    public_holidays: list[tuple[date, str]]
    school_holidays: list[SchoolHoliday]
    departements: list[str]


def planning_proposal(
    cohort: Cohort, *, first: date, last: date, count: int, weekdays: list[int], avoid_school_holidays: bool
) -> Proposal:
    """The assistant's dates for the cohort: its participants' départements decide the public holidays
    (Alsace-Moselle, overseas), the call's typed school holidays are avoided when asked. Refuses at the
    field when no proposal fits."""
    departements = sorted(
        set(Participant.objects.filter(cohort=cohort).values_list("establishment__departement_id", flat=True))
    )
    periods = school_holidays_of(cohort.call) if avoid_school_holidays else []
    try:
        check_span(first, last, count, weekdays)
        excluded = excluded_days(
            first,
            last,
            departements=departements,
            school_holidays=[Period(p.name, p.starts_on, p.ends_on) for p in periods],
        )
        days = propose_dates(first, last, count, weekdays, excluded)
    except PlanningError as error:
        raise Refusal(error.message, field=error.field) from None
    public = public_holidays(departements, range(first.year, last.year + 1))
    return Proposal(
        days=days,
        public_holidays=sorted(
            (day, name) for day, name in public.items() if first <= day <= last and day.weekday() in weekdays
        ),
        school_holidays=[p for p in periods if p.starts_on <= last and p.ends_on >= first],
        departements=departements,
    )
