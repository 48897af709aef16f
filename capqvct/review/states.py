"""The states and transitions of a reviewer's assignment and of a decision, declared once (see
core/transitions.py). Neither model has a status column: the state is read from their dates
(`Assignment.state`, `Decision.state`) and found in the database by the conditions next to the models,
which their CheckConstraints keep exclusive.
"""

from datetime import datetime

from capqvct.applications.models import ApplicationStatus
from capqvct.core.permissions import ALLOWED, Decision, refuse
from capqvct.core.transitions import State, StateMachine, Transition
from capqvct.review.models import (
    ASSIGNMENT_STATE_CONDITIONS,
    DECISION_STATE_CONDITIONS,
    Assignment,
    AssignmentState,
    DecisionState,
)
from capqvct.review.models import Decision as DecisionModel
from capqvct.review.permissions import can_manage_review

# Recorded when a reviewer states they have no conflict with a dossier; it opens the dossier to them.
NO_CONFLICT_ACTION = "review_no_conflict_declared"


def _states(choices, conditions) -> list[State]:
    return [State(value, str(label), conditions[value]) for value, label in choices]


# Assignments


def is_the_reviewer(assignment: Assignment, by, now: datetime) -> Decision:
    if assignment.reviewer_id != getattr(by, "pk", None):
        return refuse("Seul l’instructeur à qui ce dossier est confié peut le faire.")
    return ALLOWED


ASSIGNED, CLEARED, CONFLICT, SUBMITTED = (
    AssignmentState.ASSIGNED,
    AssignmentState.CLEARED,
    AssignmentState.CONFLICT,
    AssignmentState.SUBMITTED,
)
IN_CONFLICT = "Vous avez déclaré un conflit d’intérêts avec ce dossier."

ASSIGNMENT = StateMachine(
    Assignment,
    states=_states(AssignmentState.choices, ASSIGNMENT_STATE_CONDITIONS),
    state_of=lambda assignment: assignment.state,
    moved="Cette affectation a changé entre-temps : rechargez la page.",
    transitions=[
        Transition(
            "declare_no_conflict",
            sources=(ASSIGNED,),
            target=CLEARED,
            label="Je n’ai pas de conflit d’intérêts",
            guard=is_the_reviewer,
            event=NO_CONFLICT_ACTION,
            refused=IN_CONFLICT,
            refused_from={
                CLEARED: "Vous avez déjà déclaré n’avoir aucun conflit d’intérêts avec ce dossier.",
                SUBMITTED: "Votre notation est déjà remise.",
            },
        ),
        Transition(
            "declare_conflict",
            sources=(ASSIGNED, CLEARED),
            target=CONFLICT,
            label="Je déclare un conflit",
            guard=is_the_reviewer,
            event="review_conflict_declared",
            refused="Votre notation est déjà remise : écrivez au responsable du programme.",
            refused_from={CONFLICT: IN_CONFLICT},
        ),
        Transition(
            "submit_scores",
            sources=(CLEARED,),
            target=SUBMITTED,
            label="Remettre ma notation",
            guard=is_the_reviewer,
            event="review_scores_submitted",
            refused="Votre notation est déjà remise.",
            refused_from={
                ASSIGNED: "Déclarez d’abord que vous n’avez pas de conflit d’intérêts avec ce dossier.",
                CONFLICT: IN_CONFLICT,
            },
        ),
    ],
)

# What « Mes dossiers à instruire » shows of each state (DSFR badge tones).
ASSIGNMENT_TONES = {ASSIGNED: "warning", CLEARED: "info", SUBMITTED: "success", CONFLICT: "error"}


# Decisions


def manages_the_review(decision: DecisionModel, by, now: datetime) -> Decision:
    return can_manage_review(by, decision.application.call)


def manages_a_dossier_in_review(decision: DecisionModel, by, now: datetime) -> Decision:
    if not (allowed := manages_the_review(decision, by, now)):
        return allowed
    if decision.application.status != ApplicationStatus.IN_REVIEW:
        return refuse("Ce dossier n’est plus en instruction.")
    return ALLOWED


def _system(decision: DecisionModel, by, now: datetime) -> Decision:
    """Fired by the platform itself (a withdrawal's consequence): no one's permission to check."""
    return ALLOWED


DRAFTED, CONFIRMED, FAILED, NOTIFIED, BOUNCED = (
    DecisionState.DRAFTED,
    DecisionState.CONFIRMED,
    DecisionState.FAILED,
    DecisionState.NOTIFIED,
    DecisionState.BOUNCED,
)
CONFIRMED_STATES = (CONFIRMED, FAILED, NOTIFIED, BOUNCED)

DECISION = StateMachine(
    DecisionModel,
    states=_states(DecisionState.choices, DECISION_STATE_CONDITIONS),
    state_of=lambda decision: decision.state,
    moved="Cette décision a changé entre-temps : rechargez la page.",
    transitions=[
        Transition(
            "redraft",
            sources=(DRAFTED,),
            target=DRAFTED,
            label="Enregistrer le projet",
            guard=manages_a_dossier_in_review,
            event="decision_drafted",
            refused="Cette décision est confirmée : modifiez-la en indiquant le motif du changement.",
        ),
        # The commission confirms every draft of the call at once (decisions.confirm_decisions).
        Transition(
            "confirm",
            sources=(DRAFTED,),
            target=CONFIRMED,
            guard=manages_a_dossier_in_review,
            event="decision_confirmed",
            refused="Cette décision est déjà confirmée.",
        ),
        Transition(
            "change",
            sources=CONFIRMED_STATES,
            target=CONFIRMED,
            label="Modifier",
            guard=manages_a_dossier_in_review,
            event="decision_changed",
            refused="Cette décision n’est pas encore confirmée : modifiez le projet directement.",
        ),
        Transition(
            "promote",
            sources=CONFIRMED_STATES,
            target=CONFIRMED,
            guard=_system,
            event="decision_promoted_from_waiting_list",
            refused="Seule une décision confirmée peut être promue.",
        ),
        Transition(
            "retry",
            sources=(FAILED, BOUNCED),
            target=CONFIRMED,
            label="Renvoyer",
            guard=manages_the_review,
            event="decision_notification_retried",
            refused="Cette décision a déjà été notifiée.",
            refused_from={
                DRAFTED: "Cette décision n’est pas confirmée.",
                CONFIRMED: "Cette décision est en cours d’envoi.",
            },
        ),
    ],
)
