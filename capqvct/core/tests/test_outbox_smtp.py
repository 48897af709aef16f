"""End to end, with a real SMTP server on the loopback and the real database queue (db_worker): the
server is stopped while an agent invites a colleague and notifies a call's decisions in bulk. The
changes are committed, the agent sees the failures; once the server is back and the retries come due,
each e-mail reaches it exactly once, even though the safety net queued every one of them a second time."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from capqvct.accounts.models import Invitation
from capqvct.core.models import EmailStatus, OutgoingEmail
from capqvct.core.tests import smtp
from capqvct.review.models import Decision, Outcome
from capqvct.review.tests import test_decisions as shared

FAILED_PAGE = "/compte/envois-en-echec/"
DIRECTORS = ["direction@a.fr", "direction@b.fr", "direction@c.fr"]
agency, manager, call, review = shared.agency, shared.manager, shared.call, shared.review
smtp_server = smtp.smtp_server


def run_worker() -> None:
    """`manage.py db_worker --batch`: every task due, then stop."""
    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, stdout=io.StringIO()
    )


def let_time_pass(delta: timedelta) -> None:
    """As if `delta` had passed: what was planned for later (retries, deferred tasks) comes due."""
    OutgoingEmail.objects.update(next_attempt_at=F("next_attempt_at") - delta)
    DBTaskResult.objects.filter(run_after__isnull=False).update(run_after=F("run_after") - delta)


@pytest.mark.django_db(transaction=True)
def test_mail_server_down_then_restarted_each_e_mail_leaves_exactly_once(
    settings, smtp_server, call, review, manager, verified_client, signal_handlers
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for name, email in zip("ABC", DIRECTORS, strict=True):
        shared.draft(shared.dossier(call, name, director_email=email), Outcome.NOT_SELECTED, manager)
    client = verified_client(manager)
    client.post(reverse("review:decisions_confirm", args=[call.pk]))
    assert not Decision.objects.filter(confirmed_at__isnull=True).exists()
    smtp_server.start()
    smtp_server.stop()  # the mail server goes down

    invited = client.post(
        reverse("accounts:invite", args=[manager.memberships.get().organisation_id]),
        {"email": "ines.durand@ars.sante.fr", "role": "reviewer"},
    )
    notified = client.post(reverse("review:decisions_notify", args=[call.pk]))
    run_worker()

    # The changes are committed; nothing reached the server; each e-mail failed once and waits.
    assert (invited.status_code, notified.status_code) == (302, 302)
    assert Invitation.objects.filter(email="ines.durand@ars.sante.fr").exists()
    assert smtp_server.received == []
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {(EmailStatus.PENDING, 1)}
    assert OutgoingEmail.objects.count() == 4
    # The agent sees the failures: on « Envois en échec », and on the decisions page.
    page = client.get(FAILED_PAGE).content.decode()
    for address in ["ines.durand@ars.sante.fr", *DIRECTORS]:
        assert address in page
    assert page.count("Le serveur d’envoi est injoignable (connexion refusée).") == 4
    decisions_page = client.get(reverse("review:decisions", args=[call.pk])).content.decode()
    assert decisions_page.count("Échec de l’envoi") == 3

    smtp_server.start()  # back
    # Past the first retry and long enough for the safety net to take every row for lost: each e-mail
    # now has two delivery tasks, its own retry and the safety net's.
    let_time_pass(timedelta(minutes=15))
    call_command("send_outbox", stdout=io.StringIO())
    assert DBTaskResult.objects.filter(status="READY").count() == 8
    run_worker()
    run_worker()

    assert smtp_server.recipients() == sorted(["ines.durand@ars.sante.fr", *DIRECTORS])
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {(EmailStatus.SENT, 2)}
    received_ids = {str(message["Message-ID"]) for message in smtp_server.received}
    assert received_ids == set(OutgoingEmail.objects.values_list("message_id", flat=True))
    decisions = Decision.objects.all()
    assert all(d.notified_at and not d.notification_error for d in decisions)
    assert {d.message_id for d in decisions} <= received_ids
    assert "Aucun envoi en échec." in client.get(FAILED_PAGE).content.decode()
