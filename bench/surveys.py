"""The results of a staff survey when the platform holds a million responses, on PostgreSQL.

Built in two steps on the same database. First, through the services (``create_campaign``,
``add_own_question``, ``open_campaign``, ``submit_response``, ``review_free_text``,
``close_campaign``), the campaigns of one cohort of 8 in Occitanie: the measured one, of an EHPAD
whose director signs in, asks the profession, seniority and day or night, adds an agreement and an
open question, gets 200 responses (a third with a comment, reviewed) and closes; its 7 neighbours get
40 responses each. The campaign page and ``results_of`` are measured on this tiny database. Then,
bulk inserted, the rest of a national platform: every region's programme and call, cohorts of 8,
establishments (7 EHPAD, 2 SSIAD, 1 MAS in 10), dossiers and participants, one closed wave-1 campaign
of the shipped ``qvct-cap`` instrument each — CAMPAIGNS in all, 5 000 by default — with 40 to 360
responses (200 on average: 1 000 000 rows), answers drawn around a climate of the establishment,
a page skipped now and then, scores computed by ``capqvct.surveys.instruments.scale_scores`` as
``submit_response`` does and the ``ScaleSummary`` rows as ``close_campaign`` writes them. Responses
are loaded by ``COPY``, 250 campaigns at a time shuffled together, so that a campaign's rows lie
scattered through the table as when they arrive over the same weeks; then ``ANALYZE``.

Figures, median of REPEATS runs, on the tiny database and again on the large one:
- ``results_of(campaign)`` on the campaign as the page reads it (fetched anew before each run), its
  queries (``CaptureQueriesContext``); on the large database, also for a bulk-loaded campaign of 200
  responses;
- the campaign page (``surveys:campaign``) through ``django.test.Client`` signed in as the director
  (the whole view: middlewares, permissions, results, charts, templates), its queries, which must be
  as many on the large database as on the tiny one (the bench stops otherwise, showing the queries
  that differ), and the slowest of them;
- the floor: the same aggregates as four hand-written SQL queries — the campaign's mean per scale
  (``jsonb_each_text`` over ``scores``) and the cohort's, region's and category's means per scale
  (``AVG`` over ``ScaleSummary`` joined to the campaign, its participant and what they point to) —
  checked equal to what ``results_of`` gives; the ratio of ``results_of`` and of the page to their
  sum;
- the process's peak resident memory (``ru_maxrss``) before the bulk load and at the end, and the
  Python allocations of one page (``tracemalloc``).

Run alone: ``CAPQVCT_TESTING=1 .venv/bin/python -m bench.surveys``. Without DATABASE_URL it creates
the PostgreSQL database ``bench_surveys`` on 127.0.0.1:5432 (user ``postgres``) and drops it at the
end (``CAPQVCT_BENCH_KEEP=1`` keeps it); with DATABASE_URL (PostgreSQL only) it runs there and
deletes what it made. ``CAPQVCT_BENCH_SURVEY_CAMPAIGNS=500`` makes a smaller run (100 000 responses).
Figures in ``var/bench/surveys.json``; ``bench.run`` calls ``survey_figures()`` on PostgreSQL.
"""

import json
import os
import random
import resource
import statistics
import time
import tracemalloc
import uuid
from datetime import timedelta

from bench.approaches import establishment_row

CAMPAIGNS = int(os.environ.get("CAPQVCT_BENCH_SURVEY_CAMPAIGNS", "5000"))
PER_COHORT = 8
MEASURED_RESPONSES, NEIGHBOUR_RESPONSES = 200, 40
RESPONSES_RANGE = (40, 360)  # uniform: 200 on average
INTERLEAVED = 250  # campaigns whose responses are shuffled together before COPY
REPEATS, RAW_REPEATS = 7, 9
SKIPPED_ITEM, SKIPPED_PAGE, PAPER = 0.03, 0.02, 0.05
COMMENTED = 3  # one respondent in COMMENTED writes a comment on the measured campaign
BREAKDOWNS = ["profession", "seniority", "shift"]
PROFESSIONS = (("care", 60), ("support", 22), ("admin", 10), ("other", 4), ("", 4))
SENIORITIES = (("lt1", 15), ("1to5", 35), ("gt5", 45), ("", 5))
SHIFTS = (("day", 70), ("night", 15), ("both", 10), ("", 5))
EMAIL_DOMAIN = "banc-enquetes.exemple.fr"
FINESS_PREFIX = "S"  # never produced by the FINESS sample, nor by the real file
PROGRAMME_TITLE = "Programme QVCT du banc d’essai des enquêtes"
ORGANISATION_PREFIX = "Banc d’essai des enquêtes — "
MEASURED_REGION = "76"
BATCH = 1000
DEFAULT_DATABASE = "bench_surveys"


def survey_figures() -> dict:
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("Le banc des enquêtes lit les scores en JSONB : il lui faut PostgreSQL.")
    began = time.perf_counter()
    built = _build_workspace()
    tiny_seconds = time.perf_counter() - began
    tiny = _measure(built, large=False)
    rss_before_bulk = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    rows = _bulk_platform(built, CAMPAIGNS - PER_COHORT)
    bulk_seconds = time.perf_counter() - began
    large = _measure(built, large=True)
    if large["page"]["queries"] != tiny["page"]["queries"]:
        raise AssertionError(
            f"page de la campagne : {large['page']['queries']} requêtes sur la grande base, "
            f"{tiny['page']['queries']} sur la petite\n"
            + "\n".join(sorted(set(large["page"]["sql"]) ^ set(tiny["page"]["sql"])))
        )
    for figures in (tiny, large):
        figures["page"].pop("sql")
    return {
        "database": f"PostgreSQL {connection.pg_version // 10000}",
        "campaigns": CAMPAIGNS,
        "rows": rows,
        "anonymity_threshold": settings.SURVEY_MIN_RESPONDENTS,
        "tiny_build_seconds": round(tiny_seconds, 1),
        "bulk_build_seconds": round(bulk_seconds, 1),
        "tiny": tiny,
        "large": large,
        # ru_maxrss (kilobytes on Linux): the peak of the whole process so far.
        "peak_rss_before_bulk_megabytes": round(rss_before_bulk / 1024),
        "peak_rss_megabytes": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


# Measuring -------------------------------------------------------------------------------------


def _measure(built: dict, *, large: bool) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from capqvct.surveys import selectors
    from capqvct.surveys.results import results_of

    director, campaign_id = built["director"], built["campaign_id"]

    def campaign():
        return selectors.campaigns_visible_to(director).get(pk=campaign_id)  # as the page reads it

    client = Client(HTTP_HOST="localhost")
    client.force_login(director)
    url = reverse("surveys:campaign", args=[campaign_id])

    def page():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response

    first_page_ms = _timed(page) * 1000  # the first after the build: what is cold is read
    queries = _raw_queries(built)
    results_runs, page_runs = [], []
    raw_runs: dict[str, list[float]] = {label: [] for label in queries}
    for _ in range(REPEATS):  # interleaved, so that a burst of load on the machine hits each alike
        reader = campaign()
        results_runs.append(_timed(lambda reader=reader: results_of(reader)))
        page_runs.append(_timed(page))
        for label, (sql, params) in queries.items():
            raw_runs[label].append(_timed(lambda sql=sql, params=params: _execute(sql, params)))
    connection.queries_log.clear()  # a bounded deque: once full, a slice of it would miss queries
    reader = campaign()
    with CaptureQueriesContext(connection) as captured:
        results = results_of(reader)
    results_queries = list(captured)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        html = page().content
    page_queries = list(captured)  # the next request empties the log (reset_queries on request_started)
    tracemalloc.start()
    page()
    page_python_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    raw_ms = {label: statistics.median(runs) * 1000 for label, runs in raw_runs.items()}
    raw = {
        **{f"{label}_ms": round(ms, 2) for label, ms in raw_ms.items()},
        "total_ms": round(sum(raw_ms.values()), 2),
    }
    _check_same_figures(results, {label: _execute(sql, params) for label, (sql, params) in queries.items()})
    results_ms = statistics.median(results_runs) * 1000
    page_ms = statistics.median(page_runs) * 1000
    figures = {
        "responses_in_database": _count_responses(),
        "campaign_respondents": results.respondents,
        "results_of": {
            "median_ms": round(results_ms, 1),
            "queries": len(results_queries),
            "ratio_to_raw_sql": _ratio(results_ms, raw["total_ms"]),
        },
        "page": {
            "url": url,
            "first_ms": round(first_page_ms, 1),
            "median_ms": round(page_ms, 1),
            "queries": len(page_queries),
            "kilobytes": round(len(html) / 1000, 1),
            "python_peak_megabytes": round(page_python_peak / 1e6, 1),
            "ratio_to_raw_sql": _ratio(page_ms, raw["total_ms"]),
            "slowest_sql": _slowest(page_queries),
            "sql": [query["sql"] for query in page_queries],
        },
        "raw_sql": raw,
        # How many establishments' campaigns each benchmark averages (shown from 5).
        "benchmark_establishments": {label: count for label, _, count in results.benchmarks[0].references},
    }
    if large:
        figures["results_of_bulk_campaign"] = _bulk_campaign_figures(built)
    client.logout()
    return figures


def _bulk_campaign_figures(built: dict) -> dict:
    """results_of for a campaign loaded in bulk, whose rows lie scattered through the table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from capqvct.surveys.models import Campaign
    from capqvct.surveys.results import results_of

    def campaign():
        return Campaign.objects.select_related(
            "instrument", "participant__establishment", "participant__call__programme__region"
        ).get(pk=built["bulk_campaign_id"])

    first_ms = _timed(lambda: results_of(campaign())) * 1000
    runs = []
    for _ in range(REPEATS):
        reader = campaign()
        runs.append(_timed(lambda reader=reader: results_of(reader)))
    reader = campaign()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        results = results_of(reader)
    return {
        "respondents": results.respondents,
        "first_ms": round(first_ms, 1),
        "median_ms": round(statistics.median(runs) * 1000, 1),
        "queries": len(queries),
    }


def _execute(sql: str, params: list) -> dict[str, tuple[float, int]]:
    """One hand-written query: (mean, how many) per scale."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {scale: (average, count) for scale, average, count in cursor.fetchall()}


def _raw_queries(built: dict) -> dict[str, tuple[str, list]]:
    """The campaign's score per scale, and the three benchmarks, one SQL query each."""
    from capqvct.calls.models import Call, Programme
    from capqvct.cohorts.models import Participant
    from capqvct.establishments.models import Establishment
    from capqvct.surveys.models import Campaign, InstrumentVersion, Response, ScaleSummary

    same = (
        f"FROM {ScaleSummary._meta.db_table} s "
        f"JOIN {Campaign._meta.db_table} c ON c.id = s.campaign_id "
        f"JOIN {InstrumentVersion._meta.db_table} v ON v.id = c.instrument_id "
        f"JOIN {Participant._meta.db_table} p ON p.id = c.participant_id "
    )
    where = "WHERE c.status = 'closed' AND c.wave = %s AND v.code = %s AND v.version = %s "
    instrument = [built["wave"], built["instrument_code"], built["instrument_version"]]
    aggregate = "SELECT s.scale, AVG(s.mean), COUNT(*) "
    return {
        "scales": (
            "SELECT score.key, AVG(score.value::float), COUNT(score.value) "
            f"FROM {Response._meta.db_table} r, jsonb_each_text(r.scores) score "
            "WHERE r.campaign_id = %s GROUP BY score.key",
            [built["campaign_id"]],
        ),
        "cohort": (
            f"{aggregate}{same}{where}AND p.cohort_id = %s GROUP BY s.scale",
            [*instrument, built["cohort_id"]],
        ),
        "region": (
            f"{aggregate}{same}JOIN {Call._meta.db_table} k ON k.id = p.call_id "
            f"JOIN {Programme._meta.db_table} g ON g.id = k.programme_id "
            f"{where}AND g.region_id = %s GROUP BY s.scale",
            [*instrument, built["region_code"]],
        ),
        "category": (
            f"{aggregate}{same}JOIN {Establishment._meta.db_table} e ON e.id = p.establishment_id "
            f"{where}AND e.category_code = %s GROUP BY s.scale",
            [*instrument, built["category_code"]],
        ),
    }


def _check_same_figures(results, values: dict) -> None:
    """The floor computes what results_of shows: the scale scores and the three benchmarks."""
    scales = results.campaign.instrument.instrument.scales
    for scale, shown in zip(scales, results.scales, strict=True):
        average, count = values["scales"][scale.code]
        assert count == shown.respondents and abs(average - shown.score) < 1e-6, (scale.code, average)
    for scale, benchmark in zip(scales, results.benchmarks, strict=True):
        for label, (_, average, count) in zip(
            ("cohort", "region", "category"), benchmark.references, strict=True
        ):
            expected, expected_count = values[label][scale.code]
            assert count == expected_count, (label, scale.code, count, expected_count)
            assert average is None or abs(average - expected) < 1e-6, (label, scale.code, average, expected)


def _count_responses() -> int:
    from django.db import connection

    from capqvct.surveys.models import Response

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {Response._meta.db_table}")
        return cursor.fetchone()[0]


def _slowest(queries) -> dict:
    slowest = max(queries, key=lambda query: float(query["time"]))
    return {"ms": round(float(slowest["time"]) * 1000, 2), "sql": slowest["sql"][:600]}


def _timed(function) -> float:
    began = time.perf_counter()
    function()
    return time.perf_counter() - began


def _ratio(measured: float, floor: float) -> float:
    return round(measured / floor, 1) if floor > 0 else float("nan")


# Building: the measured cohort, through the services -------------------------------------------


def _build_workspace() -> dict:
    """Every region's manager, programme and call (confirmed cohorts, one pair per programme); in
    Occitanie, the first cohort of 8 with its campaigns made through the services, the first of them
    the measured one, run by its director."""
    from django.utils import timezone

    from capqvct.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from capqvct.cohorts.models import Cohort, ConsultantPair, Grouping, GroupingStatus
    from capqvct.surveys import services
    from capqvct.surveys.models import InstrumentVersion
    from capqvct.territory.models import Departement, Region

    now = timezone.now()
    services.ensure_shipped_instruments()
    instrument = InstrumentVersion.objects.get(code="qvct-cap", agency=None)
    departements: dict[str, list] = {}
    for departement in Departement.objects.order_by("code"):
        departements.setdefault(departement.region_id, []).append(departement)
    regions = [region for region in Region.objects.order_by("code") if region.code in departements]
    consultancy = Organisation.objects.create(
        kind=OrganisationKind.CONSULTANCY, name=f"{ORGANISATION_PREFIX}cabinet"
    )
    first, second = (
        User.objects.create_user(
            email=f"{who}@{EMAIL_DOMAIN}", first_name=who.capitalize(), last_name="Intervenant"
        )
        for who in ("paul", "lea")
    )
    Membership.objects.bulk_create(
        Membership(user=person, organisation=consultancy, role=Role.CONSULTANT) for person in (first, second)
    )
    calls = {}
    for region in regions:
        calls[region.code] = _regional_call(region, now=now)
        ConsultantPair.objects.create(programme=calls[region.code].programme, first=first, second=second)
        Grouping.objects.create(
            call=calls[region.code], status=GroupingStatus.CONFIRMED, confirmed_at=now - timedelta(days=200)
        )
    region = next(region for region in regions if region.code == MEASURED_REGION)
    call = calls[region.code]
    cohort = Cohort.objects.create(
        call=call, number=1, name="Collectif 1", pair=ConsultantPair.objects.get(programme=call.programme)
    )
    participants = _participants(call, [cohort], departements[region.code], offset=0)
    measured = participants[0]
    space = Organisation.objects.create(
        kind=OrganisationKind.ESTABLISHMENT, name=f"{ORGANISATION_PREFIX}espace de l’EHPAD mesuré"
    )
    measured.establishment.organisation = space
    measured.establishment.save(update_fields=["organisation"])
    director = User.objects.create_user(
        email=f"direction@{EMAIL_DOMAIN}", first_name="Claire", last_name="Dubois"
    )
    Membership.objects.create(user=director, organisation=space, role=Role.DIRECTOR)
    rng = random.Random(2026)
    campaign = _campaign_through_services(measured, director, instrument, MEASURED_RESPONSES, rng, own=True)
    for participant in participants[1:]:
        _campaign_through_services(participant, first, instrument, NEIGHBOUR_RESPONSES, rng, own=False)
    return {
        "director": director,
        "consultant": first,
        "campaign_id": campaign.pk,
        "cohort_id": cohort.pk,
        "region_code": region.code,
        "category_code": measured.establishment.category_code,
        "wave": campaign.wave,
        "instrument": instrument,
        "instrument_code": instrument.code,
        "instrument_version": instrument.version,
        "regions": regions,
        "departements": departements,
        "calls": calls,
    }


def _regional_call(region, *, now):
    from bench.run import bench_call
    from capqvct.accounts.models import Membership, Organisation, OrganisationKind, Role, User

    manager = User.objects.create_user(
        email=f"gestion.{region.code}@{EMAIL_DOMAIN}", first_name="Gestion", last_name=region.name
    )
    agency = Organisation.objects.create(
        kind=OrganisationKind.ARS, name=f"{ORGANISATION_PREFIX}ARS {region.name}", region=region
    )
    Membership.objects.create(user=manager, organisation=agency, role=Role.PROGRAMME_MANAGER)
    return bench_call(
        manager,
        region_code=region.code,
        programme_title=PROGRAMME_TITLE,
        agencies=[agency],
        definition={"sections": [{"key": "projet", "title": "Projet", "fields": []}]},
        title=f"Accompagnement QVCT {region.name} (banc d’essai des enquêtes)",
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=360),
    )


def _campaign_through_services(participant, by, instrument, responses: int, rng, *, own: bool):
    """A wave-1 campaign opened, answered `responses` times and closed by the services; with `own`, an
    agreement and an open question of the establishment, and its comments reviewed."""
    from django.utils import timezone

    from capqvct.surveys import services
    from capqvct.surveys.models import FreeText, QuestionKind

    today = timezone.localdate()
    campaign = services.create_campaign(
        participant=participant,
        by=by,
        wave=1,
        instrument=instrument,
        opens_on=today - timedelta(days=14),
        closes_on=today + timedelta(days=7),
        headcount=round(responses * 1.6),
        breakdowns=BREAKDOWNS,
    )
    agreement = text = None
    if own:
        agreement = services.add_own_question(
            campaign=campaign,
            by=by,
            text="Je recommanderais mon établissement à un ami.",
            kind=QuestionKind.AGREEMENT,
        )
        text = services.add_own_question(
            campaign=campaign, by=by, text="Qu’est-ce qui vous aiderait le plus ?", kind=QuestionKind.TEXT
        )
    services.open_campaign(campaign=campaign, by=by)
    generate = _respondent_generator(instrument.instrument, rng)
    for n in range(responses):
        answers, about = generate()
        services.submit_response(
            campaign=campaign,
            answers=answers,
            own_answers={str(agreement.pk): rng.randint(1, 5)} if agreement else None,
            texts={str(text.pk): f"Plus de temps en équipe ({n})."} if text and n % COMMENTED == 0 else None,
            about=about,
            today=today,
        )
    if text:
        for n, free_text in enumerate(FreeText.objects.filter(question=text).order_by("pk")):
            if n % 3 != 2:  # a third left to review
                services.review_free_text(free_text=free_text, by=by, keep=n % 3 == 0)
    services.close_campaign(campaign=campaign, by=by)
    return campaign


def _respondent_generator(instrument, rng: random.Random):
    """A function drawing one respondent of an establishment: each scale's answers around its own
    climate (some items and some pages skipped), and the descriptive answers."""
    values = (1, 2, 3, 4, 5)
    scales = []
    for scale in instrument.scales:
        centre = rng.uniform(2.0, 4.3)
        weights = [2.718 ** (-((value - centre) ** 2) / 1.6) for value in values]
        cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]
        scales.append(([item.code for item in instrument.items_of(scale.code)], cumulative))
    bands = [
        (code, [value for value, _ in choices], [weight for _, weight in choices])
        for code, choices in (("profession", PROFESSIONS), ("seniority", SENIORITIES), ("shift", SHIFTS))
    ]

    def respondent():
        answers = {}
        for codes, cumulative in scales:
            if rng.random() < SKIPPED_PAGE:
                continue
            for code, value in zip(
                codes, rng.choices(values, cum_weights=cumulative, k=len(codes)), strict=True
            ):
                if rng.random() >= SKIPPED_ITEM:
                    answers[code] = value
        about = {code: rng.choices(choices, weights)[0] for code, choices, weights in bands}
        return answers, about

    return respondent


# Building: the rest of the platform, in bulk ---------------------------------------------------


def _bulk_platform(built: dict, count: int) -> dict[str, int]:
    """`count` more closed campaigns, spread over the regions by their number of départements, in
    cohorts of 8; returns the rows made."""
    from django.db import connection

    from capqvct.cohorts.models import Cohort, ConsultantPair

    regions, departements, calls = built["regions"], built["departements"], built["calls"]
    weights = [len(departements[region.code]) for region in regions]
    per_region = {region.code: 0 for region in regions}
    rng = random.Random(count)
    for region in rng.choices(regions, weights, k=count):
        per_region[region.code] += 1
    rows = {"campaigns": PER_COHORT, "responses": MEASURED_RESPONSES + (PER_COHORT - 1) * NEIGHBOUR_RESPONSES}
    participants = []
    offset = PER_COHORT
    for region in regions:
        wanted = per_region[region.code]
        if not wanted:
            continue
        call = calls[region.code]
        pair = ConsultantPair.objects.get(programme=call.programme)
        first_number = 2 if region.code == MEASURED_REGION else 1
        cohorts = Cohort.objects.bulk_create(
            (
                Cohort(call=call, number=first_number + n, name=f"Collectif {first_number + n}", pair=pair)
                for n in range((wanted + PER_COHORT - 1) // PER_COHORT)
            ),
            batch_size=BATCH,
        )
        made = _participants(call, cohorts, departements[region.code], offset=offset, count=wanted)
        offset += wanted
        participants.extend(made)
    rows["participants"] = len(participants) + PER_COHORT
    campaigns = _bulk_campaigns(participants, built, rng)
    rows["campaigns"] += len(campaigns)
    responses, summaries = _bulk_responses(campaigns, built, rng)
    rows["responses"] += responses
    rows["scale_summaries"] = summaries
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    middle = campaigns[len(campaigns) // 2 :]  # loaded among many others: its rows lie scattered
    built["bulk_campaign_id"] = min(middle, key=lambda c: abs(c.planned - MEASURED_RESPONSES)).pk
    return rows


def _participants(call, cohorts, departements, *, offset: int, count: int | None = None):
    """The participants of `cohorts` (PER_COHORT each, `count` in all), each with its establishment and
    dossier."""
    from django.utils import timezone

    from capqvct.applications.models import Application, ApplicationStatus
    from capqvct.calls import services as call_services
    from capqvct.cohorts.models import Participant, Placement
    from capqvct.establishments.models import Establishment

    count = len(cohorts) * PER_COHORT if count is None else count
    numbers = range(offset, offset + count)
    establishments = Establishment.objects.bulk_create(
        (
            establishment_row(n, departements[(n // PER_COHORT) % len(departements)], prefix=FINESS_PREFIX)
            for n in numbers
        ),
        batch_size=BATCH,
    )
    form_version = call_services.current_form(call)
    submitted = timezone.now() - timedelta(days=370)
    applications = Application.objects.bulk_create(
        (
            Application(
                call=call,
                establishment=establishment,
                status=ApplicationStatus.IN_REVIEW,
                form_version=form_version,
                submitted_at=submitted,
            )
            for establishment in establishments
        ),
        batch_size=BATCH,
    )
    return Participant.objects.bulk_create(
        (
            Participant(
                call=call,
                cohort=cohorts[i // PER_COHORT],
                establishment=application.establishment,
                application=application,
                placement=Placement.FINESS,
            )
            for i, application in enumerate(applications)
        ),
        batch_size=BATCH,
    )


def _bulk_campaigns(participants, built: dict, rng: random.Random):
    """One closed wave-1 campaign per participant, opened within the last year for three weeks."""
    import secrets

    from django.utils import timezone

    from capqvct.surveys.models import Access, Campaign, CampaignStatus

    today = timezone.localdate()
    campaigns = []
    for participant in participants:
        responses = rng.randint(*RESPONSES_RANGE)
        opens_on = today - timedelta(days=rng.randint(30, 365))
        campaign = Campaign(
            participant=participant,
            wave=1,
            instrument=built["instrument"],
            status=CampaignStatus.CLOSED,
            access=Access.LINK,
            opens_on=opens_on,
            closes_on=opens_on + timedelta(days=21),
            headcount=round(responses * rng.uniform(1.2, 2.5)),
            token=secrets.token_urlsafe(16),
            breakdowns=BREAKDOWNS,
            created_by=built["consultant"],
            closed_at=timezone.now() - timedelta(days=(today - opens_on).days - 22),
        )
        campaign.planned = responses
        campaigns.append(campaign)
    return Campaign.objects.bulk_create(campaigns, batch_size=BATCH)


def _bulk_responses(campaigns, built: dict, rng: random.Random) -> tuple[int, int]:
    """Each campaign's responses, scored as submit_response scores them, loaded by COPY; its
    ScaleSummary rows as close_campaign writes them. Returns the responses and summaries made."""
    from django.db import connection, transaction

    from capqvct.surveys import anonymity
    from capqvct.surveys.instruments import scale_scores
    from capqvct.surveys.models import Response, ScaleSummary

    instrument = built["instrument"].instrument
    minimum = anonymity.threshold()
    columns = (
        "id, campaign_id, week, channel, profession, service, seniority, shift, answers, own_answers, scores"
    )
    responses = summaries = 0
    for start in range(0, len(campaigns), INTERLEAVED):
        rows, summary_rows = [], []
        for campaign in campaigns[start : start + INTERLEAVED]:
            generate = _respondent_generator(instrument, rng)
            totals: dict[str, list[float]] = {}
            for _ in range(campaign.planned):
                answers, about = generate()
                scores = scale_scores(instrument, answers)
                for scale, score in scores.items():
                    if score is not None:
                        totals.setdefault(scale, []).append(score)
                day = campaign.opens_on + timedelta(days=rng.randrange(21))
                rows.append(
                    (
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        campaign.pk,
                        day - timedelta(days=day.weekday()),
                        "paper" if rng.random() < PAPER else "online",
                        about["profession"],
                        "",
                        about["seniority"],
                        about["shift"],
                        json.dumps(answers),
                        "{}",
                        json.dumps(scores),
                    )
                )
            summary_rows.extend(
                ScaleSummary(
                    campaign=campaign, scale=scale, respondents=len(values), mean=sum(values) / len(values)
                )
                for scale, values in totals.items()
                if anonymity.enough(len(values), minimum)
            )
        rng.shuffle(rows)  # the campaigns of the same weeks, mixed as they arrive
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {Response._meta.db_table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            ScaleSummary.objects.bulk_create(summary_rows, batch_size=BATCH)
        responses += len(rows)
        summaries += len(summary_rows)
        print(f"  … {min(start + INTERLEAVED, len(campaigns))} campagnes, {responses} réponses", flush=True)
    return responses, summaries


# Printing, running alone, cleaning up ----------------------------------------------------------


def print_surveys(figures: dict) -> None:
    rows = figures["rows"]
    print(
        f"Résultats d’une enquête ({figures['database']}, {rows['campaigns']} campagnes closes, "
        f"{rows['responses']} réponses ; petite base en {figures['tiny_build_seconds']} s, "
        f"grande en {figures['bulk_build_seconds']} s)"
    )
    print(f"{'':<44} {'médiane':>10} {'requêtes':>9} {'SQL brut':>10} {'rapport':>8}")
    for size, label in (("tiny", f"{PER_COHORT} campagnes"), ("large", f"{rows['campaigns']} campagnes")):
        part = figures[size]
        raw = part["raw_sql"]["total_ms"]
        for what, key in (("results_of", "results_of"), ("page de la campagne", "page")):
            figure = part[key]
            print(
                f"{what + ', ' + label:<44} {figure['median_ms']:>7.1f} ms {figure['queries']:>9} "
                f"{raw:>7.2f} ms {figure['ratio_to_raw_sql']:>7.1f}×"
            )
    bulk = figures["large"]["results_of_bulk_campaign"]
    print(
        f"{'results_of, campagne chargée en masse':<44} {bulk['median_ms']:>7.1f} ms {bulk['queries']:>9}"
        f"   (premier appel {bulk['first_ms']} ms, {bulk['respondents']} réponses)"
    )
    raw = figures["large"]["raw_sql"]
    print(
        "SQL brut, grande base : scores "
        f"{raw['scales_ms']} ms, collectif {raw['cohort_ms']} ms, région {raw['region_ms']} ms, "
        f"catégorie {raw['category_ms']} ms"
    )
    page = figures["large"]["page"]
    print(
        f"(page : première requête {page['first_ms']} ms, {page['kilobytes']} ko, "
        f"{page['python_peak_megabytes']} Mo alloués par Python ; requête la plus lente "
        f"{page['slowest_sql']['ms']} ms ; pic de mémoire du processus : "
        f"{figures['peak_rss_before_bulk_megabytes']} Mo avant le chargement, "
        f"{figures['peak_rss_megabytes']} Mo en tout)"
    )


def clean_up() -> None:
    """Remove the benchmark's calls with all they hold (campaigns and responses first), its
    establishments, organisations and users. The shipped instrument versions stay: reference data the
    site stores itself on first use."""
    from axes.models import AccessLog

    from capqvct.accounts.models import Organisation, User
    from capqvct.applications.models import Application
    from capqvct.calls.models import Call, Programme
    from capqvct.cohorts.models import Cohort, ConsultantPair, Grouping, Participant
    from capqvct.core.models import AuditEvent
    from capqvct.establishments.models import Establishment
    from capqvct.surveys.models import Campaign, FreeText, Response, ScaleSummary

    calls = Call.objects.filter(programme__title=PROGRAMME_TITLE)
    campaigns = Campaign.objects.filter(participant__call__in=calls)
    Response.objects.filter(campaign__in=campaigns).delete()
    ScaleSummary.objects.filter(campaign__in=campaigns).delete()
    FreeText.objects.filter(question__campaign__in=campaigns).delete()
    campaigns.delete()
    Participant.objects.filter(call__in=calls).delete()
    Cohort.objects.filter(call__in=calls).delete()
    Grouping.objects.filter(call__in=calls).delete()
    ConsultantPair.objects.filter(programme__title=PROGRAMME_TITLE).delete()
    Application.objects.filter(call__in=calls).delete()
    calls.delete()
    Programme.objects.filter(title=PROGRAMME_TITLE).delete()
    Establishment.objects.filter(finess_et__startswith=FINESS_PREFIX).delete()
    AuditEvent.objects.filter(actor_email__endswith=f"@{EMAIL_DOMAIN}").delete()
    Organisation.objects.filter(name__startswith=ORGANISATION_PREFIX).delete()
    User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    AccessLog.objects.filter(username__endswith=f"@{EMAIL_DOMAIN}").delete()


def main() -> None:
    """Alone, on its own PostgreSQL database (or on DATABASE_URL, left as it was found)."""
    from bench.run import OUTPUT_DIR

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    own_database = "DATABASE_URL" not in os.environ
    if own_database:
        os.environ["DATABASE_URL"] = create_database(DEFAULT_DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capqvct.settings")
    os.environ.setdefault("CAPQVCT_TESTING", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from bench.run import ensure_departements
    from capqvct.surveys.models import Campaign

    call_command("migrate", verbosity=0)
    ensure_departements()
    if not own_database and Campaign.objects.exists():
        raise SystemExit("Le banc des enquêtes a besoin d’une base sans campagne d’enquête.")
    try:
        figures = survey_figures()
    finally:
        if own_database:
            connections.close_all()
            if os.environ.get("CAPQVCT_BENCH_KEEP") != "1":
                drop_database(os.environ["DATABASE_URL"])
        else:
            clean_up()
    figures["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    figures["machine"] = f"{os.cpu_count()} cœurs, charge moyenne {os.getloadavg()[0]:.1f} à la fin"
    (OUTPUT_DIR / "surveys.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print_surveys(figures)


# The bench's own PostgreSQL databases (shared with bench.survey_load) ---------------------------

SERVER = os.environ.get("CAPQVCT_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def create_database(name: str) -> str:
    """A new, empty database `name` on the bench's PostgreSQL server (dropped first if it was left by
    an earlier run); returns its URL."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as maintenance:
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        maintenance.execute(f'CREATE DATABASE "{name}"')
    return f"{SERVER}/{name}"


def drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as maintenance:
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
