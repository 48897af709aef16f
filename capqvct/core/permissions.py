from dataclasses import dataclass


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
