"""The planning assistant's arithmetic: N session dates spread evenly between a first and a last date,
on the preferred weekdays, avoiding the region's public holidays and the school holidays typed for the
call. Pure functions (no database), so hypothesis can try every span.

Public holidays come from the `holidays` package (`holidays.France(subdiv=...)`): Alsace-Moselle's
extra days (Vendredi saint, Saint-Étienne on 26 December) for the départements 57 (subdivision « 57 »)
and 67, 68 (subdivision « 6AE »), and each overseas département's own days (abolition of slavery:
22 May in Martinique, 27 May in Guadeloupe, 10 June in Guyane, 20 December in La Réunion, 27 April in
Mayotte).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

# Départements whose public holidays differ from the national ones, and their subdivision code.
SUBDIVISIONS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
}
MAX_SPAN_MONTHS = 12
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class PlanningError(ValueError):
    """Why no proposal fits, in French, with the field the person should change."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Period:
    name: str
    starts_on: date
    ends_on: date

    def __contains__(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def one_year_after(day: date) -> date:
    """The same day twelve months later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def public_holidays(departements: Iterable[str], years: Iterable[int]) -> dict[date, str]:
    """The French public holidays of these years in any of these départements, with their French name."""
    years = sorted(set(years))
    found: dict[date, str] = dict(holidays.France(years=years, language="fr"))
    for subdivision in sorted({SUBDIVISIONS[code] for code in departements if code in SUBDIVISIONS}):
        found.update(holidays.France(subdiv=subdivision, years=years, language="fr"))
    return found


def excluded_days(
    first: date, last: date, *, departements: Iterable[str], school_holidays: Iterable[Period] = ()
) -> dict[date, str]:
    """Each day of [first, last] the sessions avoid, with the reason shown to the manager."""
    reasons = {
        day: f"jour férié ({name})"
        for day, name in public_holidays(departements, range(first.year, last.year + 1)).items()
        if first <= day <= last
    }
    for period in school_holidays:
        day = max(period.starts_on, first)
        while day <= min(period.ends_on, last):
            reasons.setdefault(day, f"vacances scolaires ({period.name})")
            day += timedelta(days=1)
    return reasons


def candidate_days(first: date, last: date, weekdays: Iterable[int], excluded) -> list[date]:
    wanted = set(weekdays)
    days, day = [], first
    while day <= last:
        if day.weekday() in wanted and day not in excluded:
            days.append(day)
        day += timedelta(days=1)
    return days


def check_span(first: date | None, last: date | None, count: int | None, weekdays) -> None:
    if first is None:
        raise PlanningError("Indiquez la première date possible.", "first")
    if last is None:
        raise PlanningError("Indiquez la dernière date possible.", "last")
    if last < first:
        raise PlanningError("La dernière date doit suivre la première.", "last")
    if last > one_year_after(first):
        raise PlanningError(
            f"Les séances s’étalent sur {MAX_SPAN_MONTHS} mois au plus : choisissez une dernière date "
            "plus proche.",
            "last",
        )
    if count is None or not 1 <= count <= 20:
        raise PlanningError("Indiquez un nombre de séances entre 1 et 20.", "count")
    if not weekdays:
        raise PlanningError("Choisissez au moins un jour de la semaine.", "weekdays")


def propose_dates(first: date, last: date, count: int, weekdays: Iterable[int], excluded=()) -> list[date]:
    """`count` distinct dates of [first, last], on the weekdays (0 = Monday), none excluded, as close as
    possible to evenly spaced targets (the first and last targets are the span's ends).

    The choice minimises the total distance to the targets over all increasing choices (a small
    dynamic programme: at most 366 candidate days × 20 sessions)."""
    weekdays = list(weekdays)
    check_span(first, last, count, weekdays)
    candidates = candidate_days(first, last, weekdays, set(excluded))
    if len(candidates) < count:
        found = {0: "Aucun jour ne convient", 1: "Un seul jour convient"}.get(
            len(candidates), f"Seuls {len(candidates)} jours conviennent"
        )
        raise PlanningError(
            f"{found} dans cette période (jours choisis, hors jours fériés et vacances) pour {count} "
            "séances : élargissez la période ou ajoutez des jours de la semaine.",
            "count",
        )
    span = (last - first).days
    targets = [first.toordinal() + (span * i / (count - 1) if count > 1 else 0) for i in range(count)]
    ordinals = [day.toordinal() for day in candidates]
    n = len(ordinals)
    infinity = float("inf")
    # cost[i][j]: best total for targets 0..i with target i on candidate j; choice[i][j]: candidate of i-1.
    cost = [[abs(ordinals[j] - targets[0]) for j in range(n)]]
    choice: list[list[int]] = [[-1] * n]
    for i in range(1, count):
        row, back = [infinity] * n, [-1] * n
        best, best_at = infinity, -1
        for j in range(n):
            if j >= 1 and cost[i - 1][j - 1] < best:
                best, best_at = cost[i - 1][j - 1], j - 1
            if best < infinity:
                row[j], back[j] = best + abs(ordinals[j] - targets[i]), best_at
        cost.append(row)
        choice.append(back)
    j = min(range(n), key=lambda k: (cost[-1][k], k))
    picked = []
    for i in range(count - 1, -1, -1):
        picked.append(candidates[j])
        j = choice[i][j]
    return picked[::-1]
