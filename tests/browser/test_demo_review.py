"""The demonstration's earlier OMEGA call, in the middle of its review, as its manager and the demo
director see it after `make demo`."""

import importlib
import io

import pytest
from django.core.management import call_command

from capqvct.accounts.models import User
from capqvct.demo import people
from capqvct.demo.review_demo import PAST_CALL_TITLE
from capqvct.review.models import Review
from tests.browser.test_whole_review import signed_in_page

pytestmark = pytest.mark.django_db(transaction=True)


def load_territory() -> None:
    """The reference data the migration loads, which an earlier test's flush may have emptied."""
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("capqvct.territory.migrations.0002_load_territory")
    migration.load_territory(apps, SimpleNamespace(connection=connection))


def test_the_demo_review_as_the_manager_and_the_director(browser, live_server, look):
    load_territory()
    call_command("load_demo", stdout=io.StringIO())
    call = Review.objects.get(call__title=PAST_CALL_TITLE).call
    manager = User.objects.get(email=people.PEOPLE[0][0])

    page = signed_in_page(browser, live_server, manager)
    page.goto(f"/instruction/appels/{call.pk}/")
    page.get_by_text("La date annoncée de notification est dans 4 jours").wait_for()
    look(page, "demo--instruction")
    page.goto(f"/instruction/appels/{call.pk}/classement/")
    look(page, "demo--classement")
    page.goto(f"/instruction/decisions/appels/{call.pk}/")
    page.get_by_text("1 / 10").wait_for()
    look(page, "demo--decisions")

    director = signed_in_page(browser, live_server, User.objects.get(email=people.DIRECTOR[0]))
    director.goto("/dossiers/")
    director.get_by_role("link", name="Lire la lettre de décision").click()
    director.get_by_role("heading", level=1).wait_for()
    look(director, "demo--decision-candidat")
