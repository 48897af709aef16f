"""The calendar's services: who plans, what they refuse (and that a refusal changes nothing), and who
receives each invitation, change and cancellation with its calendar file."""

from datetime import date, time
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from capqvct.cohorts import calendar_services
from capqvct.cohorts.models import (
    EventStatus,
    Mode,
    SchoolHoliday,
    Session,
    SessionDocument,
    SessionKind,
    SupportVisit,
    VisitKind,
    VisitLength,
)
from capqvct.cohorts.tests.builders import consultants
from capqvct.cohorts.tests.calendar_builders import at, planned_cohort, session_of
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent, OutgoingEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return planned_cohort(herault=2)


def calendar_of(message) -> tuple[icalendar.Calendar, icalendar.Event]:
    (name, content, mimetype), *_ = message.attachments
    assert name == "invitation.ics" and mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    return calendar, calendar.walk("VEVENT")[0]


def trio_addresses(cohort) -> set[str]:
    return {
        f"{role}.{p.establishment.finess_et}@example.org"
        for p in cohort.participants.all()
        for role in ("direction", "personnel", "cadre")
    }


def test_a_session_invites_the_trinomes_and_the_pair_each_in_their_own_email(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    manager, cohort = world
    with django_capture_on_commit_callbacks(execute=True):
        session = session_of(cohort, manager)
    assert session.number == 1 and session.sequence == 0
    assert [len(m.to) for m in mailoutbox] == [1] * 8
    assert {m.to[0] for m in mailoutbox} == trio_addresses(cohort) | {
        cohort.pair.first.email,
        cohort.pair.second.email,
    }
    calendar, event = calendar_of(mailoutbox[0])
    assert calendar["METHOD"] == "REQUEST" and str(event["UID"]) == str(session.uid)
    assert event.decoded("dtstart").astimezone(ZoneInfo("Europe/Paris")).time() == time(9)
    assert "mardi 4\u00a0mars 2031, de 9\u00a0h à 17\u00a0h (heure de Paris)" in mailoutbox[0].body
    assert AuditEvent.objects.filter(action="calendar_session_scheduled", actor=manager).exists()


def test_the_pair_plans_a_session_and_the_next_one_is_numbered_after(world):
    manager, cohort = world
    session_of(cohort, manager)
    second = session_of(cohort, cohort.pair.second, day=date(2031, 4, 8))
    assert second.number == 2


def test_someone_outside_the_cohort_is_refused_and_nothing_changes(world):
    manager, cohort = world
    (outsider,) = consultants(1)
    with pytest.raises(Refusal) as refused:
        session_of(cohort, outsider)
    assert refused.value.message.startswith("Seuls les responsables de programme et le binôme")
    assert not Session.objects.exists() and not OutgoingEmail.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"starts_at": None}, "starts_at", "Indiquez la date et l’heure de début."),
        ({"ends_at": at(date(2031, 3, 4), 8)}, "ends_at", "La fin doit suivre le début."),
        ({"address": "  "}, "address", "Indiquez l’adresse du lieu."),
        (
            {"mode": Mode.VIDEO, "video_url": "http://visio.example.org"},
            "video_url",
            "commençant par https://",
        ),
    ],
)
def test_bad_times_or_places_are_refused_at_their_field(world, changes, field, message):
    manager, cohort = world
    with pytest.raises(Refusal) as refused:
        session_of(cohort, manager, **changes)
    assert refused.value.field == field and message in refused.value.message
    assert not Session.objects.exists() and not OutgoingEmail.objects.exists()


def test_a_change_bumps_the_sequence_and_a_cancellation_cancels(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    manager, cohort = world
    session = session_of(cohort, manager)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.change_session(
            session=session,
            by=cohort.pair.first,
            starts_at=at(date(2031, 3, 5), 9, 30),
            ends_at=at(date(2031, 3, 5), 16, 30),
            mode=Mode.VIDEO,
            video_url="https://visio.example.org/s1",
        )
    session.refresh_from_db()
    assert session.sequence == 1 and session.address == "" and session.video_url.endswith("/s1")
    _, event = calendar_of(mailoutbox[-1])
    assert str(event["UID"]) == str(session.uid) and event["SEQUENCE"] == 1
    assert event.decoded("dtstart").astimezone(ZoneInfo("Europe/Paris")).time() == time(9, 30)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.cancel_session(session=session, by=manager)
    session.refresh_from_db()
    assert session.status == EventStatus.CANCELLED and session.sequence == 2
    calendar, event = calendar_of(mailoutbox[0])
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 2
    assert len(mailoutbox) == 8
    with pytest.raises(Refusal) as refused:
        calendar_services.cancel_session(session=session, by=manager)
    assert refused.value.message == "Ce rendez-vous est annulé\u00a0: il ne change plus."


def test_the_presentation_invites_every_trinome_of_the_call_and_every_pair(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    manager, cohort = world
    with django_capture_on_commit_callbacks(execute=True):
        presentation = calendar_services.schedule_presentation(
            call=cohort.call,
            by=manager,
            starts_at=at(date(2031, 1, 16), 15),
            ends_at=at(date(2031, 1, 16), 17),
            mode=Mode.VIDEO,
            video_url="https://visio.example.org/presentation",
        )
    assert presentation.kind == SessionKind.PRESENTATION and presentation.cohort is None
    assert {m.to[0] for m in mailoutbox} == trio_addresses(cohort) | {
        cohort.pair.first.email,
        cohort.pair.second.email,
    }
    with pytest.raises(Refusal) as refused:
        calendar_services.schedule_presentation(
            call=cohort.call,
            by=cohort.pair.first,
            starts_at=at(date(2031, 1, 16), 15),
            ends_at=at(date(2031, 1, 16), 17),
            mode=Mode.VIDEO,
            video_url="https://visio.example.org/presentation",
        )
    assert "Seuls les responsables de programme de l’appel" in refused.value.message
    assert Session.objects.count() == 1


def visit_fields(cohort, **changes) -> dict:
    return {
        "kind": VisitKind.KICKOFF,
        "length": VisitLength.HALF_DAY,
        "consultant": cohort.pair.first,
        "subject": "Rencontre avant le démarrage",
        "starts_at": at(date(2031, 2, 3), 9),
        "ends_at": at(date(2031, 2, 3), 12),
        "mode": Mode.ON_SITE,
        "address": "Sur place",
        **changes,
    }


def test_a_visit_invites_the_establishments_trinome_and_its_consultant(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    manager, cohort = world
    participant = cohort.participants.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        visit = calendar_services.schedule_visit(
            participant=participant, by=cohort.pair.second, **visit_fields(cohort)
        )
    slug = participant.establishment.finess_et
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [
            f"direction.{slug}@example.org",
            f"personnel.{slug}@example.org",
            f"cadre.{slug}@example.org",
            cohort.pair.first.email,
        ]
    )
    # Another consultant takes the visit: they are invited, the first one is told it is cancelled for them.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.change_visit(
            visit=visit, by=manager, **visit_fields(cohort, consultant=cohort.pair.second)
        )
    by_person = {m.to[0]: calendar_of(m)[0]["METHOD"] for m in mailoutbox}
    assert by_person[cohort.pair.second.email] == "REQUEST"
    assert by_person[cohort.pair.first.email] == "CANCEL"


def test_a_visit_by_someone_outside_the_pair_is_refused_at_the_consultant(world):
    manager, cohort = world
    (outsider,) = consultants(1)
    participant = cohort.participants.first()
    with pytest.raises(Refusal) as refused:
        calendar_services.schedule_visit(
            participant=participant, by=manager, **visit_fields(cohort, consultant=outsider)
        )
    assert refused.value.field == "consultant"
    assert not SupportVisit.objects.exists()


def test_planning_creates_the_sessions_in_one_go_numbered_in_date_order(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    manager, cohort = world
    session_of(cohort, manager, day=date(2030, 11, 5))
    with django_capture_on_commit_callbacks(execute=True):
        created = calendar_services.plan_sessions(
            cohort=cohort,
            by=cohort.pair.first,
            days=[date(2031, 5, 6), date(2031, 1, 7), date(2031, 3, 4)],
            starts=time(9),
            ends=time(17),
            mode=Mode.ON_SITE,
            address="Salle polyvalente",
        )
    assert [(s.number, s.starts_at.date()) for s in created] == [
        (2, date(2031, 1, 7)),
        (3, date(2031, 3, 4)),
        (4, date(2031, 5, 6)),
    ]
    assert len(mailoutbox) == 3 * 8
    with pytest.raises(Refusal) as refused:
        calendar_services.plan_sessions(
            cohort=cohort,
            by=manager,
            days=[date(2031, 6, 3), date(2031, 6, 3)],
            starts=time(9),
            ends=time(17),
            mode=Mode.ON_SITE,
            address="Salle",
        )
    assert refused.value.message.startswith("Deux séances tombent le même jour")
    assert Session.objects.count() == 4


def test_a_document_is_checked_by_its_content(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    manager, cohort = world
    session = session_of(cohort, manager)
    fake = SimpleUploadedFile("programme.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(Refusal) as refused:
        calendar_services.add_session_document(session=session, upload=fake, by=manager)
    assert refused.value.field == "file" and "ne correspond pas à un fichier PDF" in refused.value.message
    assert not SessionDocument.objects.exists()
    pdf = SimpleUploadedFile("programme.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n")
    document = calendar_services.add_session_document(session=session, upload=pdf, by=cohort.pair.first)
    assert document.name == "programme.pdf" and document.content_type == "application/pdf"


def test_school_holidays_are_typed_by_the_managers_only(world):
    manager, cohort = world
    holiday = calendar_services.add_school_holiday(
        call=cohort.call,
        by=manager,
        name="Vacances d’hiver",
        starts_on=date(2031, 2, 8),
        ends_on=date(2031, 2, 23),
    )
    with pytest.raises(Refusal):
        calendar_services.add_school_holiday(
            call=cohort.call,
            by=cohort.pair.first,
            name="Pâques",
            starts_on=date(2031, 4, 5),
            ends_on=date(2031, 4, 20),
        )
    with pytest.raises(Refusal) as refused:
        calendar_services.add_school_holiday(
            call=cohort.call, by=manager, name="Pâques", starts_on=date(2031, 4, 20), ends_on=date(2031, 4, 5)
        )
    assert refused.value.field == "ends_on"
    assert list(SchoolHoliday.objects.all()) == [holiday]


def test_a_document_is_removed_by_those_who_plan_the_session_only(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    manager, cohort = world
    session = session_of(cohort, manager)
    pdf = SimpleUploadedFile("programme.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n")
    document = calendar_services.add_session_document(session=session, upload=pdf, by=manager)
    stored = tmp_path / document.file.name
    assert stored.exists()
    outsider = consultants(1)[0]
    with pytest.raises(Refusal):
        calendar_services.remove_session_document(document=document, by=outsider)
    assert SessionDocument.objects.filter(pk=document.pk).exists() and stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.remove_session_document(document=document, by=cohort.pair.second)
    assert not SessionDocument.objects.filter(pk=document.pk).exists()
    assert not stored.exists()
    removal = AuditEvent.objects.get(action="calendar_document_removed")
    assert removal.details["name"] == "programme.pdf"


def test_a_cancelled_sessions_documents_stay(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    manager, cohort = world
    session = session_of(cohort, manager)
    pdf = SimpleUploadedFile("programme.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n")
    document = calendar_services.add_session_document(session=session, upload=pdf, by=manager)
    calendar_services.cancel_session(session=session, by=manager)
    document.refresh_from_db()
    with pytest.raises(Refusal) as refused:
        calendar_services.remove_session_document(document=document, by=manager)
    assert refused.value.message == "Cette séance est annulée : ses documents ne changent plus."
    assert SessionDocument.objects.filter(pk=document.pk).exists()
