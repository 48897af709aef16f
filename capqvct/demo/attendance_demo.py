"""Visit reports in the demonstration: the calendar's demo plans the OMEGA cohorts' sessions and first
meetings ahead; here each participant also had an individual support visit last week, and its report
is written but for the last participant of each cohort, whose report waits in the consultant's « Mes
collectifs ». The past visits are made with the ORM (the calendar's pages plan future ones); the
reports go through the service. Attendance starts on the first session's day: nothing to record yet."""

from datetime import timedelta

from django.utils import timezone

from capqvct.calls.models import Call
from capqvct.cohorts import attendance_services
from capqvct.cohorts.models import Cohort, SupportVisit, VisitKind

REPORT = {
    "done": "Rencontre avec le trinôme : présentation des quatre séquences de la démarche, premier tour "
    "des situations de travail difficiles (nuits, remplacements).",
    "decisions": "Le comité QVT réunit la direction, deux élus du CSE, la cadre de santé et une "
    "aide-soignante de nuit.",
    "next_steps": "Première réunion du comité avant la séance 1 ; diffuser la note de lancement aux équipes.",
}


def load_attendance_demo(*, call: Call) -> None:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    if SupportVisit.objects.filter(
        participant__call=call, kind=VisitKind.SUPPORT, starts_at__lt=now
    ).exists():
        return
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
