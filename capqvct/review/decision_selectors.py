"""What the decisions page reads: the call's dossiers in review in the ranking table's order, one page
of them with their decisions and actions, the counts for the commission, and the bulk proposal.

The page costs the same queries and the same HTML whatever the number of dossiers: the ranking is
computed over the whole call (ranking.ranking, three queries), the counts are one aggregate, and only
the PAGE_SIZE rows shown read their decision (one query).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls.models import Call
from capqvct.review.decisions import decisions_of_call
from capqvct.review.models import Decision, Outcome, Review
from capqvct.review.ranking import INELIGIBLE, PENDING, RankedDossier, ranking
from capqvct.review.selectors import conflict_notices, manager_conflicts
from capqvct.review.states import DECISION, DRAFTED

PAGE_SIZE = 50


def ranked_dossiers_in_review(review: Review | None) -> list[RankedDossier]:
    """The call's dossiers in review, best average first (the ranking table's default order)."""
    if review is None:
        return []
    in_review = set(
        Application.objects.filter(call_id=review.call_id, status=ApplicationStatus.IN_REVIEW).values_list(
            "pk", flat=True
        )
    )
    return [d for d in ranking(review).dossiers if d.application_id in in_review]


@dataclass(frozen=True)
class DecisionCounts:
    """The call's decisions on dossiers still in review, by outcome and by stage."""

    by_outcome: dict[str, int]
    drafted: int
    drafted_by_outcome: dict[str, int]
    confirmed: int

    @property
    def selected(self) -> int:
        return self.by_outcome[Outcome.SELECTED]

    def labelled(self) -> list[tuple[str, int]]:
        return [(label, self.by_outcome[value]) for value, label in Outcome.choices]

    def drafted_labelled(self) -> list[tuple[str, int]]:
        return [(label, self.drafted_by_outcome[value]) for value, label in Outcome.choices]


def decision_counts(call: Call) -> DecisionCounts:
    """One aggregate query."""
    drafted = DECISION.condition(DRAFTED)
    aggregates = {f"all_{value}": Count("pk", filter=Q(outcome=value)) for value in Outcome.values}
    aggregates |= {
        f"draft_{value}": Count("pk", filter=Q(outcome=value) & drafted) for value in Outcome.values
    }
    counts = decisions_of_call(call).aggregate(
        drafted=Count("pk", filter=drafted), confirmed=Count("pk", filter=~drafted), **aggregates
    )
    return DecisionCounts(
        by_outcome={value: counts[f"all_{value}"] for value in Outcome.values},
        drafted=counts["drafted"],
        drafted_by_outcome={value: counts[f"draft_{value}"] for value in Outcome.values},
        confirmed=counts["confirmed"],
    )


def pending_eligibility(dossiers: Sequence[RankedDossier]) -> list[RankedDossier]:
    """The dossiers whose eligibility no agent has confirmed yet."""
    return [d for d in dossiers if d.eligibility == PENDING]


@dataclass
class DecisionRow:
    """A row of the decisions page: the dossier's place in the ranking and its decision, if any."""

    ranked: RankedDossier
    decision: Decision | None
    actions: dict = field(default_factory=dict)
    # A programme manager's declared conflict of interest, said to them and to the other managers.
    conflict_notices: list[str] = field(default_factory=list)

    @property
    def application_id(self) -> int:
        return self.ranked.application_id

    @property
    def draftable(self) -> bool:
        """A first draft, or a draft not yet confirmed (the table's « redraft »)."""
        return self.decision is None or "redraft" in self.actions


def decision_page(
    dossiers: Sequence[RankedDossier], number, *, call: Call, by
) -> tuple[Page, list[DecisionRow]]:
    """The page `number` (any value: a wrong one gives the first or the last page) and its rows, with
    the managers' declared conflicts (one query more)."""
    page = Paginator(dossiers, PAGE_SIZE).get_page(number)
    ids = [d.application_id for d in page.object_list]
    decisions = {
        decision.application_id: decision
        for decision in Decision.objects.filter(application_id__in=ids).select_related(
            "application__call__programme", "confirmed_by"
        )
    }
    conflicts = manager_conflicts(call, ids)
    rows = []
    for dossier in page.object_list:
        decision = decisions.get(dossier.application_id)
        actions = DECISION.allowed_actions(decision, by=by) if decision else {}
        notices = conflict_notices(conflicts.get(dossier.application_id, []), by)
        rows.append(DecisionRow(ranked=dossier, decision=decision, actions=actions, conflict_notices=notices))
    return page, rows


# The bulk proposal « Retenir les N premiers » --------------------------------------------------------


@dataclass(frozen=True)
class ProposedDecision:
    dossier: RankedDossier
    outcome: str
    waiting_position: int | None = None  # 1, 2, 3… among the proposal's waiting list


@dataclass(frozen=True)
class Proposal:
    rows: list[ProposedDecision]  # in ranking order
    kept: int  # dossiers whose decision is confirmed: left as they are

    def of(self, outcome: str) -> list[ProposedDecision]:
        return [row for row in self.rows if row.outcome == outcome]

    def count(self, outcome: str) -> int:
        return len(self.of(outcome))

    def labelled_counts(self) -> list[tuple[str, int]]:
        return [(label, self.count(value)) for value, label in Outcome.choices]


def propose_decisions(dossiers: Sequence[RankedDossier], *, selected: int, waiting: int) -> Proposal:
    """Drafts for every dossier without a confirmed decision, in ranking order: the first `selected`
    not found ineligible are « retenu », the next `waiting` « liste d’attente » in that order, the
    others « non retenu »; a dossier an agent found ineligible is « inéligible ». Eligibility not yet
    confirmed does not stop a dossier from being proposed (the page warns about it)."""
    confirmed = set(
        Decision.objects.filter(application_id__in=[d.application_id for d in dossiers])
        .exclude(DECISION.condition(DRAFTED))
        .values_list("application_id", flat=True)
    )
    rows, position = [], 0
    for dossier in dossiers:
        if dossier.application_id in confirmed:
            continue
        if dossier.eligibility == INELIGIBLE:
            rows.append(ProposedDecision(dossier, Outcome.INELIGIBLE))
            continue
        position += 1
        if position <= selected:
            rows.append(ProposedDecision(dossier, Outcome.SELECTED))
        elif position <= selected + waiting:
            rows.append(ProposedDecision(dossier, Outcome.WAITING_LIST, position - selected))
        else:
            rows.append(ProposedDecision(dossier, Outcome.NOT_SELECTED))
    return Proposal(rows=rows, kept=len(confirmed))
