"""Two managers acting on the same grouping at the same instant, from threads, on PostgreSQL (SQLite
serialises writers anyway): one confirmation passes, the other is refused in words; a change racing
a confirmation either happens before it or is refused."""

import pytest

from capqvct.cohorts import services
from capqvct.cohorts.models import Cohort, Grouping, GroupingStatus, Participant
from capqvct.cohorts.states import ALREADY_CONFIRMED
from capqvct.cohorts.tests.builders import manager_of_occitanie, selected_call
from capqvct.core.models import AuditEvent
from capqvct.review.tests.test_state_races import at_once
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture
def proposed():
    manager = manager_of_occitanie()
    colleague = MembershipFactory(organisation=manager.memberships.get().organisation).user
    call = selected_call(manager, herault=8, aude=4)
    services.propose_cohorts(call=call, by=manager)
    return call, manager, colleague


def confirmation(call_pk, by):
    def confirm():
        from capqvct.calls.models import Call

        services.confirm_cohorts(call=Call.objects.get(pk=call_pk), by=by, acknowledged=True)

    return confirm


def test_two_managers_confirming_at_once_confirm_once(proposed):
    call, manager, colleague = proposed

    outcomes = at_once(confirmation(call.pk, manager), confirmation(call.pk, colleague))

    assert sorted(outcomes) == [ALREADY_CONFIRMED, "done"]
    assert Grouping.objects.get(call=call).status == GroupingStatus.CONFIRMED
    assert AuditEvent.objects.filter(action="cohorts_confirmed").count() == 1


def test_a_move_racing_the_confirmation_is_before_it_or_refused(proposed):
    call, manager, colleague = proposed
    aude = Cohort.objects.get(call=call, name__startswith="Collectif Aude")
    herault = Cohort.objects.get(call=call, name__startswith="Collectif Hérault")
    participant_pk = aude.participants.first().pk

    def move():
        participant = Participant.objects.select_related("call", "cohort", "establishment").get(
            pk=participant_pk
        )
        services.move_participant(participant=participant, to=Cohort.objects.get(pk=herault.pk), by=colleague)

    move_outcome, confirm_outcome = at_once(move, confirmation(call.pk, manager))

    assert confirm_outcome == "done"
    moved = Participant.objects.get(pk=participant_pk).cohort_id == herault.pk
    assert (move_outcome, moved) in (("done", True), (ALREADY_CONFIRMED, False))
    grouping = Grouping.objects.get(call=call)
    # What was confirmed is what the grouping is: a move after the confirmation never slipped in.
    assert bool(moved) == any("9 établissements" in message for message in grouping.acknowledged_breaches)
