"""Dossiers received by e-mail or post: recorded by an agent, dated by their receipt, then like the others."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from capqvct.accounts.models import Role
from capqvct.applications import services
from capqvct.applications.models import Application, ApplicationStatus, Channel
from capqvct.calls.deadlines import deadline_instant
from capqvct.core.exceptions import Refusal
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

PDF = b"%PDF-1.4\n%dossier scanne\n%%EOF\n"
FORM = {
    "sections": [
        {
            "key": "projet",
            "title": "Votre projet",
            "fields": [
                {
                    "key": "motivation",
                    "kind": "long_text",
                    "label": "Motivation",
                    "required": True,
                    "max_length": 2000,
                },
            ],
        }
    ]
}
OPENS = datetime(2022, 8, 1, tzinfo=UTC)
# « Le 5 septembre 2022 inclus » at La Réunion: up to 23:59:59 that day, local time.
DEADLINE = deadline_instant(day=date(2022, 9, 5), at=None, zone="Indian/Reunion")
REUNION_LAST_SECOND = datetime(2022, 9, 5, 19, 59, 59, tzinfo=UTC)
AFTER_THE_DEADLINE = datetime(2022, 10, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def reunion():
    return region("04", "La Réunion", "Indian/Reunion")


@pytest.fixture
def manager(reunion):
    return MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation__region=reunion, user__email="agent@ars.re"
    ).user


@pytest.fixture
def call(manager):
    return published_call(
        manager,
        region_code="04",
        programme_title="QVCT La Réunion",
        definition=FORM,
        title="Accompagnement QVCT",
        opens_at=OPENS,
        closes_at=DEADLINE,
    )


@pytest.fixture
def establishment():
    return EstablishmentFactory(
        name="EHPAD Les Filaos", finess_et="970400123", departement=departement("974", "La Réunion", "04")
    )


def record(call, establishment, manager, **overrides):
    fields = {
        "call": call,
        "establishment": establishment,
        "channel": Channel.POST,
        "received_at": REUNION_LAST_SECOND,
        "by": manager,
        "now": AFTER_THE_DEADLINE,
    }
    return services.record_received_application(**{**fields, **overrides})


def test_a_letter_received_on_the_last_day_is_recorded_after_the_deadline_with_its_scan(
    call, establishment, manager
):
    application = record(
        call,
        establishment,
        manager,
        sender_email="direction@filaos.re",
        originals=[SimpleUploadedFile("courrier.pdf", PDF)],
    )
    assert application.channel == Channel.POST
    assert application.status == ApplicationStatus.DRAFT
    assert application.received_at == REUNION_LAST_SECOND
    original = application.attachments.get()
    assert (original.field_key, original.name, original.content_type) == (
        "",
        "courrier.pdf",
        "application/pdf",
    )
    event = AuditEvent.objects.get(action="application_recorded")
    assert event.details["channel"] == "post" and event.details["files"] == 1


def test_a_dossier_received_after_the_deadline_is_refused_with_the_deadline(call, establishment, manager):
    with pytest.raises(Refusal) as refusal:
        record(call, establishment, manager, received_at=DEADLINE + timedelta(seconds=1))
    assert refusal.value.field == "received_at"
    assert "fixée le 5\u00a0septembre 2022 inclus (heure de La Réunion)" in refusal.value.message
    assert not Application.objects.exists()


def test_a_receipt_date_in_the_future_is_refused(call, establishment, manager):
    with pytest.raises(Refusal, match="dans le futur"):
        record(
            call, establishment, manager, received_at=OPENS + timedelta(days=2), now=OPENS + timedelta(days=1)
        )


def test_only_the_regions_programme_managers_record_dossiers(call, establishment, reunion):
    reviewer = MembershipFactory(role=Role.REVIEWER, organisation__region=reunion).user
    elsewhere = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user
    for agent in (reviewer, elsewhere):
        with pytest.raises(Refusal):
            record(call, establishment, agent)
    assert not Application.objects.exists()


def test_an_establishment_that_already_has_a_dossier_gets_no_second_one(call, establishment, manager):
    record(call, establishment, manager)
    with pytest.raises(Refusal) as refusal:
        record(call, establishment, manager, channel=Channel.EMAIL)
    assert refusal.value.field == "establishment"
    assert Application.objects.count() == 1


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_kept(call, establishment, manager):
    with pytest.raises(Refusal) as refusal:
        record(
            call, establishment, manager, originals=[SimpleUploadedFile("courrier.pdf", b"MZ" + bytes(80))]
        )
    assert refusal.value.field == "originals"
    assert "courrier.pdf" in refusal.value.message
    assert not Application.objects.exists()


def test_once_transcribed_it_is_submitted_dated_by_its_receipt_and_the_sender_gets_the_receipt(
    call, establishment, manager, django_capture_on_commit_callbacks
):
    application = record(call, establishment, manager, sender_email="direction@filaos.re")
    services.save_draft(
        application=application,
        answers={"motivation": "Prévenir l’épuisement des équipes de nuit."},
        by=manager,
        expected_version=application.lock_version,
    )
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.submit_application(application=application, by=manager, now=AFTER_THE_DEADLINE)

    assert submission.submitted_at == REUNION_LAST_SECOND
    assert application.status == ApplicationStatus.SUBMITTED
    (receipt,) = mail.outbox
    assert receipt.to == ["direction@filaos.re"]
    assert receipt.attachments[0][0].endswith(".pdf")


def test_a_required_answer_is_still_required(call, establishment, manager):
    application = record(call, establishment, manager)
    with pytest.raises(services.InvalidAnswers) as refusal:
        services.submit_application(application=application, by=manager, now=AFTER_THE_DEADLINE)
    assert list(refusal.value.errors) == ["motivation"]


def test_the_establishments_director_may_also_complete_it(call, establishment, manager):
    space = OrganisationFactory(establishment_space=True)
    establishment.organisation = space
    establishment.save()
    director = MembershipFactory(role=Role.DIRECTOR, organisation=space).user
    application = record(call, establishment, manager)
    services.save_draft(
        application=application, answers={"motivation": "Oui"}, by=director, expected_version=0
    )
    application.refresh_from_db()
    assert application.answers == {"motivation": "Oui"}


def test_an_agent_cannot_edit_an_online_dossier(call, establishment, manager):
    space = OrganisationFactory(establishment_space=True)
    establishment.organisation = space
    establishment.save()
    director = MembershipFactory(role=Role.DIRECTOR, organisation=space).user
    application = services.start_application(
        call=call, establishment=establishment, by=director, now=OPENS + timedelta(days=1)
    )
    with pytest.raises(Refusal):
        services.save_draft(
            application=application, answers={"motivation": "X"}, by=manager, expected_version=0
        )


# The pages


def test_the_record_page_keeps_what_was_typed_and_names_the_unknown_finess(call, manager, verified_client):
    client = verified_client(manager)
    response = client.post(
        f"/dossiers/gestion/appels/{call.pk}/enregistrer/",
        {
            "finess": "970 499 992",
            "channel": "email",
            "received_day": "2022-09-05",
            "received_time": "18:30",
            "sender_email": "direction@filaos.re",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Aucun établissement de la région La Réunion n’a ce numéro FINESS." in body
    assert 'value="direction@filaos.re"' in body
    assert 'value="2022-09-05"' in body
    assert not Application.objects.exists()


def test_the_record_page_refuses_a_wrong_finess_key_at_its_field(call, manager, verified_client):
    client = verified_client(manager)
    response = client.post(
        f"/dossiers/gestion/appels/{call.pk}/enregistrer/",
        {"finess": "970 499 999", "channel": "email", "received_day": "2022-09-05", "received_time": "18:30"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "La clé du numéro FINESS est fausse\u00a0: vérifiez la saisie." in body
    assert 'value="970 499 999"' in body
    assert not Application.objects.exists()


def test_the_record_page_creates_the_dossier_and_opens_it_for_transcription(
    call, establishment, manager, verified_client
):
    client = verified_client(manager)
    response = client.post(
        f"/dossiers/gestion/appels/{call.pk}/enregistrer/",
        {
            "finess": "970400123",
            "channel": "email",
            "received_day": "2022-09-05",
            "received_time": "23:10",
            "originals": [SimpleUploadedFile("message.pdf", PDF), SimpleUploadedFile("lettre.pdf", PDF)],
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dossiers/{application.pk}/"
    # 23:10 in La Réunion is 19:10 UTC.
    assert application.received_at == datetime(2022, 9, 5, 19, 10, tzinfo=UTC)
    assert sorted(application.attachments.values_list("name", flat=True)) == ["lettre.pdf", "message.pdf"]
    page = client.get(response["Location"]).content.decode()
    assert "Dossier reçu par e-mail" in page
    assert "Enregistrer comme déposé" in page
    assert "message.pdf" in page


def test_the_call_dossiers_page_lists_them_with_a_constant_number_of_queries(
    call, manager, verified_client, django_assert_max_num_queries
):
    client = verified_client(manager)

    def add(count):
        for _ in range(count):
            establishment = EstablishmentFactory(departement=departement("974", "La Réunion", "04"))
            record(call, establishment, manager)

    add(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        response = client.get(f"/dossiers/gestion/appels/{call.pk}/")
    assert "3 dossiers" in response.content.decode()
    add(27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/dossiers/gestion/appels/{call.pk}/?canal=post&etat=draft")
    assert "30 dossiers" in response.content.decode()
    assert len(many) == len(few)


@pytest.mark.django_db(transaction=True)
def test_the_receipt_is_built_and_sent_by_the_worker_not_by_the_request(
    settings, call, establishment, manager, signal_handlers
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    application = record(call, establishment, manager, sender_email="direction@filaos.re")
    services.save_draft(
        application=application, answers={"motivation": "Oui"}, by=manager, expected_version=0
    )
    services.submit_application(application=application, by=manager, now=AFTER_THE_DEADLINE)

    # The request wrote the e-mail to the outbox and queued its delivery; it built no PDF.
    assert mail.outbox == []
    task = DBTaskResult.objects.get()
    assert task.task_path == "capqvct.core.tasks.deliver_email"
    email = OutgoingEmail.objects.get()
    assert (email.purpose, email.status, email.caused_by) == ("applications.receipt", "pending", manager)
    assert email.attachments[0]["builder"] == "applications.receipt"

    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, stdout=io.StringIO()
    )

    (receipt,) = mail.outbox
    assert receipt.to == ["direction@filaos.re"]
    assert receipt.attachments[0][1].startswith(b"%PDF")
