"""What changes the second sequence, the shared diagnosis: the EDT work groups and their meetings, the
establishment's HR figures for a year (the indicators are computed from them, never typed), the work
situations analysed and the comité's rating of each (importance × feasibility)."""

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from capqvct.approaches.indicators import INPUT_LABELS
from capqvct.approaches.models import IndicatorYear, Situation, Theme, WorkGroup, WorkGroupMeeting
from capqvct.approaches.permissions import can_work_on
from capqvct.approaches.priorities import RatingError, check_level
from capqvct.approaches.services import clean_text, open_approach, record_change
from capqvct.cohorts.models import Participant
from capqvct.core.exceptions import Refusal
from capqvct.core.permissions import ensure

FIRST_YEAR = 2000
FIGURE_FIELDS = tuple(INPUT_LABELS)


def add_work_group(
    *, participant: Participant, by, name: str, members: str, subject: str = "", now: datetime | None = None
) -> WorkGroup:
    ensure(can_work_on(by, participant))
    name = clean_text(name, "name", required="Donnez un nom au groupe.")
    members = clean_text(members, "members", required="Indiquez les membres du groupe et leur métier.")
    now = now or timezone.now()
    with transaction.atomic():
        approach = open_approach(participant)
        group = WorkGroup.objects.create(
            approach=approach, name=name[:150], members=members, subject=clean_text(subject, "subject")
        )
        record_change(approach, by=by, action="approach_work_group_added", now=now, name=group.name)
    return group


def record_work_group_meeting(
    *, group: WorkGroup, by, held_on: date | None, notes: str, now: datetime | None = None
) -> WorkGroupMeeting:
    ensure(can_work_on(by, group.approach.participant))
    now = now or timezone.now()
    if held_on is None:
        raise Refusal("Indiquez la date de la réunion.", field="held_on")
    if held_on > timezone.localdate(now):
        raise Refusal(
            "Une réunion se note une fois tenue : sa date ne peut pas être à venir.", field="held_on"
        )
    notes = clean_text(notes, "notes", required="Notez ce que le groupe a dit ou décidé.")
    with transaction.atomic():
        meeting = WorkGroupMeeting.objects.create(group=group, held_on=held_on, notes=notes)
        record_change(group.approach, by=by, action="approach_work_group_met", now=now, name=group.name)
    return meeting


def save_indicator_year(
    *, participant: Participant, by, year: int | None, figures: dict, now: datetime | None = None
) -> IndicatorYear:
    """The year's raw figures, replacing what was typed for that year; a figure left empty stays
    unknown (its indicators say what is missing)."""
    ensure(can_work_on(by, participant))
    now = now or timezone.now()
    last = timezone.localdate(now).year
    if year is None or not FIRST_YEAR <= year <= last:
        raise Refusal(f"Indiquez une année entre {FIRST_YEAR} et {last}.", field="year")
    values = {name: _figure(name, figures.get(name)) for name in FIGURE_FIELDS}
    if all(value is None for value in values.values()):
        raise Refusal("Saisissez au moins un chiffre de l’année.", field=FIGURE_FIELDS[0])
    with transaction.atomic():
        approach = open_approach(participant)
        row, created = IndicatorYear.objects.update_or_create(approach=approach, year=year, defaults=values)
        record_change(approach, by=by, action="approach_indicators_saved", now=now, year=year, first=created)
    return row


def _figure(name: str, value) -> Decimal | int | None:
    if value in (None, ""):
        return None
    if value < 0:
        raise Refusal("Un chiffre ne peut pas être négatif.", field=name)
    return value


def add_situation(
    *,
    participant: Participant,
    by,
    title: str,
    theme: str,
    description: str = "",
    now: datetime | None = None,
) -> Situation:
    ensure(can_work_on(by, participant))
    title = clean_text(title, "title", required="Nommez la situation de travail.")
    if theme not in Theme.values:
        raise Refusal("Choisissez le thème QVCT de la situation.", field="theme")
    now = now or timezone.now()
    with transaction.atomic():
        approach = open_approach(participant)
        situation = Situation.objects.create(
            approach=approach,
            title=title[:200],
            theme=theme,
            description=clean_text(description, "description"),
        )
        record_change(approach, by=by, action="approach_situation_added", now=now, title=situation.title)
    return situation


def rate_situation(
    *, situation: Situation, by, importance, feasibility, retained: bool, now: datetime | None = None
) -> Situation:
    """The comité's rating of a situation (1 to 4 each), and whether it is retained as a priority."""
    ensure(can_work_on(by, situation.approach.participant))
    if importance in (None, ""):
        raise Refusal("Notez l’importance, de 1 à 4.", field="importance")
    if feasibility in (None, ""):
        raise Refusal("Notez la faisabilité, de 1 à 4.", field="feasibility")
    try:
        importance = check_level(importance, field="importance")
        feasibility = check_level(feasibility, field="feasibility")
    except RatingError as error:
        raise Refusal(error.message, field=error.field) from None
    now = now or timezone.now()
    with transaction.atomic():
        situation.importance, situation.feasibility, situation.retained = importance, feasibility, retained
        situation.save(update_fields=["importance", "feasibility", "retained"])
        record_change(
            situation.approach,
            by=by,
            action="approach_situation_rated",
            now=now,
            title=situation.title,
            importance=importance,
            feasibility=feasibility,
            retained=retained,
        )
    return situation
