"""What the diagnosis page reads: the EDT work groups with their meetings, the HR indicators of each
year entered (computed from the raw figures, each with its formula, and the change between the last
two years), and the work situations ranked by the comité's matrix. A fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Prefetch

from capqvct.approaches.indicators import (
    INDICATORS,
    TREND_LABELS,
    YEAR_FIGURES_FIELDS,
    Evolution,
    Indicator,
    Result,
    YearFigures,
    compute_all,
    evolution,
)
from capqvct.approaches.models import Approach, IndicatorYear, Situation, WorkGroup, WorkGroupMeeting
from capqvct.approaches.priorities import LEVELS, Ranked, rank


def work_groups_of(approach: Approach) -> list[WorkGroup]:
    if approach.pk is None:
        return []
    meetings = WorkGroupMeeting.objects.order_by("-held_on", "-pk")
    return list(
        approach.work_groups.prefetch_related(Prefetch("meetings", queryset=meetings)).order_by("name")
    )


def indicator_years_of(approach: Approach) -> list[IndicatorYear]:
    if approach.pk is None:
        return []
    return list(approach.indicator_years.order_by("year"))


def figures_of(row: IndicatorYear) -> YearFigures:
    return YearFigures(**{name: getattr(row, name) for name in YEAR_FIGURES_FIELDS})


@dataclass
class IndicatorRow:
    indicator: Indicator
    results: list[Result]
    change: Evolution | None

    @property
    def has_values(self) -> bool:
        return any(result.value is not None for result in self.results)

    @property
    def change_label(self) -> str:
        return TREND_LABELS[self.change.trend] if self.change else ""

    @property
    def change_points(self) -> str:
        """« +1,25 » or « −0,50 »: the change, signed, with a French decimal comma."""
        if self.change is None:
            return ""
        value = self.change.difference
        sign = "+" if value > 0 else "−" if value < 0 else ""
        return f"{sign}{abs(value):.2f}".replace(".", ",")


@dataclass
class IndicatorTable:
    years: list[int]
    rows: list[IndicatorRow]


def indicator_table(years: list[IndicatorYear]) -> IndicatorTable:
    """One row per indicator, one column per year entered, and the change from the year before last
    to the last (the sequence 4 review reads the same table)."""
    computed = [compute_all(figures_of(row)) for row in years]
    rows = []
    for index, indicator in enumerate(INDICATORS):
        results = [by_year[index] for by_year in computed]
        change = (
            evolution(results[-2].value, results[-1].value, indicator.favourable)
            if len(results) >= 2
            else None
        )
        rows.append(IndicatorRow(indicator, results, change))
    return IndicatorTable([row.year for row in years], rows)


def situations_of(approach: Approach) -> list[Situation]:
    if approach.pk is None:
        return []
    return list(approach.situations.order_by("pk"))


@dataclass
class Matrix:
    """The comité's matrix: for each importance (4 down to 1), the situations in each feasibility
    column (1 to 4)."""

    rows: list[tuple[int, list[list[Situation]]]]


def matrix_of(situations: list[Situation]) -> Matrix:
    cells = {(i, f): [] for i in LEVELS for f in LEVELS}
    for situation in situations:
        if situation.importance and situation.feasibility:
            cells[situation.importance, situation.feasibility].append(situation)
    return Matrix([(i, [cells[i, f] for f in LEVELS]) for i in reversed(LEVELS)])


def ranked_situations(situations: list[Situation]) -> list[Ranked[Situation]]:
    return rank(situations)
