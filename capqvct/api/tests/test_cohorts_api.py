"""Cohorts through the API: the managers and the cohort's pair read the cohort, its trinômes and its
sessions (in the call's time zone); the establishment reads its participation and its visits with
the consultants' reports; anyone else gets a 404, and the queries do not grow with the data."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.api.tests.conftest import bearer, token_of
from capqvct.cohorts.models import Session, SessionKind, SupportVisit, VisitKind
from capqvct.cohorts.tests.builders import confirmed_cohort, consultants, manager_of_occitanie
from capqvct.territory.models import Region
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return manager_of_occitanie()


@pytest.fixture
def cohort(manager):
    return confirmed_cohort(manager, herault=3)


def get(client, user, path):
    return client.get(f"/api/v1{path}", headers=bearer(token_of(user)))


def session_at(cohort, number, local_start: datetime, hours=8, **fields):
    zone = ZoneInfo(cohort.call.time_zone)
    start = local_start.replace(tzinfo=zone)
    return Session.objects.create(
        call=cohort.call,
        cohort=cohort,
        number=number,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        address="Salle du conseil, EHPAD de l’Hérault 1",
        **fields,
    )


def test_the_manager_and_the_pair_read_the_cohort_with_its_trinomes(client, manager, cohort):
    for reader in (manager, cohort.pair.first, cohort.pair.second):
        response = get(client, reader, f"/collectifs/{cohort.pk}")
        assert response.status_code == 200
        body = response.json()
        assert body["name"] == cohort.name
        assert body["participant_count"] == 3
        assert body["consultants"] == [str(cohort.pair.first), str(cohort.pair.second)]
        first = body["participants"][0]
        assert {member["role"] for member in first["trio"]} == {
            "direction",
            "staff_representative",
            "professions",
        }
        assert "email" not in first["trio"][0]
    listed = get(client, cohort.pair.first, "/collectifs").json()
    assert [item["id"] for item in listed["items"]] == [cohort.pk]


def test_nobody_else_reads_the_cohort(client, cohort):
    stranger = consultants(1)[0]
    other_region = MembershipFactory(
        organisation=OrganisationFactory(
            region=Region.objects.get_or_create(code="84", defaults={"name": "ARA"})[0]
        ),
        role=Role.PROGRAMME_MANAGER,
    ).user
    for reader in (stranger, other_region):
        assert get(client, reader, f"/collectifs/{cohort.pk}").status_code == 404
        assert get(client, reader, f"/collectifs/{cohort.pk}/seances").status_code == 404
        assert get(client, reader, "/collectifs").json()["count"] == 0


def test_sessions_are_given_in_the_calls_time_zone(client, manager, cohort):
    cohort.call.programme.region.time_zone = "Indian/Reunion"
    cohort.call.programme.region.save()
    session_at(cohort, 1, datetime(2027, 3, 4, 9, 0))
    presentation = Session.objects.create(
        call=cohort.call,
        kind=SessionKind.PRESENTATION,
        starts_at=datetime(2027, 2, 1, 15, 0, tzinfo=ZoneInfo("Indian/Reunion")),
        ends_at=datetime(2027, 2, 1, 17, 0, tzinfo=ZoneInfo("Indian/Reunion")),
        mode="video",
        video_url="https://visio.example.org/presentation",
    )
    body = get(client, manager, f"/collectifs/{cohort.pk}/seances").json()
    assert [item["id"] for item in body] == [presentation.pk, Session.objects.get(number=1).pk]
    assert body[1]["starts_at"] == "2027-03-04T09:00:00+04:00"
    assert body[1]["ends_at"] == "2027-03-04T17:00:00+04:00"
    assert body[1]["time_zone"] == "Indian/Reunion"
    assert body[0]["kind"] == "presentation" and body[0]["number"] is None


def test_the_establishment_reads_its_visits_and_their_reports(client, cohort):
    mine, other = cohort.participants.order_by("pk")[:2]
    mine.establishment.organisation = OrganisationFactory(establishment_space=True)
    mine.establishment.save()
    director = MembershipFactory(role=Role.DIRECTOR, organisation=mine.establishment.organisation).user
    start = timezone.now() - timedelta(days=3)
    visit = SupportVisit.objects.create(
        participant=mine,
        kind=VisitKind.SUPPORT,
        consultant=cohort.pair.first,
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        subject="Préparer le comité QVT",
        report_done="Atelier avec l’équipe de nuit.",
        report_decisions="Le comité se réunira le premier mardi du mois.",
        report_next_steps="Choisir les situations de travail à analyser.",
        report_written_at=start + timedelta(days=1),
        report_written_by=cohort.pair.first,
    )
    body = get(client, director, f"/participations/{mine.pk}/rencontres").json()
    assert [item["id"] for item in body] == [visit.pk]
    assert body[0]["report"]["decisions"] == "Le comité se réunira le premier mardi du mois."
    assert body[0]["consultant"] == str(cohort.pair.first)
    assert get(client, director, f"/participations/{other.pk}/rencontres").status_code == 404
    assert get(client, director, f"/collectifs/{cohort.pk}").status_code == 404
    listed = get(client, director, "/participations").json()
    assert [item["id"] for item in listed["items"]] == [mine.pk]


def count_queries(client, user, path) -> int:
    token = token_of(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/v1{path}", headers=bearer(token)).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_cohorts_size(client, manager):
    small = confirmed_cohort(manager, herault=2)
    session_at(small, 1, datetime(2027, 3, 4, 9, 0))
    counts_small = [
        count_queries(client, manager, path)
        for path in (f"/collectifs/{small.pk}", f"/collectifs/{small.pk}/seances")
    ]
    large = confirmed_cohort(manager, herault=7)
    for number in range(1, 6):
        session_at(large, number, datetime(2027, 3, 4 + number, 9, 0))
    counts_large = [
        count_queries(client, manager, path)
        for path in (f"/collectifs/{large.pk}", f"/collectifs/{large.pk}/seances")
    ]
    assert counts_large == counts_small


def test_the_pair_reads_the_sign_in_sheet_and_the_attendance_summary(client, manager, cohort):
    from capqvct.cohorts import attendance_services
    from capqvct.cohorts.tests.builders import session_of

    held = session_of(cohort, starts_in=timedelta(days=-7))
    session_of(cohort, starts_in=timedelta(days=14))  # not held yet: not counted
    first, second = cohort.participants.order_by("pk")[:2]
    director = first.trio.get(role="direction")
    representative = first.trio.get(role="staff_representative")
    # Loaded afresh, as a page loads it: the builder's call still caches the draft grouping.
    attendance_services.record_attendance(
        session=Session.objects.get(pk=held.pk),
        by=cohort.pair.first,
        presence={director.pk: True, representative.pk: False},
    )

    sheet = get(client, cohort.pair.second, f"/seances/{held.pk}/emargement").json()
    assert len(sheet) == 9  # three trinômes of three
    states = {line["name"]: line["state"] for line in sheet}
    assert states[director.name] == "present"
    assert states[representative.name] == "absent"
    assert {line["state"] for line in sheet if line["participation_id"] == second.pk} == {None}

    summary = {
        item["participation_id"]: item
        for item in get(client, manager, f"/collectifs/{cohort.pk}/presences").json()
    }
    assert summary[first.pk]["sessions_held"] == 1
    assert {row["role"]: row["sessions"] for row in summary[first.pk]["attended"]} == {
        "direction": 1,
        "staff_representative": 0,
        "professions": 0,
    }
    assert {row["sessions"] for row in summary[second.pk]["attended"]} == {0}


def test_nobody_else_reads_the_sheet_or_the_attendance(client, cohort):
    from capqvct.cohorts.tests.builders import session_of

    held = session_of(cohort)
    stranger = consultants(1)[0]
    participant = cohort.participants.order_by("pk").first()
    participant.establishment.organisation = OrganisationFactory(establishment_space=True)
    participant.establishment.save()
    director = MembershipFactory(role=Role.DIRECTOR, organisation=participant.establishment.organisation).user
    assert get(client, director, f"/participations/{participant.pk}/rencontres").status_code == 200
    for reader in (stranger, director):
        assert get(client, reader, f"/seances/{held.pk}/emargement").status_code == 404
        assert get(client, reader, f"/collectifs/{cohort.pk}/presences").status_code == 404
    assert client.get(f"/api/v1/seances/{held.pk}/emargement").status_code == 401


def test_the_agenda_gives_the_feed_and_the_events_in_the_calls_zone(client, cohort):
    from capqvct.cohorts import calendar_services

    cohort.call.programme.region.time_zone = "America/Martinique"
    cohort.call.programme.region.save()
    session = session_at(cohort, 1, datetime(2027, 3, 4, 9, 0))
    consultant = cohort.pair.first
    body = get(client, consultant, "/agenda").json()
    assert body["feed_url"] is None
    assert [event["id"] for event in body["events"]] == [session.pk]
    event = body["events"][0]
    assert event["uid"] == str(session.uid)
    assert event["starts_at"] == "2027-03-04T09:00:00-04:00"
    assert event["time_zone"] == "America/Martinique"
    assert event["kind"] == "session" and event["status"] == "scheduled"

    feed = calendar_services.renew_feed(user=consultant)
    body = get(client, consultant, "/agenda").json()
    assert body["feed_url"] == "http://testserver" + reverse("cohorts:calendar_feed", args=[feed.token])
    stranger = consultants(1)[0]
    assert get(client, stranger, "/agenda").json() == {"feed_url": None, "events": []}


def test_attendance_queries_do_not_grow_with_the_cohort(client, manager):
    from capqvct.cohorts.tests.builders import session_of

    small = confirmed_cohort(manager, herault=2)
    small_session = session_of(small)
    counts_small = [
        count_queries(client, manager, f"/collectifs/{small.pk}/presences"),
        count_queries(client, manager, f"/seances/{small_session.pk}/emargement"),
        count_queries(client, small.pair.first, "/agenda"),
    ]
    large = confirmed_cohort(manager, herault=7)
    large_sessions = [session_of(large, starts_in=timedelta(days=-30 + 7 * n)) for n in range(5)]
    counts_large = [
        count_queries(client, manager, f"/collectifs/{large.pk}/presences"),
        count_queries(client, manager, f"/seances/{large_sessions[0].pk}/emargement"),
        count_queries(client, large.pair.first, "/agenda"),
    ]
    assert counts_large == counts_small
