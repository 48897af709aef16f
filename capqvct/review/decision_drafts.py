"""Many drafts at once: the decisions page's form (a row per dossier) and the bulk proposal « Retenir
les N premiers ». Every draft goes through decisions.draft_decision, all in one transaction: one
refused row and nothing is saved, the row's refusal is shown at its field.
"""

from dataclasses import dataclass

from django.db import transaction

from capqvct.applications.models import Application
from capqvct.calls.models import Call
from capqvct.core.exceptions import Refusal
from capqvct.core.permissions import ensure
from capqvct.review.decisions import draft_decision
from capqvct.review.models import Outcome
from capqvct.review.permissions import can_manage_review


@dataclass(frozen=True)
class Draft:
    application_id: int
    outcome: str
    reason: str
    waiting_rank: int | None = None


class RowRefusal(Refusal):
    """A refusal about one row of many."""

    def __init__(self, refusal: Refusal, application_id: int):
        super().__init__(refusal.message, field=refusal.field)
        self.application_id = application_id


def _order(draft: Draft) -> tuple:
    """Others first (they leave the waiting list), then the waiting list by its asked rank: each takes
    its rank in turn, the unranked last in their order."""
    if draft.outcome != Outcome.WAITING_LIST:
        return (0, 0)
    return (1, 0, draft.waiting_rank) if draft.waiting_rank is not None else (1, 1)


def draft_decisions(*, call: Call, drafts: list[Draft], by) -> int:
    """Draft (or redraft) the decisions of several dossiers of the call; returns how many."""
    ensure(can_manage_review(by, call))
    if not drafts:
        raise Refusal("Aucune décision choisie : choisissez une décision pour au moins un dossier.")
    applications = Application.objects.filter(call=call).select_related(
        "call__programme__region", "establishment"
    )
    by_pk = applications.in_bulk([draft.application_id for draft in drafts])
    with transaction.atomic():
        for draft in sorted(drafts, key=_order):
            application = by_pk.get(draft.application_id)
            if application is None:
                raise Refusal("Ce dossier n’appartient pas à cet appel.")
            try:
                draft_decision(
                    application=application,
                    outcome=draft.outcome,
                    reason=draft.reason,
                    waiting_rank=draft.waiting_rank,
                    by=by,
                )
            except Refusal as refusal:
                raise RowRefusal(refusal, draft.application_id) from None
    return len(drafts)
