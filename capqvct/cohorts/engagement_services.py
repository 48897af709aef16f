"""Engagement letters: the call's text, sending the letters with a personal link to each member of each
trinôme, signing, the reminders, and replacing a member. Each checks who acts (permissions.py), writes
its audit event in the same transaction, queues its e-mails through the outbox, and refuses in French.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from capqvct.cohorts.engagement_letters import (
    PLACEHOLDERS,
    fingerprint_of,
    letter_pdf,
    letter_text,
    unknown_placeholders,
)
from capqvct.cohorts.engagement_links import LINK_VALIDITY, invitation_of_token, link_url, new_nonce
from capqvct.cohorts.engagement_selectors import template_of
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
from capqvct.core.emails import EmailAttachment, queue_emails, send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.formatting import french_spacing
from capqvct.core.permissions import ensure
from capqvct.core.services import record_event

NBSP = "\u00a0"
LINK_PURPOSE = "cohorts.engagement_link"
REMINDER_PURPOSE = "cohorts.engagement_reminder"
COMPLETED_PURPOSE = "cohorts.engagement_completed"
COSIGNED_BUILDER = "cohorts.engagement_cosigned"
MAX_REMINDER_DAYS = 60
REMINDER_PREFIX = f"Rappel{NBSP}: "


# The call's text


def save_engagement_template(*, call, body: str, reminder_days: int | None, by) -> EngagementTemplate:
    """Save the letter's text and the reminders' delay; letters already sent keep their own text."""
    ensure(can_manage_engagement(by, call))
    body = french_spacing(body.replace("\r\n", "\n").strip())
    if not body:
        raise Refusal("Écrivez le texte de la lettre.", field="body")
    unknown = unknown_placeholders(body)
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        raise Refusal(
            f"Champ inconnu{NBSP}: {', '.join(f'{{{name}}}' for name in unknown)}. "
            f"Les champs possibles sont {known}.",
            field="body",
        )
    if reminder_days is None or not 1 <= reminder_days <= MAX_REMINDER_DAYS:
        raise Refusal(f"Indiquez un nombre de jours entre 1 et {MAX_REMINDER_DAYS}.", field="reminder_days")
    with transaction.atomic():
        template, created = EngagementTemplate.objects.update_or_create(
            call=call, defaults={"body": body, "reminder_days": reminder_days, "updated_by": by}
        )
        record_event(
            action="engagement_template_saved",
            actor=by,
            target=call,
            details={"created": created, "reminder_days": reminder_days},
        )
    return template


# Sending the letters


def _link_email(invitation: EngagementInvitation, *, now: datetime, by, reminder: bool) -> dict:
    """The e-mail carrying a member's personal link (the first, or a reminder), for queue_emails."""
    letter = invitation.letter
    participant = letter.participant
    call = participant.call
    context = {
        "member": invitation.member,
        "participant": participant,
        "call": call,
        "cohort": participant.cohort,
        "link": link_url(invitation, now=now),
        "days": LINK_VALIDITY.days,
        "reminder": reminder,
        "site_url": settings.SITE_URL,
    }
    return {
        "to": [invitation.member.email],
        "subject": f"{REMINDER_PREFIX if reminder else ''}Lettre d’engagement à signer{NBSP}: {call.title}",
        "body": render_to_string("cohorts/engagement/emails/link.txt", context),
        "purpose": REMINDER_PURPOSE if reminder else LINK_PURPOSE,
        "by": by,
        "about": invitation,
    }


def _issue(letter: EngagementLetter, member: TrioMember, *, now: datetime) -> EngagementInvitation:
    """The member's invitation to this letter, with a new nonce: earlier links stop working."""
    invitation, _ = EngagementInvitation.objects.update_or_create(
        letter=letter, member=member, defaults={"nonce": new_nonce(), "sent_at": now, "reminders": 0}
    )
    invitation.letter, invitation.member = letter, member
    return invitation


def _current_letter(
    participant: Participant, body: str, *, by, now: datetime
) -> tuple[EngagementLetter, bool]:
    """The participant's letter, frozen from `body` when it has none, or frozen again when its text
    changed and nobody has signed it yet; whether it was (re)frozen."""
    text = letter_text(body, participant)
    letter = EngagementLetter.objects.filter(participant=participant).first()
    if letter is not None and (letter.text == text or letter.signatures.exists()):
        return letter, False
    pdf = letter_pdf(participant, text, dated=now)
    fields = {"text": text, "pdf": pdf, "fingerprint": fingerprint_of(pdf), "frozen_at": now, "frozen_by": by}
    if letter is None:
        letter = EngagementLetter.objects.create(participant=participant, **fields)
    else:
        for name, value in fields.items():
            setattr(letter, name, value)
        letter.save(update_fields=[*fields])
    record_event(
        action="engagement_letter_frozen",
        actor=by,
        target=letter,
        details={"fingerprint": letter.fingerprint},
    )
    return letter, True


def send_engagement_letters(*, cohort: Cohort, by, now: datetime | None = None) -> int:
    """Freeze each participant's letter and e-mail a personal link to each active member of its
    trinôme who has not signed it; returns the number of e-mails."""
    now = now or timezone.now()
    call = cohort.call
    ensure(can_manage_engagement(by, call))
    if not Grouping.objects.filter(call=call, status=GroupingStatus.CONFIRMED).exists():
        raise Refusal("Confirmez d’abord les collectifs de l’appel.")
    body = template_of(call).body
    emails = []
    with transaction.atomic():
        participants = (
            Participant.objects.select_for_update(of=("self",))
            .filter(cohort=cohort)
            .select_related(
                "call__programme__region", "cohort__pair__first", "cohort__pair__second", "establishment"
            )
            .order_by("establishment__name", "pk")
        )
        for participant in participants:
            members = list(participant.trio.filter(active=True).order_by("role", "pk"))
            if not members:
                continue
            letter, _ = _current_letter(participant, body, by=by, now=now)
            signed = set(letter.signatures.values_list("member_id", flat=True))
            for member in members:
                if member.pk not in signed:
                    emails.append(
                        _link_email(_issue(letter, member, now=now), now=now, by=by, reminder=False)
                    )
        if not emails:
            raise Refusal(
                "Aucune lettre à envoyer\u00a0: tous les membres des trinômes ont signé, ou aucun trinôme "
                "n’a de membre."
            )
        record_event(
            action="engagement_letters_sent",
            actor=by,
            target=cohort,
            details={"emails": len(emails)},
        )
        queue_emails(emails)
    return len(emails)


# Signing


def active_members_signed(letter: EngagementLetter) -> bool:
    active = set(letter.participant.trio.filter(active=True).values_list("pk", flat=True))
    signed = set(letter.signatures.values_list("member_id", flat=True))
    return bool(active) and active <= signed


def _update_completeness(letter: EngagementLetter, *, by, now: datetime) -> None:
    """Complete when every active member has signed; no longer complete when a new member has not."""
    complete = active_members_signed(letter)
    if complete and letter.completed_at is None:
        letter.completed_at = now
        letter.save(update_fields=["completed_at"])
        record_event(action="engagement_letter_completed", actor=by, target=letter)
        _tell_the_trio_it_is_complete(letter, by=by)
    elif not complete and letter.completed_at is not None:
        letter.completed_at = None
        letter.save(update_fields=["completed_at"])


def _tell_the_trio_it_is_complete(letter: EngagementLetter, *, by) -> None:
    from capqvct.cohorts.engagement_letters import letter_file_name

    participant = letter.participant
    to = list(participant.trio.filter(active=True).order_by("role").values_list("email", flat=True))
    send_templated_email(
        to=to,
        subject=f"Lettre d’engagement signée{NBSP}: {participant.establishment.name}",
        template="cohorts/engagement/emails/completed.txt",
        context={"participant": participant, "call": participant.call, "letter": letter},
        purpose=COMPLETED_PURPOSE,
        by=by,
        about=letter,
        attachments=[
            EmailAttachment(
                COSIGNED_BUILDER,
                {"letter_id": letter.pk},
                letter_file_name(letter, cosigned=True),
                "application/pdf",
            )
        ],
    )


def sign_engagement_letter(
    *, token: str, typed_name: str, consent: bool, user, ip: str | None, now: datetime | None = None
) -> EngagementSignature:
    """Record the member's signature on the exact letter their link was sent with."""
    now = now or timezone.now()
    invitation = invitation_of_token(token, user=user, now=now)
    typed_name = " ".join(typed_name.split())
    if not typed_name:
        raise Refusal("Tapez votre nom et votre prénom pour signer.", field="typed_name")
    if len(typed_name) > 200:
        raise Refusal("Le nom tapé dépasse 200 caractères.", field="typed_name")
    if not consent:
        raise Refusal("Cochez la case pour confirmer votre engagement.", field="consent")
    letter, member = invitation.letter, invitation.member
    signer = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        # The invitation's nonce changes: of two signatures posted at once, the second finds its link spent.
        spent = EngagementInvitation.objects.filter(pk=invitation.pk, nonce=invitation.nonce).update(
            nonce=new_nonce()
        )
        if not spent:
            raise Refusal("Ce lien vient de servir\u00a0: rechargez la page.")
        try:
            with transaction.atomic():
                signature = EngagementSignature.objects.create(
                    letter=letter,
                    member=member,
                    user=signer,
                    typed_name=typed_name,
                    signed_at=now,
                    ip=ip,
                    fingerprint=letter.fingerprint,
                )
        except IntegrityError:
            raise Refusal("Cette lettre est déjà signée pour ce membre du trinôme.") from None
        record_event(
            action="engagement_letter_signed",
            actor=signer,
            actor_email=member.email,
            target=letter,
            details={"member": member.pk, "role": member.role, "fingerprint": letter.fingerprint},
        )
        _update_completeness(letter, by=signer, now=now)
    return signature


# Reminders


def send_due_engagement_reminders(*, now: datetime | None = None) -> int:
    """A fresh link to each active member who has not signed, `reminder_days` after their latest link
    (the call's template; 7 by default); one reminder per period. Returns the number sent."""
    now = now or timezone.now()
    pending = (
        EngagementInvitation.objects.filter(member__active=True, letter__completed_at__isnull=True)
        .annotate(
            signed=Exists(
                EngagementSignature.objects.filter(letter=OuterRef("letter"), member=OuterRef("member"))
            )
        )
        .filter(signed=False)
        .select_related(
            "member",
            "letter__participant__call__programme__region",
            "letter__participant__cohort__pair__first",
            "letter__participant__cohort__pair__second",
            "letter__participant__establishment",
        )
        .order_by("pk")
    )
    delays = {}
    sent = 0
    for invitation in pending:
        call = invitation.letter.participant.call
        if call.pk not in delays:
            delays[call.pk] = template_of(call).reminder_days
        if invitation.sent_at + timedelta(days=delays[call.pk]) > now:
            continue
        with transaction.atomic():
            # Conditional: a round running at the same time, or a new send, makes this one a no-op.
            fresh = new_nonce()
            updated = EngagementInvitation.objects.filter(
                pk=invitation.pk, nonce=invitation.nonce, sent_at=invitation.sent_at
            ).update(nonce=fresh, sent_at=now, reminders=invitation.reminders + 1)
            if not updated:
                continue
            invitation.nonce, invitation.sent_at = fresh, now
            record_event(
                action="engagement_reminder_sent",
                actor_email=invitation.member.email,
                target=invitation.letter,
                details={"member": invitation.member_id},
            )
            queue_emails([_link_email(invitation, now=now, by=None, reminder=True)])
        sent += 1
    return sent


# Replacing a member of the trinôme


def replace_trio_member(
    *, member: TrioMember, name: str, function: str, email: str, reason: str, by, now: datetime | None = None
) -> TrioMember:
    """The member leaves the trinôme (kept, inactive, with their signature); the new one takes their
    role and, when the letter has been sent, receives their own link."""
    now = now or timezone.now()
    ensure(can_replace_trio_member(by, member))
    reason, name, function = reason.strip(), " ".join(name.split()), function.strip()
    email = email.strip().lower()
    if not reason:
        raise Refusal("Indiquez le motif du remplacement.", field="reason")
    if not name:
        raise Refusal("Indiquez le nom de la nouvelle personne.", field="name")
    if not email:
        raise Refusal("Indiquez l’adresse e-mail de la nouvelle personne.", field="email")
    if email == member.email.lower():
        raise Refusal(
            "La nouvelle personne a la même adresse e-mail que celle qu’elle remplace.", field="email"
        )
    with transaction.atomic():
        locked = TrioMember.objects.select_for_update().get(pk=member.pk)
        if not locked.active:
            raise Refusal("Ce membre du trinôme a déjà été remplacé.")
        locked.active, locked.replaced_at, locked.replacement_reason = False, now, reason
        locked.save(update_fields=["active", "replaced_at", "replacement_reason"])
        account = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        successor = TrioMember.objects.create(
            participant=member.participant,
            role=member.role,
            name=name[:200],
            function=function[:200],
            email=email,
            user=account,
        )
        record_event(
            action="trio_member_replaced",
            actor=by,
            target=member.participant,
            details={"role": member.role, "replaced": member.pk, "by_member": successor.pk, "reason": reason},
        )
        letter = EngagementLetter.objects.filter(participant=member.participant).first()
        if letter is not None:
            EngagementInvitation.objects.filter(letter=letter, member=member).update(nonce=new_nonce())
            queue_emails([_link_email(_issue(letter, successor, now=now), now=now, by=by, reminder=False)])
            _update_completeness(letter, by=by, now=now)
    member.refresh_from_db()
    return successor
