"""Delivery of the outbox, by the worker: each e-mail is claimed, sent through Django's mail layer, and
on failure retried later with a doubling delay, up to `OUTBOX_MAX_ATTEMPTS`; then it is failed for good
and shown to whoever caused it, who may send it again.

An e-mail is sent at most once: the task first moves its row from « pending » to « sending » with a
conditional UPDATE, so a second task (another worker, a re-run, the safety net) finds nothing to do.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from capqvct.core.emails import _enqueue_delivery, attachment_builder, delivery_hooks
from capqvct.core.exceptions import Refusal
from capqvct.core.models import TECHNICAL_DETAIL, EmailStatus, OutgoingEmail
from capqvct.core.permissions import can_retry_email
from capqvct.core.selectors import emails_in_trouble
from capqvct.core.services import record_event

logger = logging.getLogger(__name__)

NBSP = "\u00a0"
INTERRUPTED = (
    f"L’envoi a été interrompu{NBSP}: le message est peut-être parti. "
    "Vérifiez auprès du destinataire avant de le renvoyer."
)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: the base delay, doubled at each attempt (1, 2, 4… min)."""
    return timedelta(seconds=settings.OUTBOX_RETRY_DELAY_SECONDS * 2 ** (attempts - 1))


def describe_error(error: BaseException) -> str:
    """The failure in French for the agent, followed by the technical detail for the administrator."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        said = f"Adresse refusée par le serveur d’envoi{NBSP}: {', '.join(error.recipients)}."
    elif isinstance(error, smtplib.SMTPSenderRefused):
        said = "Le serveur d’envoi refuse l’adresse d’expédition de la plateforme."
    elif isinstance(error, smtplib.SMTPAuthenticationError):
        said = "Le serveur d’envoi refuse l’identification de la plateforme."
    elif isinstance(error, smtplib.SMTPResponseException):
        said = f"Le serveur d’envoi a refusé le message (code {error.smtp_code})."
    elif isinstance(error, ConnectionRefusedError):
        said = "Le serveur d’envoi est injoignable (connexion refusée)."
    elif isinstance(error, TimeoutError):
        said = "Le serveur d’envoi ne répond pas (délai dépassé)."
    elif isinstance(error, (smtplib.SMTPServerDisconnected, ConnectionError)):
        said = "La connexion au serveur d’envoi a été coupée."
    elif isinstance(error, OSError):
        said = "Le serveur d’envoi est injoignable."
    else:
        said = "Le message n’a pas pu être préparé."
    return f"{said} {TECHNICAL_DETAIL} {type(error).__name__}{NBSP}: {error}"[:1000]


def build_message(email: OutgoingEmail) -> EmailMessage:
    """The message as it leaves, its attachments built now."""
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        to=email.to,
        headers={**email.headers, "Message-ID": email.message_id},
    )
    for item in email.attachments:
        content = attachment_builder(item["builder"])(**item["args"])
        message.attach(item["file_name"], content, item["mimetype"])
    return message


def deliver(email_id: int, *, now: datetime | None = None) -> str:
    """Send one e-mail of the outbox if it is pending and due; return its state afterwards ("" when
    there was nothing to do: already sent, cancelled, not due, or being sent by another worker)."""
    now = now or timezone.now()
    claimed = OutgoingEmail.objects.filter(
        pk=email_id, status=EmailStatus.PENDING, next_attempt_at__lte=now
    ).update(status=EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return ""
    email = OutgoingEmail.objects.get(pk=email_id)
    try:
        build_message(email).send()
    except Exception as error:  # noqa: BLE001 — every failure is recorded, retried and shown
        _record_failure(email, describe_error(error))
        logger.warning("E-mail %s not sent (attempt %s): %r", email.pk, email.attempts, error)
    else:
        email.status, email.sent_at, email.last_error = EmailStatus.SENT, timezone.now(), ""
        email.save(update_fields=["status", "sent_at", "last_error"])
        _run_hook(email, "on_sent")
    return email.status


def _record_failure(email: OutgoingEmail, error: str, *, final: bool = False) -> None:
    with transaction.atomic():
        email.last_error = error
        if final or email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            email.status = EmailStatus.FAILED
        else:
            email.status = EmailStatus.PENDING
            email.next_attempt_at = timezone.now() + retry_delay(email.attempts)
            _schedule_retry(email)
        email.save(update_fields=["status", "last_error", "next_attempt_at"])
    _run_hook(email, "on_failed")


def _schedule_retry(email: OutgoingEmail) -> None:
    from capqvct.core.tasks import deliver_email

    # A backend that cannot defer a task (the immediate one of the tests) leaves it to `send_outbox`.
    if deliver_email.get_backend().supports_defer:
        deliver_email.using(run_after=email.next_attempt_at).enqueue(email_id=email.pk)


def _run_hook(email: OutgoingEmail, name: str) -> None:
    hook = getattr(delivery_hooks(email.purpose), name)
    if hook is None:
        return
    try:
        with transaction.atomic():
            hook(email)
    except Exception:
        # The e-mail's own state is recorded; the app's bookkeeping failing must not hide it.
        logger.exception("Delivery hook %s of %s failed for e-mail %s", name, email.purpose, email.pk)


def requeue_lost_emails(*, now: datetime | None = None) -> tuple[int, int]:
    """The safety net (`send_outbox`, every few minutes): queue again the pending e-mails whose task
    was lost (due for a while and still waiting), and fail those interrupted while being sent, which
    may have left: they are never sent twice on a guess. Returns (queued, interrupted)."""
    now = now or timezone.now()
    interrupted = list(
        OutgoingEmail.objects.filter(
            status=EmailStatus.SENDING,
            claimed_at__lt=now - timedelta(seconds=settings.OUTBOX_INTERRUPTED_AFTER_SECONDS),
        )
    )
    for email in interrupted:
        _record_failure(email, INTERRUPTED, final=True)
    due = list(
        OutgoingEmail.objects.filter(
            status=EmailStatus.PENDING,
            next_attempt_at__lte=now - timedelta(seconds=settings.OUTBOX_LOST_AFTER_SECONDS),
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    if due:
        _enqueue_delivery(due)
    return len(due), len(interrupted)


def retry_email(*, email: OutgoingEmail, by, now: datetime | None = None) -> OutgoingEmail:
    """Try a failed e-mail again now (the address may have been corrected, the server be back)."""
    if not (allowed := can_retry_email(by, email)):
        raise Refusal(allowed.reason)
    now = now or timezone.now()
    with transaction.atomic():
        retried = (
            OutgoingEmail.objects.filter(pk=email.pk)
            .filter(pk__in=emails_in_trouble())
            .update(status=EmailStatus.PENDING, attempts=0, next_attempt_at=now)
        )
        if not retried:
            raise Refusal(f"Cet e-mail n’est plus en échec{NBSP}: il a été envoyé ou remplacé depuis.")
        record_event(
            action="email_retried",
            actor=by,
            target=email,
            details={"purpose": email.purpose, "to": email.to, "error": email.last_error},
        )
        transaction.on_commit(lambda: _enqueue_delivery([email.pk]), robust=True)
    email.refresh_from_db()
    return email


def purge_outbox(*, days: int | None = None, now: datetime | None = None) -> int:
    """Delete the e-mails finished (sent, failed or cancelled) more than `days` days ago: the outbox
    keeps addresses and texts no longer than that. Returns how many were deleted."""
    days = settings.OUTBOX_KEEP_DAYS if days is None else days
    limit = (now or timezone.now()) - timedelta(days=days)
    finished = OutgoingEmail.objects.filter(
        status__in=[EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.CANCELLED], created_at__lt=limit
    )
    deleted, _ = finished.delete()
    return deleted
