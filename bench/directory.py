"""The directory page at national scale: ``django.test.Client`` signed in as a national observer (with
a verified second factor, as the page requires) GETs ``/etablissements/`` with a search, through the
whole middleware stack, the form, the capped count, the page of 20 and the templates. The floor is the
one hand-written SQL query that reads the same 20 rows (``bench.run.raw_search``); the page must list
exactly those. Each search runs ``REPEATS`` times, page and floor interleaved; the figure is the 95th
percentile of each, and their ratio."""

import gzip
import re
from urllib.parse import urlencode

from bench.run import ratio, timed

REPEATS = 20
TARGET_RATIO = 3.0
FINESS_CELL = re.compile(r'<td class="capqvct-mono">([0-9AB]{9})</td>')


def directory_page_figures(observer) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.review import _signed_in
    from bench.run import raw_search, typical_searches

    client = _signed_in(Client(HTTP_HOST="localhost"), observer)
    figures = []
    for label, criteria in typical_searches():
        url = "/etablissements/?" + urlencode(
            {"q": criteria.get("query", ""), **{k: v for k, v in criteria.items() if k != "query"}}
        )

        def page(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        def floor(criteria=criteria):
            return raw_search(**criteria)

        shown = FINESS_CELL.findall(page().content.decode())
        assert shown == [row[1] for row in floor()], label
        connection.queries_log.clear()  # each request empties it: what came before would hide the count
        with CaptureQueriesContext(connection) as queries:
            html = page().content
        # Read now: the log is emptied by each later request, and the captured list is read from it.
        sql = [query["sql"] for query in queries]
        page_runs, floor_runs = [], []
        for _ in range(REPEATS):
            page_runs.append(timed(page))
            floor_runs.append(timed(floor))
        page_ms, floor_ms = p95_ms(page_runs), p95_ms(floor_runs)
        figures.append(
            {
                "search": label,
                "page_p95_ms": round(page_ms, 1),
                "raw_sql_p95_ms": round(floor_ms, 2),
                "ratio": ratio(page_ms, floor_ms),
                "queries": len(sql),
                "sql": sql,
                "html_kilobytes": round(len(html) / 1000, 1),
                "gzipped_kilobytes": round(len(gzip.compress(html)) / 1000, 1),
            }
        )
    client.logout()
    return figures


def p95_ms(runs: list[float]) -> float:
    """The 95th percentile, in milliseconds: 19 runs of 20 were at most this slow."""
    ordered = sorted(runs)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000


def print_directory_page(figures: list[dict]) -> None:
    heading = "Page de l’annuaire (p95 sur 20)"
    print(f"{heading:<40} {'page':>10} {'SQL brut':>10} {'rapport':>8} {'requêtes':>9}")
    for figure in figures:
        page_ms, raw_ms = figure["page_p95_ms"], figure["raw_sql_p95_ms"]
        print(
            f"{figure['search'][:40]:<40} {page_ms:>7.1f} ms {raw_ms:>7.1f} ms "
            f"{figure['ratio']:>7.1f}× {figure['queries']:>9}"
        )
    first = figures[0]
    print(
        f"(page entière : {first['html_kilobytes']} ko, {first['gzipped_kilobytes']} ko compressée en gzip)"
    )


def figures_alone() -> list[dict]:
    """With the bench's national FINESS extraction imported first, to have a directory to search."""
    from bench.run import ESTABLISHMENTS, OUTPUT_DIR, ensure_departements, national_observer
    from capqvct.establishments.finess import import_finess
    from capqvct.establishments.finess_sample import write_sample_finess

    path = OUTPUT_DIR / "finess-national.csv"
    write_sample_finess(path, departements=ensure_departements(), count=ESTABLISHMENTS, seed=2026)
    import_finess(path)
    return directory_page_figures(national_observer())


def clean_up() -> None:
    from bench.finess import clean_up as clean_up_finess
    from capqvct.accounts.models import Organisation, User

    clean_up_finess()
    User.objects.filter(email="observatoire.banc@exemple.fr").delete()
    Organisation.objects.filter(name="Observatoire (banc d’essai)").delete()


if __name__ == "__main__":
    from bench.run import run_alone

    run_alone("directory", figures_alone, print_directory_page, clean_up)
