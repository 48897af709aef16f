"""The activity feed of an establishment's approach: who did what and when (from the audit log), with
the comments; and the people of the workspace a comment may mention. A fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from capqvct.approaches.models import Approach, Comment, NotificationPreference
from capqvct.cohorts.models import Participant
from capqvct.core.models import AuditEvent

FEED_LENGTH = 50
# The feed in words; a comment shows itself, so its audit event is not repeated.
ACTIVITY = {
    "approach_committee_member_added": "a ajouté {name} au comité QVT",
    "approach_committee_member_left": "a retiré {name} du comité QVT",
    "approach_committee_meeting_recorded": "a enregistré une réunion du comité",
    "approach_scope_saved": "a défini le périmètre de la démarche",
    "approach_message_planned": "a prévu un message pour {audience}",
    "approach_message_sent": "a noté envoyé le message pour {audience}",
    "approach_closure_asked": "a demandé à clore la séquence {sequence}",
    "approach_closure_agreed": "a donné son accord pour clore la séquence {sequence}",
    "approach_closure_declined": "a demandé des compléments pour clore la séquence {sequence}",
    "approach_work_group_added": "a constitué le groupe «\u00a0{name}\u00a0»",
    "approach_work_group_met": "a noté une réunion du groupe «\u00a0{name}\u00a0»",
    "approach_indicators_saved": "a saisi les indicateurs RH de {year}",
    "approach_situation_added": "a ajouté la situation «\u00a0{title}\u00a0»",
    "approach_situation_rated": "a noté la situation «\u00a0{title}\u00a0»",
    "approach_action_added": "a ajouté l’action «\u00a0{title}\u00a0»",
    "approach_action_changed": "a modifié l’action «\u00a0{title}\u00a0»",
    "approach_review_saved": "a écrit le bilan",
    "approach_review_validated": "a enregistré la validation du bilan par le comité",
    "approach_document_added": "a déposé le document «\u00a0{name}\u00a0»",
    "approach_document_removed": "a retiré le document «\u00a0{name}\u00a0»",
}


@dataclass
class Entry:
    at: datetime
    who: str
    what: str = ""
    comment: Comment | None = None


def _name(user, email: str = "") -> str:
    if user is None:
        return email or "Quelqu’un"
    return user.get_full_name() or user.email


def _described(event: AuditEvent) -> str:
    template = ACTIVITY.get(event.action, "a modifié la démarche")
    try:
        return template.format(**event.details)
    except (KeyError, IndexError):
        return "a modifié la démarche"


def feed_of(approach: Approach) -> list[Entry]:
    """The latest events and comments, newest first."""
    if approach.pk is None:
        return []
    events = (
        AuditEvent.objects.filter(target_type=Approach._meta.label_lower, target_id=str(approach.pk))
        .exclude(action="approach_comment_posted")
        .select_related("actor")
        .order_by("-at", "-pk")[:FEED_LENGTH]
    )
    comments = (
        approach.comments.select_related("author")
        .prefetch_related("mentions")
        .order_by("-created_at", "-pk")[:FEED_LENGTH]
    )
    entries = [Entry(event.at, _name(event.actor, event.actor_email), _described(event)) for event in events]
    entries += [Entry(comment.created_at, _name(comment.author), comment=comment) for comment in comments]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:FEED_LENGTH]


def people_of(participant: Participant) -> QuerySet:
    """Who works in the workspace and may be mentioned: the members of the establishment's space, its
    active trinôme with an account, the cohort's pair."""
    User = get_user_model()
    pair = participant.cohort.pair
    pair_ids = [pair.first_id, pair.second_id] if pair else []
    organisation_id = participant.establishment.organisation_id
    return (
        User.objects.filter(
            Q(pk__in=participant.trio.filter(active=True, user__isnull=False).values("user"))
            | Q(pk__in=pair_ids)
            | (Q(memberships__organisation_id=organisation_id) if organisation_id else Q(pk__in=[]))
        )
        .filter(is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def mentionable_by(participant: Participant, user) -> QuerySet:
    """Whom the user may tell of a comment: the people of the workspace but themselves."""
    return people_of(participant).exclude(pk=user.pk)


def prefers_digest(user) -> bool:
    return NotificationPreference.objects.filter(user=user, daily_digest=True).exists()
