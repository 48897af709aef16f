"""Who forms a call's cohorts (the programme managers of the call's region, and administrators), and
who follows a confirmed cohort (those, and the cohort's consultant pair)."""

from django.db.models import Q

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


# Engagement letters


def can_manage_engagement(user, call: Call) -> Decision:
    """The letter's text, sending the letters: the call's programme managers."""
    if can_manage_region(user, call.programme.region_id):
        return ALLOWED
    return refuse("Seuls les responsables de programme de l’appel gèrent les lettres d’engagement.")


def is_establishment_director(user, participant) -> bool:
    from capqvct.accounts.models import Membership, Role

    organisation_id = participant.establishment.organisation_id
    return bool(
        getattr(user, "is_authenticated", False)
        and organisation_id
        and Membership.objects.filter(user=user, organisation_id=organisation_id, role=Role.DIRECTOR).exists()
    )


def can_replace_trio_member(user, member) -> Decision:
    """The call's programme managers, and the directors of the establishment's space."""
    participant = member.participant
    if can_manage_region(user, participant.call.programme.region_id):
        return ALLOWED
    if is_establishment_director(user, participant):
        return ALLOWED
    return refuse(
        "Seuls les responsables de programme et la direction de l’établissement remplacent un membre "
        "du trinôme."
    )


def can_sign_as(user, member) -> Decision:
    """A personal link signs for its member: whoever holds it, unless they are signed in with another
    account than the member's own (when the member has one)."""
    if member.user_id and getattr(user, "is_authenticated", False) and user.pk != member.user_id:
        return refuse(
            "Ce lien de signature est personnel\u00a0: vous êtes connecté avec un autre compte que celui "
            "de la personne à qui il a été envoyé. Déconnectez-vous, ou connectez-vous avec son compte."
        )
    return ALLOWED


# Attendance, sign-in sheets and visit reports.


def _pair_of_session_consultant(user, session) -> bool:
    """A consultant of the session's cohort's pair; for the presentation, of any pair of the call's
    confirmed cohorts."""
    if session.cohort_id is not None:
        return is_pair_consultant(user, session.cohort)
    return (
        getattr(user, "is_authenticated", False)
        and Cohort.objects.filter(call_id=session.call_id, call__grouping__status=GroupingStatus.CONFIRMED)
        .filter(Q(pair__first=user) | Q(pair__second=user))
        .exists()
    )


def can_record_attendance(user, session) -> Decision:
    """The programme managers of the call's region, and the consultants who lead the session."""
    if can_manage_region(user, session.call.programme.region_id):
        return ALLOWED
    if session.call.grouping.status == GroupingStatus.CONFIRMED and _pair_of_session_consultant(
        user, session
    ):
        return ALLOWED
    return refuse(
        "Seuls les responsables de programme et le binôme d’intervenants du collectif tiennent l’émargement."
    )


def can_declare_presence(user, member) -> Decision:
    """A trio member signed in with their own account, while still in office."""
    if getattr(user, "is_authenticated", False) and member.user_id == user.pk and member.active:
        return ALLOWED
    return refuse("Seul le membre du trinôme lui-même, avec son compte, signale sa présence.")


def can_write_visit_report(user, visit) -> Decision:
    """The visit's consultant, or the other consultant of the pair that follows the establishment."""
    cohort = visit.participant.cohort
    if getattr(user, "is_authenticated", False) and (
        visit.consultant_id == user.pk or is_pair_consultant(user, cohort)
    ):
        return ALLOWED
    return refuse("Seuls l’intervenant de la rencontre et son binôme écrivent son compte rendu.")
