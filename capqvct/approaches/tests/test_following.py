"""Following the approaches: a cohort's table for its pair and the managers, the call's table for the
managers with its « sans activité récente » view; the sequence, the last activity, what is late, the
attendance; inactivity flagged; queries that do not grow with the number of establishments."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from capqvct.approaches import services
from capqvct.approaches.following_selectors import INACTIVE_AFTER, following_of_cohort
from capqvct.approaches.models import Approach
from capqvct.approaches.tests.builders import workspace
from tests.factories import login_verified
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return workspace(herault=3)


def test_the_table_tells_where_each_establishment_stands(w):
    services.plan_message(
        participant=w.participant,
        by=w.director,
        audience="Équipes",
        content="Lancement",
        planned_on=date.today() - timedelta(days=3),
    )
    services.ask_closure(participant=w.participant, by=w.director, reason="Le comité est prévu.")
    later = timezone.now() + INACTIVE_AFTER + timedelta(days=1)
    rows = {row.participant.pk: row for row in following_of_cohort(w.cohort, now=later)}
    active = rows[w.participant.pk]
    assert active.sequence == 1 and active.late == 1 and active.waiting
    assert active.last_activity == Approach.objects.get().last_activity_at
    # Nothing moved elsewhere since the cohorts were confirmed, weeks ago by then.
    assert rows[w.other.pk].inactive and rows[w.other.pk].last_activity is None
    assert active.inactive  # its last change is older than the limit too, by then
    assert not following_of_cohort(w.cohort)[0].inactive


def test_the_pair_and_the_managers_read_the_tables_and_nobody_else(client, w):
    cohort_path = reverse("approaches:cohort_following", args=[w.cohort.pk])
    call_path = reverse("approaches:call_following", args=[w.cohort.call_id])
    for reader in (w.consultant, w.manager):
        login_verified(client, reader)
        text = client.get(cohort_path).content.decode()
        assert w.participant.establishment.name in text and "Lancement et conduite en interne" in text
        assert typography_errors(text) == []
    assert client.get(call_path).status_code == 200
    login_verified(client, w.consultant)
    assert client.get(call_path).status_code == 404
    for outsider in (w.director, w.stranger):
        login_verified(client, outsider)
        assert client.get(cohort_path).status_code == 404


def test_the_call_table_shows_only_the_inactive_when_asked(client, w):
    from capqvct.cohorts.models import Grouping

    Grouping.objects.filter(call=w.cohort.call).update(confirmed_at=timezone.now() - INACTIVE_AFTER * 2)
    services.add_committee_member(participant=w.participant, by=w.director, name="Claire", role="direction")
    login_verified(client, w.manager)
    path = reverse("approaches:call_following", args=[w.cohort.call_id])
    everyone = client.get(path).content.decode()
    inactive = client.get(path + "?inactifs=1").content.decode()
    assert w.participant.establishment.name in everyone and w.participant.establishment.name not in inactive
    assert w.other.establishment.name in inactive and "2 établissements." in inactive


def test_the_tables_read_in_a_fixed_number_of_queries(client):
    small, large = workspace(herault=2), workspace(herault=7)
    login_verified(client, small.manager)

    def count(path) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    for w in (small, large):
        for participant in w.cohort.participants.all():
            services.add_committee_member(
                participant=participant, by=w.consultant, name="M", role="direction"
            )
    login_verified(client, large.manager)
    counts = [
        [
            count(reverse("approaches:cohort_following", args=[w.cohort.pk])),
            count(reverse("approaches:call_following", args=[w.cohort.call_id])),
        ]
        for w in (small, large)
    ]
    assert counts[0] == counts[1]
