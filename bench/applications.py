"""Saving a draft and submitting a dossier through the dossier page, next to a bare insert view.

Every figure goes through the real HTTP path: ``django.test.Client``, the whole middleware stack (session,
authentication, login required, messages), the ``applications:edit`` view and its services. The floor is
a view of this module that writes the same POST as one JSON row in a transaction, reached by the same
client through the same middleware: the ratio says what the dossier's layers cost on top (form parsing,
optimistic lock, change log, validation, audit, page rendering; for a submission, the fingerprint and the
receipt). This module is also the benchmark's urlconf: the project's URLs plus the bare view.
"""

import json
import statistics
from datetime import timedelta

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone

from bench.run import bench_call, timed

DRAFTS = 20  # dossiers whose drafts are saved in turn
SAVES = 200
SUBMISSIONS = 40  # one dossier each
WARM_UP = 3
PDF_REPEATS = 5
RAW_TABLE = "bench_dossier_raw"
EMAIL_DOMAIN = "banc-dossiers.exemple.fr"
ESTABLISHMENT_PREFIX = "EHPAD du banc d’essai "
URLCONF = "bench.applications"


def bench_finess(departement: str, n: int) -> str:
    """A valid FINESS number (a submission checks it) at the top of the département's range, which the
    FINESS sample, counting from the bottom and from the middle, never reaches."""
    from capqvct.establishments.finess_numbers import finess_check_digit

    first_eight = f"{departement}99{n:04d}"
    return first_eight + finess_check_digit(first_eight)


def bare_insert(request):
    """The floor: the posted fields written as one JSON row, in a transaction, with no check at all."""
    payload = json.dumps(dict(request.POST.items()), ensure_ascii=False)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RAW_TABLE} (payload, saved_at) VALUES (%s, %s)", [payload, timezone.now()]
        )
    return HttpResponse(status=204)


urlpatterns = [
    path("banc/insertion/", bare_insert, name="bench_bare_insert"),
    path("", include("capqvct.urls")),
]


def dossier_figures() -> dict:
    from django.core import mail
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from capqvct.applications.models import Application, ApplicationStatus
    from capqvct.applications.receipts import receipt_pdf

    _create_raw_table()
    dossiers = _create_dossiers(DRAFTS + SUBMISSIONS + 1)
    drafts, to_submit, probe = dossiers[:DRAFTS], dossiers[DRAFTS:-1], dossiers[-1]
    clients = {}
    for application, user in dossiers:
        clients[application.pk] = Client(HTTP_HOST="localhost")
        clients[application.pk].force_login(user)
    versions = {application.pk: 0 for application, _ in dossiers}
    answers = valid_answers()

    def save(application, number: int):
        data = form_data({**answers, "motivation": f"{answers['motivation']} (version {number})"})
        response = clients[application.pk].post(
            f"/dossiers/{application.pk}/", {**data, "lock_version": versions[application.pk], "save": ""}
        )
        assert response.status_code == 200 and "Brouillon enregistré" in response.content.decode(), number
        versions[application.pk] += 1

    def submit(application):
        data = {**form_data(answers), "lock_version": versions[application.pk], "submit": ""}
        response = clients[application.pk].post(f"/dossiers/{application.pk}/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
        versions[application.pk] += 1

    def bare(application):
        data = {**form_data(answers), "lock_version": versions[application.pk], "save": ""}
        response = clients[application.pk].post("/banc/insertion/", data)
        assert response.status_code == 204

    with override_settings(
        ROOT_URLCONF=URLCONF, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
    ):
        mail.outbox = []
        first = drafts[0][0]
        for number in range(WARM_UP):  # templates, caches, connections of both paths
            save(first, number)
            bare(first)
        # Interleaved, so that a burst of load elsewhere on the machine hits both paths alike.
        save_runs, save_floor_runs = [], []
        for number in range(SAVES):
            application = drafts[number % DRAFTS][0]
            save_runs.append(timed(lambda application=application, number=number: save(application, number)))
            save_floor_runs.append(timed(lambda application=application: bare(application)))
        submit_runs, submit_floor_runs = [], []
        for application, _ in to_submit:
            submit_runs.append(timed(lambda application=application: submit(application)))
            submit_floor_runs.append(timed(lambda application=application: bare(application)))

        with CaptureQueriesContext(connection) as save_queries:
            save(probe[0], 0)
        with CaptureQueriesContext(connection) as submit_queries:
            submit(probe[0])
        with CaptureQueriesContext(connection) as bare_queries:
            bare(probe[0])
        assert len(mail.outbox) == SUBMISSIONS + 1
        assert all(message.attachments[0][2] == "application/pdf" for message in mail.outbox)
        mail.outbox = []

    submitted = Application.objects.filter(pk__in=[a.pk for a, _ in to_submit + [probe]])
    assert submitted.filter(status=ApplicationStatus.SUBMITTED).count() == SUBMISSIONS + 1
    assert sum(a.lock_version for a in Application.objects.filter(pk__in=[a.pk for a, _ in drafts])) == (
        SAVES + WARM_UP
    )
    submission = probe[0].submissions.get()
    pdf_runs = [timed(lambda: receipt_pdf(submission)) for _ in range(PDF_REPEATS)]
    for client in clients.values():
        client.logout()
    return {
        "form": "standard QVCT (standard_qvct_application)",
        "answers_bytes": len(json.dumps(answers, ensure_ascii=False).encode()),
        "draft_save": _rates(save_runs, save_floor_runs, queries=len(save_queries), count=SAVES),
        "submission": {
            **_rates(submit_runs, submit_floor_runs, queries=len(submit_queries), count=SUBMISSIONS),
            "includes_receipt_pdf": True,
            "receipt_pdf_ms": round(statistics.median(pdf_runs) * 1000, 1),
        },
        "bare_insert_queries": len(bare_queries),
    }


def valid_answers() -> dict:
    """A complete dossier for the standard QVCT form, as an applicant would type it."""
    trio = {
        role: {"name": f"Personne {n}", "function": "Infirmière coordinatrice", "email": f"p{n}@ehpad.fr"}
        for n, role in enumerate(("direction", "staff_representative", "professions"))
    }
    return {
        "structure_name": "EHPAD Les Glycines",
        "finess_et": "310780259",
        "legal_status": "private_non_profit",
        "postal_address": "12 avenue des Glycines\n31000 Toulouse",
        "email": "direction@glycines.fr",
        "phone": "05 61 00 00 00",
        "head_name": "Anne Martin",
        "head_status": "Directrice d’établissement (D3S)",
        "staff_fte": "62,5",
        "staff_headcount": "71",
        "motivation": "Réduire l’absentéisme des équipes de nuit et mieux accueillir les nouveaux arrivants. "
        * 8,
        "steering": "Un comité QVT mensuel réunissant direction, représentants du personnel et cadres. " * 6,
        "previous_actions": "Groupes d’analyse de la pratique depuis 2023, formation aux gestes et postures.",
        "trio": trio,
    }


def form_data(answers: dict, prefix: str = "answers") -> dict:
    """The answers as the dossier page posts them: one field per question, named by its dotted path."""
    data = {}
    for key, value in answers.items():
        if isinstance(value, dict):
            data.update(form_data(value, f"{prefix}.{key}"))
        else:
            data[f"{prefix}.{key}"] = value
    return data


def clean_up() -> None:
    """Remove the benchmark's dossiers, call, users and table (before the calls and establishments)."""
    from capqvct.accounts.models import Organisation, User
    from capqvct.applications.models import Application
    from capqvct.calls.models import Call, Programme
    from capqvct.core.models import AuditEvent
    from capqvct.establishments.models import Establishment

    users = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    calls = Call.objects.filter(programme__title=PROGRAMME_TITLE)
    Application.objects.filter(call__in=calls).delete()
    calls.delete()
    Programme.objects.filter(title=PROGRAMME_TITLE).delete()
    Establishment.objects.filter(name__startswith=ESTABLISHMENT_PREFIX).delete()
    Organisation.objects.filter(name__startswith=ORGANISATION_PREFIX).delete()
    AuditEvent.objects.filter(actor_email__endswith=f"@{EMAIL_DOMAIN}").delete()
    users.delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")


# Setting up ------------------------------------------------------------------------------------

PROGRAMME_TITLE = "Programme QVCT du banc d’essai des dossiers"
ORGANISATION_PREFIX = "Banc d’essai des dossiers — "


def _create_raw_table() -> None:
    key = (
        "bigserial PRIMARY KEY" if connection.vendor == "postgresql" else "integer PRIMARY KEY AUTOINCREMENT"
    )
    stamp = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute(
            f"CREATE TABLE {RAW_TABLE} (id {key}, payload text NOT NULL, saved_at {stamp} NOT NULL)"
        )


def _create_dossiers(count: int) -> list[tuple]:
    """A published call with the standard QVCT form, and `count` directors, each with their establishment's
    dossier opened, as the « Déposer un dossier » page opens it."""
    from capqvct.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from capqvct.applications import services
    from capqvct.calls import services as call_services
    from capqvct.calls.formdef.templates_library import standard_qvct_application
    from capqvct.establishments.models import Establishment
    from capqvct.territory.models import Departement

    departement = Departement.objects.select_related("region").order_by("code").first()
    region = departement.region
    manager = User.objects.create_user(email=f"gestion@{EMAIL_DOMAIN}")
    agency = Organisation.objects.create(
        kind=OrganisationKind.ARS, name=f"{ORGANISATION_PREFIX}ARS", region=region
    )
    Membership.objects.create(user=manager, organisation=agency, role=Role.PROGRAMME_MANAGER)
    now = timezone.now()
    call = bench_call(
        manager,
        region_code=region.code,
        programme_title=PROGRAMME_TITLE,
        definition=standard_qvct_application().to_json(),
        title="Appel à candidatures QVCT (banc d’essai)",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    call = call_services.publish_call(call=call, by=manager)
    dossiers = []
    for n in range(count):
        director = User.objects.create_user(email=f"direction{n}@{EMAIL_DOMAIN}")
        space = Organisation.objects.create(
            kind=OrganisationKind.ESTABLISHMENT, name=f"{ORGANISATION_PREFIX}espace {n}"
        )
        Membership.objects.create(user=director, organisation=space, role=Role.DIRECTOR)
        establishment = Establishment.objects.create(
            finess_et=bench_finess(departement.code, n),
            finess_ej=bench_finess(departement.code, n),
            name=f"{ESTABLISHMENT_PREFIX}{n}",
            departement=departement,
            category_code="500",
            category_label="Établissement d’hébergement pour personnes âgées dépendantes",
            organisation=space,
        )
        application = services.start_application(call=call, establishment=establishment, by=director)
        dossiers.append((application, director))
    return dossiers


# Measuring -------------------------------------------------------------------------------------


def _rates(runs: list[float], floor_runs: list[float], *, queries: int, count: int) -> dict:
    per_second, floor_per_second = len(runs) / sum(runs), len(floor_runs) / sum(floor_runs)
    return {
        "count": count,
        "per_second": round(per_second, 1),
        "median_ms": round(statistics.median(runs) * 1000, 1),
        "floor_per_second": round(floor_per_second, 1),
        "floor_median_ms": round(statistics.median(floor_runs) * 1000, 2),
        "ratio": round(floor_per_second / per_second, 1),
        "queries": queries,
    }
