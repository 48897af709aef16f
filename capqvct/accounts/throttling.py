"""Sign-in throttling: django-axes with two thresholds, one per (address, IP) pair, one per IP.

django-axes compares the largest failure count of its lockout parameter groups with a single
limit (AXES_FAILURE_LIMIT). We count two groups, in the order of AXES_LOCKOUT_PARAMETERS:

1. the e-mail address and the client IP together, locked at AXES_FAILURE_LIMIT failures: whoever
   hammers an agent's address locks only themselves, never the agent signing in from elsewhere;
2. the client IP alone, locked at LOGIN_IP_FAILURE_LIMIT failures whatever the addresses tried: an
   address spraying passwords over many accounts is stopped.

This handler expresses the IP's count in units of the pair's limit, so that axes' single comparison
applies each group's own threshold; and a successful sign-in resets only its own pair, so that an
attacker with one valid account cannot wipe their IP's count by signing in between two sprays.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings

PAIR, IP_ALONE = 0, 1


def _check_parameters() -> None:
    expected = [["username", "ip_address"], "ip_address"]
    if settings.AXES_LOCKOUT_PARAMETERS != expected:
        raise ValueError(f"LoginThrottleHandler counts AXES_LOCKOUT_PARAMETERS = {expected}.")


def _sum(attempts) -> int:
    return sum(attempts.values_list("failures_since_start", flat=True))


class LoginThrottleHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        _check_parameters()
        groups = self.get_user_attempts(request, credentials)
        pair, by_ip = _sum(groups[PAIR]), _sum(groups[IP_ALONE])
        # `by_ip` reaches the IP's limit exactly when this reaches the pair's limit.
        return max(pair, by_ip * settings.AXES_FAILURE_LIMIT // settings.LOGIN_IP_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials=None) -> int:
        _check_parameters()
        count, _ = self.filter_user_attempts(request, credentials)[PAIR].delete()
        return count
