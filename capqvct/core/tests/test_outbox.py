"""The outbox: written in the caller's transaction, sent once after the commit, retried with a doubling
delay, failed for good after the last attempt, never sent twice, purged after its keeping time."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from capqvct.core import outbox
from capqvct.core.emails import (
    EmailAttachment,
    queue_email,
    register_attachment_builder,
    register_delivery_hooks,
)
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent, EmailStatus, OutgoingEmail
from capqvct.core.tasks import deliver_email
from capqvct.core.tests.smtp import free_port
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


@pytest.fixture
def smtp_down(settings):
    """Django's SMTP backend aimed at a port nobody listens on: every connection is refused."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()


@pytest.fixture
def smtp_back(settings):
    return lambda: setattr(settings, "EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")


def queue(by=None, **overrides) -> OutgoingEmail:
    fields = {
        "to": ["direction@ehpad-lilas.fr"],
        "subject": f"Votre dossier{NBSP}: accusé de réception",
        "body": "Bonjour,\n\nVotre dossier est bien arrivé.\n",
        "purpose": "test.receipt",
        "by": by,
    }
    return queue_email(**{**fields, **overrides})


def test_the_e_mail_is_written_in_the_callers_transaction_and_leaves_after_its_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email = queue()
        assert mail.outbox == []
        assert OutgoingEmail.objects.get().status == EmailStatus.PENDING

    email.refresh_from_db()
    (message,) = mail.outbox
    assert (email.status, email.attempts, email.last_error) == (EmailStatus.SENT, 1, "")
    assert email.sent_at is not None
    assert message.to == ["direction@ehpad-lilas.fr"]
    assert message.subject == f"Votre dossier{NBSP}: accusé de réception"
    assert message.extra_headers["Message-ID"] == email.message_id


def test_a_change_rolled_back_leaves_no_e_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Refusal):
        with transaction.atomic():
            queue()
            raise Refusal("Le dépôt est clos.")

    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []


def test_a_failed_attempt_is_tried_again_after_a_doubling_delay_then_failed_for_good(
    settings, smtp_down, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
    email.refresh_from_db()
    first_failure = timezone.now()
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 1)
    assert email.last_error.startswith("Le serveur d’envoi est injoignable (connexion refusée).")
    assert "ConnectionRefusedError" in email.last_error
    assert timedelta(seconds=55) < email.next_attempt_at - first_failure <= timedelta(seconds=60)

    # Not due yet: the worker leaves it alone.
    assert outbox.deliver(email.pk) == ""
    assert outbox.deliver(email.pk, now=email.next_attempt_at) == EmailStatus.PENDING
    email.refresh_from_db()
    assert email.attempts == 2
    assert timedelta(seconds=115) < email.next_attempt_at - timezone.now() <= timedelta(seconds=120)

    assert outbox.deliver(email.pk, now=email.next_attempt_at) == EmailStatus.FAILED
    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at) == (EmailStatus.FAILED, 3, None)
    assert outbox.deliver(email.pk, now=email.next_attempt_at + timedelta(days=1)) == ""
    assert mail.outbox == []


def test_the_delay_doubles_from_one_minute():
    assert [outbox.retry_delay(n).total_seconds() / 60 for n in range(1, 8)] == [1, 2, 4, 8, 16, 32, 64]


def test_an_e_mail_is_sent_once_however_many_times_its_task_runs(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()

    assert deliver_email.call(email_id=email.pk) == ""
    deliver_email.enqueue(email_id=email.pk)
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.get().attempts == 1


def test_an_e_mail_claimed_by_another_worker_is_left_to_it():
    with transaction.atomic():
        email = queue()
        # Another worker has just claimed it (the conditional UPDATE moved it to « sending »).
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=EmailStatus.SENDING, claimed_at=timezone.now()
        )

    assert outbox.deliver(email.pk) == ""
    assert mail.outbox == []


def test_attachments_are_built_when_the_e_mail_leaves_from_their_description(
    django_capture_on_commit_callbacks,
):
    built = []

    def receipt_pdf(*, number: int) -> bytes:
        built.append(number)
        return b"%PDF-1.7 receipt " + str(number).encode()

    register_attachment_builder("test.receipt_pdf", receipt_pdf)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = queue(
            attachments=[
                EmailAttachment("test.receipt_pdf", {"number": 7}, "accuse-7.pdf", "application/pdf")
            ]
        )
    assert built == []
    assert OutgoingEmail.objects.get().attachments == [
        {
            "builder": "test.receipt_pdf",
            "args": {"number": 7},
            "file_name": "accuse-7.pdf",
            "mimetype": "application/pdf",
        }
    ]

    for callback in callbacks:
        callback()

    assert built == [7]
    assert mail.outbox[0].attachments == [("accuse-7.pdf", b"%PDF-1.7 receipt 7", "application/pdf")]
    assert OutgoingEmail.objects.get(pk=email.pk).status == EmailStatus.SENT


def test_an_app_hears_of_each_outcome_through_its_hooks(
    settings, smtp_down, smtp_back, django_capture_on_commit_callbacks
):
    heard = []
    register_delivery_hooks(
        "test.hooked",
        on_sent=lambda email: heard.append(("sent", email.status)),
        on_failed=lambda email: heard.append(("failed", email.status)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(purpose="test.hooked")
    smtp_back()
    outbox.deliver(email.pk, now=timezone.now() + timedelta(minutes=2))

    assert heard == [("failed", EmailStatus.PENDING), ("sent", EmailStatus.SENT)]


def test_the_safety_net_queues_again_what_was_lost_and_fails_what_was_interrupted():
    now = timezone.now()
    with transaction.atomic():
        lost = queue(to=["perdu@ehpad.fr"])
        recent = queue(to=["recent@ehpad.fr"])
        interrupted = queue(to=["interrompu@ehpad.fr"])
        # Their tasks never ran (the rows were written, the queue lost them).
        OutgoingEmail.objects.filter(pk=lost.pk).update(next_attempt_at=now - timedelta(minutes=11))
        OutgoingEmail.objects.filter(pk=recent.pk).update(next_attempt_at=now - timedelta(minutes=1))
        OutgoingEmail.objects.filter(pk=interrupted.pk).update(
            status=EmailStatus.SENDING, attempts=1, claimed_at=now - timedelta(minutes=20)
        )
    mail.outbox = []

    assert outbox.requeue_lost_emails(now=now) == (1, 1)

    assert [message.to for message in mail.outbox] == [["perdu@ehpad.fr"]]
    assert OutgoingEmail.objects.get(pk=recent.pk).status == EmailStatus.PENDING
    interrupted.refresh_from_db()
    assert interrupted.status == EmailStatus.FAILED
    assert interrupted.last_error == outbox.INTERRUPTED


def test_the_send_outbox_command_says_what_it_did():
    out = io.StringIO()
    call_command("send_outbox", stdout=out)
    assert out.getvalue() == "0 e-mail(s) remis en file, 0 envoi(s) interrompu(s).\n"


def test_finished_e_mails_are_purged_after_the_keeping_time(settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_KEEP_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        old_sent, new_sent = queue(), queue()
    with transaction.atomic():
        old_pending = queue()
    old = timezone.now() - timedelta(days=31)
    OutgoingEmail.objects.filter(pk__in=[old_sent.pk, old_pending.pk]).update(created_at=old)

    out = io.StringIO()
    call_command("purge_outbox", stdout=out)

    assert out.getvalue() == "1 e-mail(s) supprimé(s) de la file d’envoi.\n"
    assert set(OutgoingEmail.objects.values_list("pk", flat=True)) == {new_sent.pk, old_pending.pk}
    assert outbox.purge_outbox(days=0, now=timezone.now() + timedelta(seconds=1)) == 1


def test_only_who_caused_a_failed_e_mail_sends_it_again(
    settings, smtp_down, smtp_back, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    agent, colleague = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(by=agent)
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED

    with pytest.raises(Refusal, match="Seule la personne à l’origine de cet envoi peut le renvoyer."):
        outbox.retry_email(email=email, by=colleague)
    assert OutgoingEmail.objects.get().status == EmailStatus.FAILED

    smtp_back()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.retry_email(email=email, by=agent)

    email.refresh_from_db()
    assert (email.status, len(mail.outbox)) == (EmailStatus.SENT, 1)
    assert AuditEvent.objects.get(action="email_retried").actor == agent
    with pytest.raises(Refusal, match=f"n’est plus en échec{NBSP}: il a été envoyé ou remplacé depuis"):
        outbox.retry_email(email=email, by=agent)


def test_errors_read_in_french():
    import smtplib

    refused = smtplib.SMTPRecipientsRefused({"inconnu@ehpad.fr": (550, b"5.1.1 User unknown")})
    assert outbox.describe_error(refused).startswith(
        f"Adresse refusée par le serveur d’envoi{NBSP}: inconnu@ehpad.fr. Détail technique{NBSP}: "
    )
    assert outbox.describe_error(TimeoutError("timed out")).startswith("Le serveur d’envoi ne répond pas")
    assert outbox.describe_error(smtplib.SMTPServerDisconnected("bye")).startswith("La connexion au serveur")
    assert outbox.describe_error(LookupError("no builder")).startswith("Le message n’a pas pu être préparé.")
