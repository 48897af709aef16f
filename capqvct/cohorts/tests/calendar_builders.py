"""A confirmed cohort with its pair and trinômes, ready for its calendar, for the calendar's tests."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from capqvct.cohorts import calendar_services
from capqvct.cohorts.models import Cohort, Mode
from capqvct.cohorts.tests.builders import confirmed_cohort, manager_of_occitanie

PARIS = ZoneInfo("Europe/Paris")


def at(day: date, hour: int, minute: int = 0, zone=PARIS) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def planned_cohort(herault: int = 2):
    """(manager, cohort): a confirmed cohort of `herault` establishments of the Hérault."""
    manager = manager_of_occitanie()
    # Read again: the builder's call still holds its grouping as it was before the confirmation.
    return manager, Cohort.objects.get(pk=confirmed_cohort(manager, herault=herault).pk)


def session_of(cohort, by, day=date(2031, 3, 4), **changes):
    fields = {
        "starts_at": at(day, 9),
        "ends_at": at(day, 17),
        "mode": Mode.ON_SITE,
        "address": "EHPAD Les Oliviers, 12 rue des Écoles, 34000 Montpellier",
        "agenda": "Lancement de la démarche",
        **changes,
    }
    return calendar_services.schedule_session(cohort=cohort, by=by, **fields)
