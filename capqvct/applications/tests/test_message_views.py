"""The page where a programme manager writes to every draft holder of a call."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.applications import reminders, services
from capqvct.applications.models import DraftReminder, ReminderKind
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory, departement, region
from tests.permissions.world import published_call
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user


@pytest.fixture
def call(manager):
    return published_call(manager)


def start_draft(call, *emails: str):
    space = OrganisationFactory(establishment_space=True)
    director = MembershipFactory(role=Role.DIRECTOR, organisation=space, user__email=emails[0]).user
    for email in emails[1:]:
        MembershipFactory(role=Role.MEMBER, organisation=space, user__email=email)
    establishment = EstablishmentFactory(departement=departement("34"), organisation=space)
    return services.start_application(call=call, establishment=establishment, by=director)


def url(call) -> str:
    return f"/dossiers/gestion/appels/{call.pk}/ecrire-aux-brouillons/"


def test_the_page_counts_drafts_and_recipients_and_says_when_reminders_go(verified_client, manager, call):
    start_draft(call, "directrice@ehpad.fr", "membre@ehpad.fr")
    start_draft(call, "autre@ehpad.fr")

    page = verified_client(manager).get(url(call)).content.decode()

    assert "2\u00a0dossiers en brouillon, 3\u00a0destinataires." in page
    assert "Aucune relance envoyée pour l’instant." in page
    assert "Relance prévue le" in page
    assert "(dernier jour)" in page
    assert typography_errors(page) == []


def test_the_page_says_when_the_last_reminder_went(verified_client, manager, call):
    application = start_draft(call, "directrice@ehpad.fr")
    DraftReminder.objects.create(application=application, kind=ReminderKind.BEFORE, deadline=call.closes_at)

    page = verified_client(manager).get(url(call)).content.decode()

    assert "Dernière relance envoyée le" in page
    assert page.count("Relance prévue le") == 1


def test_an_empty_subject_or_body_is_refused_at_its_field_and_keeps_what_was_typed(
    verified_client, manager, call, mailoutbox
):
    start_draft(call, "directrice@ehpad.fr")
    client = verified_client(manager)

    no_subject = client.post(url(call), {"subject": "  ", "body": "Un message important."}).content.decode()
    no_body = client.post(url(call), {"subject": "Réunion d’information", "body": ""}).content.decode()

    assert "Indiquez l’objet du message." in no_subject
    assert "Un message important." in no_subject
    assert "Écrivez le message à envoyer." in no_body
    assert 'value="Réunion d’information"' in no_body
    assert "fr-input-group--error" in no_body
    assert mailoutbox == []
    assert typography_errors(no_subject) == []


def test_a_message_reaches_every_draft_holder_and_is_recorded(
    verified_client, manager, call, mailoutbox, django_capture_on_commit_callbacks
):
    start_draft(call, "directrice@ehpad.fr", "membre@ehpad.fr")
    start_draft(call, "autre@ehpad.fr")
    client = verified_client(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(call), {"subject": "Réunion d’information", "body": "Jeudi à 14 h."})

    assert response.status_code == 302
    assert "Message envoyé à 3\u00a0destinataires." in client.get(response["Location"]).content.decode()
    assert sorted(message.to for message in mailoutbox) == [
        ["autre@ehpad.fr"],
        ["directrice@ehpad.fr", "membre@ehpad.fr"],
    ]
    assert all(message.body.startswith("Jeudi à 14 h.") for message in mailoutbox)
    event = AuditEvent.objects.get(action="draft_holders_written_to")
    assert (event.actor, event.details["recipients"], event.details["dossiers"]) == (manager, 3, 2)


def test_nobody_to_write_to_is_said_and_nothing_is_sent(verified_client, manager, call, mailoutbox):
    page = verified_client(manager).post(url(call), {"subject": "Objet", "body": "Message"}).content.decode()

    assert "Aucun dossier n’est en brouillon pour cet appel" in page
    assert "Aucun dossier en brouillon n’a de destinataire" in page
    assert mailoutbox == []


def test_only_a_manager_of_the_calls_region_may_write(verified_client, call):
    other_region = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation__region=region("84", "Auvergne-Rhône-Alpes")
    ).user
    reviewer = MembershipFactory(role=Role.REVIEWER, organisation__region=region("76")).user
    start_draft(call, "directrice@ehpad.fr")
    director = MembershipFactory(
        role=Role.DIRECTOR, organisation=OrganisationFactory(establishment_space=True)
    ).user

    assert verified_client(other_region).get(url(call)).status_code == 404
    assert verified_client(reviewer).get(url(call)).status_code == 403
    assert verified_client(director).post(url(call), {"subject": "A", "body": "B"}).status_code == 403
    with pytest.raises(Refusal):
        reminders.write_to_draft_holders(call=call, subject="A", body="B", by=other_region)


def test_the_service_refuses_an_empty_subject_or_body_by_field(manager, call):
    start_draft(call, "directrice@ehpad.fr")

    with pytest.raises(Refusal) as no_subject:
        reminders.write_to_draft_holders(call=call, subject=" \n ", body="Message", by=manager)
    with pytest.raises(Refusal) as no_body:
        reminders.write_to_draft_holders(call=call, subject="Objet", body="  ", by=manager)

    assert (no_subject.value.field, no_body.value.field) == ("subject", "body")


def test_the_page_reads_the_same_number_of_rows_whatever_the_number_of_drafts(verified_client, manager, call):
    client = verified_client(manager)
    start_draft(call, "premier@ehpad.fr")
    client.get(url(call))
    with CaptureQueriesContext(connection) as one:
        client.get(url(call))
    for number in range(3):
        start_draft(call, f"directrice{number}@ehpad.fr", f"membre{number}@ehpad.fr")
    with CaptureQueriesContext(connection) as four:
        client.get(url(call))

    assert len(four) == len(one)


def test_no_reminder_is_planned_once_the_deadline_has_passed(verified_client, manager, call):
    call.closes_at = timezone.now() - timedelta(minutes=1)
    call.opens_at = call.closes_at - timedelta(days=30)
    call.save()

    page = verified_client(manager).get(url(call)).content.decode()

    assert "Aucune relance prévue." in page
