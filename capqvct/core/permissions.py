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
