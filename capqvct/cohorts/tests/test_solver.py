"""The cohort solver: hard rules on generated instances, the exhaustive optimum on small ones, the bound,
and the breaches of a grouping edited by hand. Plain functions: no database."""

import math
import time
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capqvct.cohorts.solver import (
    Pair,
    Rules,
    Site,
    Zone,
    check,
    lagrangian_bound,
    propose,
    size_limits,
    travel,
)

CATEGORIES = ("EHPAD", "SSIAD", "PH")


@st.composite
def site_lists(draw, *, max_sites=40, departements=("34", "30", "2A")):
    n = draw(st.integers(min_value=0, max_value=max_sites))
    coordinates = st.integers(min_value=0, max_value=200_000)
    return [
        Site(
            key=key,
            x=float(draw(coordinates)),
            y=float(draw(coordinates)),
            departement=draw(st.sampled_from(departements)),
            category=draw(st.sampled_from(CATEGORIES)),
        )
        for key in range(1, n + 1)
    ]


@st.composite
def rule_sets(draw):
    max_size = draw(st.integers(min_value=1, max_value=8))
    return Rules(
        max_size=max_size,
        min_size=draw(st.integers(min_value=0, max_value=max_size + 2)),  # rules that cannot hold too
        same_departement=draw(st.booleans()),
        balance_categories=draw(st.booleans()),
    )


@st.composite
def pair_lists(draw, site_keys):
    pairs = []
    for key in range(1, draw(st.integers(min_value=0, max_value=6)) + 1):
        min_load = draw(st.integers(min_value=0, max_value=8))
        pairs.append(
            Pair(
                key=key,
                min_load=min_load,
                max_load=min_load + draw(st.integers(min_value=0, max_value=8)),
                departements=frozenset(draw(st.sets(st.sampled_from(("34", "30", "2A")), max_size=2))),
                conflicts=frozenset(draw(st.sets(st.sampled_from(site_keys), max_size=3)))
                if site_keys
                else frozenset(),
            )
        )
    return pairs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_hard_rules_hold(data):
    sites = data.draw(site_lists())
    rules = data.draw(rule_sets())
    pairs = data.draw(pair_lists([site.key for site in sites]))

    proposal = propose(sites, rules, pairs, time_limit=0.3)

    placed = [key for cohort in proposal.cohorts for key in cohort.members]
    assert sorted(placed) == sorted(site.key for site in sites)
    by_key = {site.key: site for site in sites}
    zone_sizes = Counter(site.departement if rules.same_departement else "" for site in sites)
    for cohort in proposal.cohorts:
        assert len(cohort.members) <= rules.max_size
        zone = by_key[cohort.members[0]].departement if rules.same_departement else ""
        if math.ceil(zone_sizes[zone] / rules.max_size) * rules.min_size <= zone_sizes[zone]:
            assert len(cohort.members) >= rules.min_size
        if rules.same_departement:
            assert len({by_key[key].departement for key in cohort.members}) == 1
        assert cohort.meeting_place in cohort.members
        assert math.isclose(cohort.travel, travel(cohort.members, by_key)[1], rel_tol=1e-9, abs_tol=1e-6)
    pairs_by_key = {pair.key: pair for pair in pairs}
    loads = Counter()
    for cohort in proposal.cohorts:
        if cohort.pair is None:
            continue
        pair = pairs_by_key[cohort.pair]
        loads[pair.key] += len(cohort.members)
        assert not pair.departements or all(
            by_key[key].departement in pair.departements for key in cohort.members
        )
        assert not pair.conflicts & set(cohort.members)
    assert all(loads[key] <= pairs_by_key[key].max_load for key in loads)
    grouping = [cohort.members for cohort in proposal.cohorts]
    assert proposal.breaches == check(
        grouping, [cohort.pair for cohort in proposal.cohorts], sites, rules, pairs
    )
    codes = {breach.code for breach in proposal.breaches}
    assert ("no_pair" in codes) == (bool(pairs) and any(cohort.pair is None for cohort in proposal.cohorts))
    assert 0 <= proposal.lower_bound <= proposal.total_travel + 1e-6
    assert math.isclose(
        proposal.total_travel, sum(cohort.travel for cohort in proposal.cohorts), abs_tol=1e-6
    )


def partitions(items):
    """Every set partition of a list."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in partitions(rest):
        yield [[first], *partition]
        for index in range(len(partition)):
            yield [*partition[:index], [first, *partition[index]], *partition[index + 1 :]]


def exhaustive_optimum(sites, rules):
    """Least travel over every partition with ceil(n / max_size) cohorts of allowed sizes, zone by zone."""
    by_key = {site.key: site for site in sites}
    zones = {}
    for site in sites:
        zones.setdefault(site.departement if rules.same_departement else "", []).append(site.key)
    total = 0.0
    for keys in zones.values():
        k = math.ceil(len(keys) / rules.max_size)
        low = min(rules.min_size, len(keys) // k)
        total += min(
            sum(travel(group, by_key)[1] for group in partition)
            for partition in partitions(keys)
            if len(partition) == k and all(low <= len(group) <= rules.max_size for group in partition)
        )
    return total


@settings(max_examples=40, deadline=None)
@given(
    sites=site_lists(max_sites=9, departements=("34", "30")),
    max_size=st.integers(min_value=2, max_value=5),
    min_size=st.integers(min_value=1, max_value=3),
    same_departement=st.booleans(),
)
def test_small_instances_reach_the_exhaustive_optimum(sites, max_size, min_size, same_departement):
    rules = Rules(max_size=max_size, min_size=min(min_size, max_size), same_departement=same_departement)

    proposal = propose(sites, rules)

    optimum = exhaustive_optimum(sites, rules) if sites else 0.0
    assert math.isclose(proposal.total_travel, optimum, rel_tol=1e-9, abs_tol=1e-6)
    assert proposal.lower_bound <= optimum + 1e-6


def test_empty_input_gives_an_empty_proposal():
    proposal = propose([], Rules())

    assert proposal.cohorts == () and proposal.total_travel == 0 and proposal.breaches == ()


def test_a_small_departement_is_grouped_all_the_same_and_reported():
    sites = [Site(key, 1000.0 * key, 0.0, "48", "EHPAD") for key in range(1, 4)]

    proposal = propose(sites, Rules(min_size=4))

    assert [cohort.members for cohort in proposal.cohorts] == [(1, 2, 3)]
    assert proposal.cohorts[0].meeting_place == 2
    assert proposal.cohorts[0].travel == 2000.0
    assert "Le collectif 1 compte 3 établissements (4 au moins)." in [b.message for b in proposal.breaches]


def test_travel_meets_at_the_member_closest_to_all():
    sites = {key: Site(key, x, 0.0, "34", "EHPAD") for key, x in ((1, 0.0), (2, 10.0), (3, 11.0), (4, 30.0))}

    assert travel((1, 2, 3, 4), sites) == (2, 10.0 + 1.0 + 20.0)


SITES = [
    Site(1, 0.0, 0.0, "34", "EHPAD"),
    Site(2, 1.0, 0.0, "34", "EHPAD"),
    Site(3, 2.0, 0.0, "34", "EHPAD"),
    Site(4, 3.0, 0.0, "30", "SSIAD"),
    Site(5, 4.0, 0.0, "34", "SSIAD"),
]


def messages(breaches):
    return [(breach.code, breach.cohort, breach.message) for breach in breaches]


def test_check_names_a_cohort_too_big_and_one_too_small():
    breaches = check([(1, 2, 3), (5,)], [7, 7], SITES, Rules(max_size=2, min_size=2), [Pair(7, 0, 10)])

    assert messages(breaches) == [
        ("too_big", 0, "Le collectif 1 compte 3 établissements (2 au plus)."),
        ("too_small", 1, "Le collectif 2 compte 1 établissement (2 au moins)."),
    ]


def test_check_names_mixed_departements_only_when_the_rules_forbid_them():
    grouping = [(1, 2, 3, 4)]

    assert messages(check(grouping, [7], SITES, Rules(min_size=1), [Pair(7, 0)])) == [
        (
            "mixed_departements",
            0,
            "Le collectif 1 réunit des établissements de plusieurs départements (30, 34).",
        )
    ]
    assert check(grouping, [7], SITES, Rules(min_size=1, same_departement=False), [Pair(7, 0)]) == ()


def test_check_names_the_pairs_breaches():
    rules = Rules(min_size=1, same_departement=False)
    pairs = [
        Pair(7, min_load=0, max_load=2, departements=frozenset({"34"}), conflicts=frozenset({2})),
        Pair(8),
    ]

    breaches = check([(1, 2, 4), (5,), (3,)], [7, 8, None], SITES, rules, pairs)

    assert messages(breaches) == [
        ("pair_outside_zone", 0, "Le binôme 7 suit le collectif 1 hors de sa zone (département 30)."),
        (
            "pair_conflict",
            0,
            "Le binôme 7 a déclaré un conflit d’intérêts avec un établissement du collectif 1.",
        ),
        ("no_pair", 2, "Le collectif 3 n’a pas de binôme."),
        ("pair_over_capacity", None, "Le binôme 7 suit 3 établissements (2 au plus)."),
        ("pair_under_capacity", None, "Le binôme 8 ne suit que 1 établissement (6 au moins)."),
    ]


def test_check_names_unbalanced_categories_when_asked():
    sites = [Site(key, float(key), 0.0, "34", "EHPAD" if key <= 4 else "SSIAD") for key in range(1, 9)]
    rules = Rules(min_size=1, balance_categories=True)

    breaches = check([(1, 2, 3, 4), (5, 6, 7, 8)], [None, None], sites, rules, [])

    assert [b.message for b in breaches if b.code == "unbalanced_categories"] == [
        "Le collectif 1 compte 4 EHPAD ; la part de la zone en donnerait 2 (à un près).",
        "Le collectif 1 compte 0 SSIAD ; la part de la zone en donnerait 2 (à un près).",
        "Le collectif 2 compte 0 EHPAD ; la part de la zone en donnerait 2 (à un près).",
        "Le collectif 2 compte 4 SSIAD ; la part de la zone en donnerait 2 (à un près).",
    ]
    assert check([(1, 2, 5, 6), (3, 4, 7, 8)], [None, None], sites, rules, []) == ()


@settings(max_examples=25, deadline=None)
@given(sites=site_lists(max_sites=9, departements=("34",)), max_size=st.integers(min_value=2, max_value=5))
def test_the_heuristic_and_its_bound_frame_the_exhaustive_optimum(sites, max_size):
    rules = Rules(max_size=max_size, min_size=2)
    k = math.ceil(len(sites) / max_size) if sites else 0
    if k in (0, len(sites)):
        return
    low, high = size_limits(len(sites), k, rules)
    zone = Zone(sites, k, low, high, balance=False)

    groups, bound = zone.search(deadline=time.monotonic() + 1)

    optimum = exhaustive_optimum(sites, rules)
    sparse_bound, _ = lagrangian_bound(zone.points, k, low, high, upper=optimum + 1, deadline=0, neighbours=2)
    assert sparse_bound <= optimum + 1e-6
    assert sorted(i for group in groups for i in group) == list(range(len(sites)))
    assert all(low <= len(group) <= high for group in groups)
    assert bound <= optimum + 1e-6
    assert sum(zone.travel(group) for group in groups) >= optimum - 1e-6


def test_categories_are_balanced_by_swaps_when_asked():
    # Eight EHPAD to the west, eight SSIAD to the east: the least travel puts each family apart.
    sites = [
        Site(key, (0.0 if key <= 8 else 100_000.0) + 1_000.0 * (key % 4), 1_000.0 * (key % 3), "34", category)
        for key, category in [(key, "EHPAD" if key <= 8 else "SSIAD") for key in range(1, 17)]
    ]

    apart = propose(sites, Rules(), time_limit=2)
    balanced = propose(sites, Rules(balance_categories=True), time_limit=2)

    assert sorted(by_category(apart, sites).values()) == [8, 8]
    assert sorted(by_category(balanced, sites).values()) == [3, 3, 5, 5]  # 4 each, give or take one
    assert balanced.breaches == ()
    assert balanced.total_travel > apart.total_travel
    assert balanced.lower_bound <= apart.total_travel + 1e-6


def by_category(proposal, sites):
    category = {site.key: site.category for site in sites}
    return Counter((index, category[key]) for index, c in enumerate(proposal.cohorts) for key in c.members)


def test_pairs_are_loaded_to_their_minimum_before_being_spread():
    # Three cohorts of 4 and three pairs of 6 to 10: 8 + 4 leaves one pair short, 4 + 4 + 4 all three.
    sites = [Site(key, 50_000.0 * (key // 5), float(key % 5), "34", "EHPAD") for key in range(1, 13)]
    pairs = [Pair(1), Pair(2), Pair(3)]

    proposal = propose(sites, Rules(max_size=4, min_size=4), pairs, time_limit=3)

    loads = Counter()
    for cohort in proposal.cohorts:
        loads[cohort.pair] += len(cohort.members)
    assert sorted(loads.values()) == [4, 8]
    assert [breach.code for breach in proposal.breaches] == ["pair_under_capacity"]


def test_a_cohort_no_pair_may_follow_is_left_without_one():
    sites = [Site(key, float(key), 0.0, "34" if key <= 4 else "30", "EHPAD") for key in range(1, 9)]
    pairs = [
        Pair(1, min_load=4, departements=frozenset({"34"})),
        Pair(2, min_load=0, conflicts=frozenset({6})),
    ]

    proposal = propose(sites, Rules(), pairs)

    assert [(cohort.members, cohort.pair) for cohort in proposal.cohorts] == [
        ((5, 6, 7, 8), None),
        ((1, 2, 3, 4), 1),
    ]
    assert [(breach.code, breach.cohort) for breach in proposal.breaches] == [("no_pair", 0)]
