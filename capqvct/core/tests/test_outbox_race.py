"""Two workers take the same e-mails at the same moment, from threads, on PostgreSQL (SQLite serialises
writers anyway): each e-mail reaches the real SMTP server once."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections, transaction

from capqvct.core import outbox
from capqvct.core.emails import queue_email
from capqvct.core.models import EmailStatus, OutgoingEmail
from capqvct.core.tests import smtp

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]
smtp_server = smtp.smtp_server
EMAILS = 20


@pytest.fixture(autouse=True)
def queued_not_run(settings):
    """Delivery tasks are queued and left there: the test's threads play the workers."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _worker(email_ids: list[int]) -> list[str]:
    try:
        return [outbox.deliver(email_id) for email_id in email_ids]
    finally:
        connections.close_all()


def test_two_workers_running_the_same_queue_send_each_e_mail_once(
    smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.start()
    with transaction.atomic():
        ids = [
            queue_email(
                to=[f"direction{n}@ehpad.fr"], subject="Accusé de réception", body="Bonjour", purpose="test"
            ).pk
            for n in range(EMAILS)
        ]

    # Both workers see every e-mail waiting; the second runs the queue backwards to meet the first.
    with ThreadPoolExecutor(max_workers=2) as pool:
        forwards, backwards = pool.map(_worker, [ids, ids[::-1]])

    assert sorted(forwards + backwards).count(EmailStatus.SENT) == EMAILS
    assert smtp_server.recipients() == sorted(f"direction{n}@ehpad.fr" for n in range(EMAILS))
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {(EmailStatus.SENT, 1)}


def test_ten_tasks_for_one_e_mail_at_once_send_it_once(smtp_server):
    smtp_server.start()
    with transaction.atomic():
        email = queue_email(to=["direction@ehpad.fr"], subject="Décision", body="Bonjour", purpose="test")

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = [status for statuses in pool.map(_worker, [[email.pk]] * 10) for status in statuses]

    assert sorted(outcomes) == [""] * 9 + [EmailStatus.SENT]
    assert len(smtp_server.received) == 1
