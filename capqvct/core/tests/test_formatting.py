import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from capqvct.core.formatting import (
    MINUS,
    NARROW_NBSP,
    NBSP,
    format_amount,
    format_date,
    format_datetime,
    format_number,
)

UTC = dt.UTC
S = NBSP  # written out in the expectations below, where « 23 h 59 » must not break
FIVE_SEPTEMBER_23_59 = f"5{S}septembre 2022 à 23{S}h{S}59"


# Dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2022, 9, 5), f"5{S}septembre 2022"),
        (dt.date(2023, 3, 1), f"1er{S}mars 2023"),
        (dt.date(2024, 2, 29), f"29{S}février 2024"),
        (dt.date(2022, 8, 15), f"15{S}août 2022"),
        (dt.date(2022, 12, 31), f"31{S}décembre 2022"),
    ],
)
def test_format_date(value, expected):
    assert format_date(value) == expected


def test_format_date_refuses_a_datetime_whose_day_depends_on_the_zone():
    with pytest.raises(TypeError):
        format_date(dt.datetime(2022, 9, 5, 22, 0, tzinfo=UTC))


# Date and time


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        # The STYLE.md deadline, in the three kinds of zone.
        (dt.datetime(2022, 9, 5, 21, 59, tzinfo=UTC), "Europe/Paris", FIVE_SEPTEMBER_23_59),
        (dt.datetime(2022, 9, 5, 19, 59, tzinfo=UTC), "Indian/Reunion", FIVE_SEPTEMBER_23_59),
        (dt.datetime(2022, 9, 6, 3, 59, tzinfo=UTC), "America/Martinique", FIVE_SEPTEMBER_23_59),
        # One instant, two days: midnight in Paris is 2 a.m. in La Réunion, still 6 p.m. in Martinique.
        (dt.datetime(2022, 9, 5, 22, 0, tzinfo=UTC), "Europe/Paris", f"6{S}septembre 2022 à 0{S}h"),
        (dt.datetime(2022, 9, 5, 22, 0, tzinfo=UTC), "Indian/Reunion", f"6{S}septembre 2022 à 2{S}h"),
        (dt.datetime(2022, 9, 5, 22, 0, tzinfo=UTC), "America/Martinique", f"5{S}septembre 2022 à 18{S}h"),
        # Paris, spring forward on 27 March 2022: 1 h 59 CET is followed by 3 h CEST.
        (dt.datetime(2022, 3, 27, 0, 59, tzinfo=UTC), "Europe/Paris", f"27{S}mars 2022 à 1{S}h{S}59"),
        (dt.datetime(2022, 3, 27, 1, 0, tzinfo=UTC), "Europe/Paris", f"27{S}mars 2022 à 3{S}h"),
        # Paris, fall back on 30 October 2022: 2 h 30 happens twice, an hour apart.
        (dt.datetime(2022, 10, 30, 0, 30, tzinfo=UTC), "Europe/Paris", f"30{S}octobre 2022 à 2{S}h{S}30"),
        (dt.datetime(2022, 10, 30, 1, 30, tzinfo=UTC), "Europe/Paris", f"30{S}octobre 2022 à 2{S}h{S}30"),
        # La Réunion and Martinique have no daylight saving time.
        (dt.datetime(2022, 1, 15, 8, 5, tzinfo=UTC), "Indian/Reunion", f"15{S}janvier 2022 à 12{S}h{S}05"),
        (dt.datetime(2022, 7, 15, 8, 5, tzinfo=UTC), "Indian/Reunion", f"15{S}juillet 2022 à 12{S}h{S}05"),
        (dt.datetime(2022, 1, 15, 8, 5, tzinfo=UTC), "America/Martinique", f"15{S}janvier 2022 à 4{S}h{S}05"),
        (dt.datetime(2022, 7, 15, 8, 5, tzinfo=UTC), "America/Martinique", f"15{S}juillet 2022 à 4{S}h{S}05"),
        (dt.datetime(2023, 3, 1, 8, 0, tzinfo=UTC), ZoneInfo("Europe/Paris"), f"1er{S}mars 2023 à 9{S}h"),
    ],
)
def test_format_datetime_in_the_zone(value, zone, expected):
    assert format_datetime(value, zone) == expected


def test_the_time_zone_of_the_datetime_itself_does_not_matter():
    in_paris = dt.datetime(2022, 9, 5, 23, 59, tzinfo=ZoneInfo("Europe/Paris"))

    assert format_datetime(in_paris, "Indian/Reunion") == f"6{S}septembre 2022 à 1{S}h{S}59"


@pytest.mark.parametrize(
    ("zone", "label"),
    [
        ("Europe/Paris", "heure de Paris"),
        ("Indian/Reunion", "heure de La Réunion"),
        ("America/Martinique", "heure de la Martinique"),
        ("America/Guadeloupe", "heure de la Guadeloupe"),
        ("America/Cayenne", "heure de la Guyane"),
        ("Indian/Mayotte", "heure de Mayotte"),
        ("UTC", "UTC"),
        ("Asia/Kolkata", "UTC+5:30"),
        ("America/Sao_Paulo", f"UTC{MINUS}3"),
    ],
)
def test_format_datetime_with_zone_names_it(zone, label):
    value = dt.datetime(2022, 9, 5, 12, 0, tzinfo=UTC)

    assert format_datetime(value, zone, with_zone=True).endswith(f" ({label})")


def test_format_datetime_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        format_datetime(dt.datetime(2022, 9, 5, 23, 59), "Europe/Paris")


# Amounts and numbers


@pytest.mark.parametrize(
    ("value", "cents", "expected"),
    [
        (2000, False, f"2{NARROW_NBSP}000{NBSP}€"),
        (0, False, f"0{NBSP}€"),
        (999, False, f"999{NBSP}€"),
        (1_234_567, False, f"1{NARROW_NBSP}234{NARROW_NBSP}567{NBSP}€"),
        (-1500, False, f"{MINUS}1{NARROW_NBSP}500{NBSP}€"),
        (Decimal("2000.50"), True, f"2{NARROW_NBSP}000,50{NBSP}€"),
        (Decimal("2000.5"), False, f"2{NARROW_NBSP}001{NBSP}€"),  # half up to the euro
        (Decimal("2000.49"), False, f"2{NARROW_NBSP}000{NBSP}€"),
        (Decimal("-1500.25"), True, f"{MINUS}1{NARROW_NBSP}500,25{NBSP}€"),
        (Decimal("-0.4"), False, f"0{NBSP}€"),  # no « −0 € »
        (Decimal("1E+3"), False, f"1{NARROW_NBSP}000{NBSP}€"),
        (1500, True, f"1{NARROW_NBSP}500,00{NBSP}€"),
        (0.1 + 0.2, True, f"0,30{NBSP}€"),
        (19.99, False, f"20{NBSP}€"),
    ],
)
def test_format_amount(value, cents, expected):
    assert format_amount(value, cents=cents) == expected


@pytest.mark.parametrize("value", [True, "2000", None, float("nan"), float("inf"), Decimal("NaN")])
def test_format_amount_refuses_what_is_not_a_finite_number(value):
    with pytest.raises((TypeError, ValueError)):
        format_amount(value)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_format_amount_gives_back_the_integer_once_separators_are_removed(value):
    text = format_amount(value)

    assert text.endswith(f"{NBSP}€")
    assert int(text.removesuffix(f"{NBSP}€").replace(NARROW_NBSP, "").replace(MINUS, "-")) == value


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2))
def test_format_amount_with_cents_gives_back_the_decimal(value):
    text = format_amount(value, cents=True)

    plain = text.removesuffix(f"{NBSP}€").replace(NARROW_NBSP, "").replace(MINUS, "-").replace(",", ".")
    assert Decimal(plain) == value


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_format_amount_groups_thousands_by_three_and_never_breaks(value):
    text = format_amount(value)

    groups = text.removesuffix(f"{NBSP}€").removeprefix(MINUS).split(NARROW_NBSP)
    assert 1 <= len(groups[0]) <= 3
    assert all(len(group) == 3 for group in groups[1:])
    assert " " not in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (34875, f"34{NARROW_NBSP}875"),
        (1000, f"1{NARROW_NBSP}000"),
        (12, "12"),
        (-1234, f"{MINUS}1{NARROW_NBSP}234"),
        (Decimal("1234.5"), f"1{NARROW_NBSP}234,5"),
        (Decimal("0.05"), "0,05"),
        (2.5, "2,5"),
    ],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_format_number_rounds_to_the_places_asked():
    assert format_number(Decimal("1234.567"), decimals=1) == f"1{NARROW_NBSP}234,6"


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_format_number_gives_back_the_integer(value):
    assert int(format_number(value).replace(NARROW_NBSP, "").replace(MINUS, "-")) == value


# Template filters


def render(source: str, **context) -> str:
    return Template("{% load fr %}" + source).render(Context(context))


def test_template_filters():
    deadline = dt.datetime(2022, 9, 5, 19, 59, tzinfo=UTC)

    assert render("{{ d|date_fr }}", d=dt.date(2023, 3, 1)) == f"1er{S}mars 2023"
    assert render("{{ d|datetime_fr:zone }}", d=deadline, zone="Indian/Reunion") == FIVE_SEPTEMBER_23_59
    assert render("{{ d|datetime_fr_with_zone:zone }}", d=deadline, zone=ZoneInfo("Indian/Reunion")) == (
        f"{FIVE_SEPTEMBER_23_59} (heure de La Réunion)"
    )
    assert render("{{ a|amount }}", a=Decimal("2000.50")) == f"2{NARROW_NBSP}001{NBSP}€"
    assert render('{{ a|amount:"cents" }}', a=Decimal("2000.50")) == f"2{NARROW_NBSP}000,50{NBSP}€"
    assert render("{{ n|number }}", n=34875) == f"34{NARROW_NBSP}875"


def test_datetime_filter_without_zone_uses_the_active_one(settings):
    settings.TIME_ZONE = "Europe/Paris"

    deadline = dt.datetime(2022, 9, 5, 21, 59, tzinfo=UTC)

    assert render("{{ d|datetime_fr }}", d=deadline) == FIVE_SEPTEMBER_23_59


@pytest.mark.parametrize("name", ["date_fr", "datetime_fr", "datetime_fr_with_zone", "amount", "number"])
@pytest.mark.parametrize("value", [None, ""])
def test_template_filters_render_an_empty_value_as_nothing(name, value):
    assert render(f"{{{{ v|{name} }}}}", v=value) == ""
