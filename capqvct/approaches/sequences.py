"""What each of the four sequences asks for, as a checklist read from the approach's counts. The items
follow the DGCS / Anact-Aract practical guide for QVT in medico-social establishments (March 2021) and
the Anact method in four stages: frame the approach in a comité, diagnose and choose priorities,
experiment, make it last. A sequence can be closed with items missing, with a reason."""

from dataclasses import dataclass

from capqvct.approaches.models import Sequence


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    # The approach's count (selectors.approach_counts) this item reads, and how many it needs.
    count: str
    needs: int = 1


CHECKLISTS: dict[int, tuple[Item, ...]] = {
    Sequence.LAUNCH: (
        Item("committee", "Le comité QVT compte au moins trois membres", "committee_members", 3),
        Item("committee_direction", "La direction siège au comité", "committee_direction"),
        Item("committee_staff", "Un représentant du personnel siège au comité", "committee_staff"),
        Item("meeting", "Le comité s’est réuni au moins une fois", "committee_meetings"),
        Item("scope", "Le périmètre de la démarche est défini", "scope"),
        Item("communication", "Un premier message est prévu dans le plan de communication", "messages"),
    ),
    Sequence.DIAGNOSIS: (
        Item(
            "work_group", "Au moins un espace de discussion sur le travail (EDT) est constitué", "work_groups"
        ),
        Item("work_group_meeting", "Un EDT s’est réuni au moins une fois", "work_group_meetings"),
        Item("indicators", "Les indicateurs RH d’une année sont saisis", "indicator_years"),
        Item("situations", "Les situations de travail analysées sont listées", "situations"),
        Item("priorities", "Le comité a retenu au moins une situation prioritaire", "retained_situations"),
    ),
    Sequence.ACTIONS: (
        Item("actions", "Le plan d’actions compte au moins une action", "actions"),
        Item(
            "experiment",
            "Au moins une action est conduite en expérimentation, avec son hypothèse",
            "experiments",
        ),
        Item("owners", "Chaque action a un responsable et une échéance", "actions_without_owner_or_due", 0),
    ),
    Sequence.REVIEW: (
        Item(
            "before_after",
            "Les indicateurs sont saisis pour deux années (avant et après)",
            "indicator_years",
            2,
        ),
        Item("lessons", "Ce qui a marché et ce qui n’a pas marché est écrit", "lessons"),
        Item("continues", "Ce qui continue après le programme est écrit", "continues"),
        Item("validated", "Le comité a validé le bilan", "review_validated"),
    ),
}


@dataclass(frozen=True)
class Check:
    item: Item
    done: bool


def checklist(sequence: int, counts: dict[str, int]) -> list[Check]:
    """Each item of the sequence with whether it is met; an item needing 0 is met when its count is 0
    (e.g. no action without an owner)."""
    return [Check(item, _met(item, counts.get(item.count, 0))) for item in CHECKLISTS[sequence]]


def _met(item: Item, count: int) -> bool:
    return count == 0 if item.needs == 0 else count >= item.needs


def missing(sequence: int, counts: dict[str, int]) -> list[str]:
    return [check.item.label for check in checklist(sequence, counts) if not check.done]


def in_review(approach) -> bool:
    """The fourth sequence has begun: the comité may validate its bilan."""
    return approach.sequence == Sequence.REVIEW
