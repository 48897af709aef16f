"""What changes the fourth sequence, the review: what worked, what did not, what continues after the
programme, and the comité's validation of the bilan (a change to the texts after it asks for a new
validation)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from capqvct.approaches.models import Approach
from capqvct.approaches.permissions import can_record_comite_decision, can_work_on
from capqvct.approaches.sequences import in_review
from capqvct.approaches.services import clean_text, open_approach, record_change
from capqvct.cohorts.models import Participant
from capqvct.core.exceptions import Refusal
from capqvct.core.permissions import ensure


def save_review(
    *,
    participant: Participant,
    by,
    what_worked: str,
    what_did_not: str,
    what_continues: str,
    now: datetime | None = None,
) -> Approach:
    ensure(can_work_on(by, participant))
    texts = {
        "what_worked": clean_text(what_worked, "what_worked"),
        "what_did_not": clean_text(what_did_not, "what_did_not"),
        "what_continues": clean_text(what_continues, "what_continues"),
    }
    if not any(texts.values()):
        raise Refusal(
            "Écrivez au moins ce qui a marché, ce qui n’a pas marché ou ce qui continue.", field="what_worked"
        )
    now = now or timezone.now()
    with transaction.atomic():
        approach = open_approach(participant)
        changed = any(getattr(approach, name) != value for name, value in texts.items())
        for name, value in texts.items():
            setattr(approach, name, value)
        if changed and approach.review_validated_at is not None:
            # The comité validated other words: it validates these again.
            approach.review_validated_at, approach.review_validated_by = None, None
        approach.save(update_fields=[*texts, "review_validated_at", "review_validated_by"])
        record_change(approach, by=by, action="approach_review_saved", now=now)
    return approach


def validate_review(*, participant: Participant, by, now: datetime | None = None) -> Approach:
    """The comité validates the bilan as it stands; the establishment's side records it."""
    ensure(can_record_comite_decision(by, participant))
    now = now or timezone.now()
    with transaction.atomic():
        approach = open_approach(participant)
        if not (approach.what_worked.strip() or approach.what_did_not.strip()):
            raise Refusal(
                "Écrivez d’abord ce qui a marché et ce qui n’a pas marché : le comité valide un bilan écrit."
            )
        if not in_review(approach):
            raise Refusal("Le comité valide le bilan pendant la quatrième séquence, « Bilan et évaluation ».")
        if approach.review_validated_at is not None:
            raise Refusal("Le comité a déjà validé ce bilan.")
        approach.review_validated_at, approach.review_validated_by = now, by
        approach.save(update_fields=["review_validated_at", "review_validated_by"])
        record_change(approach, by=by, action="approach_review_validated", now=now)
    return approach
