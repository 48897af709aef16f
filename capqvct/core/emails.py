"""Every e-mail leaves through here: rendered from templates, sent after the transaction commits."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string


def send_templated_email(*, to: list[str], subject: str, template: str, context: dict) -> None:
    """Queue a plain-text e-mail to be sent once the current transaction has committed."""
    body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
    message = EmailMessage(subject=subject, body=body, to=to)
    transaction.on_commit(message.send)
