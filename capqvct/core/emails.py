"""Every e-mail of the platform leaves through the outbox: `send_templated_email` renders it and writes
an `OutgoingEmail` row in the caller's transaction; once that transaction commits, a task delivers it
(`core.outbox`). A change rolled back leaves no e-mail; an e-mail that cannot leave never undoes the
change that caused it.

Apps that attach a document built when the e-mail leaves register a builder by name
(`register_attachment_builder`); apps that must know the outcome register hooks by purpose
(`register_delivery_hooks`). `core` imports no app: the apps register with it from their `ready()`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import make_msgid
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from capqvct.core.models import EmailStatus, OutgoingEmail

# A small text built in the request (a calendar file) travels inside the row, under this builder.
TEXT_BUILDER = "core.text"


@dataclass(frozen=True)
class EmailAttachment:
    """A file joined to an e-mail, described as data: `builder(**args)` returns its bytes when it leaves."""

    builder: str
    args: dict[str, Any]
    file_name: str
    mimetype: str

    @classmethod
    def text(cls, content: str, *, file_name: str, mimetype: str) -> "EmailAttachment":
        """A text file whose content is fixed now (kept in the outbox row)."""
        return cls(TEXT_BUILDER, {"text": content}, file_name, mimetype)

    def as_data(self) -> dict[str, Any]:
        return {
            "builder": self.builder,
            "args": self.args,
            "file_name": self.file_name,
            "mimetype": self.mimetype,
        }


@dataclass(frozen=True)
class DeliveryHooks:
    """What an app runs when one of its e-mails was sent, or failed an attempt (`email.status` tells
    whether another attempt is planned: PENDING, or FAILED for good)."""

    on_sent: Callable[[OutgoingEmail], None] | None = None
    on_failed: Callable[[OutgoingEmail], None] | None = None


_attachment_builders: dict[str, Callable[..., bytes] | str] = {}
_delivery_hooks: dict[str, DeliveryHooks] = {}


def register_attachment_builder(name: str, build: Callable[..., bytes] | str) -> None:
    """`build(**args)` returns the attachment's bytes (a dotted path is imported when first needed, so
    that WeasyPrint loads in the worker only); `name` is stored in the rows: keep it stable."""
    _attachment_builders[name] = build


def attachment_builder(name: str) -> Callable[..., bytes]:
    if name not in _attachment_builders:
        raise LookupError(f"No attachment builder registered as {name!r}.")
    build = _attachment_builders[name]
    return import_string(build) if isinstance(build, str) else build


def register_delivery_hooks(purpose: str, *, on_sent=None, on_failed=None) -> None:
    """Called by the delivery task, after it has recorded the outcome of an e-mail of this purpose."""
    _delivery_hooks[purpose] = DeliveryHooks(on_sent=on_sent, on_failed=on_failed)


def delivery_hooks(purpose: str) -> DeliveryHooks:
    return _delivery_hooks.get(purpose, DeliveryHooks())


register_attachment_builder(TEXT_BUILDER, lambda *, text: text.encode())


def message_id_domain() -> str:
    """The domain of the sending address (where delivery reports come back), else the site's host."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    return domain or urlsplit(settings.SITE_URL).hostname or "localhost"


def send_templated_email(
    *,
    to: list[str],
    subject: str,
    template: str,
    context: dict,
    purpose: str,
    by: Any = None,
    about: models.Model | None = None,
    attachments: list[EmailAttachment] = (),
    headers: dict[str, str] | None = None,
) -> OutgoingEmail:
    """Render a plain-text e-mail and put it in the outbox, in the current transaction; it leaves after
    the commit. `by` is who caused it (they see it if it fails), `about` the object it concerns."""
    body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
    return queue_email(
        to=to,
        subject=subject,
        body=body,
        purpose=purpose,
        by=by,
        about=about,
        attachments=attachments,
        headers=headers,
    )


def queue_email(
    *,
    to: list[str],
    subject: str,
    body: str,
    purpose: str,
    by: Any = None,
    about: models.Model | None = None,
    attachments: list[EmailAttachment] = (),
    headers: dict[str, str] | None = None,
) -> OutgoingEmail:
    """Write one e-mail, already rendered, to the outbox; its delivery is queued after the commit."""
    fields = {"to": to, "subject": subject, "body": body, "purpose": purpose, "by": by, "about": about}
    return queue_emails([{**fields, "attachments": attachments, "headers": headers}])[0]


def queue_emails(emails: list[dict]) -> list[OutgoingEmail]:
    """Many e-mails at once (each a dict of `queue_email`'s arguments): one insert, one batch of tasks."""
    rows = OutgoingEmail.objects.bulk_create(OutgoingEmail(**_row(**fields)) for fields in emails)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue_delivery(ids), robust=True)
    return rows


def _row(*, to, subject, body, purpose, by=None, about=None, attachments=(), headers=None) -> dict:
    is_user = by is not None and getattr(by, "is_authenticated", False)
    return {
        "to": list(dict.fromkeys(to)),
        # A header holds one line (a subject template ends with a newline); non-breaking spaces stay.
        "subject": " ".join(subject.splitlines()).strip()[:500],
        "body": body,
        "purpose": purpose,
        "caused_by": by if is_user else None,
        "about_type": about._meta.label_lower if about is not None else "",
        "about_id": str(about.pk) if about is not None else "",
        "about_label": str(about)[:255] if about is not None else "",
        "attachments": [attachment.as_data() for attachment in attachments],
        "message_id": make_msgid(domain=message_id_domain()),
        "headers": headers or {},
    }


def _enqueue_delivery(email_ids: list[int]) -> None:
    from capqvct.core.tasks import deliver_email

    # One commit for the whole batch (hundreds of decisions queue in a fraction of a second). Should the
    # queue be unreachable, the rows stay pending and `send_outbox` queues them later.
    with transaction.atomic():
        for email_id in email_ids:
            deliver_email.enqueue(email_id=email_id)


def emails_about(*, purpose: str, about: models.Model):
    return OutgoingEmail.objects.filter(
        purpose=purpose, about_type=about._meta.label_lower, about_id=str(about.pk)
    )


def cancel_unsent_emails(*, purpose: str, about: list[models.Model]) -> int:
    """Cancel the e-mails of this purpose about these objects (of one model) that have not left (waiting,
    or failed): newer ones replace them. One being sent at this very moment is not stopped."""
    if not about:
        return 0
    unsent = OutgoingEmail.objects.filter(
        purpose=purpose,
        about_type=about[0]._meta.label_lower,
        about_id__in=[str(item.pk) for item in about],
        status__in=[EmailStatus.PENDING, EmailStatus.FAILED],
    )
    return unsent.update(status=EmailStatus.CANCELLED)
