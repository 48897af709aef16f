"""The private feed and « Mon agenda »: each user reads only the events they are invited to, a new
address kills the old one, an unknown token is a 404, and the feed's queries do not grow with the
number of events."""

from datetime import date, timedelta

import icalendar
import pytest
from django.urls import reverse

from capqvct.cohorts import calendar_services
from capqvct.cohorts.models import Mode, VisitKind, VisitLength
from capqvct.cohorts.tests.calendar_builders import at, planned_cohort, session_of
from tests.factories import UserFactory, login_verified
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


def feed_uids(client, user) -> set[str]:
    token = calendar_services.renew_feed(user=user).token
    return uids(client.get(reverse("cohorts:calendar_feed", args=[token])))


def uids(response) -> set[str]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return {str(event["UID"]) for event in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}


def visit_for(cohort, participant, by):
    return calendar_services.schedule_visit(
        participant=participant,
        by=by,
        kind=VisitKind.SUPPORT,
        length=VisitLength.DAY,
        consultant=cohort.pair.second,
        subject="Comité QVT",
        starts_at=at(date(2031, 2, 3), 9),
        ends_at=at(date(2031, 2, 3), 17),
        mode=Mode.ON_SITE,
        address="Sur place",
    )


def test_each_user_reads_only_their_events(client):
    manager, cohort = planned_cohort(herault=2)
    session = session_of(cohort, manager)
    first, second = cohort.participants.order_by("pk")
    visit = visit_for(cohort, first, manager)
    member_of_first = UserFactory(email=f"cadre.{first.establishment.finess_et}@example.org")
    member_of_second = UserFactory(email=f"direction.{second.establishment.finess_et}@example.org")
    stranger = UserFactory()

    assert feed_uids(client, member_of_first) == {str(session.uid), str(visit.uid)}
    assert feed_uids(client, member_of_second) == {str(session.uid)}
    assert feed_uids(client, cohort.pair.first) == {str(session.uid)}
    assert feed_uids(client, cohort.pair.second) == {str(session.uid), str(visit.uid)}
    assert feed_uids(client, stranger) == set()


def test_a_cancelled_event_stays_in_the_feed_as_cancelled(client):
    manager, cohort = planned_cohort(herault=1)
    session = session_of(cohort, manager)
    calendar_services.cancel_session(session=session, by=manager)
    token = calendar_services.renew_feed(user=cohort.pair.first).token
    calendar = icalendar.Calendar.from_ical(
        client.get(reverse("cohorts:calendar_feed", args=[token])).content
    )
    (event,) = calendar.walk("VEVENT")
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1


def test_a_new_address_kills_the_old_one_and_an_unknown_token_is_not_found(client):
    manager, cohort = planned_cohort(herault=1)
    consultant = cohort.pair.first
    old = calendar_services.renew_feed(user=consultant).token
    new = calendar_services.renew_feed(user=consultant).token
    assert old != new
    assert client.get(reverse("cohorts:calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("cohorts:calendar_feed", args=[new])).status_code == 200
    assert client.get(reverse("cohorts:calendar_feed", args=["inconnu"])).status_code == 404


def test_the_feed_reads_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    manager, cohort = planned_cohort(herault=2)
    participant = cohort.participants.first()
    token = calendar_services.renew_feed(user=cohort.pair.second).token
    path = reverse("cohorts:calendar_feed", args=[token])

    def add(count: int):
        for n in range(count):
            session_of(cohort, manager, day=date(2031, 1, 6) + timedelta(days=7 * n))
            visit_for(cohort, participant, manager)

    add(2)
    with django_assert_max_num_queries(3) as few:
        assert len(uids(client.get(path))) == 4
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(uids(client.get(path))) == 20


def test_mon_agenda_lists_the_events_and_gives_the_address(client):
    manager, cohort = planned_cohort(herault=1)
    session_of(cohort, manager)
    consultant = cohort.pair.first
    login_verified(client, consultant)
    page = client.get(reverse("cohorts:calendar_agenda"))
    text = page.content.decode()
    assert "Séance 1 — Collectif Hérault 1" in text
    assert "Créer l’adresse de mon agenda" in text
    assert typography_errors(text) == []
    response = client.post(reverse("cohorts:calendar_feed_renew"), follow=True)
    token = consultant.calendar_feed.token
    assert f"/collectifs/agenda/{token}.ics" in response.content.decode()
    assert "toute adresse précédente ne fonctionne plus" in response.content.decode()
    mine = client.get(reverse("cohorts:mine")).content.decode()
    assert reverse("cohorts:calendar_agenda") in mine
