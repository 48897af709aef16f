"""Who forms a call's cohorts (the programme managers of the call's region, and administrators), and
who follows a confirmed cohort (those, and the cohort's consultant pair)."""

from capqvct.calls.models import Call
from capqvct.calls.permissions import can_manage_region
from capqvct.cohorts.models import Cohort, Grouping, GroupingStatus
from capqvct.core.permissions import ALLOWED, Decision, refuse


def can_form_cohorts(user, call: Call) -> Decision:
    return can_manage_region(user, call.programme.region_id)


def is_pair_consultant(user, cohort: Cohort) -> bool:
    pair = cohort.pair
    return bool(
        getattr(user, "is_authenticated", False) and pair and user.pk in (pair.first_id, pair.second_id)
    )


def is_confirmed(cohort: Cohort) -> bool:
    # Read from the database: a call object held from before the confirmation caches its draft.
    return Grouping.objects.filter(call_id=cohort.call_id, status=GroupingStatus.CONFIRMED).exists()


def can_follow_cohort(user, cohort: Cohort) -> Decision:
    """The call's programme managers, and the cohort's consultants once the cohorts are confirmed."""
    if can_manage_region(user, cohort.call.programme.region_id):
        return ALLOWED
    if is_pair_consultant(user, cohort) and is_confirmed(cohort):
        return ALLOWED
    return refuse(
        "Seuls les responsables de programme et le binôme d’intervenants du collectif suivent ce collectif."
    )


# Calendar: who plans a cohort's sessions and visits, and the call's presentation.


def can_plan_cohort_calendar(user, cohort: Cohort) -> Decision:
    """Whoever follows the cohort (its programme managers, its pair), once the cohorts are confirmed."""
    if not (allowed := can_follow_cohort(user, cohort)):
        return allowed
    if not Grouping.objects.filter(call_id=cohort.call_id, status=GroupingStatus.CONFIRMED).exists():
        return refuse("Les séances se planifient une fois les collectifs de l’appel confirmés.")
    return ALLOWED


def can_plan_presentation(user, call: Call) -> Decision:
    """The presentation of the programme concerns every cohort of the call: its programme managers."""
    if not (allowed := can_manage_region(user, call.programme.region_id)):
        return refuse("Seuls les responsables de programme de l’appel planifient sa séance de présentation.")
    return allowed
