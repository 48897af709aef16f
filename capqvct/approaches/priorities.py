"""The comité QVT's prioritisation matrix: each work situation or QVCT theme is rated for its
importance (1 to 4) and its feasibility (1 to 4); the score is their product.

- The **quadrant** places a rating in the matrix: both 3 or more, « À traiter en priorité »;
  importance 2 or less but feasibility 3 or more, « Gains rapides »; importance 3 or more but
  feasibility 2 or less, « À préparer »; otherwise « Plus tard ».
- The **rank** orders rated items by score, best first, then by importance (the more important of
  two equal scores first), then in their original order. Items equal in score and importance share a
  rank (1, 2, 2, 4); items not rated yet (either value missing) have no rank and come last, in their
  original order.

Pure functions (no database), so hypothesis can try every rating.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from capqvct.core.formatting import NBSP

LEVELS = range(1, 5)

PRIORITY, QUICK_WIN, PREPARE, LATER = "priority", "quick_win", "prepare", "later"
QUADRANT_LABELS = {
    PRIORITY: "À traiter en priorité",
    QUICK_WIN: "Gains rapides",
    PREPARE: "À préparer",
    LATER: "Plus tard",
}

T = TypeVar("T")
Rating = tuple[int | None, int | None]


class RatingError(ValueError):
    """A rating outside the matrix, in French, with the field the comité should change."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


def check_level(value: Any, *, field: str) -> int:
    """The value itself if it is a whole level of the matrix (1 to 4), else a RatingError."""
    name = {"importance": "L’importance", "feasibility": "La faisabilité"}[field]
    # bool is an int to Python, but True is not a rating.
    if isinstance(value, bool) or not isinstance(value, int) or value not in LEVELS:
        raise RatingError(f"{name} se note de 1 à 4{NBSP}: {value!r} ne convient pas.", field)
    return value


def score(importance: int, feasibility: int) -> int:
    """importance × feasibility, from 1 to 16."""
    return check_level(importance, field="importance") * check_level(feasibility, field="feasibility")


def quadrant(importance: int, feasibility: int) -> str:
    """The matrix's quadrant code: "priority", "quick_win", "prepare" or "later" (see QUADRANT_LABELS)."""
    important = check_level(importance, field="importance") >= 3
    feasible = check_level(feasibility, field="feasibility") >= 3
    if important:
        return PRIORITY if feasible else PREPARE
    return QUICK_WIN if feasible else LATER


@dataclass(frozen=True)
class Ranked(Generic[T]):
    """An item with its place in the matrix; rank, score and quadrant are None until it is rated."""

    item: T
    rank: int | None
    importance: int | None
    feasibility: int | None
    score: int | None
    quadrant: str | None

    @property
    def quadrant_label(self) -> str:
        return QUADRANT_LABELS[self.quadrant] if self.quadrant else ""


def _rating_of(item: Any) -> Rating:
    return (item.importance, item.feasibility)


def rank(items: Iterable[T], key: Callable[[T], Rating] = _rating_of) -> list[Ranked[T]]:
    """The items best first, with competition ranks (1, 2, 2, 4); unrated items last, unranked.

    `key` gives an item's (importance, feasibility), either None while not rated; by default the
    item's `importance` and `feasibility` attributes. A value outside 1–4 raises a RatingError."""
    rated: list[Ranked[T]] = []
    unrated: list[Ranked[T]] = []
    for item in items:
        importance, feasibility = key(item)
        if importance is None or feasibility is None:
            # Half a rating is still checked: a 7 typed in one field must not wait for the other.
            if importance is not None:
                check_level(importance, field="importance")
            if feasibility is not None:
                check_level(feasibility, field="feasibility")
            unrated.append(Ranked(item, None, importance, feasibility, None, None))
        else:
            rated.append(
                Ranked(
                    item,
                    None,
                    importance,
                    feasibility,
                    score(importance, feasibility),
                    quadrant(importance, feasibility),
                )
            )
    # list.sort() is stable: equal scores and importances keep the original order.
    rated.sort(key=_order)
    ranked: list[Ranked[T]] = []
    for position, current in enumerate(rated):
        tied = ranked and _order(ranked[-1]) == _order(current)
        ranked.append(replace(current, rank=ranked[-1].rank if tied else position + 1))
    return ranked + unrated


def _order(ranked: Ranked) -> tuple[int, int]:
    """Sorting key, best first: higher score, then higher importance."""
    return (-ranked.score, -ranked.importance)
