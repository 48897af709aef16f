"""« Is the call open » has one answer (CallQuerySet.open_at, calls.models.call_is_open), read to the
second: the deadline 23:59:59 still takes a dossier at 23:59:59.999 and none at 00:00:00. Each user of
the rule stands on that edge here: pages, services, the dossier's selector, reminders and the API."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.applications import reminders
from capqvct.applications import services as dossier_services
from capqvct.applications.models import ApplicationStatus, ReminderKind
from capqvct.applications.selectors import accepts_answers
from capqvct.calls import services as call_services
from capqvct.calls.deadlines import deadline_instant
from capqvct.calls.models import Call, CallStatus, call_is_listed, call_is_open
from capqvct.calls.selectors import public_calls
from capqvct.core.exceptions import Refusal
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    departement,
    published_call,
    region,
)

pytestmark = pytest.mark.django_db

OPENS = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
# « Le 15 octobre 2026 inclus (heure de Paris) »: 23:59:59 in Paris.
DEADLINE = deadline_instant(day=datetime(2026, 10, 15).date(), at=None, zone="Europe/Paris")
LAST_INSTANT = DEADLINE + timedelta(milliseconds=999)
FIRST_LATE = DEADLINE + timedelta(seconds=1)
CLOSED = re.escape("Le dépôt est clos depuis le 15\u00a0octobre 2026 inclus (heure de Paris)")


@pytest.fixture
def clock(monkeypatch):
    """Sets the server's clock, which pages and the API read through timezone.now()."""

    def set_to(instant: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: instant)

    return set_to


@pytest.fixture
def manager():
    region("76", "Occitanie")
    departement("34", "Hérault", "76")
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user


@pytest.fixture
def call(manager):
    return published_call(manager, opens_at=OPENS, closes_at=DEADLINE, title="Appel OMEGA 2026")


@pytest.fixture
def director():
    return MembershipFactory(
        role=Role.DIRECTOR, organisation=OrganisationFactory(establishment_space=True)
    ).user


@pytest.fixture
def draft(call, director):
    space = director.memberships.get().organisation
    establishment = EstablishmentFactory(departement=departement("34"), organisation=space)
    return dossier_services.start_application(
        call=call, establishment=establishment, by=director, now=OPENS + timedelta(days=1)
    )


def open_in_database(call: Call, now: datetime) -> bool:
    return Call.objects.open_at(now).filter(pk=call.pk).exists()


EDGES = [timedelta(milliseconds=ms) for ms in (-1001, -1000, -1, 0, 1, 500, 999, 1000, 1001)]


@pytest.mark.parametrize("offset", EDGES)
def test_the_predicate_and_the_queryset_agree_around_the_opening_and_the_deadline(call, offset):
    for instant in (OPENS + offset, DEADLINE + offset):
        assert call_is_open(call, instant) == open_in_database(call, instant), instant
        listed = Call.objects.listed_at(instant).filter(pk=call.pk).exists()
        assert call_is_listed(call, instant) == listed, instant


def test_the_deadline_is_read_to_the_second_and_the_opening_to_the_instant(call):
    assert [call_is_open(call, instant) for instant in (OPENS - timedelta(milliseconds=1), OPENS)] == [
        False,
        True,
    ]
    assert [call_is_open(call, instant) for instant in (DEADLINE, LAST_INSTANT, FIRST_LATE)] == [
        True,
        True,
        False,
    ]


def test_a_draft_call_is_never_open(manager):
    call = published_call(manager, opens_at=OPENS, closes_at=DEADLINE)
    Call.objects.filter(pk=call.pk).update(status=CallStatus.DRAFT, published_at=None)
    call.refresh_from_db()

    assert not call_is_open(call, OPENS + timedelta(days=1))
    assert not open_in_database(call, OPENS + timedelta(days=1))


def test_a_call_closed_early_is_closed_before_its_deadline(call, manager):
    closing = OPENS + timedelta(days=10)
    call_services.close_call_early(
        call=call, by=manager, reason="Toutes les places sont prises.", now=closing
    )

    assert not call_is_open(call, closing + timedelta(days=1))
    assert not open_in_database(call, closing + timedelta(days=1))


# Services


def test_starting_a_dossier_follows_the_rule(call, director):
    first = EstablishmentFactory(
        departement=departement("34"), organisation=director.memberships.get().organisation
    )
    second_space = OrganisationFactory(establishment_space=True)
    MembershipFactory(role=Role.DIRECTOR, organisation=second_space, user=director)
    second = EstablishmentFactory(departement=departement("34"), organisation=second_space)

    assert dossier_services.start_application(call=call, establishment=first, by=director, now=LAST_INSTANT)
    with pytest.raises(Refusal, match=CLOSED):
        dossier_services.start_application(call=call, establishment=second, by=director, now=FIRST_LATE)


def test_a_dossier_submitted_in_the_last_second_is_dated_on_the_deadline(draft, director):
    dossier_services.save_draft(
        application=draft,
        answers={"motivation": "Prendre soin des équipes."},
        by=director,
        expected_version=0,
    )

    submission = dossier_services.submit_application(application=draft, by=director, now=LAST_INSTANT)

    assert submission.submitted_at == DEADLINE


def test_a_dossier_is_refused_one_second_after_the_deadline(draft, director):
    dossier_services.save_draft(
        application=draft,
        answers={"motivation": "Prendre soin des équipes."},
        by=director,
        expected_version=0,
    )

    with pytest.raises(Refusal, match=CLOSED):
        dossier_services.submit_application(application=draft, by=director, now=FIRST_LATE)
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_reopening_follows_the_rule(draft, director):
    dossier_services.save_draft(
        application=draft,
        answers={"motivation": "Prendre soin des équipes."},
        by=director,
        expected_version=0,
    )
    dossier_services.submit_application(application=draft, by=director, now=OPENS + timedelta(days=2))

    with pytest.raises(Refusal, match=CLOSED):
        dossier_services.reopen_application(application=draft, by=director, now=FIRST_LATE)
    dossier_services.reopen_application(application=draft, by=director, now=LAST_INSTANT)
    assert draft.status == ApplicationStatus.DRAFT


def test_a_draft_takes_answers_until_the_last_second(draft):
    assert accepts_answers(draft, LAST_INSTANT)
    assert not accepts_answers(draft, FIRST_LATE)


def test_a_draft_of_a_call_closed_early_takes_no_more_answers(call, draft, manager):
    call_services.close_call_early(
        call=call, by=manager, reason="Places pourvues.", now=OPENS + timedelta(days=3)
    )
    draft.call.refresh_from_db()

    assert not accepts_answers(draft, OPENS + timedelta(days=4))


# Reminders


def test_the_last_day_reminder_is_due_until_the_last_second(call, draft):
    assert reminders.reminder_due(call, LAST_INSTANT) == ReminderKind.LAST_DAY
    assert reminders.reminder_due(call, FIRST_LATE) is None


def test_a_reminder_round_in_the_last_second_still_reminds(
    call, draft, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due_reminders(now=LAST_INSTANT) == 1
    assert reminders.send_due_reminders(now=FIRST_LATE) == 0


# The public list, the pages and the API


def test_the_public_list_keeps_the_call_until_the_last_second(call):
    assert list(public_calls(now=LAST_INSTANT)) == [call]
    assert list(public_calls(now=FIRST_LATE)) == []


def test_the_public_page_offers_to_apply_until_the_last_second(client, call, clock):
    clock(LAST_INSTANT)
    assert "Déposer un dossier" in client.get(f"/appels/{call.pk}/").content.decode()

    clock(FIRST_LATE)
    assert "Déposer un dossier" not in client.get(f"/appels/{call.pk}/").content.decode()


def test_the_managers_dashboard_counts_the_last_day_until_the_last_second(
    verified_client, call, manager, clock
):
    client = verified_client(manager)

    clock(LAST_INSTANT)
    assert "Dernier jour" in client.get(f"/appels/gestion/{call.pk}/").content.decode()
    clock(FIRST_LATE)
    assert "Dernier jour" not in client.get(f"/appels/gestion/{call.pk}/").content.decode()


def test_the_dossier_page_takes_answers_then_says_why_not(client, draft, director, clock):
    client.force_login(director)

    clock(LAST_INSTANT)
    page = client.get(f"/dossiers/{draft.pk}/").content.decode()
    assert "Déposer le dossier" in page
    clock(FIRST_LATE)
    page = client.get(f"/dossiers/{draft.pk}/").content.decode()
    assert "Déposer le dossier" not in page
    assert re.search(CLOSED, page)


def test_the_api_says_whether_the_call_is_open_to_the_second(client, call, clock):
    clock(LAST_INSTANT)
    assert client.get(f"/api/v1/appels/{call.pk}").json()["open"] is True
    assert [c["id"] for c in client.get("/api/v1/appels").json()["items"]] == [call.pk]

    clock(FIRST_LATE)
    assert client.get(f"/api/v1/appels/{call.pk}").json()["open"] is False
    assert client.get("/api/v1/appels").json()["items"] == []
