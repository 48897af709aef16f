"""The state-machine helper (core/transitions.py), on a machine declared here as the next apps (cohorts,
grants, campaigns) will declare theirs: a call opened and closed by its region's managers."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from capqvct.accounts.models import Role
from capqvct.api.tests.test_calls_api import draft_call
from capqvct.calls.models import Call, CallStatus
from capqvct.calls.permissions import can_manage_region
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from capqvct.core.transitions import State, StateMachine, Transition
from capqvct.review import services as review_services
from capqvct.review.models import ASSIGNMENT_STATE_CONDITIONS, Assignment, AssignmentState
from capqvct.review.tests.test_assignment import Setting
from capqvct.review.tests.test_assignment import opened as open_review
from tests.factories import MembershipFactory, OrganisationFactory, region

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def managers_of_the_region(call, by, now):
    return can_manage_region(by, call.programme.region_id)


GATE = StateMachine.on_field(
    Call,
    "status",
    moved="Cet appel a changé entre-temps : rechargez la page.",
    event_prefix="gate",
    transitions=[
        Transition(
            "open",
            sources=(CallStatus.DRAFT,),
            target=CallStatus.PUBLISHED,
            label="Ouvrir",
            guard=managers_of_the_region,
            refused="Cet appel est déjà ouvert.",
        ),
        Transition(
            "close",
            sources=(CallStatus.PUBLISHED,),
            target=CallStatus.CLOSED,
            label="Fermer",
            guard=managers_of_the_region,
            refused="Cet appel n’est pas encore ouvert.",
            refused_from={CallStatus.CLOSED: "Cet appel est déjà fermé."},
        ),
    ],
)


@pytest.fixture
def manager():
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user


@pytest.fixture
def outsider():
    other = OrganisationFactory(region=region("84", "Auvergne-Rhône-Alpes"))
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation=other).user


@pytest.fixture
def call(manager):
    return draft_call(manager, opens_at=NOW, closes_at=NOW + timedelta(days=30))


def opened(call, manager):
    return GATE.perform(call, "open", by=manager, now=NOW, changes={"published_at": NOW})


def test_a_table_naming_an_unknown_state_is_refused_when_declared():
    with pytest.raises(ImproperlyConfigured, match="unknown states"):
        StateMachine.on_field(
            Call,
            "status",
            moved="…",
            transitions=[Transition("archive", sources=("closed",), target="archived", refused="…")],
        )


def test_two_transitions_under_one_name_are_refused_when_declared():
    twice = Transition("close", sources=("published",), target="closed", refused="…")
    with pytest.raises(ImproperlyConfigured, match="two transitions"):
        StateMachine.on_field(Call, "status", moved="…", transitions=[twice, twice])


def test_a_transition_moves_the_object_writes_its_changes_and_logs_it(call, manager):
    opened(call, manager)

    call.refresh_from_db()
    assert (call.status, call.published_at) == (CallStatus.PUBLISHED, NOW)
    (event,) = AuditEvent.objects.filter(action="gate_open")
    assert (event.actor, event.target_id, event.details) == (
        manager,
        str(call.pk),
        {"from": "draft", "to": "published"},
    )


def test_from_another_state_the_transition_is_refused_in_its_own_words(call, manager):
    with pytest.raises(Refusal, match="pas encore ouvert"):
        GATE.perform(call, "close", by=manager)
    opened(call, manager)
    GATE.perform(call, "close", by=manager)

    with pytest.raises(Refusal, match="déjà fermé"):
        GATE.perform(call, "close", by=manager)
    assert AuditEvent.objects.filter(action="gate_close").count() == 1


def test_when_someone_moved_it_first_the_late_action_is_refused_and_writes_nothing(call, manager):
    opened(call, manager)
    theirs, mine = Call.objects.get(pk=call.pk), Call.objects.get(pk=call.pk)
    GATE.perform(theirs, "close", by=manager)

    # `mine` still reads « published »: the conditional UPDATE finds no row in that state.
    with pytest.raises(Refusal, match="déjà fermé"):
        GATE.perform(mine, "close", by=manager)
    assert AuditEvent.objects.filter(action="gate_close").count() == 1


def test_the_guard_refuses_with_its_reason_and_nothing_changes(call, outsider):
    with pytest.raises(Refusal, match="responsables de programme des agences de cette région"):
        GATE.perform(call, "open", by=outsider, changes={"published_at": NOW})

    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT
    assert not AuditEvent.objects.filter(action="gate_open").exists()


def test_pages_read_the_allowed_actions_and_why_the_others_are_refused(call, manager, outsider):
    assert {code: t.label for code, t in GATE.allowed_actions(call, by=manager).items()} == {"open": "Ouvrir"}
    assert GATE.refused_actions(call, by=manager) == {}
    assert GATE.allowed_actions(call, by=outsider) == {}
    (refused,) = GATE.refused_actions(call, by=outsider).values()
    assert refused.label == "Ouvrir"
    assert "responsables de programme" in refused.reason


def test_changes_that_miss_the_declared_target_are_a_programming_error_and_roll_back(db):
    """A derived state (no status column): the changes must put the object in the target state."""
    setting = Setting(dossiers=1)
    open_review(setting)
    assignment = review_services.assign(
        review=setting.call.review,
        application=setting.applications[0],
        reviewer=setting.ars_reviewer,
        by=setting.manager,
    )
    forgetful = StateMachine(
        Assignment,
        states=[
            State(code, label, ASSIGNMENT_STATE_CONDITIONS[code]) for code, label in AssignmentState.choices
        ],
        state_of=lambda a: a.state,
        moved="…",
        transitions=[
            Transition(
                "clear", sources=(AssignmentState.ASSIGNED,), target=AssignmentState.CLEARED, refused="…"
            )
        ],
    )

    with pytest.raises(ImproperlyConfigured, match="do not match the declared target"):
        forgetful.perform(assignment, "clear", by=setting.ars_reviewer, changes={"notified_at": NOW})
    assignment.refresh_from_db()
    assert assignment.notified_at is None
