"""What the engagement parts of the pages read: the call's text (or the default), each participant's
letter with who has signed, and the scoped QuerySets of letters and members. Fixed number of queries
whatever the number of participants."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet

from capqvct.accounts.models import Role
from capqvct.calls.models import Call
from capqvct.calls.selectors import calls_managed_by
from capqvct.cohorts.engagement_letters import DEFAULT_BODY
from capqvct.cohorts.models import (
    Cohort,
    EngagementInvitation,
    EngagementLetter,
    EngagementSignature,
    EngagementTemplate,
    Grouping,
    GroupingStatus,
    Participant,
    TrioMember,
)
from capqvct.cohorts.permissions import can_manage_engagement, can_replace_trio_member
from capqvct.cohorts.selectors import participations_visible_to


def template_of(call: Call) -> EngagementTemplate:
    """The call's letter text, or the default one (not saved) until a manager writes theirs."""
    return EngagementTemplate.objects.filter(call=call).first() or EngagementTemplate(
        call=call, body=DEFAULT_BODY
    )


@dataclass
class MemberState:
    member: TrioMember
    signature: EngagementSignature | None = None
    sent_at: datetime | None = None

    @property
    def signed(self) -> bool:
        return self.signature is not None


@dataclass
class LetterState:
    """A participant's letter as the pages show it: each member (active first) and their signature."""

    participant: Participant
    letter: EngagementLetter | None
    members: list[MemberState] = field(default_factory=list)

    @property
    def active(self) -> list[MemberState]:
        return [state for state in self.members if state.member.active]

    @property
    def replaced(self) -> list[MemberState]:
        return [state for state in self.members if not state.member.active]

    @property
    def waiting(self) -> list[MemberState]:
        return [state for state in self.active if not state.signed]

    @property
    def signed_count(self) -> int:
        return sum(1 for state in self.active if state.signed)

    @property
    def complete(self) -> bool:
        return bool(self.letter and self.letter.completed_at)


def letter_states(participants: list[Participant]) -> list[LetterState]:
    """Each participant's letter, members, signatures and links: four queries for any number."""
    ids = [participant.pk for participant in participants]
    letters = {
        letter.participant_id: letter
        for letter in EngagementLetter.objects.filter(participant_id__in=ids).defer("pdf", "text")
    }
    signatures = {
        (s.letter_id, s.member_id): s
        for s in EngagementSignature.objects.filter(letter__participant_id__in=ids)
    }
    sent = {
        (i.letter_id, i.member_id): i.sent_at
        for i in EngagementInvitation.objects.filter(letter__participant_id__in=ids).only(
            "letter_id", "member_id", "sent_at"
        )
    }
    members = defaultdict(list)
    for member in TrioMember.objects.filter(participant_id__in=ids).order_by("-active", "role", "pk"):
        members[member.participant_id].append(member)
    states = []
    for participant in participants:
        letter = letters.get(participant.pk)
        key = letter.pk if letter else None
        states.append(
            LetterState(
                participant=participant,
                letter=letter,
                members=[
                    MemberState(member, signatures.get((key, member.pk)), sent.get((key, member.pk)))
                    for member in members[participant.pk]
                ],
            )
        )
    return states


def unsigned_letters(participants: list[Participant]) -> list[LetterState]:
    """For the consultant's home: the letters sent and not yet signed by the whole trio, with who is
    missing (letters not sent yet are the managers' business, shown on the cohort page)."""
    return [state for state in letter_states(participants) if state.letter and not state.complete]


def cohort_section(cohort: Cohort, user) -> dict:
    """The cohort page's « Lettres d’engagement »: per participant, who has signed and who has not."""
    participants = list(
        Participant.objects.filter(cohort=cohort)
        .select_related("establishment")
        .order_by("establishment__name")
    )
    states = letter_states(participants)
    return {
        "engagement_states": states,
        "engagement_sent": any(state.letter for state in states),
        "engagement_manages": bool(can_manage_engagement(user, cohort.call)),
        "engagement_confirmed": Grouping.objects.filter(
            call_id=cohort.call_id, status=GroupingStatus.CONFIRMED
        ).exists(),
    }


def participation_section(participant: Participant, user) -> dict:
    """The participation page's letter: its state, the downloads, and who may replace a member."""
    (state,) = letter_states([participant])
    first_active = next((s.member for s in state.active), None)
    return {
        "engagement": state,
        "engagement_can_replace": bool(first_active and can_replace_trio_member(user, first_active)),
    }


def letters_visible_to(user) -> QuerySet[EngagementLetter]:
    """The letters of the participations the user sees: the managers, the pair, the establishment."""
    return EngagementLetter.objects.filter(participant__in=participations_visible_to(user)).select_related(
        "participant__call__programme__region", "participant__establishment", "participant__cohort"
    )


def members_replaceable_by(user) -> QuerySet[TrioMember]:
    """The active members of the confirmed cohorts' trinômes the user may replace: those of the calls
    they manage, and those of their own establishment when they are its director."""
    if not getattr(user, "is_authenticated", False):
        return TrioMember.objects.none()
    managed = Q(participant__call__in=calls_managed_by(user))
    director = Q(
        participant__establishment__organisation__memberships__user=user,
        participant__establishment__organisation__memberships__role=Role.DIRECTOR,
    )
    ids = TrioMember.objects.filter(managed | director).values("pk")
    return TrioMember.objects.filter(
        pk__in=ids, active=True, participant__call__grouping__status=GroupingStatus.CONFIRMED
    ).select_related(
        "participant__call__programme__region", "participant__establishment", "participant__cohort"
    )
