"""The automatic proposal of cohorts (« collectifs ») and consultant pairs (« binômes »).

No Django, no database: the caller turns the selected establishments into `Site`s, the programme's
rules into `Rules` and the consultant pairs into `Pair`s, and gets a `Proposal` back; `check` lists
the rules that a grouping edited by hand breaks, with French messages for the page.

**The problem.** Per zone (a département when ``same_departement``, else all the sites): split the
zone's ``n`` sites into ``k = ceil(n / max_size)`` cohorts — the fewest that hold everyone: every
cohort costs a series of sessions and a pair's days, and left free the count would always grow,
since smaller cohorts travel less — of sizes within ``[min_size, max_size]`` (the lower limit
lowered to ``floor(n / k)`` when ``k * min_size > n``: the proposal then groups the sites all the
same and reports the breach), each cohort meeting at one of its members, so that the sum of
straight-line distances from every site to its cohort's meeting place is least. This is a
capacitated p-median problem (with a lower capacity too); the zones are independent, so the total
optimum is the sum of the zones' optima.

**The algorithm.** A zone of at most ``EXACT_SITES`` sites is solved exactly, by dynamic programming
over its subsets. A larger zone is solved by a heuristic: capacitated k-medoids — meeting places
chosen (greedily, then from other seeds), every site assigned to one of them under the size limits
at least total distance (an exact min-cost flow, OR-Tools), each meeting place moved to its
cohort's best member, until nothing improves — followed by a local search that moves a site to one
of the nearest cohorts or swaps two sites while the travel falls (each cohort keeps every site's sum
of distances to its members, so a change costs a few additions). It restarts from the meeting
places of the bound's relaxed solution, from k-means++ seeds and from the best grouping with a few
meeting places moved at random, until the zone's share of ``time_limit`` runs out, the grouping
meets the bound, or ``STALE_RESTARTS`` restarts in a row find nothing better. A zone over
``LARGE_ZONE`` sites (cohorts across départements, nationally) is cut into parts of a multiple of
``max_size`` sites and each part grouped alone (its categories balanced against the part's
shares). With
``balance_categories`` the local search adds to the travel, for every category more than one away
from its share of the zone times the cohort's size, a penalty larger than any travel in the zone:
swaps then restore balance wherever some grouping allows it; what remains is reported. Then the
cohorts go to pairs: CP-SAT, on each set of cohorts and pairs linked by who may follow whom,
minimises first the sites without a pair, then the pairs' shortfall under their minimum load, then
the sum of squared loads (balance), in three stages, each result a constraint of the next; zone,
conflicts and maximum load are hard constraints. A greedy assignment is the first hint, and stays
if CP-SAT does no better in its time.

**The lower bound.** Write the zone's problem as an integer programme: ``y_j = 1`` when site ``j``
is a meeting place, ``x_ij = 1`` when site ``i`` meets at ``j``; every site meets exactly once
(``sum_j x_ij = 1``), ``x_jj = y_j``, ``x_ij <= y_j``, ``sum_j y_j = k`` and a meeting place
gathers between ``low`` and ``high`` sites, itself included; the travel is ``sum d_ij x_ij``. Take
any real numbers ``u_i`` and move the "exactly once" constraints into the objective:
``L(u) = sum_i u_i + min sum_ij (d_ij - u_i) x_ij`` over the other constraints only. Every grouping
that keeps the rules is still allowed in that minimum, and for it the added terms
``u_i (1 - sum_j x_ij)`` are all zero, so its travel is at least ``L(u)``: ``L(u)`` is at most the
optimum, whatever ``u``. The minimum is easy: a meeting place ``j`` costs ``-u_j`` plus its
``low - 1`` cheapest other sites (by ``d_ij - u_i``) plus those of its next ``high - low`` cheapest
that are negative; ``L(u)`` takes the ``k`` cheapest meeting places. Subgradient steps move ``u``
towards a higher ``L(u)``; the best value met is kept, less a millionth for rounding. To stay
linear in the zone's size, a meeting place's cheapest sites are sought among its 40 nearest and
the ``HEAVIEST`` sites of largest ``u_i``, every other site counted at the next nearest distance
less the largest remaining ``u_i``: a cost never above the true one, so the minimum found is never
above the true minimum and ``L(u)`` stays a lower bound. The zone's bound is the larger of that
value and a second one, as valid: every site but the ``k`` meeting places travels at least to its
nearest neighbour in the zone, so the travel is at least the sum of the ``n - k`` smallest
nearest-neighbour distances. A small zone's bound is its exact optimum. The proposal's bound is the sum
of its zones' bounds, each at most its zone's optimum. ``balance_categories`` only adds
constraints, which can raise the optimum but never lower it, so the bound stays valid.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model


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

EXACT_SITES = 10  # zones this small are solved exactly, by dynamic programming over subsets
NEAREST_GROUPS = 6  # the local search tries to move a site to the cohorts of the closest meeting places
SEED = 2026
RESTARTS = 40
STALE_RESTARTS = 12  # restarts in a row that find nothing better: the search stops
STEP_SCALE = 1.0  # the first subgradient step, a share of the Polyak step
HEAVIEST = 20  # sites whose reduced costs the bound computes exactly for every meeting place
LARGE_ZONE = 1500  # sites; a larger zone (cohorts across départements) is cut into parts
MIN_ITERATIONS = 300  # of the bound's subgradient, whatever the time left


def propose(
    sites: Iterable[Site], rules: Rules, pairs: Iterable[Pair] = (), *, time_limit: float = 10.0
) -> Proposal:
    """Group every site into cohorts under the rules, least travel first, then give them to pairs."""
    started = time.monotonic()
    sites = list(sites)
    pairs = list(pairs)
    if not sites:
        return Proposal(cohorts=(), total_travel=0.0, lower_bound=0.0, breaches=())
    sites_by_key = {site.key: site for site in sites}
    all_zones = zones(sites, rules)
    # Grouping gets most of the time, shared among zones by their size; pairs get the rest.
    grouping_time = 0.6 * time_limit if pairs else time_limit
    weights = [len(zone) ** 1.5 for zone in all_zones]
    groups: list[tuple[int, ...]] = []
    lower_bound = 0.0
    for zone_sites, weight in zip(all_zones, weights, strict=True):
        zone_groups, zone_bound = group_zone(zone_sites, rules, budget=grouping_time * weight / sum(weights))
        groups.extend(zone_groups)
        lower_bound += zone_bound
    remaining = max(0.5, time_limit - (time.monotonic() - started))
    pair_of = assign_pairs(groups, sites_by_key, pairs, time_limit=remaining)
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
    """The fewest cohorts that hold the zone's sites."""
    return max(1, math.ceil(n / max(1, rules.max_size)))


def size_limits(n: int, k: int, rules: Rules) -> tuple[int, int]:
    """The sizes allowed in a zone of n sites split into k cohorts: the rules', the lower one relaxed
    to ``floor(n / k)`` when the zone is too small for k cohorts of ``min_size``."""
    high = max(1, rules.max_size, math.ceil(n / k))
    return min(max(1, rules.min_size), n // k), high


def group_zone(
    zone_sites: Sequence[Site], rules: Rules, *, budget: float
) -> tuple[list[tuple[int, ...]], float]:
    """The cohorts of one zone and a lower bound of their least travel."""
    n = len(zone_sites)
    k = cohort_count(n, rules)
    low, high = size_limits(n, k, rules)
    keys = [site.key for site in zone_sites]
    if k == n:
        return [(key,) for key in keys], 0.0
    if n > LARGE_ZONE:
        deadline = time.monotonic() + budget
        groups = split_zone(zone_sites, rules, budget=0.6 * budget)
        by_key = {site.key: site for site in zone_sites}
        bound, _ = lagrangian_bound(
            np.array([[site.x, site.y] for site in zone_sites]),
            k,
            low,
            high,
            upper=sum(travel(group, by_key)[1] for group in groups),
            deadline=deadline,
        )
        return groups, max(bound, nearest_neighbour_bound(zone_sites, k))
    if n <= EXACT_SITES:
        groups, optimum = exact_groups(zone_sites, k, low, high)
        bound = optimum
    else:
        zone = Zone(zone_sites, k, low, high, rules.balance_categories)
        indices, bound = zone.search(deadline=time.monotonic() + budget)
        bound = max(bound, nearest_neighbour_bound(zone_sites, k))
        groups = [tuple(keys[i] for i in group) for group in indices]
        if rules.balance_categories:
            return groups, bound  # already balanced by the search
    if rules.balance_categories:
        zone = Zone(zone_sites, k, low, high, balance=True)
        position = {key: index for index, key in enumerate(keys)}
        indices = zone.local_search([[position[key] for key in group] for group in groups], math.inf)
        groups = [tuple(keys[i] for i in group) for group in indices]
    return groups, bound


def split_zone(zone_sites: Sequence[Site], rules: Rules, *, budget: float) -> list[tuple[int, ...]]:
    """A zone too large for one distance matrix, cut in two across its longer side, again and again,
    each cut leaving a multiple of max_size on one side (so the number of cohorts stays the fewest);
    each part grouped alone."""
    parts, pending = [], [list(zone_sites)]
    while pending:
        part = pending.pop()
        if len(part) <= LARGE_ZONE:
            parts.append(part)
            continue
        xs, ys = [site.x for site in part], [site.y for site in part]
        wide = max(xs) - min(xs) >= max(ys) - min(ys)
        part.sort(key=lambda site: (site.x, site.y, site.key) if wide else (site.y, site.x, site.key))
        cut = max(1, round(len(part) / 2 / rules.max_size)) * rules.max_size
        pending += [part[:cut], part[cut:]]
    groups = []
    for part in parts:
        part_groups, _ = group_zone(
            sorted(part, key=lambda site: site.key), rules, budget=budget * len(part) / len(zone_sites)
        )
        groups.extend(part_groups)
    return groups


def nearest_neighbour_bound(zone_sites: Sequence[Site], k: int) -> float:
    """Every site but the k meeting places travels at least to its nearest neighbour in the zone."""
    n = len(zone_sites)
    if n <= k:
        return 0.0
    points = np.array([[site.x for site in zone_sites], [site.y for site in zone_sites]]).T
    nearest = np.empty(n)
    for start in range(0, n, 500):
        block = points[start : start + 500]
        gaps = np.hypot(block[:, None, 0] - points[None, :, 0], block[:, None, 1] - points[None, :, 1])
        gaps[np.arange(len(block)), np.arange(start, start + len(block))] = np.inf
        nearest[start : start + 500] = gaps.min(axis=1)
    return float(np.sort(nearest)[: n - k].sum()) * (1 - 1e-9)


def exact_groups(
    zone_sites: Sequence[Site], k: int, low: int, high: int
) -> tuple[list[tuple[int, ...]], float]:
    """The optimum by dynamic programming over subsets (small zones only)."""
    n = len(zone_sites)
    keys = [site.key for site in zone_sites]
    by_key = {site.key: site for site in zone_sites}
    cost: dict[int, float] = {}
    for mask in range(1, 1 << n):
        if low <= mask.bit_count() <= high:
            cost[mask] = travel([keys[i] for i in range(n) if mask >> i & 1], by_key)[1]
    # best[(mask, count)]: the least travel covering `mask` with `count` cohorts, and the last cohort.
    best: dict[tuple[int, int], tuple[float, int]] = {(0, 0): (0.0, 0)}
    for mask in range(1, 1 << n):
        low_bit = mask & -mask  # the cohort of the lowest site, chosen first: each partition once
        rest = mask ^ low_bit
        subset = rest
        while True:
            group = subset | low_bit
            if group in cost:
                for count in range(1, k + 1):
                    previous = best.get((mask ^ group, count - 1))
                    if previous is not None:
                        value = previous[0] + cost[group]
                        if value < best.get((mask, count), (math.inf, 0))[0]:
                            best[(mask, count)] = (value, group)
            if subset == 0:
                break
            subset = (subset - 1) & rest
    mask, count = (1 << n) - 1, k
    total = best[(mask, k)][0]
    groups = []
    while mask:
        group = best[(mask, count)][1]
        groups.append(tuple(keys[i] for i in range(n) if group >> i & 1))
        mask ^= group
        count -= 1
    return groups, total


class Zone:
    """A zone's sites as arrays, and the heuristic that groups them."""

    def __init__(self, zone_sites: Sequence[Site], k: int, low: int, high: int, balance: bool) -> None:
        self.n, self.k, self.low, self.high = len(zone_sites), k, low, high
        self.xs = [site.x for site in zone_sites]
        self.ys = [site.y for site in zone_sites]
        self.points = np.array([self.xs, self.ys]).T
        self.distances = np.hypot(
            self.points[:, None, 0] - self.points[None, :, 0],
            self.points[:, None, 1] - self.points[None, :, 1],
        )
        # Python lists read faster than arrays, one number at a time.
        self.rows = self.distances.tolist()
        self.balance = balance
        self.categories = [site.category for site in zone_sites]
        counts = Counter(self.categories)
        self.shares = {category: count / self.n for category, count in counts.items()}
        # A balance breach outweighs any travel in the zone.
        self.penalty = float(self.distances.max()) * self.n + 1.0 if balance else 0.0

    # Costs

    def cost(self, group: Sequence[int]) -> float:
        """The group's travel to its best member, plus the penalty of its unbalanced categories."""
        best = self.travel(group)
        if self.penalty and group:
            best += self.penalty * self.imbalance(group)
        return best

    def travel(self, group: Sequence[int]) -> float:
        rows = self.rows
        return min([sum([rows[m][o] for o in group]) for m in group], default=math.inf)

    def imbalance(self, group: Sequence[int]) -> float:
        counts = Counter(self.categories[i] for i in group)
        size = len(group)
        return sum(max(0.0, abs(counts[c] - share * size) - 1.0 - 1e-9) for c, share in self.shares.items())

    def medoid(self, group: Sequence[int]) -> int:
        block = self.distances[np.ix_(group, group)]
        return group[int(block.sum(axis=1).argmin())]

    def total(self, groups: Sequence[Sequence[int]]) -> float:
        return sum(self.cost(group) for group in groups)

    # The heuristic

    def search(self, deadline: float) -> tuple[list[list[int]], float]:
        """The best grouping found before the deadline, and the Lagrangian bound.

        A first grouping from greedy seeds gives the bound its target; then restarts from the bound's
        own meeting places, from k-means++ seeds and from the best grouping with a few meeting places
        moved at random, until the deadline, until the grouping meets the bound or until
        `STALE_RESTARTS` restarts in a row find nothing better."""
        started = time.monotonic()
        rng = np.random.default_rng(SEED)
        best = self.improve(self.greedy_seeds(), deadline)
        best_cost = self.total(best)
        bound, medians = lagrangian_bound(
            self.points,
            self.k,
            self.low,
            self.high,
            upper=sum(self.travel(group) for group in best),
            deadline=started + 0.5 * (deadline - started),
        )
        stale = 0
        for attempt in range(RESTARTS):
            if time.monotonic() > deadline or best_cost <= bound * (1 + 1e-6) or stale >= STALE_RESTARTS:
                break
            if attempt == 0:
                medoids = medians
            elif attempt % 2:
                medoids = self.spread_seeds(rng)
            else:
                medoids = [self.medoid(group) for group in best]
                others = np.setdiff1d(np.arange(self.n), medoids)
                if len(others) == 0:
                    break
                for slot in rng.choice(self.k, size=max(1, self.k // 8), replace=False):
                    medoids[int(slot)] = int(rng.choice(others))
                if len(set(medoids)) < self.k:
                    continue
            groups = self.improve(medoids, deadline)
            cost = self.total(groups)
            stale += 1
            if cost < best_cost - 1e-9:
                best, best_cost, stale = groups, cost, 0
        return best, bound

    def improve(self, medoids: list[int], deadline: float) -> list[list[int]]:
        return self.local_search(self.alternate(medoids, deadline), deadline)

    def greedy_seeds(self) -> list[int]:
        """Meeting places added one at a time, each the one that lowers the uncapacitated travel most."""
        d = self.distances
        if self.n * self.n * self.k > 4e8:
            return self.spread_seeds(np.random.default_rng(SEED))
        nearest = np.full(self.n, np.inf)
        chosen: list[int] = []
        for _ in range(self.k):
            gains = np.minimum(nearest[:, None], d).sum(axis=0)
            gains[chosen] = np.inf
            j = int(gains.argmin())
            chosen.append(j)
            nearest = np.minimum(nearest, d[:, j])
        return chosen

    def spread_seeds(self, rng: np.random.Generator) -> list[int]:
        """k-means++: each next meeting place drawn with a probability growing with its distance."""
        chosen = [int(rng.integers(self.n))]
        nearest = self.distances[:, chosen[0]].copy()
        for _ in range(self.k - 1):
            weights = nearest**2
            total = weights.sum()
            if total <= 0:
                candidates = [i for i in range(self.n) if i not in set(chosen)]
                j = candidates[int(rng.integers(len(candidates)))]
            else:
                j = int(rng.choice(self.n, p=weights / total))
            chosen.append(j)
            nearest = np.minimum(nearest, self.distances[:, j])
        return chosen

    def alternate(self, medoids: list[int], deadline: float) -> list[list[int]]:
        """Assign to the medoids under the size limits, move each medoid to its group's best member;
        until nothing changes."""
        groups = self.assign(medoids)
        cost = self.total(groups)
        for _ in range(30):
            medoids = [self.medoid(group) for group in groups]
            candidate = self.assign(medoids)
            candidate_cost = self.total(candidate)
            if candidate_cost >= cost - 1e-9 or time.monotonic() > deadline:
                break
            groups, cost = candidate, candidate_cost
        return groups

    def assign(self, medoids: list[int]) -> list[list[int]]:
        """Every site to a medoid, each medoid keeping its own site and between low and high sites in
        all, at least total distance: a min-cost flow."""
        n, k, low, high = self.n, self.k, self.low, self.high
        is_medoid = np.zeros(n, dtype=bool)
        is_medoid[medoids] = True
        others = np.flatnonzero(~is_medoid)
        reach = k if n <= 1500 else min(k, 30)  # on a large zone, only the 30 closest meeting places
        while True:
            to_medoids = self.distances[np.ix_(others, medoids)]
            if reach < k:
                closest = np.argpartition(to_medoids, reach - 1, axis=1)[:, :reach]
            else:
                closest = np.broadcast_to(np.arange(k), (len(others), k))
            flow = min_cost_flow.SimpleMinCostFlow()
            tails = np.repeat(np.arange(len(others)), closest.shape[1])
            heads = len(others) + closest.ravel()
            costs = np.rint(np.take_along_axis(to_medoids, closest, axis=1).ravel()).astype(np.int64)
            overflow = len(others) + k
            flow.add_arcs_with_capacity_and_unit_cost(
                np.concatenate([tails, len(others) + np.arange(k)]),
                np.concatenate([heads, np.full(k, overflow)]),
                np.concatenate([np.ones(len(tails), dtype=np.int64), np.full(k, high - low, dtype=np.int64)]),
                np.concatenate([costs, np.zeros(k, dtype=np.int64)]),
            )
            supplies = np.concatenate(
                [
                    np.ones(len(others), dtype=np.int64),
                    np.full(k, -(low - 1), dtype=np.int64),
                    [-(n - k * low)],
                ]
            )
            flow.set_nodes_supplies(np.arange(len(supplies)), supplies)
            if flow.solve() == flow.OPTIMAL:
                break
            if reach == k:
                raise RuntimeError("No assignment within the size limits.")  # cannot happen: k*low <= n
            reach = k
        used = np.flatnonzero(flow.flows(np.arange(len(tails))) > 0)
        groups = [[medoid] for medoid in medoids]
        for arc in used:
            groups[int(heads[arc]) - len(others)].append(int(others[tails[arc]]))
        return groups

    def local_search(self, groups: list[list[int]], deadline: float) -> list[list[int]]:
        """Move a site to a nearby cohort, or swap two sites, while that lowers the cost.

        Each cohort keeps, for every site of the zone, the sum of its distances to the cohort's
        members: a change's new travel is then a minimum over at most max_size + 1 numbers."""
        rows = self.rows
        groups = [list(group) for group in groups]
        sums = [self.distances[:, group].sum(axis=1).tolist() for group in groups]
        costs = [self.cost(group) for group in groups]
        where = {site: g for g, group in enumerate(groups) for site in group}
        penalty = self.penalty
        improved = True
        while improved and time.monotonic() < deadline:
            improved = False
            centres = np.array([self.points[self.medoid(group)] for group in groups])
            gaps = np.hypot(
                self.points[:, None, 0] - centres[None, :, 0], self.points[:, None, 1] - centres[None, :, 1]
            )
            near = min(NEAREST_GROUPS, len(groups))
            neighbours = np.argpartition(gaps, near - 1, axis=1)[:, :near].tolist()
            for site in range(self.n):
                a = where[site]
                group_a, sums_a, row_site = groups[a], sums[a], rows[site]
                best_delta, best_move = -1e-7, None
                can_leave = len(group_a) > self.low
                travel_without = min(
                    [sums_a[m] - row_site[m] for m in group_a if m != site], default=math.inf
                )
                for b in neighbours[site]:
                    if b == a:
                        continue
                    group_b, sums_b = groups[b], sums[b]
                    base = costs[a] + costs[b]
                    if can_leave and len(group_b) < self.high:
                        travel_b = min(min([sums_b[m] + row_site[m] for m in group_b]), sums_b[site])
                        delta = travel_without + travel_b - base
                        if penalty:
                            delta += penalty * (
                                self.imbalance([m for m in group_a if m != site])
                                + self.imbalance([*group_b, site])
                            )
                        if delta < best_delta:
                            best_delta, best_move = delta, (b, None)
                    for other in group_b:
                        row_other = rows[other]
                        travel_a = min(
                            min(
                                [sums_a[m] - row_site[m] + row_other[m] for m in group_a if m != site],
                                default=math.inf,
                            ),
                            sums_a[other] - row_other[site],
                        )
                        travel_b = min(
                            min(
                                [sums_b[m] - row_other[m] + row_site[m] for m in group_b if m != other],
                                default=math.inf,
                            ),
                            sums_b[site] - row_site[other],
                        )
                        delta = travel_a + travel_b - base
                        if penalty:
                            delta += penalty * (
                                self.imbalance([*(m for m in group_a if m != site), other])
                                + self.imbalance([*(m for m in group_b if m != other), site])
                            )
                        if delta < best_delta:
                            best_delta, best_move = delta, (b, other)
                if best_move is None:
                    continue
                b, other = best_move
                self.shift(groups, sums, where, site, a, b)
                if other is not None:
                    self.shift(groups, sums, where, other, b, a)
                costs[a], costs[b] = self.cost(groups[a]), self.cost(groups[b])
                improved = True
        return groups

    def shift(
        self,
        groups: list[list[int]],
        sums: list[list[float]],
        where: dict[int, int],
        site: int,
        a: int,
        b: int,
    ):
        """Move a site from cohort a to cohort b, and the sums with it."""
        row = self.rows[site]
        groups[a].remove(site)
        groups[b].append(site)
        sums[a] = [total - distance for total, distance in zip(sums[a], row, strict=True)]
        sums[b] = [total + distance for total, distance in zip(sums[b], row, strict=True)]
        where[site] = b


def lagrangian_bound(
    points: np.ndarray,
    k: int,
    low: int,
    high: int,
    *,
    upper: float,
    deadline: float,
    neighbours: int = 40,
    iterations: int = 1000,
) -> tuple[float, list[int]]:
    """The best Lagrangian bound found by subgradient steps (see the module's docstring), and the
    meeting places of the relaxed solution that gave it.

    Only each meeting place's `neighbours` nearest sites are looked at one by one. Any other site i
    is at least as far as the next nearest, so its reduced cost ``d_ij - u_i`` is at least that
    distance less the largest ``u_i`` outside the `HEAVIEST` largest, whose own reduced costs are
    computed exactly: each meeting place's cost is never overestimated, and the bound stays valid."""
    n = len(points)
    others = min(high, n) - 1  # sites a meeting place may take besides its own
    mandatory = min(low, n) - 1
    if k >= n or others <= 0:
        return 0.0, list(range(min(k, n)))
    near, near_distances, floor = nearest_sites(points, min(neighbours, n - 1))
    multipliers = near_distances[:, 0].copy()  # each site's distance to its nearest neighbour
    best, medians, best_multipliers = 0.0, list(range(k)), multipliers
    step_scale, stall = STEP_SCALE, 0
    heaviest = min(HEAVIEST, n)
    minimum = MIN_ITERATIONS
    for iteration in range(iterations):
        reduced = near_distances - multipliers[near]
        candidates = [reduced]
        if np.isfinite(floor).any():
            heavy = np.argpartition(-multipliers, heaviest - 1)[:heaviest]
            rest = np.partition(multipliers, n - heaviest - 1)[n - heaviest - 1] if heaviest < n else -np.inf
            gaps = np.hypot(
                points[:, None, 0] - points[None, heavy, 0], points[:, None, 1] - points[None, heavy, 1]
            )
            gaps[heavy, np.arange(heaviest)] = np.inf  # a meeting place does not take itself twice
            gaps[(near[:, :, None] == heavy[None, None, :]).any(axis=1)] = np.inf  # nor a neighbour
            candidates.append(gaps - multipliers[heavy])
            candidates.append(np.repeat((floor - rest)[:, None], others, axis=1))
        values = np.concatenate(candidates, axis=1) if len(candidates) > 1 else reduced
        values = np.sort(np.partition(values, others - 1, axis=1)[:, :others], axis=1)
        values[:, mandatory:] = np.minimum(values[:, mandatory:], 0.0)
        price = values.sum(axis=1) - multipliers
        chosen = np.argpartition(price, k - 1)[:k]
        value = float(multipliers.sum() + price[chosen].sum())
        if value > best + 1e-9 * abs(best):
            best, stall, medians, best_multipliers = value, 0, [int(j) for j in chosen], multipliers
        else:
            stall += 1
            if stall >= 30:  # smaller steps, from the best point met
                step_scale, stall, multipliers = step_scale / 2, 0, best_multipliers
                continue
        # The direction: which sites the chosen meeting places take among their neighbours.
        covered = np.zeros(n)
        covered[chosen] += 1
        width = min(others, reduced.shape[1])
        order = np.argsort(reduced[chosen], axis=1)[:, :width]
        picked = np.take_along_axis(reduced[chosen], order, axis=1)
        taken = picked < 0
        taken[:, :mandatory] = True
        np.add.at(covered, np.take_along_axis(near[chosen], order, axis=1)[taken], 1)
        gradient = 1 - covered
        norm = float(gradient @ gradient)
        if (
            norm == 0
            or step_scale < 1e-3
            or upper - best <= 1e-6 * upper
            or (iteration >= minimum and time.monotonic() > deadline)
        ):
            break
        multipliers = multipliers + step_scale * (upper - value) / norm * gradient
    # Floating-point sums over a zone err far below a millionth; the margin keeps the bound below.
    return max(0.0, best * (1 - 1e-9)), medians


def nearest_sites(points: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each site's `count` nearest other sites and their distances, nearest first, and the distance
    to the next one (infinite when there is none), by blocks of rows."""
    n = len(points)
    near = np.empty((n, count), dtype=np.int64)
    near_distances = np.empty((n, count))
    floor = np.full(n, np.inf)
    for start in range(0, n, 500):
        block = points[start : start + 500]
        rows = np.arange(len(block))
        gaps = np.hypot(block[:, None, 0] - points[None, :, 0], block[:, None, 1] - points[None, :, 1])
        gaps[rows, start + rows] = np.inf
        if count < n - 1:
            closest = np.argpartition(gaps, count, axis=1)[:, : count + 1]
        else:
            closest = np.argsort(gaps, axis=1)[:, :count]
        distances = np.take_along_axis(gaps, closest, axis=1)
        order = np.argsort(distances, axis=1)
        closest, distances = (
            np.take_along_axis(closest, order, axis=1),
            np.take_along_axis(distances, order, axis=1),
        )
        near[start : start + 500] = closest[:, :count]
        near_distances[start : start + 500] = distances[:, :count]
        if count < n - 1:
            floor[start : start + 500] = distances[:, count]
    return near, near_distances, floor


# Pairs ------------------------------------------------------------------------------------------


def may_follow(pair: Pair, members: Sequence[int], sites_by_key: dict[int, Site]) -> bool:
    """Zone and conflicts, the hard rules of a pair."""
    if pair.departements and any(sites_by_key[key].departement not in pair.departements for key in members):
        return False
    return not any(key in pair.conflicts for key in members)


def assign_pairs(
    groups: Sequence[tuple[int, ...]],
    sites_by_key: dict[int, Site],
    pairs: Sequence[Pair],
    *,
    time_limit: float = 5.0,
) -> list[int | None]:
    """Each cohort to one pair that may follow it (zone, conflicts) without going over its capacity.

    CP-SAT minimises, in this order: the sites left without a pair, the shortfall of the pairs under
    their minimum load (a pair given nothing is idle, not short), the sum of squared loads (balance).
    Cohorts and pairs fall apart into independent sets (those linked by a pair that may take a
    cohort): each is solved alone, from the greedy assignment, which stays if CP-SAT finds nothing."""
    pair_of = greedy_pairs(groups, sites_by_key, pairs)
    if not pairs or not groups:
        return pair_of
    eligible = {
        c: [
            p
            for p, pair in enumerate(pairs)
            if len(members) <= pair.max_load and may_follow(pair, members, sites_by_key)
        ]
        for c, members in enumerate(groups)
    }
    parent = list(range(len(groups) + len(pairs)))  # union-find: cohorts first, then pairs

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for c, ps in eligible.items():
        for p in ps:
            parent[root(c)] = root(len(groups) + p)
    components: dict[int, list[int]] = defaultdict(list)
    for c, ps in eligible.items():
        if ps:
            components[root(c)].append(c)
    deadline = time.monotonic() + time_limit
    left = sum(len(cohorts) for cohorts in components.values())
    for cohorts in sorted(components.values(), key=len, reverse=True):
        share = max(0.2, (deadline - time.monotonic()) * len(cohorts) / left)
        left -= len(cohorts)
        pair_indices = sorted({p for c in cohorts for p in eligible[c]})
        solved = solve_pairs(
            groups, cohorts, [pairs[p] for p in pair_indices], eligible, pair_indices, pair_of, share
        )
        for c, key in solved.items():
            pair_of[c] = key
    return pair_of


def solve_pairs(
    groups: Sequence[tuple[int, ...]],
    cohorts: list[int],
    pairs: list[Pair],
    eligible: dict[int, list[int]],
    pair_indices: list[int],
    hint: list[int | None],
    time_limit: float,
) -> dict[int, int | None]:
    """One independent set of cohorts and pairs by CP-SAT, one aim after the other (each reached
    aim becomes a constraint for the next: quicker than one objective with weights); the hint kept
    unless the result is better."""
    local = {p: i for i, p in enumerate(pair_indices)}
    model = cp_model.CpModel()
    choices: dict[tuple[int, int], cp_model.IntVar] = {}
    for c in cohorts:
        for p in eligible[c]:
            choices[(c, local[p])] = model.new_bool_var(f"c{c}p{p}")
    by_cohort: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_pair: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for (c, p), var in choices.items():
        by_cohort[c].append(var)
        by_pair[p].append((len(groups[c]), var))
    for c in cohorts:
        model.add_at_most_one(by_cohort[c])
    for p, pair in enumerate(pairs):
        model.add(sum(size * var for size, var in by_pair[p]) <= pair.max_load)
    for (c, p), var in choices.items():
        model.add_hint(var, hint[c] == pairs[p].key)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = SEED
    deadline = time.monotonic() + time_limit
    solved: dict[int, int | None] | None = None
    variables: list[cp_model.IntVar] = list(choices.values())
    for stage, share in enumerate((0.5, 0.5, 1.0)):
        if stage == 0:  # the most sites given a pair
            aim = -sum(len(groups[c]) * var for (c, _), var in choices.items())
        elif stage == 1:  # then the least shortfall under the pairs' minimum loads
            shortfalls, squares = [], []
            for p, pair in enumerate(pairs):
                load = model.new_int_var(0, pair.max_load, f"load{p}")
                model.add(load == sum(size * var for size, var in by_pair[p]))
                used = model.new_bool_var(f"used{p}")
                model.add(load >= 1).only_enforce_if(used)
                model.add(load == 0).only_enforce_if(~used)
                shortfall = model.new_int_var(0, max(0, pair.min_load), f"short{p}")
                model.add(shortfall >= pair.min_load - load).only_enforce_if(used)
                square = model.new_int_var(0, pair.max_load**2, f"square{p}")
                for t in range(pair.max_load):  # tangents of load²: equal to it at every whole load
                    model.add(square >= (2 * t + 1) * load - t * (t + 1))
                shortfalls.append(shortfall)
                squares.append(square)
                variables += [load, used, shortfall, square]
            aim = sum(shortfalls)
        else:  # then the most even loads: its bound is weak, a quarter of the time is enough
            aim = sum(squares)
        model.minimize(aim)
        left = deadline - time.monotonic()
        solver.parameters.max_time_in_seconds = max(
            0.1, min(left * share, time_limit / 4) if stage else left * share
        )
        if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        model.add(aim <= int(solver.value(aim)))
        solved = {c: None for c in cohorts}
        for (c, p), var in choices.items():
            if solver.boolean_value(var):
                solved[c] = pairs[p].key
        model.clear_hints()
        for var in variables:
            model.add_hint(var, solver.value(var))
    kept = {c: hint[c] for c in cohorts}
    if solved is None or pair_score(groups, solved, pairs) >= pair_score(groups, kept, pairs):
        return kept
    return solved


def pair_score(
    groups: Sequence[tuple[int, ...]], pair_of: dict[int, int | None], pairs: list[Pair]
) -> tuple[int, int, int]:
    """What the assignment of pairs minimises, in order."""
    load: dict[int, int] = defaultdict(int)
    for c, key in pair_of.items():
        if key is not None:
            load[key] += len(groups[c])
    return (
        sum(len(groups[c]) for c, key in pair_of.items() if key is None),
        sum(max(0, pair.min_load - load[pair.key]) for pair in pairs if load[pair.key]),
        sum(value * value for value in load.values()),
    )


def greedy_pairs(
    groups: Sequence[tuple[int, ...]], sites_by_key: dict[int, Site], pairs: Sequence[Pair]
) -> list[int | None]:
    """Largest cohorts first, each to the pair furthest below its minimum that may take it."""
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
