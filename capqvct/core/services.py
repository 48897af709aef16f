"""Services shared by every app: the audit trail."""

from typing import Any

from django.db import models

from capqvct.core.models import AuditEvent


def record_event(
    *,
    action: str,
    actor: Any = None,
    actor_email: str = "",
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log; call it inside the transaction of the change it records."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        action=action,
        actor=actor if is_user else None,
        actor_email=actor.email if is_user else actor_email,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        details=details or {},
    )
