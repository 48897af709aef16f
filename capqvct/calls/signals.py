"""What the calls app announces to the apps that follow it; they listen, so calls never imports them."""

from django.dispatch import Signal

# Sent by update_call, inside its transaction, when a published call's deadline moves later.
# Keyword arguments: call (with its new closes_at), previous_deadline (an aware datetime), by (the user).
deadline_extended = Signal()

# Sent by close_call_early, inside its transaction, once the call is closed. Keyword arguments: call
# (closed, with its closed_early_at), by (the user).
call_closed_early = Signal()
