"""Attendance and visit reports in the demonstration. The calendar's demo started the OMEGA cohorts a
week or so ago: the presentation and the meetings before the start are past, and each cohort held its
first session. Here the presentation's and the first sessions' sign-in sheets are kept (one
representative of the staff missed the first session: the cohort page's summary shows it), the
meetings before the start have their reports, and each participant also had an individual support
visit last week, whose report is written but for the last participant of each cohort, whose report
waits in the consultant's « Mes collectifs ». The past visits are made with the ORM (the calendar's
pages plan future ones); attendance and reports go through the services."""

from datetime import timedelta

from django.utils import timezone

from capqvct.calls.models import Call
from capqvct.cohorts import attendance_services
from capqvct.cohorts.attendance_selectors import expected_members
from capqvct.cohorts.models import Cohort, EventStatus, Session, SupportVisit, TrioRole, VisitKind

REPORT = {
    "done": "Rencontre avec le trinôme : présentation des quatre séquences de la démarche, premier tour "
    "des situations de travail difficiles (nuits, remplacements).",
    "decisions": "Le comité QVT réunit la direction, deux élus du CSE, la cadre de santé et une "
    "aide-soignante de nuit.",
    "next_steps": "Première réunion du comité avant la séance 1 ; diffuser la note de lancement aux équipes.",
}


KICKOFF_REPORT = {
    "done": "Rencontre avant le démarrage : le trinôme a présenté l’établissement, ses équipes et ses "
    "attentes ; calendrier des séances collectives remis.",
    "decisions": "Le trinôme est confirmé ; la directrice réserve les demi-journées des séances.",
    "next_steps": "Composer le comité QVT et préparer la séance 1.",
}


def load_attendance_demo(*, call: Call, people: dict) -> None:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    if SupportVisit.objects.filter(
        participant__call=call, kind=VisitKind.SUPPORT, starts_at__lt=now
    ).exists():
        return
    _report_kickoff_meetings(call, now)
    _keep_sign_in_sheets(call, people["claire.fabre"], now)
    cohorts = Cohort.objects.filter(call=call, pair__isnull=False).select_related(
        "pair__first", "pair__second"
    )
    for cohort in cohorts:
        participants = list(
            cohort.participants.select_related("establishment").order_by("establishment__name")
        )
        for index, participant in enumerate(participants):
            starts = now - timedelta(days=7 - index)
            visit = SupportVisit.objects.create(
                participant=participant,
                kind=VisitKind.SUPPORT,
                consultant=cohort.pair.first if index % 2 == 0 else cohort.pair.second,
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                address=participant.establishment.name,
                subject="Lancement de la démarche et composition du comité QVT",
            )
            if index < len(participants) - 1:
                attendance_services.write_visit_report(
                    visit=visit, by=visit.consultant, now=visit.ends_at + timedelta(hours=2), **REPORT
                )


def _report_kickoff_meetings(call: Call, now) -> None:
    kickoffs = SupportVisit.objects.filter(
        participant__call=call, kind=VisitKind.KICKOFF, ends_at__lt=now, status=EventStatus.SCHEDULED
    ).select_related("consultant", "participant__call__programme__region")
    for visit in kickoffs:
        attendance_services.write_visit_report(
            visit=visit, by=visit.consultant, now=visit.ends_at + timedelta(hours=2), **KICKOFF_REPORT
        )


def _keep_sign_in_sheets(call: Call, manager, now) -> None:
    """The presentation's sheet kept by the manager; each cohort's first session by its first
    consultant, the last establishment's representative of the staff absent."""
    held = Session.objects.filter(call=call, ends_at__lt=now, status=EventStatus.SCHEDULED).select_related(
        "call__programme__region", "call__grouping", "cohort__pair__first", "cohort__pair__second"
    )
    for session in held:
        members = expected_members(session)
        last_participant = members[-1].participant_id if members else None
        presence = {
            member.pk: not (
                session.cohort_id is not None
                and member.participant_id == last_participant
                and member.role == TrioRole.STAFF_REPRESENTATIVE
            )
            for member in members
        }
        if presence:
            recorder = session.cohort.pair.first if session.cohort_id else manager
            attendance_services.record_attendance(
                session=session, by=recorder, presence=presence, now=session.ends_at
            )
