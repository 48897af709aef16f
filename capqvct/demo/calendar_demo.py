"""The calendar of the demonstration's OMEGA cohorts, a programme under way: the presentation of the
programme by video three weeks before the start (as OMEGA's, 15:00 to 17:00), five sessions per cohort
placed by the planning assistant from about a week ago (the first one is held, the next four are
ahead), and a meeting with each establishment before the start. Everything goes through the services
(the invitations go to the outbox like any other e-mail)."""

from datetime import time, timedelta

from django.utils import timezone

from capqvct.calls.models import Call
from capqvct.cohorts import calendar_selectors, calendar_services
from capqvct.cohorts.calendar_services import local_instant
from capqvct.cohorts.models import Cohort, Mode, Session, VisitKind, VisitLength

TUESDAY, THURSDAY = 1, 3


def load_calendar_demo(*, call: Call, people: dict) -> None:
    if Session.objects.filter(call=call).exists():
        return
    manager = people["claire.fabre"]
    zone = call.time_zone
    # The first session falls a few days ago, so that its sign-in sheet has something to show.
    first = timezone.now().astimezone().date() - timedelta(days=12)
    calendar_services.add_school_holiday(
        call=call,
        by=manager,
        name="Vacances d’hiver (zone C)",
        starts_on=first + timedelta(days=60),
        ends_on=first + timedelta(days=75),
    )
    presentation_day = first - timedelta(days=21)
    calendar_services.schedule_presentation(
        call=call,
        by=manager,
        starts_at=local_instant(presentation_day, time(15), zone),
        ends_at=local_instant(presentation_day, time(17), zone),
        mode=Mode.VIDEO,
        video_url="https://visio.example.org/omega-presentation",
        agenda="Le dispositif, les quatre séquences de la démarche, le calendrier.",
    )
    # Read afresh: the caller's call still holds its grouping as it was before the confirmation.
    cohorts = Cohort.objects.filter(call_id=call.pk).select_related(
        "call__grouping", "pair__first", "meeting_place"
    )
    for cohort in cohorts.order_by("number"):
        if cohort.pair is None:
            continue
        consultant = cohort.pair.first
        proposal = calendar_selectors.planning_proposal(
            cohort,
            first=first,
            last=first + timedelta(days=330),
            count=5,
            weekdays=[TUESDAY, THURSDAY],
            avoid_school_holidays=True,
        )
        place = cohort.meeting_place.name if cohort.meeting_place else "Salle de réunion de l’ARS"
        calendar_services.plan_sessions(
            cohort=cohort,
            by=consultant,
            days=proposal.days,
            starts=time(9, 30),
            ends=time(16, 30),
            mode=Mode.ON_SITE,
            address=place,
        )
        for offset, participant in enumerate(
            cohort.participants.select_related("establishment").order_by("pk")
        ):
            day = first - timedelta(days=10 - offset)
            calendar_services.schedule_visit(
                participant=participant,
                by=consultant,
                kind=VisitKind.KICKOFF,
                length=VisitLength.HALF_DAY,
                consultant=consultant,
                subject="Rencontre avant le démarrage : le trinôme, le comité QVT, les attentes",
                starts_at=local_instant(day, time(9), zone),
                ends_at=local_instant(day, time(12), zone),
                mode=Mode.ON_SITE,
                address=participant.establishment.name,
            )
