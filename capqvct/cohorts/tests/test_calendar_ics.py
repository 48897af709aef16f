"""The calendar files: they parse with icalendar, a client reads the local times typed in the call's zone
(Paris, La Réunion, Martinique), a change keeps the UID with a higher SEQUENCE, a cancellation is a
METHOD:CANCEL with STATUS:CANCELLED."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import pytest

from capqvct.calls.models import Call, Programme
from capqvct.cohorts import calendar_ics
from capqvct.cohorts.calendar_services import local_instant
from capqvct.cohorts.models import Cohort, EventStatus, Mode, Session, SessionKind
from capqvct.territory.models import Region


def session_in(zone: str, day=date(2031, 3, 4)) -> Session:
    """An unsaved collective session typed 9:00 to 17:00 in `zone` (no database needed)."""
    call = Call(title="Accompagnement QVCT", programme=Programme(region=Region(time_zone=zone)))
    return Session(
        call=call,
        cohort=Cohort(call=call, name="Collectif Nord 1", number=1),
        kind=SessionKind.COLLECTIVE,
        number=2,
        starts_at=local_instant(day, time(9), zone),
        ends_at=local_instant(day, time(17), zone),
        mode=Mode.VIDEO,
        video_url="https://visio.example.org/seance-2",
        agenda="Diagnostic partagé",
    )


def parsed(content: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(content)
    return calendar, calendar.walk("VEVENT")[0]


@pytest.mark.parametrize("zone", ["Europe/Paris", "Indian/Reunion", "America/Martinique"])
@pytest.mark.parametrize("day", [date(2031, 1, 14), date(2031, 7, 8)], ids=["winter", "summer"])
def test_a_session_typed_9_to_17_reads_9_to_17_in_its_zone(zone, day):
    session = session_in(zone, day)
    calendar, event = parsed(calendar_ics.invitation(session, to="direction@example.org"))
    starts, ends = event.decoded("dtstart"), event.decoded("dtend")
    assert (starts.astimezone(ZoneInfo(zone)).time(), ends.astimezone(ZoneInfo(zone)).time()) == (
        time(9),
        time(17),
    )
    assert starts.date() == day
    # The same instant as stored, whatever the reader's own zone.
    assert starts == session.starts_at and ends == session.ends_at
    assert event["DTSTART"].params["TZID"] == zone


@pytest.mark.parametrize(
    ("zone", "utc_hour"), [("Europe/Paris", 8), ("Indian/Reunion", 5), ("America/Martinique", 13)]
)
def test_the_file_carries_its_own_time_zone_definition(zone, utc_hour):
    """A client that does not know the zone's name reads the VTIMEZONE of the file: 9:00 local is the
    right UTC instant in winter (Paris UTC+1, La Réunion UTC+4, Martinique UTC−4)."""
    calendar, event = parsed(calendar_ics.invitation(session_in(zone, date(2031, 1, 14)), to="a@example.org"))
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == zone
    own_zone = vtimezone.to_tz()
    local = event["DTSTART"].dt.replace(tzinfo=None)
    assert local == datetime(2031, 1, 14, 9)
    instant = own_zone.localize(local) if hasattr(own_zone, "localize") else local.replace(tzinfo=own_zone)
    assert instant.astimezone(ZoneInfo("UTC")).hour == utc_hour


def test_an_invitation_is_a_request_with_the_events_uid_sequence_place_and_link():
    session = session_in("Europe/Paris")
    calendar, event = parsed(calendar_ics.invitation(session, to="cadre@example.org"))
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == str(session.uid)
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Séance 2 — Collectif Nord 1"
    assert str(event["LOCATION"]) == str(event["URL"]) == "https://visio.example.org/seance-2"
    assert "Diagnostic partagé" in str(event["DESCRIPTION"])
    assert str(event["ATTENDEE"]) == "mailto:cadre@example.org"


def test_a_change_keeps_the_uid_with_a_higher_sequence_and_a_cancellation_cancels():
    session = session_in("Indian/Reunion")
    _, first = parsed(calendar_ics.invitation(session, to="a@example.org"))
    session.starts_at = local_instant(date(2031, 3, 5), time(8, 30), "Indian/Reunion")
    session.mode, session.address, session.video_url = Mode.ON_SITE, "Salle du conseil, Saint-Denis", ""
    session.sequence += 1
    _, changed = parsed(calendar_ics.invitation(session, to="a@example.org"))
    assert changed["UID"] == first["UID"]
    assert changed["SEQUENCE"] > first["SEQUENCE"]
    assert changed.decoded("dtstart").astimezone(ZoneInfo("Indian/Reunion")).time() == time(8, 30)
    assert str(changed["LOCATION"]) == "Salle du conseil, Saint-Denis"
    session.status, session.sequence = EventStatus.CANCELLED, session.sequence + 1
    calendar, cancelled = parsed(calendar_ics.invitation(session, to="a@example.org"))
    assert calendar["METHOD"] == "CANCEL"
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["UID"] == first["UID"] and cancelled["SEQUENCE"] == 2


def test_the_feed_lists_every_event_and_marks_the_cancelled_ones():
    kept, dropped = session_in("America/Martinique"), session_in("America/Martinique", date(2031, 4, 1))
    dropped.status = EventStatus.CANCELLED
    calendar = icalendar.Calendar.from_ical(calendar_ics.feed([kept, dropped], name="Cap QVCT"))
    statuses = {str(event["UID"]): str(event["STATUS"]) for event in calendar.walk("VEVENT")}
    assert statuses == {str(kept.uid): "CONFIRMED", str(dropped.uid): "CANCELLED"}
    assert "METHOD" not in calendar or calendar["METHOD"] == "PUBLISH"
