"""{% load outbox %}{% failed_emails_notice %}: a notice linking to « Envois en échec » when the
signed-in person caused e-mails that could not leave (one COUNT query; nothing shown otherwise)."""

from django import template

from capqvct.core.selectors import emails_in_trouble_caused_by

register = template.Library()


@register.inclusion_tag("core/failed_emails_notice.html", takes_context=True)
def failed_emails_notice(context) -> dict:
    user = context["request"].user
    return {"count": emails_in_trouble_caused_by(user).count()}
