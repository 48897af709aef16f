from datetime import timedelta

import pytest
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.calls import services
from capqvct.calls.models import Call
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
