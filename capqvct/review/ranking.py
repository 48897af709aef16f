"""Consolidation of a call's review: the ranking table of its dossiers.

Definitions (the same in docs/guide-agents.md, « Classement des dossiers »):

- Only a reviewer's *submitted* notation counts, and only if they declared no conflict of interest.
- A reviewer's **mark** for a dossier, on 20, is the weighted mean of the criteria they scored:
  20 × Σ(weight × value ÷ scale_max) ÷ Σ(weight). A criterion left without a value does not count;
  a notation where no criterion (of non-zero weight) was scored gives no mark.
- A dossier's **average** is the plain mean of its reviewers' marks; it has none without any mark.
- The **spread** is the highest mark minus the lowest; it needs at least two marks.
- A **disagreement** (« désaccord ») is a spread of DISAGREEMENT_THRESHOLD points on 20 or more.
- The **rank** orders dossiers by average, best first; equal averages share a rank (1, 2, 2, 4)
  and are listed by establishment name, then by dossier number. Dossiers without an average have
  no rank and come last, whatever the sort.

Marks are exact fractions, so two dossiers with the same marks are truly tied, never split by a
float rounding. The selector reads the dossiers, the grid's criteria, and every notation with its
scores (three queries whatever the number of dossiers), then computes in Python (see bench/review.py
for its cost next to the same averages computed by one SQL aggregate).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import lcm

from django.db.models import BooleanField, ExpressionWrapper, Q

from capqvct.applications.models import Application, ApplicationStatus
from capqvct.core.formatting import format_number
from capqvct.review.models import Assignment, Outcome, Review

SCALE = 20
DISAGREEMENT_THRESHOLD = Fraction(5)  # points on 20
# The dossiers of a call that the review ranks: submitted before the deadline, handed to the review.
RANKED_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)

# Eligibility as the table shows it: from the agents' EligibilityReview, when there is one.
ELIGIBLE, INELIGIBLE, PENDING = "eligible", "ineligible", "pending"
ELIGIBILITY_LABELS = {
    ELIGIBLE: "Éligibilité confirmée",
    INELIGIBLE: "Inéligible",
    PENDING: "À confirmer",
}
NO_DECISION = "none"
DECISION_LABELS = {**dict(Outcome.choices), NO_DECISION: "Sans décision"}

Number = Fraction | Decimal | int


# The computation, on plain numbers ---------------------------------------------------------------


def reviewer_mark(scores: Iterable[tuple[Number, int | None, int]]) -> Fraction | None:
    """A reviewer's mark on 20 from their (weight, value, scale_max) scores; None if nothing counts."""
    counted = [
        (_exact(weight), value, scale_max)
        for weight, value, scale_max in scores
        if value is not None and scale_max
    ]
    if not counted:
        return None
    # In whole units (a common denominator for the weights, another for the scales), summed as integers:
    # a Fraction per score would cost ten times more for the same exact result.
    scale = lcm(*(scale_max for _, _, scale_max in counted))
    weight_unit = lcm(*(weight.denominator for weight, _, _ in counted))
    weighted = total_weight = 0
    for weight, value, scale_max in counted:
        units = weight.numerator * (weight_unit // weight.denominator)
        weighted += units * value * (scale // scale_max)
        total_weight += units
    if not total_weight:
        return None
    return Fraction(SCALE * weighted, total_weight * scale)


def _exact(weight: Number) -> Fraction | int:
    return weight if isinstance(weight, int | Fraction) else Fraction(weight)


def average(marks: Sequence[Fraction]) -> Fraction | None:
    return sum(marks, Fraction(0)) / len(marks) if marks else None


def spread(marks: Sequence[Fraction]) -> Fraction | None:
    return max(marks) - min(marks) if len(marks) >= 2 else None


def one_decimal(value: Fraction | None) -> Decimal | None:
    """A mark as shown and exported: on 20, rounded half up to one decimal."""
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"), "ROUND_HALF_UP")


def mark_text(value: Fraction | None) -> str:
    """« 12,3 » with the French decimal comma; « — » without a value."""
    return "—" if value is None else format_number(one_decimal(value))


def is_disagreement(gap: Fraction | None) -> bool:
    return gap is not None and gap >= DISAGREEMENT_THRESHOLD


@dataclass(frozen=True)
class Notation:
    """One reviewer's assignment to a dossier, with their scores as (weight, value, scale_max)."""

    submitted: bool
    conflict: bool
    scores: tuple[tuple[Number, int | None, int], ...] = ()


@dataclass(frozen=True)
class Consolidated:
    marks: tuple[Fraction, ...]
    average: Fraction | None
    spread: Fraction | None
    disagreement: bool
    remitted: int  # submitted notations, conflicts excluded
    assigned: int  # assignments, conflicts excluded


def consolidate(notations: Iterable[Notation]) -> Consolidated:
    """A dossier's figures from its reviewers' notations: conflicts and unsubmitted ones do not count."""
    counted = [notation for notation in notations if not notation.conflict]
    remitted = [notation for notation in counted if notation.submitted]
    marks = tuple(mark for n in remitted if (mark := reviewer_mark(n.scores)) is not None)
    gap = spread(marks)
    return Consolidated(
        marks=marks,
        average=average(marks),
        spread=gap,
        disagreement=is_disagreement(gap),
        remitted=len(remitted),
        assigned=len(counted),
    )


def competition_ranks(averages: Sequence[Fraction | None]) -> list[int | None]:
    """Ranks of averages already sorted best first: equal ones share a rank (1, 2, 2, 4); None has none."""
    ranks: list[int | None] = []
    for position, value in enumerate(averages):
        if value is None:
            ranks.append(None)
        elif position and value == averages[position - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(position + 1)
    return ranks


# The ranking table -------------------------------------------------------------------------------


@dataclass
class RankedDossier:
    application_id: int
    establishment_name: str
    finess_et: str
    departement_code: str
    departement_name: str
    eligibility: str
    outcome: str  # an Outcome value, or "" without a decision
    figures: Consolidated
    rank: int | None = None

    @property
    def average(self) -> Fraction | None:
        return self.figures.average

    @property
    def spread(self) -> Fraction | None:
        return self.figures.spread

    @property
    def average_text(self) -> str:
        return mark_text(self.average)

    @property
    def spread_text(self) -> str:
        return mark_text(self.spread)

    @property
    def eligibility_label(self) -> str:
        return ELIGIBILITY_LABELS[self.eligibility]

    @property
    def outcome_label(self) -> str:
        return DECISION_LABELS[self.outcome] if self.outcome else ""


ELIGIBILITY_ORDER = {ELIGIBLE: 0, PENDING: 1, INELIGIBLE: 2}
OUTCOME_ORDER = {value: n for n, value in enumerate(Outcome.values)}

# ?tri= keys: (the value sorted on, None sorting last; whether the first click sorts descending).
SORTS = {
    "moyenne": (lambda d: d.average, True),
    "etablissement": (lambda d: d.establishment_name.casefold(), False),
    "departement": (lambda d: d.departement_code, False),
    "notations": (lambda d: d.figures.remitted, False),
    "ecart": (lambda d: d.spread, True),
    "eligibilite": (lambda d: ELIGIBILITY_ORDER[d.eligibility], False),
    "decision": (lambda d: OUTCOME_ORDER[d.outcome] if d.outcome else None, False),
}
DEFAULT_SORT = "moyenne"


def parse_sort(value: str) -> str:
    """A ?tri= value as given if known (« ecart », « -ecart »), else the default."""
    return value if value.removeprefix("-") in SORTS else DEFAULT_SORT


def sort_dossiers(dossiers: Sequence[RankedDossier], sort: str) -> list[RankedDossier]:
    """Sorted on a column, ties by establishment name then dossier number; missing values last."""
    key, descending = SORTS[sort.removeprefix("-")]
    if sort.startswith("-"):
        descending = not descending
    by_name = sorted(dossiers, key=lambda d: (d.establishment_name.casefold(), d.application_id))
    present = [d for d in by_name if key(d) is not None]
    missing = [d for d in by_name if key(d) is None]
    # Python's sort is stable, also in reverse: equal values keep the name order.
    return sorted(present, key=key, reverse=descending) + missing


@dataclass(frozen=True)
class RankingFilters:
    departement: str = ""
    eligibility: str = ""  # ELIGIBLE, INELIGIBLE, PENDING or "" for all
    disagreement_only: bool = False
    decision: str = ""  # an Outcome value, NO_DECISION, or "" for all

    def keeps(self, dossier: RankedDossier) -> bool:
        return (
            (not self.departement or dossier.departement_code == self.departement)
            and (not self.eligibility or dossier.eligibility == self.eligibility)
            and (not self.disagreement_only or dossier.figures.disagreement)
            and (not self.decision or (dossier.outcome or NO_DECISION) == self.decision)
        )

    @property
    def any(self) -> bool:
        return bool(self.departement or self.eligibility or self.disagreement_only or self.decision)


@dataclass
class Ranking:
    dossiers: list[RankedDossier]  # filtered and sorted
    total: int  # every ranked dossier of the call, before filtering
    departements: list[tuple[str, str]] = field(default_factory=list)  # (code, name) of the dossiers


def ranking(review: Review, *, sort: str = DEFAULT_SORT, filters: RankingFilters | None = None) -> Ranking:
    """The ranking table of the review's call, in three queries whatever the number of dossiers."""
    filters = filters or RankingFilters()
    applications = Application.objects.filter(call_id=review.call_id, status__in=RANKED_STATUSES)
    rows = applications.values_list(
        "pk",
        "establishment__name",
        "establishment__finess_et",
        "establishment__departement__code",
        "establishment__departement__name",
        "eligibility_review__eligible",
        "decision__outcome",
    )
    criteria = {
        pk: (Fraction(weight), scale_max)
        for pk, weight, scale_max in review.criteria.values_list("pk", "weight", "scale_max")
    }
    # A declared conflict takes the reviewer off the dossier: their notation counts for nothing.
    scores = (
        Assignment.objects.filter(application__in=applications, conflict_declared_at__isnull=True)
        .annotate(remitted=ExpressionWrapper(Q(submitted_at__isnull=False), output_field=BooleanField()))
        .values_list("application_id", "pk", "remitted", "scores__criterion_id", "scores__value")
    )
    notations: dict[int, dict[int, tuple[bool, list]]] = defaultdict(dict)
    for application_id, assignment_id, remitted, criterion_id, value in scores:
        notation = notations[application_id].setdefault(assignment_id, (remitted, []))
        if criterion_id in criteria:  # None for a notation without any score
            weight, scale_max = criteria[criterion_id]
            notation[1].append((weight, value, scale_max))
    dossiers = [
        RankedDossier(
            application_id=pk,
            establishment_name=name,
            finess_et=finess_et,
            departement_code=departement_code,
            departement_name=departement_name,
            eligibility=PENDING if eligible is None else ELIGIBLE if eligible else INELIGIBLE,
            outcome=outcome or "",
            figures=consolidate(
                Notation(submitted=remitted, conflict=False, scores=tuple(scores))
                for remitted, scores in notations[pk].values()
            ),
        )
        for pk, name, finess_et, departement_code, departement_name, eligible, outcome in rows
    ]
    by_rank = sort_dossiers(dossiers, DEFAULT_SORT)
    for dossier, rank in zip(by_rank, competition_ranks([d.average for d in by_rank]), strict=True):
        dossier.rank = rank
    departements = sorted({(d.departement_code, d.departement_name) for d in dossiers})
    if sort == DEFAULT_SORT:
        kept = [d for d in by_rank if filters.keeps(d)]
    else:
        kept = sort_dossiers([d for d in dossiers if filters.keeps(d)], sort)
    return Ranking(dossiers=kept, total=len(dossiers), departements=departements)
