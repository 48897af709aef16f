"""Comments in an approach's activity feed, the people they mention told by e-mail (at once, or in a
daily digest for those who chose it), and that choice."""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from capqvct.approaches.feed_selectors import people_of
from capqvct.approaches.models import Comment, MentionNotice, NotificationPreference
from capqvct.approaches.permissions import can_work_on
from capqvct.approaches.services import clean_text, open_approach, record_change
from capqvct.cohorts.models import Participant
from capqvct.core.emails import send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.permissions import ensure

MAX_COMMENT = 3000


def post_comment(
    *, participant: Participant, by, body: str, mention_ids: list[int] = (), now: datetime | None = None
) -> Comment:
    """A comment; the people ticked, and those named « @Prénom Nom » in the text, are told."""
    ensure(can_work_on(by, participant))
    body = clean_text(body, "body", required="Écrivez votre commentaire.")
    if len(body) > MAX_COMMENT:
        raise Refusal(f"{MAX_COMMENT} caractères au plus.", field="body")
    people = list(people_of(participant))
    known = {person.pk for person in people}
    if set(mention_ids) - known:
        raise Refusal(
            "Une des personnes à prévenir ne travaille pas dans cette démarche : rechargez la page.",
            field="mentions",
        )
    lowered = body.lower()
    named = {
        person.pk
        for person in people
        if person.get_full_name() and f"@{person.get_full_name().lower()}" in lowered
    }
    mentioned = [
        person for person in people if person.pk in (set(mention_ids) | named) and person.pk != by.pk
    ]
    now = now or timezone.now()
    with transaction.atomic():
        approach = open_approach(participant)
        comment = Comment.objects.create(approach=approach, author=by, body=body, created_at=now)
        comment.mentions.set(mentioned)
        MentionNotice.objects.bulk_create(
            [MentionNotice(user=person, comment=comment, created_at=now) for person in mentioned]
        )
        record_change(approach, by=by, action="approach_comment_posted", now=now, mentions=len(mentioned))
        digest = set(
            NotificationPreference.objects.filter(user__in=mentioned, daily_digest=True).values_list(
                "user", flat=True
            )
        )
        for person in mentioned:
            if person.pk not in digest:
                _tell(person, [comment], now)
    return comment


def _tell(person, comments: list[Comment], now: datetime) -> None:
    first = comments[0]
    participant = first.approach.participant
    send_templated_email(
        to=[person.email],
        subject=(
            f"Cap QVCT — {first.author.get_full_name() or first.author.email} vous mentionne "
            f"({participant.establishment.name})"
            if len(comments) == 1
            else f"Cap QVCT — {len(comments)} commentaires vous mentionnent"
        ),
        template="approaches/emails/mentions.txt",
        purpose="approaches.mention",
        about=first.approach,
        context={
            "comments": [
                (
                    comment,
                    reverse("approaches:home", args=[comment.approach.participant_id])
                    + f"#commentaire-{comment.pk}",
                )
                for comment in comments
            ],
        },
    )
    MentionNotice.objects.filter(user=person, comment__in=comments, sent_at__isnull=True).update(sent_at=now)


def send_mention_digests(*, now: datetime | None = None) -> int:
    """One e-mail per person who chose the daily digest and has mentions not yet sent. Returns how
    many e-mails were queued."""
    now = now or timezone.now()
    waiting = (
        MentionNotice.objects.filter(sent_at__isnull=True)
        .select_related("user", "comment__author", "comment__approach__participant__establishment")
        .order_by("user_id", "comment__created_at", "comment_id")
    )
    by_person: dict[int, tuple] = {}
    for notice in waiting:
        person, comments = by_person.setdefault(notice.user_id, (notice.user, []))
        comments.append(notice.comment)
    with transaction.atomic():
        for person, comments in by_person.values():
            _tell(person, comments, now)
    return len(by_person)


def set_digest(*, user, daily: bool) -> NotificationPreference:
    if not getattr(user, "is_authenticated", False):
        raise Refusal("Connectez-vous pour choisir comment être prévenu.")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"daily_digest": daily}
    )
    return preference
