"""A programme manager invites an establishment's direction to answer a call: the invitation names
the call and leads to its page once accepted (the invitation itself is the establishments app's)."""

from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from capqvct.accounts.models import Invitation, Role, User
from capqvct.applications.eligibility import eligibility_problems
from capqvct.calls.deadlines import describe_deadline
from capqvct.calls.models import Call, CallStatus, call_is_listed
from capqvct.calls.permissions import can_manage_region
from capqvct.core.exceptions import Refusal
from capqvct.establishments.models import Establishment
from capqvct.establishments.services import invite_director


def invite_director_to_call(
    *, call: Call, establishment: Establishment, email: str, by: User, now: datetime | None = None
) -> Invitation:
    """Invite the direction of an eligible establishment of the call's region to answer it."""
    now = now or timezone.now()
    if not (allowed := can_manage_region(by, call.programme.region_id)):
        raise Refusal(allowed.reason)
    if call.status == CallStatus.DRAFT:
        raise Refusal(
            "Publiez d’abord l’appel\u00a0: sa page n’est pas encore visible des établissements invités."
        )
    if not call_is_listed(call, now):
        raise Refusal(
            "Le dépôt des dossiers de cet appel est clos\u00a0: l’établissement ne pourrait plus y répondre."
        )
    if problems := eligibility_problems(call, establishment):
        raise Refusal(
            f"{establishment.name} ne peut pas répondre à cet appel\u00a0: " + " ".join(problems),
            field="finess",
        )
    deadline = describe_deadline(call.closes_at, call.time_zone)
    return invite_director(
        establishment=establishment,
        email=email,
        by=by,
        purpose=f"pour répondre à l’appel «\u00a0{call.title}\u00a0» "
        f"(date limite de dépôt\u00a0: {deadline})",
        next_path=public_path(call),
        next_label=f"la page de l’appel «\u00a0{call.title}\u00a0» pour commencer votre dossier",
        now=now,
    )


def public_path(call: Call) -> str:
    return reverse("calls:public_detail", args=[call.pk])


def director_invitations_of_call(call: Call) -> QuerySet[Invitation]:
    """The invitations to answer this call that nobody has accepted yet."""
    return (
        Invitation.objects.pending()
        .filter(role=Role.DIRECTOR, next_path=public_path(call))
        .select_related("organisation__establishment", "invited_by")
        .order_by("-created_at")
    )
