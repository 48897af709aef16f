"""The human-resources indicators an establishment follows during its approach: the year's raw figures
in, each indicator's value out, with the formula written once next to its computation so the page can
show the text beside the figure. Pure functions (no database), so hypothesis can try every input.

Sources:
- ANAP, « Tableau de bord de la performance dans le secteur médico-social », axe 2 Ressources
  humaines: taux d’absentéisme (hors formation) par motif, taux de rotation des personnels sur
  effectifs réels, taux d’ETP vacants au 31 décembre, taux de prestations externes.
- For work accidents, the standard French definitions used by the Assurance maladie – risques
  professionnels and the INRS: taux de fréquence (accidents with at least one day off per million
  hours worked) and taux de gravité (days lost per thousand hours worked).

Choices to know about:
- One `real_fte` serves every indicator, although the ANAP asks for the year's average for absenteeism
  and the figure at 31 December for vacant posts: establishments in a QVCT approach enter one figure,
  and the difference is small next to the year-on-year changes the approach looks at.
- External services: ANAP compares external services with direct ones. We use the cost of temporary
  staff (intérim) over the whole staff spending, external staff included, so the rate reads as « the
  share of staff spending that goes to temporary staff » and stays between 0 and 100 %; dividing by the
  masse salariale alone would exceed 100 % in a service run mostly on intérim.
- The vacant FTE rate is (budgeted − real) ÷ budgeted as given: it turns negative when the
  establishment employs more than its budget, and is shown as such rather than hidden behind a zero.
"""

from collections.abc import Callable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

DAYS_PER_YEAR = 365
TWO_PLACES = Decimal("0.01")

Favourable = Literal["low", "high"]
Trend = Literal["improvement", "deterioration", "stable"]

# Absence reasons of the ANAP dashboard, in its order, with the French words that follow « pour ».
# Training is not a reason: the ANAP rate is « hors formation ».
ABSENCE_REASONS: dict[str, str] = {
    "short_illness": "maladie ordinaire (courte durée)",
    "medium_illness": "maladie de moyenne durée",
    "long_illness": "maladie de longue durée",
    "maternity_paternity": "maternité ou paternité",
    "work_accident": "accidents du travail et maladies professionnelles",
    "special_leave": "congés spéciaux",
}


@dataclass(frozen=True)
class YearFigures:
    """One establishment’s raw figures for one calendar year; None means « not entered », never zero."""

    real_fte: Decimal | None = None
    budgeted_fte: Decimal | None = None
    headcount_previous_dec31: int | None = None
    entries: int | None = None
    exits: int | None = None
    days_short_illness: int | None = None
    days_medium_illness: int | None = None
    days_long_illness: int | None = None
    days_maternity_paternity: int | None = None
    days_work_accident: int | None = None
    days_special_leave: int | None = None
    replacement_fte: Decimal | None = None
    staff_cost: Decimal | None = None
    external_staff_cost: Decimal | None = None
    hours_worked: Decimal | None = None
    accidents_with_leave: int | None = None
    days_lost: int | None = None


INPUT_LABELS: dict[str, str] = {
    "real_fte": "ETP réels",
    "budgeted_fte": "ETP budgétés",
    "headcount_previous_dec31": "Effectif au 31 décembre de l’année précédente",
    "entries": "Entrées dans l’année",
    "exits": "Sorties dans l’année",
    **{
        f"days_{reason}": f"Jours calendaires d’absence pour {words}"
        for reason, words in ABSENCE_REASONS.items()
    },
    "replacement_fte": "ETP en CDD de remplacement",
    "staff_cost": "Masse salariale",
    "external_staff_cost": "Coût du personnel extérieur (intérim)",
    "hours_worked": "Heures travaillées",
    "accidents_with_leave": "Accidents du travail avec au moins un jour d’arrêt",
    "days_lost": "Journées perdues pour accident du travail",
}

ABSENCE_DAY_FIELDS = tuple(f"days_{reason}" for reason in ABSENCE_REASONS)


@dataclass(frozen=True)
class Indicator:
    """One indicator: what the page shows (label, formula, unit) and how it is computed.

    `calculate` receives the values of `inputs`, in that order, as Decimals, all present; it returns
    None when a denominator is not positive."""

    code: str
    label: str
    formula: str
    unit: str
    favourable: Favourable
    inputs: tuple[str, ...]
    calculate: Callable[..., Decimal | None]
    help_text: str = ""


@dataclass(frozen=True)
class Result:
    indicator: Indicator
    value: Decimal | None
    missing: tuple[str, ...]

    @property
    def explanation(self) -> str:
        """Why there is no figure, in French, or an empty string when there is one."""
        if self.value is not None:
            return ""
        if self.missing:
            return f"Il manque\u00a0: {', '.join(_in_a_sentence(label) for label in self.missing)}."
        return "Calcul impossible\u00a0: le dénominateur de la formule vaut zéro."


def _in_a_sentence(label: str) -> str:
    """A label inside a sentence: « jours calendaires… » in lower case, « ETP réels » as it is."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


@dataclass(frozen=True)
class Evolution:
    difference: Decimal
    trend: Trend

    @property
    def is_improvement(self) -> bool:
        return self.trend == "improvement"


TREND_LABELS: dict[Trend, str] = {
    "improvement": "amélioration",
    "deterioration": "dégradation",
    "stable": "stable",
}


def rate(numerator: Decimal, denominator: Decimal, *, per: int) -> Decimal | None:
    """numerator ÷ denominator × per, or None when the denominator is not positive."""
    # A zero or negative FTE, headcount or number of hours has no meaningful rate.
    if denominator <= 0:
        return None
    return numerator * per / denominator


def absence_rate(*values: Decimal) -> Decimal | None:
    """The last value is the real FTE; the ones before it are days of absence."""
    *days, real_fte = values
    return rate(sum(days, Decimal(0)), real_fte * DAYS_PER_YEAR, per=100)


def turnover(entries: Decimal, exits: Decimal, headcount: Decimal) -> Decimal | None:
    entry_rate = rate(entries, headcount, per=100)
    exit_rate = rate(exits, headcount, per=100)
    if entry_rate is None or exit_rate is None:
        return None
    return (entry_rate + exit_rate) / 2


def absenteeism_for(reason: str, words: str) -> Indicator:
    return Indicator(
        code=f"absenteeism_{reason}",
        label=f"Taux d’absentéisme pour {words}",
        formula=f"jours calendaires d’absence pour {words} ÷ (ETP réels × {DAYS_PER_YEAR})",
        unit="%",
        favourable="low",
        inputs=(f"days_{reason}", "real_fte"),
        calculate=absence_rate,
    )


INDICATORS: tuple[Indicator, ...] = (
    *(absenteeism_for(reason, words) for reason, words in ABSENCE_REASONS.items()),
    Indicator(
        code="absenteeism_overall",
        label="Taux d’absentéisme (hors formation)",
        formula=f"jours calendaires d’absence, tous motifs hors formation, ÷ (ETP réels × {DAYS_PER_YEAR})",
        unit="%",
        favourable="low",
        inputs=(*ABSENCE_DAY_FIELDS, "real_fte"),
        calculate=absence_rate,
    ),
    Indicator(
        code="turnover",
        label="Taux de rotation des personnels",
        formula=(
            "(taux d’entrées + taux de sorties) ÷ 2, où taux d’entrées = entrées dans l’année "
            "÷ effectif au 31 décembre de l’année précédente, et taux de sorties = sorties dans "
            "l’année ÷ ce même effectif"
        ),
        unit="%",
        favourable="low",
        inputs=("entries", "exits", "headcount_previous_dec31"),
        calculate=turnover,
    ),
    Indicator(
        code="vacant_fte_rate",
        label="Taux d’ETP vacants au 31 décembre",
        formula="(ETP budgétés − ETP réels) ÷ ETP budgétés",
        unit="%",
        favourable="low",
        inputs=("budgeted_fte", "real_fte"),
        calculate=lambda budgeted, real: rate(budgeted - real, budgeted, per=100),
        help_text="Un poste est compté vacant après 6 mois sans titulaire.",
    ),
    Indicator(
        code="replacement_contract_rate",
        label="Taux de CDD de remplacement",
        formula="ETP en CDD de remplacement ÷ ETP réels",
        unit="%",
        favourable="low",
        inputs=("replacement_fte", "real_fte"),
        calculate=lambda replacement, real: rate(replacement, real, per=100),
    ),
    Indicator(
        code="external_staff_rate",
        label="Taux de prestations externes (intérim)",
        formula="coût du personnel extérieur ÷ (masse salariale + coût du personnel extérieur)",
        unit="%",
        favourable="low",
        inputs=("external_staff_cost", "staff_cost"),
        calculate=lambda external, staff: rate(external, staff + external, per=100),
        help_text="Part des dépenses de personnel consacrée à l’intérim.",
    ),
    Indicator(
        code="accident_frequency_rate",
        label="Taux de fréquence des accidents du travail",
        formula="accidents avec au moins un jour d’arrêt × 1\u00a0000\u00a0000 ÷ heures travaillées",
        unit="",
        favourable="low",
        inputs=("accidents_with_leave", "hours_worked"),
        calculate=lambda accidents, hours: rate(accidents, hours, per=1_000_000),
        help_text="Nombre d’accidents avec arrêt par million d’heures travaillées.",
    ),
    Indicator(
        code="accident_severity_rate",
        label="Taux de gravité des accidents du travail",
        formula="journées perdues × 1\u00a0000 ÷ heures travaillées",
        unit="",
        favourable="low",
        inputs=("days_lost", "hours_worked"),
        calculate=lambda days, hours: rate(days, hours, per=1_000),
        help_text="Nombre de journées perdues par millier d’heures travaillées.",
    ),
)

YEAR_FIGURES_FIELDS = frozenset(field.name for field in fields(YearFigures))


def missing_inputs(indicator: Indicator, figures: YearFigures) -> tuple[str, ...]:
    """The French labels of the inputs this indicator needs and the figures lack."""
    return tuple(INPUT_LABELS[name] for name in indicator.inputs if getattr(figures, name) is None)


def compute(indicator: Indicator, figures: YearFigures) -> Decimal | None:
    """The indicator's value rounded half up to 2 decimals; None when an input is missing or a
    denominator is zero."""
    values = [getattr(figures, name) for name in indicator.inputs]
    if any(value is None for value in values):
        return None
    value = indicator.calculate(*(Decimal(value) for value in values))
    # Round once, at the end, so the overall rate is not the sum of rounded parts.
    return None if value is None else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def compute_all(figures: YearFigures) -> list[Result]:
    """Every indicator of the dashboard, in display order, with what is missing to compute it."""
    return [
        Result(
            indicator=indicator,
            value=compute(indicator, figures),
            missing=missing_inputs(indicator, figures),
        )
        for indicator in INDICATORS
    ]


def evolution(before: Decimal | None, after: Decimal | None, favourable: Favourable) -> Evolution | None:
    """The change from before to after, in points (after − before), and whether it goes the good way;
    None when either figure is unknown."""
    if before is None or after is None:
        return None
    difference = after - before
    if difference == 0:
        return Evolution(difference=difference, trend="stable")
    went_down = difference < 0
    improved = went_down if favourable == "low" else not went_down
    return Evolution(difference=difference, trend="improvement" if improved else "deterioration")
