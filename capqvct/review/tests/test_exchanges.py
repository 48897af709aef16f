"""Requests for more information and interviews: rules, refusals, e-mails and calendar files."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from capqvct.accounts.models import Role
from capqvct.applications.models import ApplicationStatus, Channel
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent, OutgoingEmail
from capqvct.review import exchanges
from capqvct.review.tests import test_decisions as shared
from capqvct.territory.models import Region
from tests.factories import MembershipFactory, OrganisationFactory, region

pytestmark = pytest.mark.django_db

agency, manager, call, review = shared.agency, shared.manager, shared.call, shared.review
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
NEXT_WEEK = date(2026, 11, 30)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def application(call):
    return shared.dossier(call, "EHPAD Les Tilleuls", director_email="direction@tilleuls.fr")


@pytest.fixture
def director(application):
    return application.establishment.organisation.memberships.get(role=Role.DIRECTOR).user


def ask(application, manager, **overrides):
    arguments = {"question": "Quel est l’effectif ?", "reply_by": NEXT_WEEK, "by": manager, "now": NOW}
    return exchanges.ask_for_information(application=application, **{**arguments, **overrides})


def schedule(application, manager, **overrides):
    arguments = {
        "starts_at": datetime(2026, 12, 3, 14, 30, tzinfo=ZoneInfo("Europe/Paris")),
        "duration": 90,
        "place": "Salle du conseil, ARS Occitanie",
        "video_link": "",
        "attendees": ["direction@tilleuls.fr", "Cse@Tilleuls.fr"],
        "by": manager,
        "now": NOW,
    }
    return exchanges.schedule_interview(application=application, **{**arguments, **overrides})


def ics_event(message) -> tuple[icalendar.Calendar, icalendar.Event]:
    (name, content, mimetype) = message.attachments[0]
    assert name == "entretien.ics" and mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    return calendar, calendar.walk("VEVENT")[0]


# Requests for more information


def test_asking_mails_the_establishment_and_is_logged(
    application, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = ask(application, manager)

    assert item.asked_by == manager and item.reply_by == NEXT_WEEK
    assert [m.to for m in mailoutbox] == [["direction@tilleuls.fr"]]
    assert "Quel est l’effectif ?" in mailoutbox[0].body
    assert f"/instruction/echanges/dossier/{application.pk}/" in mailoutbox[0].body
    assert AuditEvent.objects.filter(action="information_requested").count() == 1


def test_a_dossier_received_off_the_site_is_asked_at_its_sender(
    call, manager, mailoutbox, django_capture_on_commit_callbacks
):
    application = shared.dossier(call, "SSIAD")
    application.channel, application.sender_email = Channel.EMAIL, "secretariat@ssiad.fr"
    application.received_at = application.submitted_at
    application.save()

    with django_capture_on_commit_callbacks(execute=True):
        ask(application, manager)

    assert mailoutbox[0].to == ["secretariat@ssiad.fr"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"question": "  "}, "Écrivez votre question."),
        ({"reply_by": None}, "Indiquez la date de réponse attendue."),
        ({"reply_by": date(2026, 11, 23)}, "La date de réponse attendue doit être à venir."),
    ],
)
def test_a_question_needs_text_and_a_future_reply_date(application, manager, overrides, message):
    with pytest.raises(Refusal, match=message):
        ask(application, manager, **overrides)


def test_the_reply_date_is_read_in_the_call_time_zone(application, manager):
    Region.objects.filter(code="76").update(time_zone="Indian/Reunion")
    application.refresh_from_db()
    late_evening = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # already 24 November in La Réunion

    with pytest.raises(Refusal, match="à venir"):
        ask(application, manager, reply_by=date(2026, 11, 24), now=late_evening)


def test_only_the_managers_of_the_region_ask(application, agency):
    reviewer = MembershipFactory(role=Role.REVIEWER, organisation=agency).user
    other = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation=OrganisationFactory(region=region("11", "Île-de-France"))
    ).user

    for user in (reviewer, other):
        with pytest.raises(Refusal):
            ask(application, user)


def test_a_dossier_not_in_review_gets_no_question(application, manager):
    application.status = ApplicationStatus.SUBMITTED
    application.save()

    with pytest.raises(Refusal, match="pas en instruction"):
        ask(application, manager)


def test_the_applicant_answers_with_a_file_and_the_agent_is_told(
    application, manager, director, mailoutbox, django_capture_on_commit_callbacks
):
    item = ask(application, manager)
    upload = SimpleUploadedFile("effectifs.pdf", PDF, content_type="application/pdf")

    with django_capture_on_commit_callbacks(execute=True):
        exchanges.answer_information_request(
            request=item, answer="42 salariés.", upload=upload, by=director, now=NOW + timedelta(days=1)
        )

    item.refresh_from_db()
    assert item.answer == "42 salariés." and item.answered_by == director
    assert item.answer_attachment.name == "effectifs.pdf" and item.answer_attachment.field_key == ""
    assert not exchanges.is_late(item)
    assert mailoutbox[-1].to == ["claire.martin@ars.sante.fr"]
    assert "42 salariés." in mailoutbox[-1].body and "après la date" not in mailoutbox[-1].body


def test_a_late_answer_is_accepted_and_flagged(
    application, manager, director, mailoutbox, django_capture_on_commit_callbacks
):
    item = ask(application, manager)

    with django_capture_on_commit_callbacks(execute=True):
        exchanges.answer_information_request(
            request=item, answer="Pardon du retard.", by=director, now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        )

    assert exchanges.is_late(item)
    assert "après la date attendue" in mailoutbox[-1].body
    assert AuditEvent.objects.get(action="information_answered").details["late"] is True


def test_an_answer_is_refused_when_empty_twice_from_strangers_or_with_a_bad_file(
    application, manager, director
):
    item = ask(application, manager)
    stranger = MembershipFactory(role=Role.DIRECTOR, organisation=OrganisationFactory()).user
    script = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" + b"\x00" * 60)

    with pytest.raises(Refusal, match="Écrivez votre réponse"):
        exchanges.answer_information_request(request=item, answer=" ", by=director)
    with pytest.raises(Refusal, match="Seuls les membres"):
        exchanges.answer_information_request(request=item, answer="Oui.", by=stranger)
    with pytest.raises(Refusal) as refused:
        exchanges.answer_information_request(request=item, answer="Oui.", upload=script, by=director)
    assert refused.value.field == "file"
    exchanges.answer_information_request(request=item, answer="Oui.", by=director)
    with pytest.raises(Refusal, match="déjà reçu une réponse"):
        exchanges.answer_information_request(request=item, answer="Encore.", by=director)


# Interviews


def test_scheduling_sends_an_invitation_with_its_calendar_file(
    application, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        interview = schedule(application, manager)

    assert interview.attendees == ["direction@tilleuls.fr", "cse@tilleuls.fr"]
    assert mailoutbox[0].to == ["direction@tilleuls.fr", "cse@tilleuls.fr"]
    assert "Salle du conseil" in mailoutbox[0].body
    calendar, event = ics_event(mailoutbox[0])
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == f"interview-{interview.pk}@capqvct"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == datetime(2026, 12, 3, 13, 30, tzinfo=UTC)
    assert event.decoded("DTSTART").tzinfo in (UTC, ZoneInfo("UTC"))
    assert event.decoded("DTEND") == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    assert str(event["LOCATION"]) == "Salle du conseil, ARS Occitanie"
    assert str(event["ORGANIZER"]) == "mailto:claire.martin@ars.sante.fr"
    assert "Entretien" in str(event["SUMMARY"]) and str(event["DESCRIPTION"])


def test_a_time_typed_in_la_reunion_is_sent_in_utc(
    application, manager, mailoutbox, django_capture_on_commit_callbacks
):
    Region.objects.filter(code="76").update(time_zone="Indian/Reunion")
    application.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        schedule(
            application,
            manager,
            starts_at=datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Indian/Reunion")),
            place="",
            video_link="https://visio.exemple.fr/salle",
        )

    _, event = ics_event(mailoutbox[0])
    assert event.decoded("DTSTART") == datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
    assert str(event["URL"]) == "https://visio.exemple.fr/salle"
    assert "(heure de La Réunion)" in mailoutbox[0].body or "Réunion" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_at": None}, "starts_at"),
        ({"starts_at": NOW - timedelta(hours=1)}, "starts_at"),
        ({"duration": 5}, "duration"),
        ({"place": "", "video_link": ""}, "place"),
        ({"video_link": "javascript:alert(1)"}, "video_link"),
        ({"attendees": []}, "attendees"),
        ({"attendees": ["pas-une-adresse"]}, "attendees"),
    ],
)
def test_an_interview_needs_a_future_date_a_place_or_link_and_attendees(
    application, manager, overrides, field
):
    with pytest.raises(Refusal) as refused:
        schedule(application, manager, **overrides)

    assert refused.value.field == field


def test_only_the_managers_of_the_region_schedule(application, agency):
    reviewer = MembershipFactory(role=Role.REVIEWER, organisation=agency).user

    with pytest.raises(Refusal):
        schedule(application, reviewer)


def test_rescheduling_bumps_the_sequence_of_the_same_event(
    application, manager, mailoutbox, django_capture_on_commit_callbacks
):
    interview = schedule(application, manager)

    with django_capture_on_commit_callbacks(execute=True):
        exchanges.reschedule_interview(
            interview=interview,
            starts_at=datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Europe/Paris")),
            duration=60,
            place="Salle B",
            attendees=["direction@tilleuls.fr"],
            by=manager,
            now=NOW,
        )

    calendar, event = ics_event(mailoutbox[-1])
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == f"interview-{interview.pk}@capqvct" and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    assert "modifié" in mailoutbox[-1].body
    assert AuditEvent.objects.filter(action="interview_rescheduled").count() == 1


def test_cancelling_sends_a_cancel_for_the_same_event_once(
    application, manager, mailoutbox, django_capture_on_commit_callbacks
):
    interview = schedule(application, manager)

    with django_capture_on_commit_callbacks(execute=True):
        exchanges.cancel_interview(interview=interview, by=manager, now=NOW)

    calendar, event = ics_event(mailoutbox[-1])
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert event["UID"] == f"interview-{interview.pk}@capqvct" and event["SEQUENCE"] == 1
    with pytest.raises(Refusal, match="annulé"):
        exchanges.cancel_interview(interview=interview, by=manager)
    with pytest.raises(Refusal, match="annulé"):
        exchanges.reschedule_interview(
            interview=interview, starts_at=None, duration=60, attendees=[], by=manager
        )


def test_notes_are_recorded_by_managers_only(application, manager, agency):
    interview = schedule(application, manager)
    reviewer = MembershipFactory(role=Role.REVIEWER, organisation=agency).user

    with pytest.raises(Refusal, match="Écrivez le compte rendu"):
        exchanges.record_interview_notes(interview=interview, notes="", by=manager)
    with pytest.raises(Refusal):
        exchanges.record_interview_notes(interview=interview, notes="Vu.", by=reviewer)
    exchanges.record_interview_notes(interview=interview, notes="Direction engagée.", by=manager)

    interview.refresh_from_db()
    assert interview.notes == "Direction engagée."
    assert AuditEvent.objects.get(action="interview_notes_recorded").details["length"] == 18


def test_each_invitation_waiting_in_the_outbox_keeps_the_calendar_file_of_its_moment(
    application, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        interview = schedule(application, manager)
        exchanges.reschedule_interview(
            interview=interview,
            starts_at=datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Europe/Paris")),
            duration=60,
            place="Salle B",
            attendees=["direction@tilleuls.fr"],
            by=manager,
            now=NOW,
        )
    first, second = OutgoingEmail.objects.order_by("pk")
    assert (first.purpose, first.caused_by, first.attachments[0]["builder"]) == (
        "review.interview",
        manager,
        "core.text",
    )

    for callback in waiting:
        callback()  # the worker gets to them only now

    assert [ics_event(message)[1]["SEQUENCE"] for message in mailoutbox] == [0, 1]
    assert [message.to for message in mailoutbox] == [
        ["direction@tilleuls.fr", "cse@tilleuls.fr"],
        ["direction@tilleuls.fr"],
    ]
