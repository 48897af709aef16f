"""Who works in an establishment's approach workspace: the establishment's side (the members of its
space and its active trinôme with an account) and the cohort's consultant pair; the programme managers
of the call's region follow it read-only. The establishment asks to close a sequence; a consultant of
the pair agrees."""

from capqvct.cohorts.models import Participant
from capqvct.cohorts.permissions import is_pair_consultant
from capqvct.cohorts.selectors import participations_of
from capqvct.core.permissions import ALLOWED, Decision, refuse


def is_establishment_side(user, participant: Participant) -> bool:
    return participations_of(user).filter(pk=participant.pk).exists()


def can_work_on(user, participant: Participant) -> Decision:
    if is_establishment_side(user, participant) or is_pair_consultant(user, participant.cohort):
        return ALLOWED
    return refuse("Seuls l’établissement et son binôme d’intervenants travaillent dans la démarche.")


def can_ask_closure(user, participant: Participant) -> Decision:
    if is_establishment_side(user, participant):
        return ALLOWED
    return refuse("C’est au trinôme de l’établissement de demander le passage à la séquence suivante.")


def can_answer_closure(user, participant: Participant) -> Decision:
    if is_pair_consultant(user, participant.cohort):
        return ALLOWED
    return refuse("Seul un intervenant du binôme donne son accord au passage à la séquence suivante.")


def can_record_comite_decision(user, participant: Participant) -> Decision:
    """What the comité decides (validating the bilan) is recorded by the establishment's side."""
    if is_establishment_side(user, participant):
        return ALLOWED
    return refuse("Seul l’établissement enregistre une décision de son comité QVT.")
