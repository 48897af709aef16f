"""Every e-mail leaves through here: rendered from templates, sent after the transaction commits."""

from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

# (file name, a function building the content when the e-mail leaves, MIME type)
Attachment = tuple[str, Callable[[], bytes], str]


def send_templated_email(
    *, to: list[str], subject: str, template: str, context: dict, attachments: list[Attachment] = ()
) -> None:
    """Queue a plain-text e-mail to be sent once the current transaction has committed."""
    body = render_to_string(template, {**context, "site_url": settings.SITE_URL})

    def send() -> None:
        message = EmailMessage(subject=subject, body=body, to=to)
        for name, build, mimetype in attachments:
            message.attach(name, build(), mimetype)
        message.send()

    transaction.on_commit(send)
