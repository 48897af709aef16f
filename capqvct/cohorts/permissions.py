"""Who forms a call's cohorts: the programme managers of the call's region (and administrators)."""

from capqvct.calls.models import Call
from capqvct.calls.permissions import can_manage_region
from capqvct.core.permissions import Decision


def can_form_cohorts(user, call: Call) -> Decision:
    return can_manage_region(user, call.programme.region_id)
