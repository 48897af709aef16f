class Refusal(Exception):
    """A business rule refused an action; the message is written for the user, in French."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
