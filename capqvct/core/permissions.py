from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from capqvct.core.exceptions import Refusal


@dataclass(frozen=True)
class Decision:
    """The answer of a permission check, with the reason the user reads when it refuses."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def refuse(reason: str) -> Decision:
    return Decision(False, reason)


def can_retry_email(user, email) -> Decision:
    """Who caused an e-mail sends it again when it failed; so may a platform administrator."""
    if getattr(user, "is_superuser", False) or (
        getattr(user, "is_authenticated", False) and email.caused_by_id == user.pk
    ):
        return ALLOWED
    return refuse("Seule la personne à l’origine de cet envoi peut le renvoyer.")


def ensure(decision: Decision) -> None:
    """In a service: a refused check becomes a Refusal, whose message the page or the API shows."""
    if not decision:
        raise Refusal(decision.reason)


def require(decision: Decision) -> None:
    """In a view, for a whole kind of page the user may not open (a 403 with the reason); an object
    outside what the user may see is not found instead (a 404, from a scoped QuerySet)."""
    if not decision:
        raise PermissionDenied(decision.reason)
