"""Reads shared by every app: the outbox's e-mails in trouble."""

from django.db.models import Q, QuerySet

from capqvct.core.models import EmailStatus, OutgoingEmail


def emails_in_trouble() -> QuerySet[OutgoingEmail]:
    """Failed for good, or failed at least once and waiting for their next attempt."""
    return OutgoingEmail.objects.filter(
        Q(status=EmailStatus.FAILED) | Q(status=EmailStatus.PENDING, attempts__gt=0)
    )


def emails_in_trouble_caused_by(user) -> QuerySet[OutgoingEmail]:
    """What the agent sees on « Envois en échec »: the e-mails they caused, latest first."""
    if not getattr(user, "is_authenticated", False):
        return OutgoingEmail.objects.none()
    return emails_in_trouble().filter(caused_by=user).order_by("-created_at", "-pk")
