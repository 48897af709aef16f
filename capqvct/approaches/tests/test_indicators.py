"""The HR indicators of the ANAP dashboard and the work-accident rates, checked by hand on an EHPAD’s
figures, with each formula shown beside its figure and a missing figure named in French."""

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capqvct.approaches.indicators import (
    ABSENCE_DAY_FIELDS,
    INDICATORS,
    INPUT_LABELS,
    Evolution,
    YearFigures,
    compute,
    compute_all,
    evolution,
)

BY_CODE = {indicator.code: indicator for indicator in INDICATORS}

EHPAD = YearFigures(
    real_fte=Decimal("50"),
    budgeted_fte=Decimal("52"),
    headcount_previous_dec31=70,
    entries=8,
    exits=6,
    days_short_illness=730,
    days_medium_illness=365,
    days_long_illness=1095,
    days_maternity_paternity=182,
    days_work_accident=120,
    days_special_leave=0,
    replacement_fte=Decimal("2.5"),
    staff_cost=Decimal("1940000"),
    external_staff_cost=Decimal("60000"),
    hours_worked=Decimal("72000"),
    accidents_with_leave=3,
    days_lost=120,
)


def value_of(code: str, figures: YearFigures = EHPAD) -> Decimal | None:
    return compute(BY_CODE[code], figures)


def test_short_illness_absenteeism_of_an_ehpad():
    # 730 ÷ (50 × 365) = 730 ÷ 18 250 = 0,04 → 4,00 %
    assert value_of("absenteeism_short_illness") == Decimal("4.00")


def test_absenteeism_for_each_other_reason():
    # 365 ÷ 18 250 = 2,00 % ; 1 095 ÷ 18 250 = 6,00 % ; 182 ÷ 18 250 = 0,997… → 1,00 %
    # 120 ÷ 18 250 = 0,657… → 0,66 % ; 0 ÷ 18 250 = 0,00 %
    assert value_of("absenteeism_medium_illness") == Decimal("2.00")
    assert value_of("absenteeism_long_illness") == Decimal("6.00")
    assert value_of("absenteeism_maternity_paternity") == Decimal("1.00")
    assert value_of("absenteeism_work_accident") == Decimal("0.66")
    assert value_of("absenteeism_special_leave") == Decimal("0.00")


def test_overall_absenteeism_of_an_ehpad():
    # (730 + 365 + 1 095 + 182 + 120 + 0) ÷ 18 250 = 2 492 ÷ 18 250 = 13,654… → 13,65 %
    assert value_of("absenteeism_overall") == Decimal("13.65")


def test_turnover_is_the_mean_of_entry_and_exit_rates():
    # entries 8 ÷ 70 = 11,43 %, exits 6 ÷ 70 = 8,57 % → (11,43 % + 8,57 %) ÷ 2 = 10,00 %
    assert value_of("turnover") == Decimal("10.00")


def test_vacant_fte_rate():
    # (52 − 50) ÷ 52 = 3,846… → 3,85 %
    assert value_of("vacant_fte_rate") == Decimal("3.85")


def test_more_staff_than_budgeted_gives_a_negative_vacancy_rate_rather_than_zero():
    # (50 − 51) ÷ 50 = −2,00 %
    figures = dataclasses.replace(EHPAD, budgeted_fte=Decimal("50"), real_fte=Decimal("51"))
    assert value_of("vacant_fte_rate", figures) == Decimal("-2.00")


def test_replacement_contract_rate():
    # 2,5 ÷ 50 = 5,00 %
    assert value_of("replacement_contract_rate") == Decimal("5.00")


def test_external_staff_rate_is_a_share_of_the_whole_staff_spending():
    # 60 000 ÷ (1 940 000 + 60 000) = 60 000 ÷ 2 000 000 = 3,00 %
    assert value_of("external_staff_rate") == Decimal("3.00")


def test_accident_frequency_rate():
    # 3 × 1 000 000 ÷ 72 000 = 41,666… → 41,67
    assert value_of("accident_frequency_rate") == Decimal("41.67")


def test_accident_severity_rate():
    # 120 × 1 000 ÷ 72 000 = 1,666… → 1,67
    assert value_of("accident_severity_rate") == Decimal("1.67")


def test_a_half_hundredth_is_rounded_up():
    # 1 ÷ 32 = 3,125 % → 3,13 % (half up, not the banker’s 3,12 %)
    figures = YearFigures(replacement_fte=Decimal("1"), real_fte=Decimal("32"))
    assert value_of("replacement_contract_rate", figures) == Decimal("3.13")


def test_compute_all_lists_every_indicator_in_display_order():
    codes = [result.indicator.code for result in compute_all(EHPAD)]
    assert codes == [
        "absenteeism_short_illness",
        "absenteeism_medium_illness",
        "absenteeism_long_illness",
        "absenteeism_maternity_paternity",
        "absenteeism_work_accident",
        "absenteeism_special_leave",
        "absenteeism_overall",
        "turnover",
        "vacant_fte_rate",
        "replacement_contract_rate",
        "external_staff_rate",
        "accident_frequency_rate",
        "accident_severity_rate",
    ]
    assert all(result.value is not None and result.missing == () for result in compute_all(EHPAD))


def test_a_missing_input_gives_no_figure_and_names_it_in_french():
    results = {result.indicator.code: result for result in compute_all(YearFigures(days_short_illness=730))}
    short_illness = results["absenteeism_short_illness"]
    assert short_illness.value is None
    assert short_illness.missing == ("ETP réels",)
    assert short_illness.explanation == "Il manque\u00a0: ETP réels."


def test_overall_absenteeism_needs_every_reason_because_a_blank_is_not_a_zero():
    figures = dataclasses.replace(EHPAD, days_special_leave=None)
    result = {result.indicator.code: result for result in compute_all(figures)}["absenteeism_overall"]
    assert result.value is None
    assert result.missing == ("Jours calendaires d’absence pour congés spéciaux",)


def test_nothing_entered_names_every_input_of_turnover():
    result = {result.indicator.code: result for result in compute_all(YearFigures())}["turnover"]
    assert result.missing == (
        "Entrées dans l’année",
        "Sorties dans l’année",
        "Effectif au 31 décembre de l’année précédente",
    )


@pytest.mark.parametrize(
    "code, change",
    [
        ("absenteeism_short_illness", {"real_fte": Decimal("0")}),
        ("turnover", {"headcount_previous_dec31": 0}),
        ("vacant_fte_rate", {"budgeted_fte": Decimal("0")}),
        ("external_staff_rate", {"staff_cost": Decimal("0"), "external_staff_cost": Decimal("0")}),
        ("accident_frequency_rate", {"hours_worked": Decimal("0")}),
        ("accident_severity_rate", {"hours_worked": Decimal("0")}),
    ],
)
def test_a_zero_denominator_gives_no_figure_and_says_why(code, change):
    result = {result.indicator.code: result for result in compute_all(dataclasses.replace(EHPAD, **change))}[
        code
    ]
    assert result.value is None
    assert result.missing == ()
    assert result.explanation == "Calcul impossible\u00a0: le dénominateur de la formule vaut zéro."


def test_a_computed_figure_needs_no_explanation():
    assert compute_all(EHPAD)[0].explanation == ""


absence_days = st.integers(min_value=0, max_value=20_000)
positive_fte = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("2000"), places=2)


@given(days=st.tuples(*[absence_days] * len(ABSENCE_DAY_FIELDS)), real_fte=positive_fte)
def test_overall_absenteeism_is_the_sum_of_the_rates_by_reason(days, real_fte):
    figures = YearFigures(real_fte=real_fte, **dict(zip(ABSENCE_DAY_FIELDS, days, strict=True)))
    by_reason = sum(
        value_of(f"absenteeism_{name.removeprefix('days_')}", figures) for name in ABSENCE_DAY_FIELDS
    )
    # Seven roundings of at most half a hundredth each: the gap is a whole number of hundredths ≤ 0,03.
    assert abs(value_of("absenteeism_overall", figures) - by_reason) <= Decimal("0.03")


optional_count = st.none() | st.integers(min_value=0, max_value=100_000)
optional_amount = st.none() | st.decimals(min_value=Decimal("0"), max_value=Decimal("100000000"), places=2)


@given(
    st.builds(
        YearFigures,
        **{
            field.name: optional_count if field.type == int | None else optional_amount
            for field in dataclasses.fields(YearFigures)
        },
    )
)
def test_any_figures_give_a_value_or_a_reason_never_an_error(figures):
    for result in compute_all(figures):
        assert (result.value is None) == (result.explanation != "")
        if result.value is not None:
            assert result.value == result.value.quantize(Decimal("0.01"))


def test_a_drop_in_absenteeism_is_an_improvement():
    # 13,65 % → 11,20 %: 2,45 points fewer days off
    change = evolution(Decimal("13.65"), Decimal("11.20"), BY_CODE["absenteeism_overall"].favourable)
    assert change == Evolution(difference=Decimal("-2.45"), trend="improvement")
    assert change.is_improvement


def test_a_rise_in_accident_frequency_is_a_deterioration():
    change = evolution(Decimal("41.67"), Decimal("55.56"), BY_CODE["accident_frequency_rate"].favourable)
    assert change == Evolution(difference=Decimal("13.89"), trend="deterioration")
    assert not change.is_improvement


def test_a_rise_is_an_improvement_when_high_is_favourable():
    assert evolution(Decimal("60.00"), Decimal("65.50"), "high") == Evolution(
        difference=Decimal("5.50"), trend="improvement"
    )


def test_an_unchanged_figure_is_stable():
    change = evolution(Decimal("10.00"), Decimal("10.00"), "low")
    assert change.trend == "stable" and not change.is_improvement


def test_no_evolution_without_both_figures():
    assert evolution(None, Decimal("4.00"), "low") is None
    assert evolution(Decimal("4.00"), None, "low") is None


def test_every_indicator_shows_a_french_label_and_formula_built_on_real_inputs():
    year_fields = {field.name for field in dataclasses.fields(YearFigures)}
    for indicator in INDICATORS:
        assert indicator.label.strip() and indicator.formula.strip()
        assert "'" not in indicator.label + indicator.formula, "typographic apostrophe ’ expected"
        assert indicator.unit in {"%", ""}
        assert indicator.favourable in {"low", "high"}
        assert indicator.inputs and set(indicator.inputs) <= year_fields


def test_indicator_codes_are_unique():
    assert len(BY_CODE) == len(INDICATORS)


def test_every_input_has_a_french_label():
    assert list(INPUT_LABELS) == [field.name for field in dataclasses.fields(YearFigures)]
    assert all(label.strip() and "'" not in label for label in INPUT_LABELS.values())


def test_the_vacancy_rate_says_when_a_post_counts_as_vacant():
    assert "6 mois" in BY_CODE["vacant_fte_rate"].help_text
