"""Reminders to draft holders follow the call's own time zone, go out once per deadline, and start
again when the deadline is extended; the background path runs through the real database backend."""

import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from capqvct.accounts.models import Role
from capqvct.applications import reminders, services
from capqvct.applications.models import Channel, DraftReminder, ReminderKind
from capqvct.calls import services as call_services
from capqvct.calls.deadlines import deadline_instant
from capqvct.core.formatting import NBSP
from capqvct.core.models import AuditEvent, OutgoingEmail
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    departement,
    published_call,
    region,
)

pytestmark = pytest.mark.django_db

FORM = {
    "sections": [
        {
            "key": "projet",
            "title": "Votre projet",
            "fields": [{"key": "motivation", "kind": "long_text", "label": "Motivation", "max_length": 3000}],
        }
    ]
}
# region code, name, time zone, departement code, name
PARIS = ("76", "Occitanie", "Europe/Paris", "34", "Hérault")
REUNION = ("04", "La Réunion", "Indian/Reunion", "974", "La Réunion")
MARTINIQUE = ("02", "Martinique", "America/Martinique", "972", "Martinique")
DEPARTEMENT_OF = {place[0]: place[3] for place in (PARIS, REUNION, MARTINIQUE)}


def open_call(place, deadline: datetime, *, reminder_days: int = 2, title: str = "Appel QVCT 2027"):
    code, name, zone, departement_code, departement_name = place
    departement(departement_code, departement_name, code)
    manager = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation__region=region(code, name, zone)
    ).user
    opens = deadline - timedelta(days=60)
    return published_call(
        manager,
        region_code=code,
        programme_title=f"QVCT {name}",
        definition=FORM,
        title=title,
        opens_at=opens,
        closes_at=deadline,
        reminder_days=reminder_days,
        contacts="qvt@ars.exemple.fr",
    )


def start_draft(call, *emails: str, name: str = "EHPAD Les Cigales"):
    """A draft started online by the first address (the director); the others are members."""
    space = OrganisationFactory(establishment_space=True)
    director = MembershipFactory(role=Role.DIRECTOR, organisation=space, user__email=emails[0]).user
    for email in emails[1:]:
        MembershipFactory(role=Role.MEMBER, organisation=space, user__email=email)
    establishment = EstablishmentFactory(
        name=name, departement=departement(DEPARTEMENT_OF[call.programme.region_id]), organisation=space
    )
    return services.start_application(call=call, establishment=establishment, by=director, now=call.opens_at)


def manager_of(call):
    return call.programme.created_by


def at(zone: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """One hourly round at `now`; its e-mails leave as after the commit."""

    def run_at(now: datetime) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.send_due_reminders(now=now)

    return run_at


@pytest.mark.parametrize(
    ("place", "day", "in_words"),
    [
        (PARIS, date(2026, 12, 10), f"le 10{NBSP}décembre 2026 inclus (heure de Paris)"),
        (REUNION, date(2027, 9, 5), f"le 5{NBSP}septembre 2027 inclus (heure de La Réunion)"),
        (MARTINIQUE, date(2027, 6, 28), f"le 28{NBSP}juin 2027 inclus (heure de la Martinique)"),
    ],
)
def test_a_draft_is_reminded_two_days_before_then_on_the_last_day_in_the_regions_time(
    place, day, in_words, run, mailoutbox
):
    zone = place[2]
    call = open_call(place, deadline_instant(day=day, at=None, zone=zone))
    start_draft(call, "directrice@ehpad.fr", "adjoint@ehpad.fr")
    d = day.day

    assert run(at(zone, day.year, day.month, d - 3, 23, 59)) == 0
    assert run(at(zone, day.year, day.month, d - 2, 0, 5)) == 1
    assert run(at(zone, day.year, day.month, d - 1, 12, 0)) == 0
    assert run(at(zone, day.year, day.month, d, 0, 5)) == 1
    assert run(at(zone, day.year, day.month, d, 23, 0)) == 0

    before, last = mailoutbox
    assert before.to == ["adjoint@ehpad.fr", "directrice@ehpad.fr"]
    assert before.subject == f"Rappel\u00a0: votre dossier n’est pas encore déposé ({call.title})"
    assert last.subject == f"Dernier jour pour déposer votre dossier\u00a0: {call.title}"
    for message in (before, last):
        assert f"Date limite de dépôt\u00a0: {in_words}." in message.body
        assert "« EHPAD Les Cigales »" in message.body
        assert f"« {call.title} »" in message.body
        assert f"{settings.SITE_URL}/dossiers/{call.applications.get().pk}/" in message.body
    assert "C’est aujourd’hui le dernier jour" in last.body
    assert set(DraftReminder.objects.values_list("kind", flat=True)) == {"before", "last_day"}


def test_at_la_reunion_the_first_reminder_leaves_on_the_evening_before_in_utc(run, mailoutbox):
    call = open_call(REUNION, deadline_instant(day=date(2027, 9, 5), at=None, zone="Indian/Reunion"))
    start_draft(call, "directrice@ehpad.re")

    # 3 September 00:00 at La Réunion is 2 September 20:00 UTC.
    assert run(datetime(2027, 9, 2, 19, 59, tzinfo=UTC)) == 0
    assert run(datetime(2027, 9, 2, 20, 0, tzinfo=UTC)) == 1


def test_the_last_day_starts_at_local_midnight_on_the_day_summer_time_begins_in_paris(run, mailoutbox):
    # Sunday 28 March 2027, clocks go from 2 h to 3 h: the deadline is 21:59:59 UTC, not 22:59:59.
    deadline = deadline_instant(day=date(2027, 3, 28), at=None, zone="Europe/Paris")
    assert deadline.astimezone(UTC) == datetime(2027, 3, 28, 21, 59, 59, tzinfo=UTC)
    call = open_call(PARIS, deadline)
    start_draft(call, "directrice@ehpad.fr")

    assert run(datetime(2027, 3, 25, 22, 59, tzinfo=UTC)) == 0  # 25 March, 23:59 winter time
    assert run(datetime(2027, 3, 25, 23, 0, tzinfo=UTC)) == 1  # 26 March, 0:00: two days before
    assert run(datetime(2027, 3, 27, 22, 59, 59, tzinfo=UTC)) == 0  # still 27 March
    assert run(datetime(2027, 3, 27, 23, 0, tzinfo=UTC)) == 1  # 28 March, 0:00 winter time
    assert run(datetime(2027, 3, 28, 21, 59, 59, tzinfo=UTC)) == 0
    assert "le 28\u00a0mars 2027 inclus (heure de Paris)" in mailoutbox[-1].body


def test_the_last_day_of_a_deadline_stored_as_the_next_midnight_is_the_day_before():
    zone = "Indian/Reunion"
    end_of_day = deadline_instant(day=date(2027, 9, 5), at=None, zone=zone)
    next_midnight = at(zone, 2027, 9, 6, 0, 0)
    at_five = deadline_instant(day=date(2027, 9, 5), at=time(17, 0), zone=zone)

    assert {reminders.last_day(d, zone) for d in (end_of_day, next_midnight, at_five)} == {date(2027, 9, 5)}


def test_a_deadline_stored_as_the_next_midnight_is_reminded_on_its_inclusive_days(run, mailoutbox):
    call = open_call(PARIS, at("Europe/Paris", 2027, 3, 29, 0, 0))  # « le 28 mars 2027 inclus »
    start_draft(call, "directrice@ehpad.fr")

    assert run(at("Europe/Paris", 2027, 3, 26, 0, 5)) == 1
    assert run(at("Europe/Paris", 2027, 3, 28, 0, 5)) == 1
    assert DraftReminder.objects.get(kind=ReminderKind.LAST_DAY).deadline == call.closes_at


def test_an_hourly_round_sends_each_reminder_once(run, mailoutbox):
    call = open_call(PARIS, deadline_instant(day=date(2026, 12, 10), at=None, zone="Europe/Paris"))
    start_draft(call, "directrice@ehpad.fr")
    now = at("Europe/Paris", 2026, 12, 8, 9, 0)

    assert [run(now + timedelta(hours=hour)) for hour in range(3)] == [1, 0, 0]
    assert len(mailoutbox) == 1
    assert DraftReminder.objects.count() == 1
    event = AuditEvent.objects.get(action="draft_reminders_sent")
    assert (event.details["kind"], event.details["dossiers"]) == ("before", 1)
    assert datetime.fromisoformat(event.details["deadline"]) == call.closes_at


def test_no_first_reminder_when_it_would_fall_on_the_last_day(run, mailoutbox):
    call = open_call(
        PARIS, deadline_instant(day=date(2026, 12, 10), at=None, zone="Europe/Paris"), reminder_days=0
    )
    start_draft(call, "directrice@ehpad.fr")

    assert run(at("Europe/Paris", 2026, 12, 9, 12, 0)) == 0
    assert run(at("Europe/Paris", 2026, 12, 10, 8, 0)) == 1
    assert mailoutbox[0].subject.startswith("Dernier jour")


def test_a_deadline_at_five_pm_has_that_day_as_its_last_day(run, mailoutbox):
    call = open_call(
        PARIS, deadline_instant(day=date(2026, 12, 10), at=time(17, 0), zone="Europe/Paris"), reminder_days=1
    )
    start_draft(call, "directrice@ehpad.fr")

    assert run(at("Europe/Paris", 2026, 12, 9, 8, 0)) == 1
    assert run(at("Europe/Paris", 2026, 12, 10, 16, 0)) == 1
    assert run(at("Europe/Paris", 2026, 12, 10, 17, 30)) == 0
    assert "le 10\u00a0décembre 2026 à 17\u00a0h (heure de Paris)" in mailoutbox[-1].body


def test_only_drafts_of_the_due_call_are_reminded(run, mailoutbox):
    deadline = deadline_instant(day=date(2026, 12, 10), at=None, zone="Europe/Paris")
    call = open_call(PARIS, deadline)
    later_call = open_call(PARIS, deadline + timedelta(days=30), title="Appel suivant")
    start_draft(call, "brouillon@ehpad.fr", name="EHPAD Brouillon")
    submitted = start_draft(call, "depose@ehpad.fr", name="EHPAD Déposé")
    services.submit_application(application=submitted, by=submitted.created_by, now=call.opens_at)
    withdrawn = start_draft(call, "retire@ehpad.fr", name="EHPAD Retiré")
    services.withdraw_application(application=withdrawn, by=withdrawn.created_by)
    start_draft(later_call, "plus-tard@ehpad.fr", name="EHPAD Plus tard")
    mailoutbox.clear()

    assert run(at("Europe/Paris", 2026, 12, 8, 9, 0)) == 1
    assert [message.to for message in mailoutbox] == [["brouillon@ehpad.fr"]]


def test_a_dossier_received_off_the_site_reminds_its_sender_only(run, mailoutbox):
    call = open_call(PARIS, deadline_instant(day=date(2026, 12, 10), at=None, zone="Europe/Paris"))
    space = OrganisationFactory(establishment_space=True)
    MembershipFactory(role=Role.DIRECTOR, organisation=space, user__email="directrice@ehpad.fr")
    for name, sender in (("EHPAD Par e-mail", "secretariat@ehpad.fr"), ("EHPAD Par courrier", "")):
        services.record_received_application(
            call=call,
            establishment=EstablishmentFactory(
                name=name, departement=departement("34"), organisation=space if sender else None
            ),
            channel=Channel.EMAIL if sender else Channel.POST,
            received_at=call.opens_at + timedelta(days=1),
            sender_email=sender,
            by=manager_of(call),
            now=call.opens_at + timedelta(days=1),
        )

    assert run(at("Europe/Paris", 2026, 12, 8, 9, 0)) == 1
    (message,) = mailoutbox
    assert message.to == ["secretariat@ehpad.fr"]
    assert "nous est parvenu hors du site" in message.body
    assert f"{settings.SITE_URL}/appels/{call.pk}/" in message.body
    # The dossier without an address is not marked as reminded: nobody was told.
    assert DraftReminder.objects.count() == 1


def test_an_inactive_user_is_not_written_to(run, mailoutbox):
    call = open_call(PARIS, deadline_instant(day=date(2026, 12, 10), at=None, zone="Europe/Paris"))
    application = start_draft(call, "directrice@ehpad.fr", "parti@ehpad.fr")
    gone = application.establishment.organisation.memberships.get(user__email="parti@ehpad.fr").user
    gone.is_active = False
    gone.save()

    run(at("Europe/Paris", 2026, 12, 8, 9, 0))

    assert mailoutbox[0].to == ["directrice@ehpad.fr"]


def test_extending_the_deadline_tells_draft_holders_and_earns_new_reminders(
    run, mailoutbox, django_capture_on_commit_callbacks
):
    zone = "Indian/Reunion"
    call = open_call(REUNION, deadline_instant(day=date(2027, 9, 5), at=None, zone=zone))
    start_draft(call, "directrice@ehpad.re")
    submitted = start_draft(call, "depose@ehpad.re", name="EHPAD Déposé")
    services.submit_application(application=submitted, by=submitted.created_by, now=call.opens_at)
    mailoutbox.clear()
    assert run(at(zone, 2027, 9, 3, 8, 0)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        call_services.update_call(
            call=call,
            by=manager_of(call),
            opens_at=call.opens_at,
            closes_at=deadline_instant(day=date(2027, 9, 19), at=None, zone=zone),
        )

    reminder, extension = mailoutbox
    assert extension.to == ["directrice@ehpad.re"]
    assert extension.subject == f"Date limite reportée\u00a0: {call.title}"
    assert (
        f"Nouvelle date limite\u00a0: le 19{NBSP}septembre 2027 inclus (heure de La Réunion)."
        in extension.body
    )
    assert f"le 5{NBSP}septembre 2027 inclus (heure de La Réunion)" in extension.body
    assert AuditEvent.objects.get(action="draft_holders_told_of_extension").details["dossiers"] == 1
    # The old deadline's reminders do not count for the new one.
    assert run(at(zone, 2027, 9, 5, 8, 0)) == 0
    assert run(at(zone, 2027, 9, 17, 8, 0)) == 1
    assert run(at(zone, 2027, 9, 19, 8, 0)) == 1
    assert DraftReminder.objects.count() == 3


def test_moving_the_deadline_earlier_or_changing_other_fields_tells_nobody(
    mailoutbox, django_capture_on_commit_callbacks
):
    call = open_call(PARIS, deadline_instant(day=date(2026, 12, 10), at=None, zone="Europe/Paris"))
    start_draft(call, "directrice@ehpad.fr")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_services.update_call(
            call=call,
            by=manager_of(call),
            opens_at=call.opens_at,
            closes_at=call.closes_at - timedelta(days=1),
        )
        call_services.update_call(
            call=call, by=manager_of(call), opens_at=call.opens_at, closes_at=call.closes_at, title="Nouveau"
        )

    assert mailoutbox == []


def test_a_round_reads_the_same_number_of_rows_whatever_the_number_of_drafts(run):
    def selects_for(drafts: int) -> int:
        call = open_call(PARIS, deadline_instant(day=date(2026, 12, 10), at=None, zone="Europe/Paris"))
        for number in range(drafts):
            start_draft(call, f"directrice{drafts}-{number}@ehpad.fr", f"membre{drafts}-{number}@ehpad.fr")
        with CaptureQueriesContext(connection) as queries:
            assert run(at("Europe/Paris", 2026, 12, 8, 9, 0)) == drafts
        call.status = "closed"
        call.save()
        # The round's own reads; each e-mail's delivery (one task per e-mail, the worker's) reads its row.
        return sum(
            1
            for query in queries
            if query["sql"].lstrip().upper().startswith("SELECT") and "core_outgoingemail" not in query["sql"]
        )

    assert selects_for(1) == selects_for(4)


def test_the_command_runs_the_round_here_or_queues_it(mailoutbox, django_capture_on_commit_callbacks):
    tomorrow = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)
    call = open_call(PARIS, deadline_instant(day=tomorrow, at=None, zone="Europe/Paris"))
    start_draft(call, "directrice@ehpad.fr")
    here, queued = io.StringIO(), io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_draft_reminders", "--sync", stdout=here)
        call_command("send_draft_reminders", stdout=queued)

    assert here.getvalue() == "1 relance(s) envoyée(s).\n"
    assert queued.getvalue().startswith("Relances mises en file d’attente (tâche ")
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_message_to_draft_holders_leaves_through_the_database_queue_and_db_worker(
    settings, mailoutbox, signal_handlers
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call = open_call(PARIS, datetime.now(UTC) + timedelta(days=20))
    start_draft(call, "directrice@ehpad.fr", "membre@ehpad.fr")

    manager = manager_of(call)
    count = reminders.write_to_draft_holders(
        call=call, subject="Réunion d’information", body="Rendez-vous jeudi à 14 h.", by=manager
    )

    assert count == 2
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.status) == (
        "capqvct.applications.tasks.send_message_to_draft_holders",
        "READY",
    )
    assert mailoutbox == []

    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, stdout=io.StringIO()
    )

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    (message,) = mailoutbox
    assert (message.subject, message.to) == (
        "Réunion d’information",
        ["directrice@ehpad.fr", "membre@ehpad.fr"],
    )
    assert message.body.startswith("Rendez-vous jeudi à 14 h.\n")
    # In the outbox, on behalf of the manager who wrote: a failure would show on their page.
    email = OutgoingEmail.objects.get()
    assert (email.purpose, email.caused_by, email.status) == (
        "applications.message_to_draft_holders",
        manager,
        "sent",
    )
