"""The attendance summary: per establishment and per trinôme role, sessions attended out of sessions
held (past, not cancelled), on a worked example; the cohort page shows it in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from capqvct.cohorts.attendance_selectors import attendance_by_participant
from capqvct.cohorts.models import Attendance, EventStatus, TrioRole
from capqvct.cohorts.tests.builders import manager_of_occitanie, quick_confirmed_cohorts, session_of
from tests.factories import login_verified
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db

D, S, P = TrioRole.DIRECTION, TrioRole.STAFF_REPRESENTATIVE, TrioRole.PROFESSIONS


@pytest.fixture
def manager():
    return manager_of_occitanie()


def mark(session, participant, role, present):
    Attendance.objects.create(
        session=session,
        trio_member=participant.trio.get(role=role),
        present=present,
        recorded_at=timezone.now(),
    )


def worked_example(manager):
    """2 participants × 3 roles × 3 sessions, the third cancelled (after a line was recorded), and a
    fourth still to come."""
    cohort = quick_confirmed_cohorts(manager, per_cohort=2)[0]
    a, b = cohort.participants.order_by("establishment__name")
    first = session_of(cohort, starts_in=timedelta(days=-30))
    second = session_of(cohort, starts_in=timedelta(days=-10))
    cancelled = session_of(cohort, starts_in=timedelta(days=-5))
    session_of(cohort, starts_in=timedelta(days=20))
    for session, participant, role, present in [
        (first, a, D, True),
        (second, a, D, True),
        (first, a, S, True),
        (second, a, S, False),
        (first, a, P, False),
        (second, a, P, False),
        (first, b, D, True),
        (second, b, P, True),
        (cancelled, a, P, True),
    ]:
        mark(session, participant, role, present)
    cancelled.status = EventStatus.CANCELLED
    cancelled.save()
    return cohort, a, b


def test_the_summary_counts_sessions_held_and_attended_per_role(manager):
    cohort, a, b = worked_example(manager)

    rows = {row.participant: row for row in attendance_by_participant(cohort)}

    assert rows[a].held == rows[b].held == 2
    assert rows[a].attended == {D: 2, S: 1}
    assert rows[b].attended == {D: 1, P: 1}
    assert rows[a].by_role == [
        ("Représentant de la direction", 2),
        ("Représentant du personnel", 1),
        ("Représentant des métiers ou de l’encadrement soignant", 0),
    ]


def test_the_summary_of_a_call_counts_its_presentation_for_everyone(manager):
    first, second = quick_confirmed_cohorts(manager, cohorts=2, per_cohort=1)
    session_of(first, starts_in=timedelta(days=-3))
    presentation = session_of(None, call=first.call, starts_in=timedelta(days=-20))
    participant = second.participants.get()
    mark(presentation, participant, D, True)

    rows = {row.participant.cohort: row for row in attendance_by_participant(first.call)}

    assert rows[first].held == 2
    assert rows[second].held == 1
    assert rows[second].attended == {D: 1}


def test_the_cohort_page_shows_the_summary(client, manager):
    cohort, a, b = worked_example(manager)
    login_verified(client, cohort.pair.first)
    page = client.get(reverse("cohorts:cohort", args=[cohort.pk])).content.decode()
    assert typography_errors(page) == []
    assert "Présences par établissement et par rôle" in page
    assert "2 sur 2" in page and "1 sur 2" in page and "0 sur 2" in page
    assert reverse("cohorts:attendance_sheet", args=[cohort.sessions.first().pk]) in page
    assert "annulée" in page


def cohort_page(client, manager, per_cohort) -> str:
    cohort = quick_confirmed_cohorts(manager, per_cohort=per_cohort)[0]
    for days in (-30, -10, 10):
        session = session_of(cohort, starts_in=timedelta(days=days))
        for participant in cohort.participants.all():
            mark(session, participant, D, True)
    login_verified(client, cohort.pair.first)
    return reverse("cohorts:cohort", args=[cohort.pk])


def test_the_cohort_page_queries_do_not_grow_with_the_participants(
    client, manager, django_assert_max_num_queries
):
    small = cohort_page(client, manager, 2)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(small).status_code == 200
    large = cohort_page(client, manager, 6)
    with django_assert_max_num_queries(len(queries)):
        page = client.get(large)
    assert page.content.decode().count(" sur 3<") == 0
    assert page.content.decode().count("2 sur 2") == 6
