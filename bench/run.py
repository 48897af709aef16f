"""``python -m bench.run``: the FINESS import and the directory search at national scale, the public list
of calls, draft saves and submissions of dossiers, the ranking table of a call's review, the bulk
notification of 500 decisions through the database queue, the proposal of cohorts and pairs, the
following of the approaches of a call of 600 cohorts with the bilan PDF of one establishment, and, on
PostgreSQL only, the results of a staff survey among a million responses (``bench.surveys``).

Each figure stands next to a floor measured in the same run on the same database: the least work
that could do the same job (the raw fields loaded by ``COPY`` on PostgreSQL, by ``executemany`` on
SQLite; one hand-written SQL query).
The ratio says what the application's layers cost on top. Results: printed, and written to
``var/bench/results.json``. By default the benchmark builds its own SQLite file under ``var/bench/``;
with ``DATABASE_URL`` set it runs on that database, which must hold no establishment.
"""

import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUTPUT_DIR = BASE_DIR / "var" / "bench"
ESTABLISHMENTS = 40_000
SEARCH_REPEATS = 9
FLOOR_REPEATS = 3
RAW_TABLE, RAW_GEO_TABLE = "bench_finess_raw", "bench_finess_geo"


def main() -> None:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    own_database = "DATABASE_URL" not in os.environ
    if own_database:
        database = OUTPUT_DIR / "bench.sqlite3"
        for path in OUTPUT_DIR.glob("bench.sqlite3*"):
            path.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capqvct.settings")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from capqvct.establishments.models import Establishment

    if Establishment.objects.exists():
        sys.exit("Le banc d’essai a besoin d’une base sans établissement : videz-la ou retirez DATABASE_URL.")
    try:
        results = run()
    finally:
        if not own_database:
            clean_up()
    (OUTPUT_DIR / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print_table(results)


def run() -> dict:
    from django.db import connection

    from bench.applications import dossier_figures
    from bench.approaches import approach_figures
    from bench.calls import public_list_figures
    from bench.cohorts import cohort_figures
    from bench.directory import directory_page_figures
    from bench.finess import finess_import_figures
    from bench.notifications import notification_figures
    from bench.review import ranking_figures
    from bench.surveys import survey_figures
    from capqvct.establishments.finess_sample import write_sample_finess

    departements = ensure_departements()
    path = OUTPUT_DIR / "finess-national.csv"
    started = time.perf_counter()
    write_sample_finess(path, departements=departements, count=ESTABLISHMENTS, seed=2026)
    generation = time.perf_counter() - started

    finess = finess_import_figures(path)

    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "machine": f"{platform.machine()}, {os.cpu_count()} cœurs, Python {platform.python_version()}",
        "establishments": ESTABLISHMENTS,
        "file_megabytes": round(path.stat().st_size / 1e6, 1),
        "generation_seconds": round(generation, 2),
        "finess": finess,
        "directory_search": search_figures(),
        "directory_page": directory_page_figures(observer_of_the_bench()),
        "public_calls": public_list_figures(),
        "dossiers": dossier_figures(),
        "ranking": ranking_figures(),
        "notifications": notification_figures(),
        "cohorts": cohort_figures(),
        "approaches": approach_figures(),
        # The survey bench reads the scores as JSONB, and loads its million responses by COPY.
        **({"surveys": survey_figures()} if connection.vendor == "postgresql" else {}),
    }


# FINESS import ---------------------------------------------------------------------------------


def ensure_departements() -> list[str]:
    """Every département of the reference data; invented ones if the territory is not loaded yet."""
    from capqvct.territory.models import Departement, Region

    codes = list(Departement.objects.values_list("code", flat=True))
    if codes:
        return codes
    region = Region.objects.create(code="00", name="Région du banc d’essai")
    codes = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "972", "973", "974", "976"]
    Departement.objects.bulk_create(
        Departement(code=code, name=f"Département {code}", region=region) for code in codes
    )
    return codes


# Directory search ------------------------------------------------------------------------------


def search_figures() -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from capqvct.accounts.models import User
    from capqvct.establishments.selectors import search_directory

    observer = national_observer()
    figures = []
    for label, criteria in typical_searches():

        def orm_page(user, criteria=criteria):
            return list(search_directory(user, **criteria)[:20])

        def fresh_user():
            return User.objects.get(pk=observer.pk)  # as each request loads it, with no role cached

        orm_page(fresh_user()), raw_search(**criteria)  # warm the caches of both paths
        user = fresh_user()
        with CaptureQueriesContext(connection) as queries:
            page = orm_page(user)
        assert [e.pk for e in page] == [row[0] for row in raw_search(**criteria)], label
        # Interleaved, so that a burst of load elsewhere on the machine hits both paths alike.
        orm_runs, raw_runs = [], []
        for _ in range(SEARCH_REPEATS):
            orm_runs.append(timed(orm_page, fresh_user()))
            raw_runs.append(timed(lambda criteria=criteria: raw_search(**criteria)))
        orm_ms, raw_ms = best_ms(orm_runs), best_ms(raw_runs)
        figures.append(
            {
                "search": label,
                "criteria": criteria,
                "results_on_page": len(page),
                "orm_ms": round(orm_ms, 2),
                "raw_sql_ms": round(raw_ms, 2),
                "ratio": ratio(orm_ms, raw_ms),
                "orm_queries": len(queries),
            }
        )
    return figures


def typical_searches() -> list[tuple[str, dict]]:
    from capqvct.establishments.models import Establishment

    sample = Establishment.objects.select_related("commune").exclude(commune=None).order_by("finess_et")[1234]
    return [
        ("tout l’annuaire, première page", {}),
        ("fragment de nom « glycines »", {"query": "glycines"}),
        ("type dans le nom « EHPAD »", {"query": "EHPAD"}),
        ("nom complet", {"query": sample.name}),
        ("numéro FINESS", {"query": sample.finess_et}),
        ("nom de commune", {"query": sample.commune.name}),
        ("code postal", {"query": sample.postal_code}),
        ("département", {"departement": sample.departement_id}),
        ("catégorie SSIAD", {"category": "354"}),
        ("nom dans un département", {"query": "SSIAD", "departement": sample.departement_id}),
        ("aucun résultat", {"query": "zzzz introuvable"}),
    ]


def raw_search(*, query: str = "", departement: str = "", category: str = "") -> list[tuple]:
    """The same search as ``search_directory`` for a national observer, written as one SQL query."""
    from django.db import connection

    from capqvct.establishments.models import Establishment
    from capqvct.establishments.selectors import FINESS_NUMBER, POSTAL_CODE
    from capqvct.territory.models import Commune, Departement, Region

    like = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    conditions, params = [], []
    query = query.strip()
    compact = query.replace(" ", "").upper()
    if FINESS_NUMBER.match(compact):
        conditions.append("(e.finess_et = %s OR e.finess_ej = %s)")
        params += [compact, compact]
    elif POSTAL_CODE.match(compact):
        conditions.append("e.postal_code = %s")
        params.append(compact)
    elif query:
        conditions.append(f"(e.name {like} %s OR c.name {like} %s OR e.city_label {like} %s)")
        params += [f"%{query}%", f"{query}%", f"%{query}%"]
    if departement:
        conditions.append("e.departement_id = %s")
        params.append(departement)
    if category:
        conditions.append("e.category_code = %s")
        params.append(category)
    sql = (
        # Joined in this order, SQLite scans the establishments rather than walk an index to them.
        f"SELECT e.*, c.*, d.*, r.* FROM {Establishment._meta.db_table} e "
        f"LEFT JOIN {Commune._meta.db_table} c ON c.code = e.commune_id "
        f"JOIN {Departement._meta.db_table} d ON d.code = e.departement_id "
        f"JOIN {Region._meta.db_table} r ON r.code = d.region_id "
        f"{'WHERE ' + ' AND '.join(conditions) if conditions else ''} "
        "ORDER BY e.name, e.finess_et LIMIT 20"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def observer_of_the_bench():
    from capqvct.accounts.models import User

    return User.objects.get(email="observatoire.banc@exemple.fr")


def national_observer():
    from capqvct.accounts.models import Membership, Organisation, OrganisationKind, Role, User

    user = User.objects.create_user(email="observatoire.banc@exemple.fr")
    organisation = Organisation.objects.create(
        kind=OrganisationKind.NATIONAL, name="Observatoire (banc d’essai)"
    )
    Membership.objects.create(user=user, organisation=organisation, role=Role.OBSERVER)
    return user


def clean_up() -> None:
    """On a database given by DATABASE_URL, leave nothing of the benchmark behind."""
    from django.db import connection

    from bench.applications import clean_up as clean_up_applications
    from bench.approaches import clean_up as clean_up_approaches
    from bench.calls import clean_up as clean_up_calls
    from bench.notifications import clean_up as clean_up_notifications
    from bench.review import clean_up as clean_up_review
    from bench.surveys import clean_up as clean_up_surveys
    from capqvct.accounts.models import Organisation, User
    from capqvct.establishments.models import Establishment

    clean_up_surveys()  # first: campaigns, participants and dossiers protect what they point to
    clean_up_approaches()
    clean_up_notifications()
    clean_up_review()
    clean_up_applications()
    clean_up_calls()
    Establishment.objects.all().delete()
    User.objects.filter(email="observatoire.banc@exemple.fr").delete()
    Organisation.objects.filter(name="Observatoire (banc d’essai)").delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_GEO_TABLE}")


def run_alone(name: str, figures, print_figures, clean_up_part) -> None:
    """One part of the bench by itself (``python -m bench.<part>``), on its own SQLite file under
    ``var/bench/`` or on ``DATABASE_URL``; what it created is deleted at the end."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    if "DATABASE_URL" not in os.environ:
        database = OUTPUT_DIR / f"bench-{name}.sqlite3"
        for path in OUTPUT_DIR.glob(f"bench-{name}.sqlite3*"):
            path.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capqvct.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    ensure_departements()
    try:
        results = figures()
    finally:
        clean_up_part()
    print_figures(results)


def bench_call(manager, *, region_code: str, programme_title: str, agencies=(), **call_fields):
    """A draft call of a flat-rate cohort programme, created by `manager` through the services."""
    from capqvct.calls import services as call_services
    from capqvct.calls.models import CallKind, FundingRule, ProgrammeFormat

    programme = call_services.create_programme(
        by=manager,
        region_id=region_code,
        title=programme_title,
        agencies=agencies,
        format=ProgrammeFormat.COHORTS,
        funding_rule=FundingRule.FLAT_RATE,
        flat_rate_amount=2000,
    )
    return call_services.create_call(programme=programme, by=manager, kind=CallKind.AAC, **call_fields)


# Measuring and printing ------------------------------------------------------------------------


def timed(function, *args) -> float:
    return timed_with_result(function, *args)[0]


def timed_with_result(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def best_ms(runs: list[float]) -> float:
    """The best of several runs, in milliseconds: what the work costs when nothing else gets in the way."""
    return min(runs) * 1000


def ratio(measured: float, floor: float) -> float:
    return round(measured / floor, 1) if floor > 0 else float("nan")


def print_table(results: dict) -> None:
    print(f"Base {results['database']} — {results['machine']}")
    print(f"Fichier FINESS : {results['establishments']} établissements, {results['file_megabytes']} Mo")
    print()
    print_finess(results["finess"])
    print()
    heading = "Recherche dans l’annuaire (page de 20)"
    print(f"{heading:<40} {'ORM':>10} {'SQL brut':>10} {'rapport':>8} {'requêtes':>9}")
    for figure in results["directory_search"]:
        print(
            f"{figure['search'][:40]:<40} {figure['orm_ms']:>7.1f} ms {figure['raw_sql_ms']:>7.1f} ms "
            f"{figure['ratio']:>7.1f}× {figure['orm_queries']:>9}"
        )
    print()
    print_directory_page(results["directory_page"])
    print()
    calls = results["public_calls"]
    print(f"{'Liste publique des appels':<40} {'page':>10} {'SQL brut':>10} {'rapport':>8} {'requêtes':>9}")
    print(
        f"{str(calls['calls']) + ' appels, première page':<40} {calls['page_ms']:>7.1f} ms "
        f"{calls['raw_sql_ms']:>7.1f} ms {calls['ratio']:>7.1f}× {calls['queries']:>9}"
    )
    print()
    print_dossiers(results["dossiers"])
    print()
    print_ranking(results["ranking"])
    print()
    print_notifications(results["notifications"])
    print()
    from bench.cohorts import print_cohorts

    print_cohorts(results["cohorts"])
    print()
    from bench.approaches import print_approaches

    print_approaches(results["approaches"])
    print()
    if "surveys" in results:
        from bench.surveys import print_surveys

        print_surveys(results["surveys"])
        print()
    print(f"Résultats écrits dans {OUTPUT_DIR / 'results.json'}")


def print_directory_page(figures: list[dict]) -> None:
    from bench.directory import print_directory_page as print_page

    print_page(figures)


def print_finess(figures: dict) -> None:
    from bench.finess import print_finess as print_finess_import

    print_finess_import(figures)


def print_ranking(figures: dict) -> None:
    from bench.review import print_ranking as print_review_ranking

    print_review_ranking(figures)


def print_notifications(figures: dict) -> None:
    from bench.notifications import print_notifications as print_bulk_notification

    print_bulk_notification(figures)


def print_dossiers(dossiers: dict) -> None:
    heading = "Dossiers (formulaire QVCT standard)"
    print(f"{heading:<40} {'par s':>10} {'plancher':>10} {'rapport':>8} {'requêtes':>9}")
    for label, key in (
        ("enregistrement du brouillon", "draft_save"),
        ("dépôt, accusé PDF compris", "submission"),
    ):
        figure = dossiers[key]
        print(
            f"{label:<40} {figure['per_second']:>8.1f}/s {figure['floor_per_second']:>8.1f}/s "
            f"{figure['ratio']:>7.1f}× {figure['queries']:>9}"
        )
    print(
        f"(plancher : insertion nue, {dossiers['bare_insert_queries']} requêtes ; "
        f"PDF de l’accusé seul : {dossiers['submission']['receipt_pdf_ms']:.0f} ms)"
    )


if __name__ == "__main__":
    main()
