"""The calendar files of a cohort's events: the invitation each invited person receives by e-mail
(METHOD:REQUEST, or METHOD:CANCEL once cancelled) and the private feed a calendar application
subscribes to.

An event keeps its UID (`CalendarEvent.uid`) for life and carries its `sequence`, bumped at each change
and at its cancellation, so calendar applications update or remove the event they already hold. Times
are written in the call's time zone (DTSTART;TZID=Indian/Reunion:…) with the VTIMEZONE that defines it,
so a client reads 9:00 in La Réunion whatever its own zone.
"""

from datetime import datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.urls import reverse

from capqvct.cohorts.models import EventStatus, Mode, Session, SessionKind, SupportVisit

ICS_MIME = "text/calendar"
PRODID = "-//Cap QVCT//Agenda des collectifs//FR"
UTC = ZoneInfo("UTC")


def event_zone(event: Session | SupportVisit) -> str:
    call = event.call if isinstance(event, Session) else event.participant.call
    return call.time_zone


def event_title(event: Session | SupportVisit) -> str:
    """« Séance 2 — Collectif Hérault 1 », « Présentation du dispositif — OMEGA », « Appui individuel —
    EHPAD Les Tilleuls »."""
    if isinstance(event, SupportVisit):
        return f"{event.get_kind_display()} — {event.participant.establishment.name}"
    if event.kind == SessionKind.PRESENTATION:
        return f"{SessionKind.PRESENTATION.label} — {event.call.title}"
    return f"Séance {event.number} — {event.cohort.name}"


def event_place(event: Session | SupportVisit) -> str:
    return event.video_url if event.mode == Mode.VIDEO else event.address


def _description(event: Session | SupportVisit) -> str:
    lines = []
    if isinstance(event, Session):
        lines.append(f"« {event.call.title} »")
        if event.agenda:
            lines += ["", "Ordre du jour :", event.agenda]
    else:
        lines.append(
            f"{event.get_length_display()} avec {event.consultant.get_full_name() or event.consultant.email}"
        )
        if event.subject:
            lines.append(f"Objet : {event.subject}")
    if event.mode == Mode.VIDEO:
        lines += ["", f"Visioconférence : {event.video_url}"]
    lines += ["", f"Cap QVCT : {settings.SITE_URL}{reverse('cohorts:calendar_agenda')}"]
    return "\n".join(lines)


def event_component(event: Session | SupportVisit, *, cancelled: bool = False) -> icalendar.Event:
    zone = ZoneInfo(event_zone(event))
    component = icalendar.Event()
    component.add("uid", str(event.uid))
    component.add("dtstamp", event.updated_at.astimezone(UTC) if event.updated_at else datetime.now(UTC))
    component.add("dtstart", event.starts_at.astimezone(zone))
    component.add("dtend", event.ends_at.astimezone(zone))
    component.add("sequence", event.sequence)
    component.add("summary", event_title(event))
    component.add("location", event_place(event))
    component.add("url", event.video_url if event.mode == Mode.VIDEO else f"{settings.SITE_URL}/")
    component.add("description", _description(event))
    is_cancelled = cancelled or event.status == EventStatus.CANCELLED
    component.add("status", "CANCELLED" if is_cancelled else "CONFIRMED")
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = icalendar.vText(name or "Cap QVCT")
    component.add("organizer", organizer)
    return component


def _add_zones(calendar: icalendar.Calendar, events) -> None:
    """The VTIMEZONE of each zone used, with its transitions around the events only (a short file)."""
    days = [event.starts_at.date() for event in events]
    if days:
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366)
        )


def _calendar(method: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def invitation(event: Session | SupportVisit, *, to: str, cancelled: bool = False) -> bytes:
    """The file sent to `to`: a request while the event is scheduled, a cancellation afterwards (or for
    a person no longer invited)."""
    cancelled = cancelled or event.status == EventStatus.CANCELLED
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    component = event_component(event, cancelled=cancelled)
    attendee = icalendar.vCalAddress(f"mailto:{to}")
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["rsvp"] = icalendar.vText("FALSE")
    component.add("attendee", attendee)
    calendar.add_component(component)
    _add_zones(calendar, [event])
    return calendar.to_ical()


def feed(events, *, name: str) -> bytes:
    """A subscribed calendar: every event, cancelled ones with STATUS:CANCELLED so applications drop them."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event_component(event))
    _add_zones(calendar, events)
    return calendar.to_ical()
