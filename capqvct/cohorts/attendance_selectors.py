"""What the attendance pages read: the sessions a user follows or is expected at, who is expected at a
session and whether they came, the attendance summary per establishment and per role (reused by the
funding issue), the visit reports of a participation, and the consultant's home. Each function runs a
fixed number of queries whatever the number of cohorts, participants or sessions."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from capqvct.calls.models import Call
from capqvct.cohorts.models import (
    Attendance,
    CalendarEvent,
    Cohort,
    EventStatus,
    GroupingStatus,
    Participant,
    Session,
    SignInSheetScan,
    SupportVisit,
    TrioMember,
    TrioRole,
    VisitReportVersion,
)
from capqvct.cohorts.permissions import is_pair_consultant
from capqvct.cohorts.selectors import cohorts_followed_by
from capqvct.cohorts.templatetags.calendar_fr import event_when as calendar_when
from capqvct.core.formatting import format_date

# The consultant's home shows what comes in the next 60 days.
HOME_HORIZON = timedelta(days=60)
ROLE_ORDER = {role: index for index, role in enumerate(TrioRole.values)}


def event_when(event: CalendarEvent) -> str:
    """« le mardi 5 septembre 2022, de 9 h à 17 h » (« du … au … » across midnight), in the call's zone,
    in the calendar's words."""
    when = calendar_when(event, with_zone=False)
    return when if when.startswith("du ") else f"le {when}"


def local_day(moment: datetime, zone: str):
    return moment.astimezone(ZoneInfo(zone)).date()


# Sessions and who is expected at them


def sessions_followed_by(user) -> QuerySet[Session]:
    """The sessions of the cohorts the user follows (managers, the pair), and the presentations of
    their calls."""
    followed = cohorts_followed_by(user)
    return Session.objects.filter(
        Q(cohort__in=followed.values("pk")) | Q(cohort__isnull=True, call__in=followed.values("call"))
    ).select_related(
        "call__programme__region", "call__grouping", "cohort__pair__first", "cohort__pair__second"
    )


def expected_participants(session: Session) -> QuerySet[Participant]:
    """The cohort's participants; for the presentation, every participant of the call."""
    if session.cohort_id is not None:
        return Participant.objects.filter(cohort_id=session.cohort_id)
    return Participant.objects.filter(call_id=session.call_id)


def sessions_expecting(user) -> QuerySet[Session]:
    """The sessions where the user is expected as an active trio member, once the cohorts are confirmed."""
    if not getattr(user, "is_authenticated", False):
        return Session.objects.none()
    participants = Participant.objects.filter(
        trio__user=user, trio__active=True, call__grouping__status=GroupingStatus.CONFIRMED
    )
    return Session.objects.filter(
        Q(cohort__in=participants.values("cohort"))
        | Q(cohort__isnull=True, call__in=participants.values("call"))
    ).select_related("call__programme__region", "cohort")


def expected_members(session: Session) -> list[TrioMember]:
    """The active trio members of the expected participants, and the members replaced since who have a
    line at this session; by establishment, then in the trinôme's order."""
    members = (
        TrioMember.objects.filter(participant__in=expected_participants(session))
        .filter(Q(active=True) | Q(attendances__session=session))
        .select_related("participant__establishment")
        .distinct()
    )
    return sorted(
        members, key=lambda m: (m.participant.establishment.name, m.participant_id, ROLE_ORDER[m.role], m.pk)
    )


@dataclass
class SheetLine:
    member: TrioMember
    attendance: Attendance | None

    @property
    def state(self) -> str:
        """« present », « absent », or empty when nobody has said yet."""
        if self.attendance is None:
            return ""
        return "present" if self.attendance.present else "absent"


@dataclass
class SheetGroup:
    participant: Participant
    lines: list[SheetLine] = field(default_factory=list)


def sheet_of(session: Session) -> list[SheetGroup]:
    """The sign-in sheet: each expected establishment with its members and what was recorded."""
    recorded = {
        a.trio_member_id: a for a in Attendance.objects.filter(session=session).select_related("recorded_by")
    }
    groups: dict[int, SheetGroup] = {}
    for member in expected_members(session):
        group = groups.setdefault(member.participant_id, SheetGroup(member.participant))
        group.lines.append(SheetLine(member, recorded.get(member.pk)))
    return list(groups.values())


def session_consultants(session: Session) -> list:
    """The consultants who lead the session: the cohort's pair, or every pair of the call's cohorts."""
    if session.cohort_id is not None:
        pairs = [session.cohort.pair] if session.cohort.pair else []
    else:
        pairs = [
            c.pair
            for c in Cohort.objects.filter(call_id=session.call_id, pair__isnull=False).select_related(
                "pair__first", "pair__second"
            )
        ]
    people = {person.pk: person for pair in pairs for person in (pair.first, pair.second)}
    return sorted(people.values(), key=lambda p: (p.last_name, p.first_name, p.email))


def scans_of(session: Session) -> list[SignInSheetScan]:
    return list(session.sign_in_scans.select_related("uploaded_by"))


def scans_followed_by(user) -> QuerySet[SignInSheetScan]:
    return SignInSheetScan.objects.filter(session__in=sessions_followed_by(user))


# The attendance summary


@dataclass
class ParticipantAttendance:
    """A participant's sessions held (past, not cancelled) and, per role of the trinôme, how many of
    them someone in that role attended."""

    participant: Participant
    held: int
    attended: dict[str, int]

    @property
    def by_role(self) -> list[tuple[str, int]]:
        return [(str(role.label), self.attended.get(role.value, 0)) for role in TrioRole]


def attendance_by_participant(
    call_or_cohort: Call | Cohort, *, now: datetime | None = None, only: list[int] | None = None
):
    """Per participant of a call or a cohort (or of those of them in `only`, a page of a list):
    sessions held, and sessions attended per trinôme role (three queries). The funding issue reads it
    to pay for the replaced staff time."""
    now = now or timezone.now()
    if isinstance(call_or_cohort, Cohort):
        participants = Participant.objects.filter(cohort=call_or_cohort)
        sessions = Session.objects.filter(call_id=call_or_cohort.call_id).filter(
            Q(cohort=call_or_cohort) | Q(cohort__isnull=True)
        )
    else:
        participants = Participant.objects.filter(call=call_or_cohort)
        sessions = Session.objects.filter(call=call_or_cohort)
    if only is not None:
        participants = participants.filter(pk__in=only)
    held = sessions.filter(status=EventStatus.SCHEDULED, ends_at__lte=now)
    per_cohort = defaultdict(int)
    for cohort_id in held.values_list("cohort_id", flat=True):
        per_cohort[cohort_id] += 1
    attended: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Attendance.objects.filter(present=True, session__in=held, trio_member__participant__in=participants)
        .values("trio_member__participant_id", "trio_member__role")
        .annotate(sessions=Count("session", distinct=True))
        .order_by()
    )
    for row in rows:
        attended[row["trio_member__participant_id"]][row["trio_member__role"]] = row["sessions"]
    return [
        ParticipantAttendance(
            participant=p,
            held=per_cohort[p.cohort_id] + per_cohort[None],
            attended=attended[p.pk],
        )
        for p in participants.select_related("establishment", "cohort").order_by(
            "cohort__number", "establishment__name", "pk"
        )
    ]


def cohort_section(cohort: Cohort, user, *, now: datetime | None = None) -> dict:
    """The cohort page's « Émargement » part: its sessions (and the call's presentations) with their
    count of people present, and the summary per establishment and role."""
    now = now or timezone.now()
    sessions = list(
        Session.objects.filter(call_id=cohort.call_id)
        .filter(Q(cohort=cohort) | Q(cohort__isnull=True))
        .annotate(
            present_count=Count("attendances", filter=Q(attendances__present=True), distinct=True),
            scan_count=Count("sign_in_scans", distinct=True),
        )
        .order_by("starts_at", "pk")
    )
    for session in sessions:
        session.call = cohort.call
        session.when = event_when(session)
        session.day = format_date(local_day(session.starts_at, cohort.call.time_zone))
        session.held = session.status == EventStatus.SCHEDULED and session.ends_at <= now
    return {
        "attendance_sessions": sessions,
        "attendance_summary": attendance_by_participant(cohort, now=now),
        "attendance_roles": [str(role.label) for role in TrioRole],
    }


# Visit reports


def visits_reported_by(user) -> QuerySet[SupportVisit]:
    """The visits whose report the user may write: theirs, and those of the participants their pair
    follows in a confirmed cohort."""
    if not getattr(user, "is_authenticated", False):
        return SupportVisit.objects.none()
    pair = Q(participant__cohort__pair__first=user) | Q(participant__cohort__pair__second=user)
    confirmed = Q(participant__call__grouping__status=GroupingStatus.CONFIRMED)
    return SupportVisit.objects.filter(Q(consultant=user) | (pair & confirmed)).select_related(
        "participant__call__programme__region",
        "participant__cohort__pair",
        "participant__establishment",
        "consultant",
        "report_written_by",
    )


def participation_section(participant: Participant, user, *, now: datetime | None = None) -> dict:
    """The participation page's « Comptes rendus »: the past visits (not cancelled) with their report,
    and whether the user may write them (two queries)."""
    now = now or timezone.now()
    versions = VisitReportVersion.objects.select_related("written_by").order_by("-written_at", "-pk")
    visits = list(
        participant.visits.filter(status=EventStatus.SCHEDULED, ends_at__lte=now)
        .select_related("consultant", "report_written_by")
        .prefetch_related(Prefetch("report_versions", queryset=versions, to_attr="versions"))
        .order_by("-starts_at", "-pk")
    )
    writer = is_pair_consultant(user, participant.cohort)
    for visit in visits:
        visit.when = event_when(visit)
        visit.last_version = visit.versions[0] if visit.versions else None
        visit.may_write = writer or visit.consultant_id == getattr(user, "pk", None)
    return {"visit_reports": visits}


# The consultant's home, and the trinôme's sessions of the day


def consultant_home(user, cohorts: list[Cohort], *, now: datetime | None = None) -> dict:
    """For « Mes collectifs »: the followed cohorts' establishments, the sessions and visits of the next
    60 days, the reports to write, and the sessions of the day where the user is expected as a trio
    member (a fixed number of queries whatever the number of cohorts)."""
    now = now or timezone.now()
    prefetch_related_objects(
        cohorts,
        Prefetch(
            "participants",
            queryset=Participant.objects.select_related("establishment").order_by("establishment__name"),
        ),
    )
    home = {"sessions_today": _sessions_today(user, now)}
    if not cohorts:
        return {**home, "next_sessions": [], "next_visits": [], "reports_to_write": []}
    cohort_ids = [c.pk for c in cohorts]
    call_ids = {c.call_id for c in cohorts}
    next_sessions = list(
        Session.objects.filter(
            status=EventStatus.SCHEDULED, starts_at__gte=now, starts_at__lte=now + HOME_HORIZON
        )
        .filter(Q(cohort_id__in=cohort_ids) | Q(cohort__isnull=True, call_id__in=call_ids))
        .select_related("call__programme__region", "cohort")
        .order_by("starts_at", "pk")
    )
    ours = Q(participant__cohort_id__in=cohort_ids) | Q(consultant=user)
    visits = SupportVisit.objects.filter(ours, status=EventStatus.SCHEDULED).select_related(
        "participant__call__programme__region",
        "participant__establishment",
        "participant__cohort",
        "consultant",
    )
    next_visits = list(
        visits.filter(starts_at__gte=now, starts_at__lte=now + HOME_HORIZON).order_by("starts_at", "pk")
    )
    to_write = list(
        visits.filter(ends_at__lte=now, report_written_at__isnull=True).order_by("starts_at", "pk")
    )
    for event in next_sessions:
        event.when = event_when(event)
    for visit in [*next_visits, *to_write]:
        visit.when = event_when(visit)
    return {**home, "next_sessions": next_sessions, "next_visits": next_visits, "reports_to_write": to_write}


@dataclass
class SessionToday:
    session: Session
    member: TrioMember
    attendance: Attendance | None


def _sessions_today(user, now: datetime) -> list[SessionToday]:
    """The sessions of today (in each call's zone) where the user is expected as a trio member, with
    what is recorded for them (three queries)."""
    if not getattr(user, "is_authenticated", False):
        return []
    members = list(
        TrioMember.objects.filter(
            user=user, active=True, participant__call__grouping__status=GroupingStatus.CONFIRMED
        ).select_related("participant__establishment")
    )
    if not members:
        return []
    sessions = (
        sessions_expecting(user)
        .filter(
            status=EventStatus.SCHEDULED,
            starts_at__gte=now - timedelta(days=1),
            starts_at__lte=now + timedelta(days=1),
        )
        .order_by("starts_at", "pk")
    )
    today = [
        s for s in sessions if local_day(s.starts_at, s.call.time_zone) == local_day(now, s.call.time_zone)
    ]
    recorded = {
        (a.session_id, a.trio_member_id): a
        for a in Attendance.objects.filter(session__in=[s.pk for s in today], trio_member__in=members)
    }
    found = []
    for session in today:
        for member in members:
            expected = (
                member.participant.cohort_id == session.cohort_id
                if session.cohort_id
                else member.participant.call_id == session.call_id
            )
            if expected:
                found.append(SessionToday(session, member, recorded.get((session.pk, member.pk))))
    return found
