"""The planning assistant: N dates within the span, on the chosen weekdays, none on a public holiday of
the cohort's region (Alsace-Moselle, La Réunion…) nor in the school holidays typed for the call, spread
evenly."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capqvct.cohorts.calendar_planning import (
    Period,
    PlanningError,
    excluded_days,
    one_year_after,
    propose_dates,
    public_holidays,
)

FRIDAY, SATURDAY = 4, 5


def test_alsace_moselle_avoids_good_friday_and_saint_etienne():
    moselle = excluded_days(date(2030, 4, 1), date(2030, 12, 31), departements=["57"])
    assert "Vendredi saint" in moselle[date(2030, 4, 19)]
    assert date(2030, 12, 26) in moselle
    # Elsewhere in mainland France both are working days.
    herault = excluded_days(date(2030, 4, 1), date(2030, 12, 31), departements=["34"])
    assert date(2030, 4, 19) not in herault and date(2030, 12, 26) not in herault


def test_a_session_wanted_on_saint_etienne_moves_in_alsace_but_not_in_the_herault():
    """One Thursday session between 26 December 2030 (a Thursday) and the next: Bas-Rhin skips it."""
    bas_rhin = excluded_days(date(2030, 12, 26), date(2031, 1, 2), departements=["67"])
    assert propose_dates(date(2030, 12, 26), date(2031, 1, 2), 1, [3], bas_rhin) == [date(2031, 1, 2)]
    herault = excluded_days(date(2030, 12, 26), date(2031, 1, 2), departements=["34"])
    assert propose_dates(date(2030, 12, 26), date(2031, 1, 2), 1, [3], herault) == [date(2030, 12, 26)]


def test_la_reunion_avoids_the_20_december():
    reunion = excluded_days(date(2030, 12, 1), date(2030, 12, 31), departements=["974"])
    assert date(2030, 12, 20) in reunion
    # 20 December 2030 is a Friday: one Friday session from that day on moves to the next Friday.
    assert propose_dates(date(2030, 12, 20), date(2030, 12, 27), 1, [FRIDAY], reunion) == [date(2030, 12, 27)]
    assert date(2030, 12, 20) not in public_holidays(["34"], [2030])


def test_overseas_days_of_martinique_guadeloupe_guyane_and_mayotte():
    assert date(2030, 5, 22) in public_holidays(["972"], [2030])
    assert date(2030, 5, 27) in public_holidays(["971"], [2030])
    assert date(2030, 6, 10) in public_holidays(["973"], [2030])
    assert date(2030, 4, 27) in public_holidays(["976"], [2030])


def test_school_holidays_are_avoided():
    toussaint = Period("Vacances de la Toussaint", date(2030, 10, 19), date(2030, 11, 3))
    excluded = excluded_days(
        date(2030, 9, 2), date(2030, 12, 15), departements=["34"], school_holidays=[toussaint]
    )
    days = propose_dates(date(2030, 9, 2), date(2030, 12, 15), 6, [1, 3], excluded)
    assert not [day for day in days if day in toussaint]
    assert len(days) == 6


def test_six_sessions_over_a_school_year_are_spread_evenly():
    days = propose_dates(
        date(2030, 9, 2),
        date(2031, 6, 30),
        6,
        [1],
        excluded_days(date(2030, 9, 2), date(2031, 6, 30), departements=["34"]),
    )
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    assert days[0] == date(2030, 9, 3) and days[-1] >= date(2031, 6, 24)
    assert max(gaps) - min(gaps) <= 14


def test_a_span_over_twelve_months_is_refused_at_the_last_date():
    with pytest.raises(PlanningError) as refused:
        propose_dates(date(2030, 9, 2), date(2031, 9, 3), 5, [1])
    assert refused.value.field == "last"
    assert "12\u00a0mois au plus" in refused.value.message


def test_too_few_possible_days_is_refused_with_how_many_there_are():
    with pytest.raises(PlanningError) as refused:
        propose_dates(date(2030, 9, 2), date(2030, 9, 20), 5, [0])
    assert refused.value.field == "count"
    assert refused.value.message.startswith("Seuls 3 jours conviennent")


spans = st.builds(
    lambda first, length, weekdays: (first, first + timedelta(days=length), sorted(weekdays)),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=0, max_value=365),
    st.sets(st.integers(min_value=0, max_value=6), min_size=1),
)


@settings(max_examples=150, deadline=None)
@given(
    span=spans,
    count=st.integers(min_value=1, max_value=8),
    departement=st.sampled_from(["34", "57", "67", "974", "972"]),
)
def test_any_span_that_fits_gives_distinct_ordered_allowed_days(span, count, departement):
    first, last, weekdays = span
    last = min(last, one_year_after(first))
    excluded = excluded_days(first, last, departements=[departement])
    try:
        days = propose_dates(first, last, count, weekdays, excluded)
    except PlanningError as error:
        assert error.field == "count"
        possible = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        assert len([d for d in possible if d.weekday() in weekdays and d not in excluded]) < count
        return
    assert len(days) == count
    assert days == sorted(set(days))
    assert all(first <= day <= last for day in days)
    assert all(day.weekday() in weekdays for day in days)
    assert not set(days) & set(excluded)
