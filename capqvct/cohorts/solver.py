"""The automatic proposal of cohorts (« collectifs ») and consultant pairs (« binômes »).

Pure Python: no Django, no database. The caller turns the selected establishments into `Site`s, the
programme's rules into `Rules` and the consultant pairs into `Pair`s, and gets a `Proposal` back.

The problem, per zone (a département when ``same_departement``, else the whole set): split the zone's
``n`` sites into ``k = ceil(n / max_size)`` cohorts — the fewest that hold everyone, since every cohort
costs a series of sessions and a pair's days — of sizes within ``[min_size, max_size]`` (the lower
limit lowered to ``floor(n / k)`` when ``k * min_size > n``: the proposal then reports the breach),
each cohort meeting at one of its members, so that the sum of straight-line distances from every site
to its cohort's meeting place is least (a capacitated p-median).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Site:
    """A selected establishment."""

    key: int  # the establishment's pk
    x: float  # metres (Lambert-93 or the local projection); the caller already resolved fallbacks
    y: float
    departement: str  # code, e.g. "34", "2A", "974"
    category: str  # a short family label, e.g. "EHPAD", "SSIAD"


@dataclass(frozen=True)
class Rules:
    max_size: int = 8
    min_size: int = 4
    same_departement: bool = True
    balance_categories: bool = False  # spread each category evenly over the cohorts of a zone


@dataclass(frozen=True)
class Pair:
    """A consultant pair."""

    key: int
    min_load: int = 6  # establishments followed, all cohorts together
    max_load: int = 10
    departements: frozenset[str] = frozenset()  # empty: anywhere
    conflicts: frozenset[int] = frozenset()  # Site keys the pair may not follow


@dataclass(frozen=True)
class Cohort:
    members: tuple[int, ...]  # Site keys
    meeting_place: int  # a member's key: the member minimising the cohort's travel
    travel: float  # sum of straight-line distances members -> meeting place, metres
    pair: int | None  # Pair key, None when no pair could take it


@dataclass(frozen=True)
class Breach:
    """A rule that a grouping breaks."""

    code: str  # see BREACH_CODES
    message: str  # French, for the page
    cohort: int | None  # index in the list of cohorts, None for a pair's load


@dataclass(frozen=True)
class Proposal:
    cohorts: tuple[Cohort, ...]
    total_travel: float
    lower_bound: float  # a valid lower bound of the best total travel under the rules
    breaches: tuple[Breach, ...]  # what could not be satisfied


BREACH_CODES = (
    "too_big",
    "too_small",
    "mixed_departements",
    "pair_over_capacity",
    "pair_under_capacity",
    "pair_outside_zone",
    "pair_conflict",
    "no_pair",
    "unbalanced_categories",
)


# Distances and meeting places -------------------------------------------------------------------


def distance(a: Site, b: Site) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


def travel(members: Iterable[int], sites_by_key: dict[int, Site]) -> tuple[int, float]:
    """The member that minimises the cohort's travel (the smallest key among equals), and that travel."""
    chosen = [sites_by_key[key] for key in members]
    if not chosen:
        raise ValueError("A cohort has at least one member.")
    best_key, best_travel = 0, math.inf
    for candidate in sorted(chosen, key=lambda site: site.key):
        total = sum(distance(candidate, other) for other in chosen)
        if total < best_travel:
            best_key, best_travel = candidate.key, total
    return best_key, best_travel


# The proposal -----------------------------------------------------------------------------------


def propose(
    sites: Iterable[Site], rules: Rules, pairs: Iterable[Pair] = (), *, time_limit: float = 10.0
) -> Proposal:
    """Group every site into cohorts under the rules, least travel first, then give them to pairs."""
    sites = list(sites)
    pairs = list(pairs)
    if not sites:
        return Proposal(cohorts=(), total_travel=0.0, lower_bound=0.0, breaches=())
    sites_by_key = {site.key: site for site in sites}
    groups: list[tuple[int, ...]] = []
    lower_bound = 0.0
    for zone_sites in zones(sites, rules):
        k = cohort_count(len(zone_sites), rules)
        low, high = size_limits(len(zone_sites), k, rules)
        if len(zone_sites) <= EXACT_SITES:
            zone_groups, zone_travel = exact_groups(zone_sites, k, low, high)
            groups.extend(zone_groups)
            lower_bound += zone_travel
        else:
            groups.extend(sweep_groups(zone_sites, cohort_sizes(len(zone_sites), k)))
            lower_bound += nearest_neighbour_bound(zone_sites, k)
    pair_of = assign_pairs(groups, sites_by_key, pairs)
    cohorts = []
    for members, pair in zip(groups, pair_of, strict=True):
        meeting_place, cost = travel(members, sites_by_key)
        cohorts.append(Cohort(members=members, meeting_place=meeting_place, travel=cost, pair=pair))
    total = sum(cohort.travel for cohort in cohorts)
    return Proposal(
        cohorts=tuple(cohorts),
        total_travel=total,
        lower_bound=min(lower_bound, total),
        breaches=check(groups, pair_of, sites, rules, pairs),
    )


def zones(sites: Sequence[Site], rules: Rules) -> list[list[Site]]:
    """The sets of sites grouped apart: one per département when the rules ask for it."""
    if not rules.same_departement:
        return [sorted(sites, key=lambda site: site.key)]
    by_departement: dict[str, list[Site]] = defaultdict(list)
    for site in sites:
        by_departement[site.departement].append(site)
    return [sorted(by_departement[code], key=lambda site: site.key) for code in sorted(by_departement)]


def cohort_count(n: int, rules: Rules) -> int:
    return max(1, math.ceil(n / max(1, rules.max_size)))


def size_limits(n: int, k: int, rules: Rules) -> tuple[int, int]:
    """The sizes allowed in a zone of n sites split into k cohorts: the rules', the lower one relaxed
    to ``floor(n / k)`` when the zone is too small for k cohorts of ``min_size``."""
    high = max(1, rules.max_size, math.ceil(n / k))
    return min(max(1, rules.min_size), n // k), high


def cohort_sizes(n: int, k: int) -> list[int]:
    """Sizes as even as possible: they respect both limits whenever some split of n into k does."""
    return [n // k + (1 if index < n % k else 0) for index in range(k)]


def sweep_groups(zone_sites: Sequence[Site], sizes: Sequence[int]) -> list[tuple[int, ...]]:
    """Sites in angular order around the zone's centre, cut into consecutive runs of the given sizes."""
    cx = sum(site.x for site in zone_sites) / len(zone_sites)
    cy = sum(site.y for site in zone_sites) / len(zone_sites)
    ordered = sorted(zone_sites, key=lambda site: (math.atan2(site.y - cy, site.x - cx), site.key))
    groups, start = [], 0
    for size in sizes:
        groups.append(tuple(site.key for site in ordered[start : start + size]))
        start += size
    return groups


EXACT_SITES = 10


def exact_groups(
    zone_sites: Sequence[Site], k: int, low: int, high: int
) -> tuple[list[tuple[int, ...]], float]:
    """The optimum by dynamic programming over subsets (small zones only)."""
    n = len(zone_sites)
    keys = [site.key for site in zone_sites]
    by_key = {site.key: site for site in zone_sites}
    cost: dict[int, float] = {}
    for mask in range(1, 1 << n):
        size = mask.bit_count()
        if low <= size <= high:
            cost[mask] = travel([keys[i] for i in range(n) if mask >> i & 1], by_key)[1]
    # best[(mask, groups)]: least travel covering mask with that many groups, and the last group.
    best: dict[tuple[int, int], tuple[float, int]] = {(0, 0): (0.0, 0)}
    for mask in range(1, 1 << n):
        low_bit = mask & -mask
        rest = mask ^ low_bit
        subset = rest
        while True:
            group = subset | low_bit
            if group in cost:
                for groups in range(1, k + 1):
                    previous = best.get((mask ^ group, groups - 1))
                    if previous is not None:
                        value = previous[0] + cost[group]
                        if value < best.get((mask, groups), (math.inf, 0))[0]:
                            best[(mask, groups)] = (value, group)
            if subset == 0:
                break
            subset = (subset - 1) & rest
    full, groups_left = (1 << n) - 1, k
    total = best[(full, k)][0]
    result = []
    while full:
        group = best[(full, groups_left)][1]
        result.append(tuple(keys[i] for i in range(n) if group >> i & 1))
        full ^= group
        groups_left -= 1
    return result, total


def nearest_neighbour_bound(zone_sites: Sequence[Site], k: int) -> float:
    """Every site but the k meeting places travels at least to its nearest neighbour in the zone."""
    if len(zone_sites) <= k:
        return 0.0
    nearest = sorted(
        min(distance(site, other) for other in zone_sites if other is not site) for site in zone_sites
    )
    return sum(nearest[: len(zone_sites) - k])


# Pairs ------------------------------------------------------------------------------------------


def may_follow(pair: Pair, members: Sequence[int], sites_by_key: dict[int, Site]) -> bool:
    """Zone and conflicts, the hard rules of a pair."""
    if pair.departements and any(sites_by_key[key].departement not in pair.departements for key in members):
        return False
    return not any(key in pair.conflicts for key in members)


def assign_pairs(
    groups: Sequence[tuple[int, ...]], sites_by_key: dict[int, Site], pairs: Sequence[Pair]
) -> list[int | None]:
    """Largest cohorts first, each to the least loaded pair that may follow it and has room."""
    load = {pair.key: 0 for pair in pairs}
    pair_of: list[int | None] = [None] * len(groups)
    for index in sorted(range(len(groups)), key=lambda i: (-len(groups[i]), i)):
        members = groups[index]
        fitting = [
            pair
            for pair in pairs
            if load[pair.key] + len(members) <= pair.max_load and may_follow(pair, members, sites_by_key)
        ]
        if fitting:
            chosen = min(fitting, key=lambda pair: (load[pair.key] - pair.min_load, load[pair.key], pair.key))
            pair_of[index] = chosen.key
            load[chosen.key] += len(members)
    return pair_of


# Checking a grouping ----------------------------------------------------------------------------


def check(
    cohorts: Sequence[tuple[int, ...]],
    pair_of: Sequence[int | None],
    sites: Iterable[Site],
    rules: Rules,
    pairs: Iterable[Pair],
) -> tuple[Breach, ...]:
    """Every rule the grouping breaks, each with its French message (a pair left without cohort is idle,
    not under capacity)."""
    sites_by_key = {site.key: site for site in sites}
    pairs_by_key = {pair.key: pair for pair in pairs}
    breaches: list[Breach] = []
    shares = category_shares(cohorts, sites_by_key, rules) if rules.balance_categories else {}
    load: dict[int, int] = defaultdict(int)
    for index, members in enumerate(cohorts):
        number = index + 1
        size = len(members)
        if size > rules.max_size:
            breaches.append(
                Breach(
                    "too_big",
                    f"Le collectif {number} compte {size} établissements ({rules.max_size} au plus).",
                    index,
                )
            )
        if size < rules.min_size:
            breaches.append(
                Breach(
                    "too_small",
                    f"Le collectif {number} compte {plural(size, 'établissement')} "
                    f"({rules.min_size} au moins).",
                    index,
                )
            )
        departements = sorted({sites_by_key[key].departement for key in members})
        if rules.same_departement and len(departements) > 1:
            breaches.append(
                Breach(
                    "mixed_departements",
                    f"Le collectif {number} réunit des établissements de plusieurs départements "
                    f"({', '.join(departements)}).",
                    index,
                )
            )
        if rules.balance_categories:
            breaches.extend(category_breaches(index, members, sites_by_key, rules, shares))
        pair_key = pair_of[index] if index < len(pair_of) else None
        pair = pairs_by_key.get(pair_key) if pair_key is not None else None
        if pair is None:
            if pairs_by_key:  # without any pair, the pairs are not being assigned yet
                breaches.append(Breach("no_pair", f"Le collectif {number} n’a pas de binôme.", index))
            continue
        load[pair.key] += size
        outside = sorted({sites_by_key[key].departement for key in members} - pair.departements)
        if pair.departements and outside:
            breaches.append(
                Breach(
                    "pair_outside_zone",
                    f"Le binôme {pair.key} suit le collectif {number} hors de sa zone "
                    f"(département{'s' if len(outside) > 1 else ''} {', '.join(outside)}).",
                    index,
                )
            )
        if any(key in pair.conflicts for key in members):
            breaches.append(
                Breach(
                    "pair_conflict",
                    f"Le binôme {pair.key} a déclaré un conflit d’intérêts avec un établissement "
                    f"du collectif {number}.",
                    index,
                )
            )
    for pair_key in sorted(load):
        pair = pairs_by_key[pair_key]
        if load[pair_key] > pair.max_load:
            breaches.append(
                Breach(
                    "pair_over_capacity",
                    f"Le binôme {pair_key} suit {load[pair_key]} établissements ({pair.max_load} au plus).",
                    None,
                )
            )
        elif load[pair_key] < pair.min_load:
            breaches.append(
                Breach(
                    "pair_under_capacity",
                    f"Le binôme {pair_key} ne suit que {plural(load[pair_key], 'établissement')} "
                    f"({pair.min_load} au moins).",
                    None,
                )
            )
    return tuple(breaches)


def zone_of(site: Site, rules: Rules) -> str:
    return site.departement if rules.same_departement else ""


def category_shares(
    cohorts: Sequence[tuple[int, ...]], sites_by_key: dict[int, Site], rules: Rules
) -> dict[tuple[str, str], float]:
    """Each category's share of its zone (the département, or everything when cohorts may mix them)."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    for members in cohorts:
        for key in members:
            site = sites_by_key[key]
            counts[(zone_of(site, rules), site.category)] += 1
            totals[zone_of(site, rules)] += 1
    return {(zone, category): count / totals[zone] for (zone, category), count in counts.items()}


def category_breaches(
    index: int,
    members: Sequence[int],
    sites_by_key: dict[int, Site],
    rules: Rules,
    shares: dict[tuple[str, str], float],
) -> list[Breach]:
    """A category whose count in the cohort is more than one away from its share of the zone."""
    counts: dict[str, int] = defaultdict(int)
    per_zone: dict[str, int] = defaultdict(int)
    for key in members:
        counts[sites_by_key[key].category] += 1
        per_zone[zone_of(sites_by_key[key], rules)] += 1
    expected: dict[str, float] = defaultdict(float)
    for (zone, category), share in shares.items():
        if zone in per_zone:
            expected[category] += share * per_zone[zone]
    breaches = []
    for category in sorted(set(expected) | set(counts)):
        if abs(counts[category] - expected[category]) > 1 + 1e-9:
            breaches.append(
                Breach(
                    "unbalanced_categories",
                    f"Le collectif {index + 1} compte {counts[category]} {category} ; la part de la zone "
                    f"en donnerait {french_number(expected[category])} (à un près).",
                    index,
                )
            )
    return breaches


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def french_number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",").removesuffix(",0")
