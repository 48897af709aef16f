"""Who may do what in a call's review. Each predicate returns a core Decision with the reason the user
reads when it refuses."""

from capqvct.accounts.models import Membership, Role
from capqvct.applications.models import Application
from capqvct.applications.permissions import APPLICANT_ROLES
from capqvct.calls.models import Call
from capqvct.calls.permissions import can_manage_region
from capqvct.core.permissions import ALLOWED, Decision, refuse
from capqvct.review.models import Assignment

PRIVATE_NOTES_REFUSED = (
    "Seuls les responsables de programme de l’appel et les instructeurs du dossier qui ont déclaré "
    "n’avoir aucun conflit d’intérêts peuvent lire et écrire ses notes internes."
)


def can_manage_review(user, call: Call) -> Decision:
    """The programme managers of the call's region (and administrators)."""
    return can_manage_region(user, call.programme.region_id)


def can_use_private_notes(user, application) -> Decision:
    """Read and write a dossier's internal notes: the call's managers, and the region's agents given the
    dossier once they declared « pas de conflit » (neither before, nor after declaring a conflict).
    Never an outside expert nor an applicant."""
    if can_manage_review(user, application.call):
        return ALLOWED
    cleared = Assignment.objects.filter(
        application_id=application.pk,
        reviewer_id=user.pk,
        is_expert=False,
        no_conflict_declared_at__isnull=False,
        conflict_declared_at__isnull=True,
    )
    if user.is_authenticated and cleared.exists():
        return ALLOWED
    return refuse(PRIVATE_NOTES_REFUSED)


def candidates_members(call: Call):
    """The memberships (director or member) of the establishments with a dossier in the call."""
    candidates = Application.objects.filter(call_id=call.pk).values("establishment__organisation_id")
    return Membership.objects.filter(role__in=APPLICANT_ROLES, organisation_id__in=candidates)


def can_review_dossiers_of(user, call: Call) -> Decision:
    """Nobody reviews a call in which an establishment they belong to (as director or member) has a
    dossier: they would rank their own establishment's competitors."""
    if candidates_members(call).filter(user_id=user.pk).exists():
        return refuse(
            f"{user} est membre d’un établissement candidat à cet appel\u00a0: "
            "il ne peut pas instruire ses dossiers."
        )
    return ALLOWED


def can_be_expert(user, call: Call) -> Decision:
    """An outside expert (not an agent of the call's region) is a consultant's account, and not a member
    of an establishment applying to the call."""
    if not Membership.objects.filter(user_id=user.pk, role=Role.CONSULTANT).exists():
        return refuse("Seul un compte d’intervenant (consultant) peut être expert extérieur.")
    return can_review_dossiers_of(user, call)
