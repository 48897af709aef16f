"""The usual ending of a one-button action: the service's refusal or success, as a message."""

from collections.abc import Callable

from django.contrib import messages

from capqvct.core.exceptions import Refusal


def report_outcome(request, action: Callable[[], object], *, success: str) -> bool:
    """Run the service call; show its refusal as an error, or `success`. True when it succeeded."""
    try:
        action()
    except Refusal as refusal:
        messages.error(request, refusal.message)
        return False
    messages.success(request, success)
    return True
