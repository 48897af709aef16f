"""The one rule every survey reader goes through (pages, PDF, CSV, ODS, API): no figure computed from
fewer than `threshold` respondents, and no figure that, put next to others shown, lets a reader work
out a group smaller than that.

A mean shown for a whole establishment and for some of its groups gives away the mean of everyone
else: « tous » minus the groups shown. So a breakdown is safe when every group shown has at least
`threshold` people and what is left over (the people of the groups not shown) is either nobody or at
least `threshold` people. `safe_groups` picks the groups to show under that rule, hiding the smallest
until it holds; fewer than two groups left means the breakdown says nothing the total does not, and
nothing is shown. The rule is applied twice: to the people of each group (the groups under the
threshold merged into « Autres »), then to those who answered each scale (a scale most of a group
skipped is hidden for every group that would give it away).

Pure Python: hypothesis generates respondents and checks that no group under the threshold can be
derived from what is shown (tests/test_anonymity.py).
"""

from collections import Counter
from collections.abc import Iterable, Mapping

from django.conf import settings

OTHERS = "Autres ou non renseigné"
# The key of the merged group: no answer can be this (a service named « Autres… » stays its own group).
OTHERS_KEY = "\x00others"
NOT_ANSWERED = ""


def threshold() -> int:
    return max(5, settings.SURVEY_MIN_RESPONDENTS)


def free_text_threshold() -> int:
    return max(10, settings.SURVEY_MIN_FREE_TEXT_RESPONDENTS)


def enough(count: int, minimum: int) -> bool:
    return count >= minimum


def safe_groups(counts: Mapping[str, int], minimum: int) -> set[str]:
    """The groups whose figures may be shown beside the total: each has at least `minimum` people,
    the people left out number 0 or at least `minimum`, and at least two groups remain (else none)."""
    total = sum(counts.values())
    if total < minimum:
        return set()
    shown = sorted((count, label) for label, count in counts.items() if count >= minimum)
    left_out = total - sum(count for count, _ in shown)
    while shown and 0 < left_out < minimum:
        count, _ = shown.pop(0)
        left_out += count
    return {label for _, label in shown} if len(shown) >= 2 else set()


def merged_groups(counts: Mapping[str, int], minimum: int) -> dict[str, list[str]]:
    """The groups a breakdown shows, each with the values it gathers: the values with enough people
    alone, the others and those who did not answer merged under OTHERS_KEY (« Autres ou non
    renseigné »); {} when no safe breakdown exists."""
    answered = {value: count for value, count in counts.items() if value != NOT_ANSWERED}
    not_answered = counts.get(NOT_ANSWERED, 0)
    kept = safe_groups({**answered, OTHERS_KEY: not_answered}, minimum) - {OTHERS_KEY}
    groups = {value: [value] for value in sorted(kept, key=lambda value: (-counts[value], value))}
    others = [value for value in counts if value not in kept and counts[value]]
    if others:
        groups[OTHERS_KEY] = sorted(others)
    return groups if kept and len(groups) >= 2 else {}


def atoms_large_enough(memberships: Iterable[tuple], minimum: int) -> bool:
    """Whether breakdowns shown side by side give nothing away: each person's tuple of groups (one per
    breakdown) names an « atom »; every figure shown, and every difference between two nested figures,
    is a union of atoms, so none is under `minimum` when no atom is."""
    return all(count >= minimum for count in Counter(memberships).values())
