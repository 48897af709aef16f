"""The bulk notification of a call's 500 confirmed decisions, through the real database queue.

``notify_decisions()`` writes one e-mail per decision to the outbox, in its transaction, and queues one
delivery task each (``django_tasks_db.DatabaseBackend``, whatever the settings say); ``db_worker --batch``
then runs the queue to the end, in this process: for each decision the letter (WeasyPrint PDF) and the
e-mail (``locmem`` backend: built, never sent over the network). Figures:
the queuing, the worker's whole run, its cost per decision and the share of the letters' PDF in it (timed
where the worker builds them), and the SQL queries of one task, for an establishment with one recipient and
for one with three (they must not differ: no N+1), then of one task through db_worker, queue included.

Run alone, on the bench's database setup: ``CAPQVCT_TESTING=1 .venv/bin/python -m bench.notifications``.
"""

import io
import statistics
import time
from datetime import timedelta

from bench.run import bench_call

DECISIONS = 500
MEMBERS_EVERY = 10  # one establishment in ten has three members to notify, the others a director alone
EMAIL_DOMAIN = "banc-notification.exemple.fr"
FINESS_PREFIX = "N"  # never produced by the FINESS sample, nor by the real file
PROGRAMME_TITLE = "Programme QVCT du banc d’essai de la notification"
ORGANISATION_PREFIX = "Banc d’essai de la notification — "
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASK_PATH = "capqvct.core.tasks.deliver_email"


def notification_figures() -> dict:
    from unittest import mock

    from django.core import mail
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext
    from django_tasks_db.models import DBTaskResult

    from capqvct.applications.models import Application
    from capqvct.core.models import OutgoingEmail
    from capqvct.core.tasks import deliver_email
    from capqvct.review import letters
    from capqvct.review.decisions import notify_decisions
    from capqvct.review.models import Decision

    review, manager, one_recipient, three_recipients = _create_decisions()
    # Each letter's PDF is timed where the worker builds it, to tell its share of the whole.
    pdf_runs, build_pdf = [], letters.decision_letter_pdf

    def timed_pdf(decision, **options):
        started = time.perf_counter()
        try:
            return build_pdf(decision, **options)
        finally:
            pdf_runs.append(time.perf_counter() - started)

    with (
        override_settings(
            TASKS=DATABASE_TASKS, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
        ),
        mock.patch.object(letters, "decision_letter_pdf", timed_pdf),
    ):
        mail.outbox = []
        started = time.perf_counter()
        assert notify_decisions(review=review, by=manager) == DECISIONS
        queued = time.perf_counter()
        assert DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").count() == DECISIONS
        _run_worker()
        finished = time.perf_counter()
        sent = len(mail.outbox)
        recipients = sum(len(message.to) for message in mail.outbox)
        assert sent == DECISIONS, sent
        assert all(message.attachments[0][2] == "application/pdf" for message in mail.outbox)
        assert not DBTaskResult.objects.filter(task_path=TASK_PATH).exclude(status="SUCCESSFUL").exists()
        decisions = Decision.objects.filter(application__call=review.call)
        assert decisions.filter(notified_at__isnull=False).exclude(message_id="").count() == DECISIONS
        assert len(pdf_runs) == DECISIONS

        # Once more, one task at a time: the task alone, for one and for three recipients, then a task
        # through the queue and the worker (claiming it, recording its result).
        def as_on_a_first_send(decision_id: int) -> int:
            """Not notified, the applicant's stage not yet set, its e-mail waiting: returns the e-mail."""
            Decision.objects.filter(pk=decision_id).update(notified_at=None)
            Application.objects.filter(decision__pk=decision_id).update(applicant_stage="")
            email = OutgoingEmail.objects.get(purpose="review.decision", about_id=str(decision_id))
            OutgoingEmail.objects.filter(pk=email.pk).update(status="pending", attempts=0, sent_at=None)
            return email.pk

        task_queries = {}
        for label, decision_id in (("one_recipient", one_recipient), ("three_recipients", three_recipients)):
            email_id = as_on_a_first_send(decision_id)
            with CaptureQueriesContext(connection) as queries:
                deliver_email.call(email_id=email_id)
            task_queries[label] = len(queries)
        deliver_email.enqueue(email_id=as_on_a_first_send(one_recipient))
        with CaptureQueriesContext(connection) as queries:
            _run_worker()
        task_queries["through_the_worker"] = len(queries)
        mail.outbox = []

    worker_seconds = finished - queued
    return {
        "decisions": DECISIONS,
        "recipients": recipients,
        "e_mails_sent": sent,
        "queue_seconds": round(queued - started, 2),
        "worker_seconds": round(worker_seconds, 1),
        "total_seconds": round(finished - started, 1),
        "per_decision_ms": round(worker_seconds / DECISIONS * 1000, 1),
        "letter_pdf_ms": round(statistics.median(pdf_runs) * 1000, 1),
        "letter_pdf_share": round(sum(pdf_runs) / worker_seconds, 2),
        "task_queries": task_queries,
    }


def _run_worker() -> None:
    """``manage.py db_worker --batch``: run every queued task, then stop."""
    from django.core.management import call_command

    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, stdout=io.StringIO()
    )


def print_notifications(figures: dict) -> None:
    print(f"Notification de {figures['decisions']} décisions (file en base, db_worker)")
    print(f"{'mise en file (notify_decisions)':<40} {figures['queue_seconds']:>8.2f} s")
    print(f"{'exécution de la file (db_worker)':<40} {figures['worker_seconds']:>8.1f} s")
    print(f"{'total':<40} {figures['total_seconds']:>8.1f} s")
    print(f"{'par décision (lettre PDF + e-mail)':<40} {figures['per_decision_ms']:>7.1f} ms")
    print(
        f"{'dont lettre PDF (médiane)':<40} {figures['letter_pdf_ms']:>7.1f} ms "
        f"({figures['letter_pdf_share']:.0%} du temps de la file)"
    )
    queries = figures["task_queries"]
    print(
        f"{'requêtes par tâche':<40} {queries['one_recipient']:>9} "
        f"(3 destinataires : {queries['three_recipients']} ; "
        f"par db_worker, file comprise : {queries['through_the_worker']})"
    )
    print(f"({figures['e_mails_sent']} e-mails envoyés à {figures['recipients']} destinataires)")


def clean_up() -> None:
    """Remove the benchmark's decisions, dossiers, call, establishments, users and queued tasks."""
    from django_tasks_db.models import DBTaskResult

    from capqvct.accounts.models import Organisation, User
    from capqvct.applications.models import Application
    from capqvct.calls.models import Call, Programme
    from capqvct.core.models import AuditEvent, OutgoingEmail
    from capqvct.establishments.models import Establishment
    from capqvct.review.models import Decision

    calls = Call.objects.filter(programme__title=PROGRAMME_TITLE)
    decision_ids = [
        str(pk) for pk in Decision.objects.filter(application__call__in=calls).values_list("pk", flat=True)
    ]
    DBTaskResult.objects.filter(task_path=TASK_PATH).delete()
    OutgoingEmail.objects.filter(purpose="review.decision", about_id__in=decision_ids).delete()
    AuditEvent.objects.filter(target_type="review.decision", target_id__in=decision_ids).delete()
    AuditEvent.objects.filter(actor_email__endswith=f"@{EMAIL_DOMAIN}").delete()
    Application.objects.filter(call__in=calls).delete()  # with their decisions
    calls.delete()  # with the review
    Programme.objects.filter(title=PROGRAMME_TITLE).delete()
    Establishment.objects.filter(finess_et__startswith=FINESS_PREFIX).delete()
    Organisation.objects.filter(name__startswith=ORGANISATION_PREFIX).delete()
    User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()


# Setting up ------------------------------------------------------------------------------------


def _create_decisions():
    """A call of one region with DECISIONS dossiers in review, each decision confirmed in commission and
    waiting to be notified; each establishment has its space and director (some two more members)."""
    from django.utils import timezone

    from capqvct.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from capqvct.applications.models import Application, ApplicationStatus
    from capqvct.calls import services as call_services
    from capqvct.establishments.models import Establishment
    from capqvct.review.models import Decision, Review
    from capqvct.territory.models import Departement

    departements = list(Departement.objects.select_related("region").order_by("code"))
    region = departements[0].region
    departements = [d for d in departements if d.region_id == region.code]
    manager = User.objects.create_user(
        email=f"gestion@{EMAIL_DOMAIN}", first_name="Claire", last_name="Martin"
    )
    agency = Organisation.objects.create(
        kind=OrganisationKind.ARS,
        name=f"{ORGANISATION_PREFIX}ARS",
        region=region,
        email=f"ars@{EMAIL_DOMAIN}",
    )
    Membership.objects.create(user=manager, organisation=agency, role=Role.PROGRAMME_MANAGER)
    now = timezone.now()
    call = bench_call(
        manager,
        region_code=region.code,
        programme_title=PROGRAMME_TITLE,
        agencies=[agency],
        definition={"sections": [{"key": "projet", "title": "Projet", "fields": []}]},
        title="Appel à candidatures QVCT (banc d’essai de la notification)",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=20),
        places=100,
    )
    form_version = call_services.current_form(call)
    spaces = Organisation.objects.bulk_create(
        (
            Organisation(kind=OrganisationKind.ESTABLISHMENT, name=f"{ORGANISATION_PREFIX}espace {n}")
            for n in range(DECISIONS)
        ),
        batch_size=500,
    )
    seats = [
        (n, role, who)
        for n in range(DECISIONS)
        for role, who in (
            ((Role.DIRECTOR, "direction"), (Role.MEMBER, "rh"), (Role.MEMBER, "cse"))
            if n % MEMBERS_EVERY == 0
            else ((Role.DIRECTOR, "direction"),)
        )
    ]
    people = User.objects.bulk_create(
        (User(email=f"{who}{n}@{EMAIL_DOMAIN}") for n, _, who in seats), batch_size=500
    )
    Membership.objects.bulk_create(
        (
            Membership(user=person, organisation=spaces[n], role=role)
            for person, (n, role, _) in zip(people, seats, strict=True)
        ),
        batch_size=500,
    )
    establishments = Establishment.objects.bulk_create(
        (
            Establishment(
                finess_et=f"{FINESS_PREFIX}{n:08d}",
                finess_ej=f"{FINESS_PREFIX}{n:08d}",
                name=f"EHPAD de la notification {n}",
                address=f"{n % 90 + 1} rue des Lilas",
                postal_code="34000",
                city_label="34000 MONTPELLIER",
                departement=departements[n % len(departements)],
                category_code="500",
                category_label="Établissement d’hébergement pour personnes âgées dépendantes",
                organisation=space,
            )
            for n, space in enumerate(spaces)
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
                submitted_at=now - timedelta(days=21),
            )
            for establishment in establishments
        ),
        batch_size=500,
    )
    review = Review.objects.create(call=call, started_by=manager)
    decisions = Decision.objects.bulk_create(
        (
            Decision(
                application=application,
                **_outcome(n),
                drafted_by=manager,
                confirmed_at=now - timedelta(days=1),
                confirmed_by=manager,
            )
            for n, application in enumerate(applications)
        ),
        batch_size=500,
    )
    one_recipient = next(d.pk for n, d in enumerate(decisions) if n % MEMBERS_EVERY)
    three_recipients = next(d.pk for n, d in enumerate(decisions) if n % MEMBERS_EVERY == 0)
    return review, manager, one_recipient, three_recipients


def _outcome(n: int) -> dict:
    """100 selected, 100 on the waiting list (ranked), the others not selected, a few ineligible."""
    from capqvct.review.models import Outcome

    if n < 100:
        return {"outcome": Outcome.SELECTED, "reason": "Projet solide, direction et CSE engagés."}
    if n < 200:
        return {"outcome": Outcome.WAITING_LIST, "waiting_rank": n - 99, "reason": "Places épuisées."}
    if n % 25 == 0:
        return {"outcome": Outcome.INELIGIBLE, "reason": "Catégorie d’ESSMS non visée par l’appel."}
    return {"outcome": Outcome.NOT_SELECTED, "reason": "Le projet ne répond pas au cahier des charges."}


if __name__ == "__main__":
    from bench.run import print_notifications, run_alone

    run_alone("notifications", notification_figures, print_notifications, clean_up)
