"""The automatic proposal of cohorts and pairs (``capqvct.cohorts.solver.propose``) at two scales.

Two generated instances: 1 000 selected establishments in one region of 13 départements, and 5 000
nationally in 101 départements; sites scattered around communes, 70 % EHPAD, 20 % SSIAD, 10 % PH; one
consultant pair for about 8 establishments, each covering one or two neighbouring départements, one in
five with a declared conflict. Rules: the defaults (8 at most, 4 at least, one département per cohort).
Figures: the proposal's time (``time_limit`` 10 s, the default; nationally also 50 s), its total
travel next to the solver's lower bound (the ratio bounds how far from the optimum the proposal can
be), the breaches it reports, and the time of ``check`` on the same grouping (what a page pays to warn
after a manual change).

The solver needs no database. Run alone: ``.venv/bin/python -m bench.cohorts``.
"""

import math
import random
import time
from collections import Counter

from capqvct.cohorts.solver import Pair, Rules, Site, check, propose

REGIONAL_SITES, REGIONAL_DEPARTEMENTS = 1_000, 13
NATIONAL_SITES, NATIONAL_DEPARTEMENTS = 5_000, 101
SITES_PER_PAIR = 8
CATEGORIES = (("EHPAD", 0.7), ("SSIAD", 0.2), ("PH", 0.1))
NATIONAL_TIME_LIMITS = (10.0, 50.0)  # propose()'s default, and more time for a better proposal


def instance(sites_count: int, departements_count: int, *, seed: int) -> tuple[list[Site], list[Pair]]:
    """Départements as squares of about 75 km side on a grid, of uneven weights; sites around communes."""
    rng = random.Random(seed)
    columns = math.ceil(math.sqrt(departements_count))
    side = 75_000.0
    codes = [f"{number:02d}" for number in range(1, departements_count + 1)]
    weights = [rng.uniform(0.3, 2.0) for _ in codes]
    origin = {code: ((i % columns) * side, (i // columns) * side) for i, code in enumerate(codes)}
    communes = {
        code: [(ox + rng.uniform(0, side), oy + rng.uniform(0, side)) for _ in range(rng.randint(10, 40))]
        for code, (ox, oy) in origin.items()
    }
    sites = []
    for key in range(1, sites_count + 1):
        code = rng.choices(codes, weights)[0]
        cx, cy = rng.choice(communes[code])
        ox, oy = origin[code]
        sites.append(
            Site(
                key=key,
                x=min(ox + side, max(ox, cx + rng.gauss(0, 2_000))),
                y=min(oy + side, max(oy, cy + rng.gauss(0, 2_000))),
                departement=code,
                category=rng.choices([c for c, _ in CATEGORIES], [w for _, w in CATEGORIES])[0],
            )
        )
    per_departement = Counter(site.departement for site in sites)
    pairs = []
    for i, code in enumerate(codes):
        neighbour = codes[i + 1] if i + 1 < len(codes) and (i + 1) % columns else code
        for _ in range(math.ceil(per_departement[code] / SITES_PER_PAIR)):
            zone = {code, neighbour} if rng.random() < 0.5 else {code}
            drawn = rng.sample(range(1, sites_count + 1), 2) if rng.random() < 0.2 else ()
            conflicts = frozenset(drawn)
            pairs.append(Pair(key=len(pairs) + 1, departements=frozenset(zone), conflicts=conflicts))
    return sites, pairs


def proposal_figures(label: str, sites: list[Site], pairs: list[Pair], *, time_limit: float = 10.0) -> dict:
    rules = Rules()
    started = time.perf_counter()
    proposal = propose(sites, rules, pairs, time_limit=time_limit)
    seconds = time.perf_counter() - started
    breaches = Counter(breach.code for breach in proposal.breaches)
    grouping = [cohort.members for cohort in proposal.cohorts]
    pair_of = [cohort.pair for cohort in proposal.cohorts]
    started = time.perf_counter()
    check(grouping, pair_of, sites, rules, pairs)
    check_ms = (time.perf_counter() - started) * 1000
    return {
        "instance": label,
        "sites": len(sites),
        "departements": len({site.departement for site in sites}),
        "pairs": len(pairs),
        "cohorts": len(proposal.cohorts),
        "seconds": round(seconds, 2),
        "time_limit": time_limit,
        "total_travel_km": round(proposal.total_travel / 1000, 1),
        "lower_bound_km": round(proposal.lower_bound / 1000, 1),
        "ratio": round(proposal.total_travel / proposal.lower_bound, 4) if proposal.lower_bound else None,
        "cohorts_without_pair": sum(1 for cohort in proposal.cohorts if cohort.pair is None),
        "breaches": dict(sorted(breaches.items())),
        "check_ms": round(check_ms, 1),
    }


def cohort_figures() -> list[dict]:
    national = instance(NATIONAL_SITES, NATIONAL_DEPARTEMENTS, seed=12)
    return [
        proposal_figures("regional", *instance(REGIONAL_SITES, REGIONAL_DEPARTEMENTS, seed=11)),
        *(proposal_figures("national", *national, time_limit=limit) for limit in NATIONAL_TIME_LIMITS),
    ]


def print_cohorts(figures: list[dict]) -> None:
    print("Proposition des collectifs et des binômes (capqvct.cohorts.solver)")
    print(
        f"{'instance':<34} {'limite':>6} {'temps':>8} {'trajets':>10} {'borne':>10} {'rapport':>8} "
        f"{'sans binôme':>11} {'check':>9}"
    )
    for figure in figures:
        label = f"{figure['sites']} étab., {figure['departements']} dép., {figure['pairs']} binômes"
        print(
            f"{label:<34} {figure['time_limit']:>4.0f} s {figure['seconds']:>6.1f} s "
            f"{figure['total_travel_km']:>7.0f} km "
            f"{figure['lower_bound_km']:>7.0f} km {figure['ratio']:>7.3f}× "
            f"{figure['cohorts_without_pair']:>11} {figure['check_ms']:>6.1f} ms"
        )
        print(f"{'':<34} écarts signalés : {figure['breaches'] or 'aucun'}")


if __name__ == "__main__":
    print_cohorts(cohort_figures())
