"""A dossier's states and the transitions between them, declared once (see core/transitions.py).

The services fire them (`services.submit_application`, `reopen_application`, `withdraw_application`,
`restoration.restore_last_submission`, `review_handover.hand_to_review`); pages and the API offer
`allowed_actions(...)`.
"""

from datetime import datetime

from capqvct.applications.models import Application, ApplicationStatus, Channel
from capqvct.applications.permissions import can_edit
from capqvct.calls.deadlines import describe_deadline, is_before_deadline
from capqvct.calls.models import Call, CallStatus, call_is_open
from capqvct.calls.permissions import submissions_open
from capqvct.core.permissions import ALLOWED, Decision, refuse
from capqvct.core.transitions import StateMachine, Transition

DRAFT, SUBMITTED, IN_REVIEW, WITHDRAWN = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.WITHDRAWN,
)


def received_in_time(call: Call, received_at: datetime | None, now: datetime) -> Decision:
    """A dossier received off the site counts if its receipt, to the second, precedes the deadline (the
    early closing's, if any); it may be recorded and transcribed after."""
    if call.status == CallStatus.DRAFT:
        return refuse("Cet appel n’est pas encore publié.")
    if received_at is None or received_at > now:
        return refuse("La date de réception ne peut pas être dans le futur.")
    deadline = call.closed_early_at or call.closes_at
    if not is_before_deadline(received_at, deadline):
        return refuse(
            "Ce dossier a été reçu après la date limite de dépôt, fixée "
            f"{describe_deadline(deadline, call.time_zone)}."
        )
    return ALLOWED


def _may_submit(application: Application, by, now: datetime) -> Decision:
    if not (allowed := can_edit(by, application)):
        return allowed
    if application.channel == Channel.ONLINE:
        return submissions_open(application.call, now)
    return received_in_time(application.call, application.received_at, now)


def _may_reopen(application: Application, by, now: datetime) -> Decision:
    if not (allowed := can_edit(by, application)):
        return allowed
    return submissions_open(application.call, now)


def _may_restore(application: Application, by, now: datetime) -> Decision:
    # The system fires it once the call has closed: until then, the establishment may still deposit.
    if call_is_open(application.call, now):
        return refuse("L’appel est encore ouvert : le dossier rouvert peut encore être déposé.")
    return ALLOWED


def _may_withdraw(application: Application, by, now: datetime) -> Decision:
    return can_edit(by, application)


DOSSIER = StateMachine.on_field(
    Application,
    "status",
    moved="Ce dossier a changé entre-temps : rechargez la page pour voir son état.",
    transitions=[
        Transition(
            "submit",
            sources=(DRAFT,),
            target=SUBMITTED,
            label="Déposer le dossier",
            guard=_may_submit,
            event="application_submitted",
            refused="Ce dossier est déjà déposé.",
            refused_from={WITHDRAWN: "Ce dossier est retiré : il ne peut plus être déposé."},
        ),
        Transition(
            "reopen",
            sources=(SUBMITTED,),
            target=DRAFT,
            label="Rouvrir le dossier pour le modifier",
            guard=_may_reopen,
            event="application_reopened",
            refused="Seul un dossier déposé peut être rouvert.",
        ),
        # The call closed while the dossier was reopened: its last submission is the one reviewed
        # (restoration.restore_last_submission; no button).
        Transition(
            "restore_last_submission",
            sources=(DRAFT,),
            target=SUBMITTED,
            guard=_may_restore,
            event="application_restored_to_last_submission",
            refused="Seul un dossier rouvert revient à son dernier dépôt.",
        ),
        Transition(
            "withdraw",
            sources=(DRAFT, SUBMITTED, IN_REVIEW),
            target=WITHDRAWN,
            label="Retirer la candidature",
            guard=_may_withdraw,
            event="application_withdrawn",
            refused="Ce dossier est déjà retiré.",
        ),
        # The review opens: the review checks who may (review_handover.hand_to_review).
        Transition(
            "hand_to_review",
            sources=(SUBMITTED,),
            target=IN_REVIEW,
            event="application_handed_to_review",
            refused="Seul un dossier déposé peut passer en instruction.",
        ),
    ],
)
