"""The private calendar feed of a consultant following 20 cohorts × 6 sessions, with 160 support visits
(one per establishment), plus the call's presentation: 281 events.

Figures: the feed's time (median of 7 requests through Django's test client, the whole view: token,
two queries, the iCalendar file with its VTIMEZONE) and its number of queries, which must not grow with
the events; for comparison the same with 2 cohorts. Run alone: ``.venv/bin/python -m bench.calendar_feed``
(its own SQLite file under var/bench/).
"""

import json
import os
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parent.parent
OUTPUT = BASE_DIR / "var" / "bench"
COHORTS, SESSIONS_PER_COHORT, PER_COHORT = 20, 6, 8
REPEATS = 7


def build(cohort_count: int):
    """A confirmed call whose `cohort_count` cohorts of 8 are all followed by one pair; returns the
    pair's first consultant."""
    from capqvct.cohorts.models import (
        Cohort,
        ConsultantPair,
        Grouping,
        GroupingStatus,
        Participant,
        Placement,
        Session,
        SessionKind,
        SupportVisit,
    )
    from capqvct.cohorts.tests.builders import consultants, dossier, manager_of_occitanie, open_call

    manager = manager_of_occitanie()
    call = open_call(manager, title=f"Appel du banc {cohort_count}")
    first, second = consultants(2)
    pair = ConsultantPair.objects.create(programme=call.programme, first=first, second=second)
    Grouping.objects.create(
        call=call, status=GroupingStatus.CONFIRMED, confirmed_at=datetime.now(ZoneInfo("UTC"))
    )
    paris = ZoneInfo("Europe/Paris")
    start = datetime(2031, 1, 6, 9, tzinfo=paris)
    sessions, visits = [], []
    for number in range(1, cohort_count + 1):
        cohort = Cohort.objects.create(call=call, number=number, name=f"Collectif {number}", pair=pair)
        for n in range(PER_COHORT):
            application = dossier(call, f"EHPAD {number}-{n}")
            participant = Participant.objects.create(
                call=call,
                cohort=cohort,
                establishment=application.establishment,
                application=application,
                placement=Placement.FINESS,
            )
            visits.append(
                SupportVisit(
                    participant=participant,
                    consultant=first,
                    starts_at=start + timedelta(days=n + number),
                    ends_at=start + timedelta(days=n + number, hours=3),
                    address="Sur place",
                )
            )
        for s in range(SESSIONS_PER_COHORT):
            sessions.append(
                Session(
                    call=call,
                    cohort=cohort,
                    kind=SessionKind.COLLECTIVE,
                    number=s + 1,
                    starts_at=start + timedelta(weeks=6 * s, days=number),
                    ends_at=start + timedelta(weeks=6 * s, days=number, hours=8),
                    address="Salle polyvalente",
                )
            )
    sessions.append(
        Session(
            call=call,
            kind=SessionKind.PRESENTATION,
            starts_at=start - timedelta(days=20),
            ends_at=start - timedelta(days=20, hours=-2),
            mode="video",
            video_url="https://visio.example.org/presentation",
        )
    )
    Session.objects.bulk_create(sessions)
    SupportVisit.objects.bulk_create(visits)
    return first


def measure(consultant) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from capqvct.cohorts.calendar_services import renew_feed

    path = f"/collectifs/agenda/{renew_feed(user=consultant).token}.ics"
    client = Client()
    times = []
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(path, HTTP_HOST="localhost")
            times.append(time.perf_counter() - began)
        assert response.status_code == 200, (response.status_code, response.content[:300])
    return {
        "events": response.content.count(b"BEGIN:VEVENT"),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "queries": len(queries.captured_queries),
        "bytes": len(response.content),
    }


def main() -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    database = OUTPUT / "calendar.sqlite3"
    for path in OUTPUT.glob("calendar.sqlite3*"):
        path.unlink()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capqvct.settings")
    os.environ.setdefault("CAPQVCT_TESTING", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results = {"small (2 cohorts)": measure(build(2)), "consultant (20 cohorts)": measure(build(COHORTS))}
    for label, figures in results.items():
        print(f"{label}: {figures}")
    (OUTPUT / "calendar_feed.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
