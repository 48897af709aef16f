"""The public page of an overseas call gives its dates in the region's time zone, named."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from capqvct.calls.tests.test_public_pages import reunion_call

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 360])
def test_a_call_of_la_reunion_shows_its_dates_in_its_time_zone(page, look, width):
    call, _ = reunion_call(datetime(2026, 8, 31, 20, 30, tzinfo=UTC), timezone.now() + timedelta(days=20))
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"/appels/{call.pk}/")

    expect(
        page.get_by_text("Le 1er\u00a0septembre 2026 à 0\u00a0h\u00a030 (heure de La Réunion)")
    ).to_be_visible()
    look(page, f"appel-la-reunion-{width}")
