"""The consultant's home (« Mes collectifs »): their establishments by cohort, their sessions and
visits of the next 60 days, the reports to write; the same number of queries for 1 and 5 cohorts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capqvct.cohorts import attendance_services
from capqvct.cohorts.models import EventStatus
from capqvct.cohorts.tests.builders import (
    consultants,
    manager_of_occitanie,
    quick_confirmed_cohorts,
    session_of,
    visit_of,
)
from tests.factories import login_verified
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return manager_of_occitanie()


def test_the_home_shows_establishments_next_events_and_reports_to_write(client, manager):
    cohort = quick_confirmed_cohorts(manager, per_cohort=2)[0]
    first, second = cohort.participants.order_by("establishment__name")
    consultant = cohort.pair.first
    session_of(cohort, starts_in=timedelta(days=10))
    session_of(cohort, starts_in=timedelta(days=90))  # beyond 60 days
    session_of(cohort, starts_in=timedelta(days=20), status=EventStatus.CANCELLED)
    session_of(None, call=cohort.call, starts_in=timedelta(days=5))
    visit_of(first, cohort.pair.second, starts_in=timedelta(days=12))
    pending = visit_of(second, consultant, starts_in=timedelta(days=-3))
    written = visit_of(first, consultant, starts_in=timedelta(days=-8))
    attendance_services.write_visit_report(visit=written, by=consultant, done="Diagnostic partagé lancé.")

    login_verified(client, consultant)
    response = client.get(reverse("cohorts:mine"))
    page = response.content.decode()

    assert typography_errors(page) == []
    assert first.establishment.name in page and second.establishment.name in page
    assert [s.number for s in response.context["next_sessions"]] == [None, 1]
    assert "Présentation du dispositif" in page and "Séance 1 de Collectif Hérault 1" in page
    assert [v.participant for v in response.context["next_visits"]] == [first]
    assert [v.pk for v in response.context["reports_to_write"]] == [pending.pk]
    assert reverse("cohorts:visit_report", args=[pending.pk]) in page
    assert reverse("cohorts:visit_report", args=[written.pk]) not in page


def home_with(client, manager, cohorts: int) -> str:
    people = consultants(2)
    for cohort in quick_confirmed_cohorts(manager, cohorts=cohorts, per_cohort=2, pair_people=people):
        session_of(cohort, starts_in=timedelta(days=7))
        session_of(cohort, starts_in=timedelta(days=-7))
        for participant in cohort.participants.all():
            visit_of(participant, people[0], starts_in=timedelta(days=3))
            visit_of(participant, people[1], starts_in=timedelta(days=-3))
    login_verified(client, people[0])
    return reverse("cohorts:mine")


def test_the_home_queries_do_not_grow_with_the_cohorts(client, manager, django_assert_max_num_queries):
    url = home_with(client, manager, 1)
    with CaptureQueriesContext(connection) as queries:
        assert len(client.get(url).context["reports_to_write"]) == 2
    url = home_with(client, manager, 5)
    with django_assert_max_num_queries(len(queries)):
        response = client.get(url)
    assert len(response.context["reports_to_write"]) == 10
    assert len(response.context["next_sessions"]) == 5
