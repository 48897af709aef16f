"""Services shared by every app: the audit trail."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from capqvct.core.models import AuditEvent
from capqvct.core.network import client_ip, current_ip


def record_event(
    *,
    action: str,
    actor: Any = None,
    actor_email: str = "",
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event to the audit log; call it inside the transaction of the change it records.

    The IP address is the given request's, else that of the request being served (none for a
    command or a background task)."""
    ip = client_ip(request) if request is not None else current_ip()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        action=action,
        actor=actor if is_user else None,
        actor_email=actor.email if is_user else actor_email,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        details=details or {},
        ip=ip,
    )
