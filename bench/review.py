"""The ranking table of a call with 1 000 dossiers × 3 reviewers × 5 criteria, next to one SQL aggregate.

Three figures: the whole page (``django.test.Client`` signed in as the call's manager with a verified
second factor, every middleware, the view, the template; first page of 100 rows), the selector alone
(``capqvct.review.ranking.ranking``: every dossier's marks, average, spread, rank, sorted), and the floor:
one hand-written SQL query that computes the same weighted averages and spreads in the database. The bench
checks that the floor and the selector find the same averages. It also times the review's dashboard on
the same call (its first page of 50 dossiers, with its queries and HTML size).

Run alone, on the bench's database setup: ``CAPQVCT_TESTING=1 .venv/bin/python -m bench.review``.
"""

import random
from datetime import timedelta

from bench.run import bench_call, timed

DOSSIERS = 1_000
REVIEWERS_PER_DOSSIER = 3
REVIEWERS = 30
CRITERIA = ((3, 4), (2, 4), (2, 4), (1, 4), (1, 10))  # (weight, scale_max)
REPEATS = 7
EMAIL_DOMAIN = "banc-classement.exemple.fr"
FINESS_PREFIX = "R"  # never produced by the FINESS sample, nor by the real file
PROGRAMME_TITLE = "Programme QVCT du banc d’essai du classement"
ORGANISATION_NAME = "Banc d’essai du classement — ARS"
MOTIVATION = {"key": "motivation", "kind": "long_text", "label": "Motivation", "max_length": 3000}


def ranking_figures() -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from capqvct.review.ranking import ranking

    review, manager = _create_review()
    client = _signed_in(Client(HTTP_HOST="localhost"), manager)
    url = f"/instruction/appels/{review.call_id}/classement/"

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    def selector():
        return ranking(review)

    def export():
        response = client.get(f"{url}?format=xlsx")
        assert response.status_code == 200

    def dashboard():
        response = client.get(f"/instruction/appels/{review.call_id}/")
        assert response.status_code == 200, response.status_code
        return response

    table = selector()
    floor = raw_aggregate(review.call_id)
    assert len(table.dossiers) == len(floor) == DOSSIERS
    for dossier in table.dossiers:
        average, gap = floor[dossier.application_id]
        assert (dossier.average is None) == (average is None), dossier.application_id
        if average is not None:
            assert abs(float(dossier.average) - average) < 1e-9, dossier.application_id
        if dossier.spread is not None:
            assert abs(float(dossier.spread) - gap) < 1e-9, dossier.application_id
    page(), export(), dashboard()  # warm the caches of every path
    # Interleaved, so that a burst of load elsewhere on the machine hits every path alike.
    page_runs, selector_runs, floor_runs, export_runs, dashboard_runs = [], [], [], [], []
    for _ in range(REPEATS):
        dashboard_runs.append(timed(dashboard))
        page_runs.append(timed(page))
        selector_runs.append(timed(selector))
        floor_runs.append(timed(lambda: raw_aggregate(review.call_id)))
        export_runs.append(timed(export))
    with CaptureQueriesContext(connection) as page_queries:
        page()
    with CaptureQueriesContext(connection) as selector_queries:
        selector()
    with CaptureQueriesContext(connection) as dashboard_queries:
        dashboard_html = dashboard().content
    page_ms, selector_ms, floor_ms = (min(runs) * 1000 for runs in (page_runs, selector_runs, floor_runs))
    client.logout()
    return {
        "dossiers": DOSSIERS,
        "reviewers_per_dossier": REVIEWERS_PER_DOSSIER,
        "criteria": len(CRITERIA),
        "page_ms": round(page_ms, 1),
        "selector_ms": round(selector_ms, 1),
        "raw_sql_ms": round(floor_ms, 1),
        "page_ratio": round(page_ms / floor_ms, 1),
        "selector_ratio": round(selector_ms / floor_ms, 1),
        "export_xlsx_ms": round(min(export_runs) * 1000, 1),
        "page_queries": len(page_queries),
        "selector_queries": len(selector_queries),
        "dashboard_ms": round(min(dashboard_runs) * 1000, 1),
        "dashboard_queries": len(dashboard_queries),
        "dashboard_kb": round(len(dashboard_html) / 1024),
    }


def raw_aggregate(call_id: int) -> dict[int, tuple[float | None, float | None]]:
    """The floor: every dossier's average and spread of its reviewers' weighted marks, in one SQL query."""
    from django.db import connection

    from capqvct.applications.models import Application
    from capqvct.review.models import Assignment, Criterion, Score

    sql = f"""
        SELECT a.id, AVG(m.mark), MAX(m.mark) - MIN(m.mark)
        FROM {Application._meta.db_table} a
        LEFT JOIN (
            SELECT r.application_id,
                   20.0 * SUM(1.0 * c.weight * s.value / c.scale_max) / SUM(c.weight) AS mark
            FROM {Assignment._meta.db_table} r
            JOIN {Score._meta.db_table} s ON s.assignment_id = r.id
            JOIN {Criterion._meta.db_table} c ON c.id = s.criterion_id
            WHERE r.submitted_at IS NOT NULL AND r.conflict_declared_at IS NULL
              AND s.value IS NOT NULL AND c.scale_max > 0
            GROUP BY r.id, r.application_id
            HAVING SUM(c.weight) > 0
        ) m ON m.application_id = a.id
        WHERE a.call_id = %s AND a.status IN ('submitted', 'in_review')
        GROUP BY a.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [call_id])
        return {
            pk: (None if mean is None else float(mean), None if gap is None else float(gap))
            for pk, mean, gap in cursor.fetchall()
        }


def print_ranking(figures: dict) -> None:
    heading = (
        f"Classement ({figures['dossiers']} dossiers × {figures['reviewers_per_dossier']} instructeurs "
        f"× {figures['criteria']} critères)"
    )
    print(heading)
    print(f"{'':<40} {'mesure':>10} {'SQL brut':>10} {'rapport':>8} {'requêtes':>9}")
    for label, key, ratio, queries in (
        ("page (100 premières lignes)", "page_ms", "page_ratio", "page_queries"),
        ("sélecteur seul (tous les dossiers)", "selector_ms", "selector_ratio", "selector_queries"),
    ):
        print(
            f"{label:<40} {figures[key]:>7.1f} ms {figures['raw_sql_ms']:>7.1f} ms "
            f"{figures[ratio]:>7.1f}× {figures[queries]:>9}"
        )
    print(f"(export XLSX des {figures['dossiers']} lignes : {figures['export_xlsx_ms']:.0f} ms)")
    print(
        f"(tableau de l’instruction, 50 premiers dossiers : {figures['dashboard_ms']:.0f} ms, "
        f"{figures['dashboard_queries']} requêtes, {figures['dashboard_kb']} Ko)"
    )


def clean_up() -> None:
    """Remove the benchmark's review, dossiers, call, establishments and users."""
    from capqvct.accounts.models import Organisation, User
    from capqvct.applications.models import Application
    from capqvct.calls.models import Call, Programme
    from capqvct.core.models import AuditEvent
    from capqvct.establishments.models import Establishment
    from capqvct.review.models import Score

    calls = Call.objects.filter(programme__title=PROGRAMME_TITLE)
    # Scores first: they protect their assignments and criteria from a cascade.
    Score.objects.filter(assignment__application__call__in=calls).delete()
    Application.objects.filter(call__in=calls).delete()  # with their assignments
    calls.delete()  # with the review and its criteria
    Programme.objects.filter(title=PROGRAMME_TITLE).delete()
    Establishment.objects.filter(finess_et__startswith=FINESS_PREFIX).delete()
    Organisation.objects.filter(name=ORGANISATION_NAME).delete()
    AuditEvent.objects.filter(actor_email__endswith=f"@{EMAIL_DOMAIN}").delete()
    User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()


# Setting up ------------------------------------------------------------------------------------


def _create_review():
    """A call of one region with DOSSIERS submitted dossiers, its review opened and scored: 3 reviewers per
    dossier, most notations remitted, a few still open, a few conflicts; eligibility and decisions on some."""
    from django.db import connection
    from django.utils import timezone

    from capqvct.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from capqvct.applications.models import Application, ApplicationStatus
    from capqvct.calls import services as call_services
    from capqvct.establishments.models import Establishment
    from capqvct.review.models import (
        Assignment,
        Criterion,
        Decision,
        EligibilityReview,
        Outcome,
        Review,
        Score,
    )
    from capqvct.territory.models import Departement

    rng = random.Random(2026)
    departements = list(Departement.objects.select_related("region").order_by("code"))
    region = departements[0].region
    departements = [d for d in departements if d.region_id == region.code]
    manager = User.objects.create_user(email=f"gestion@{EMAIL_DOMAIN}")
    agency = Organisation.objects.create(kind=OrganisationKind.ARS, name=ORGANISATION_NAME, region=region)
    Membership.objects.create(user=manager, organisation=agency, role=Role.PROGRAMME_MANAGER)
    now = timezone.now()
    call = bench_call(
        manager,
        region_code=region.code,
        programme_title=PROGRAMME_TITLE,
        # One question (the answers below fill it): the review's dashboard reads the form of every dossier.
        definition={"sections": [{"key": "projet", "title": "Projet", "fields": [MOTIVATION]}]},
        title="Appel à candidatures QVCT (banc d’essai du classement)",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
    )
    form_version = call_services.current_form(call)
    establishments = Establishment.objects.bulk_create(
        (
            Establishment(
                finess_et=f"{FINESS_PREFIX}{n:08d}",
                finess_ej=f"{FINESS_PREFIX}{n:08d}",
                name=f"EHPAD du classement {n}",
                departement=departements[n % len(departements)],
                category_code="500",
                category_label="Établissement d’hébergement pour personnes âgées dépendantes",
            )
            for n in range(DOSSIERS)
        ),
        batch_size=500,
    )
    applications = Application.objects.bulk_create(
        (
            Application(
                call=call,
                establishment=establishment,
                status=ApplicationStatus.IN_REVIEW,
                form_version=form_version,
                answers={"motivation": "Réduire l’absentéisme des équipes de nuit. " * 40},
                submitted_at=now - timedelta(days=2),
            )
            for establishment in establishments
        ),
        batch_size=500,
    )
    review = Review.objects.create(call=call, started_by=manager, reviewers_per_dossier=REVIEWERS_PER_DOSSIER)
    criteria = Criterion.objects.bulk_create(
        Criterion(review=review, label=f"Critère {n}", weight=weight, scale_max=scale_max, position=n)
        for n, (weight, scale_max) in enumerate(CRITERIA)
    )
    reviewers = User.objects.bulk_create(
        User(email=f"instructeur{n}@{EMAIL_DOMAIN}") for n in range(REVIEWERS)
    )
    assignments = []
    for application in applications:
        for reviewer in rng.sample(reviewers, REVIEWERS_PER_DOSSIER):
            draw = rng.random()
            conflict = draw > 0.98
            assignments.append(
                Assignment(
                    application=application,
                    reviewer=reviewer,
                    no_conflict_declared_at=None if conflict else now,
                    submitted_at=None if draw < 0.05 or conflict else now,
                    conflict_declared_at=now if conflict else None,
                    conflict_reason="Lien familial" if conflict else "",
                )
            )
    assignments = Assignment.objects.bulk_create(assignments, batch_size=500)
    Score.objects.bulk_create(
        (
            Score(
                assignment=assignment,
                criterion=criterion,
                value=None if rng.random() < 0.02 else rng.randint(0, criterion.scale_max),
            )
            for assignment in assignments
            for criterion in criteria
        ),
        batch_size=500,
    )
    EligibilityReview.objects.bulk_create(
        (
            EligibilityReview(application=application, eligible=n % 10 != 0, by=manager)
            for n, application in enumerate(applications)
            if n % 2
        ),
        batch_size=500,
    )
    Decision.objects.bulk_create(
        (
            Decision(application=application, outcome=Outcome.SELECTED, reason="Retenu", drafted_by=manager)
            for application in applications[:100]
        ),
        batch_size=500,
    )
    if connection.vendor == "postgresql":
        # Autovacuum would have analysed tables filled this much; without statistics the planner nests
        # loops and the SQL aggregate takes seconds instead of milliseconds.
        tables = (Establishment, Application, Assignment, Score, Criterion, EligibilityReview, Decision)
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return review, manager


def _signed_in(client, user):
    """Signed in as after a password and a TOTP code, as the agents' pages require."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="banc", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


if __name__ == "__main__":
    from bench.run import print_ranking, run_alone

    run_alone("review", ranking_figures, print_ranking, clean_up)
