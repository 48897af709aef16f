from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.calls import services
from capqvct.calls.deadlines import deadline_instant
from capqvct.calls.models import Call
from tests import factories
from tests.factories import MembershipFactory, region
from tests.permissions.world import published_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user


def test_the_public_list_shows_the_open_call_with_its_countdown(client, manager):
    call = published_call(manager)
    response = client.get("/appels/")
    body = response.content.decode()
    assert call.title in body
    assert "jours restants" in body
    assert "(heure de Paris)" in body


def test_filtering_by_another_region_hides_the_call_and_htmx_gets_the_fragment(client, manager):
    published_call(manager)
    fragment = client.get("/appels/?region=84", headers={"HX-Request": "true"}).content.decode()
    assert "Aucun appel ouvert" in fragment
    assert "<html" not in fragment


def test_a_draft_call_is_not_found(client, manager):
    call = published_call(manager)
    draft = Call.objects.create(
        programme=call.programme,
        kind=call.kind,
        title="Brouillon",
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=3),
    )
    assert client.get(f"/appels/{draft.pk}/").status_code == 404


def test_a_call_closed_early_shows_its_reason(client, manager):
    call = published_call(manager)
    services.close_call_early(call=call, by=manager, reason="Toutes les places sont prises.")
    assert "Toutes les places sont prises." in client.get(f"/appels/{call.pk}/").content.decode()


def test_the_list_runs_the_same_queries_for_one_or_many_calls(client, manager, django_assert_max_num_queries):
    published_call(manager)
    with django_assert_max_num_queries(6) as few:
        client.get("/appels/")
    for _ in range(5):
        published_call(manager)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/appels/")


def reunion_call(opens_at, closes_at, **fields):
    reunion = region("04", "La Réunion", "Indian/Reunion")
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=reunion).user
    call = factories.published_call(
        manager, region_code="04", opens_at=opens_at, closes_at=closes_at, title="QVCT des ESSMS", **fields
    )
    return call, manager


def test_an_overseas_call_shows_every_date_in_its_own_time_zone_and_names_it(client):
    # 20:30 UTC is already the next day at La Réunion (UTC+4).
    opens = datetime(2026, 8, 31, 20, 30, tzinfo=UTC)
    deadline = deadline_instant(day=date(2026, 12, 5), at=None, zone="Indian/Reunion")
    call, _ = reunion_call(opens, deadline, notification_on=date(2026, 12, 20))

    body = client.get(f"/appels/{call.pk}/").content.decode()

    assert "Le 1er\u00a0septembre 2026 à 0\u00a0h\u00a030 (heure de La Réunion)" in body
    assert "Le 5\u00a0décembre 2026 inclus (heure de La Réunion)" in body
    assert "Le 20\u00a0décembre 2026" in body


def test_an_early_closing_is_dated_in_the_call_s_time_zone(client):
    call, manager = reunion_call(datetime(2026, 9, 1, tzinfo=UTC), timezone.now() + timedelta(days=20))
    closing = datetime(2026, 9, 30, 21, 0, tzinfo=UTC)
    services.close_call_early(call=call, by=manager, reason="Places pourvues.", now=closing)

    body = client.get(f"/appels/{call.pk}/").content.decode()

    assert "Clos le 1er\u00a0octobre 2026 à 1\u00a0h (heure de La Réunion)&nbsp;: Places pourvues." in body
    assert "Clos par anticipation" in body


def test_a_mainland_call_does_not_name_its_time_zone(client, manager):
    call = published_call(manager)

    body = client.get(f"/appels/{call.pk}/").content.decode()

    assert "Date limite de dépôt" in body
    assert "(heure de Paris)" not in body
