"""The public list of open calls with 2 000 calls: the page, next to one raw SQL query."""

from datetime import timedelta

from bench.run import timed

CALLS = 2_000
REPEATS = 7


def public_list_figures() -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    _create_calls()
    client = Client(HTTP_HOST="localhost")
    client.get("/appels/")  # warm the caches of both paths
    raw_first_page()
    page_runs, raw_runs = [], []
    for _ in range(REPEATS):
        page_runs.append(timed(lambda: client.get("/appels/")))
        raw_runs.append(timed(raw_first_page))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/appels/")
    assert response.status_code == 200
    page_ms, raw_ms = min(page_runs) * 1000, min(raw_runs) * 1000
    return {
        "calls": CALLS,
        "page_ms": round(page_ms, 1),
        "raw_sql_ms": round(raw_ms, 2),
        "ratio": round(page_ms / raw_ms, 1) if raw_ms else None,
        "queries": len(queries),
    }


def raw_first_page() -> list[tuple]:
    """The floor: the first 20 open calls with their region, and their count, in plain SQL."""
    from django.db import connection
    from django.utils import timezone

    from capqvct.calls.models import Call, Programme
    from capqvct.territory.models import Region

    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {Call._meta.db_table} WHERE status = 'published' AND closes_at >= %s",
            [now],
        )
        cursor.fetchone()
        cursor.execute(
            f"SELECT c.*, r.name FROM {Call._meta.db_table} c "
            f"JOIN {Programme._meta.db_table} p ON p.id = c.programme_id "
            f"JOIN {Region._meta.db_table} r ON r.code = p.region_id "
            "WHERE c.status = 'published' AND c.closes_at >= %s ORDER BY c.closes_at, c.id LIMIT 20",
            [now],
        )
        return cursor.fetchall()


def clean_up() -> None:
    from capqvct.calls.models import Call, Programme

    Call.objects.all().delete()
    Programme.objects.all().delete()


def _create_calls() -> None:
    from django.utils import timezone

    from capqvct.calls.models import Call, CallKind, CallStatus, FundingRule, Programme, ProgrammeFormat
    from capqvct.territory.models import Region

    now = timezone.now()
    regions = list(Region.objects.all())
    programmes = Programme.objects.bulk_create(
        Programme(
            region=region,
            title=f"Programme QVCT {region.name}",
            format=ProgrammeFormat.COHORTS,
            funding_rule=FundingRule.FLAT_RATE,
            flat_rate_amount=2000,
        )
        for region in regions
    )
    Call.objects.bulk_create(
        (
            Call(
                programme=programmes[n % len(programmes)],
                kind=CallKind.AAC,
                title=f"Appel à candidatures QVCT n° {n}",
                status=CallStatus.PUBLISHED if n % 4 else CallStatus.CLOSED,
                published_at=now - timedelta(days=30),
                opens_at=now - timedelta(days=30),
                closes_at=now + timedelta(days=1 + n % 90),
                categories=["500", "354"] if n % 2 else [],
            )
            for n in range(CALLS)
        ),
        batch_size=500,
    )
