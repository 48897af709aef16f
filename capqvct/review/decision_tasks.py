"""The decision e-mails, through the outbox: written with the notification request, sent by the worker
with the letter (PDF) built when the e-mail leaves. The outcome comes back through delivery hooks: the
e-mail's Message-ID is kept on the decision (a delivery report that comes back later names it, see
bounces.py), a failure is shown to the managers with a retry.
"""

from collections import defaultdict

from django.conf import settings
from django.template.loader import render_to_string

from capqvct.accounts.models import Membership
from capqvct.applications.models import Channel
from capqvct.applications.permissions import APPLICANT_ROLES
from capqvct.core.emails import EmailAttachment, cancel_unsent_emails, emails_about, queue_emails
from capqvct.core.formatting import format_datetime
from capqvct.core.models import TECHNICAL_DETAIL, EmailStatus, OutgoingEmail
from capqvct.review.models import Decision

PURPOSE = "review.decision"
LETTER_BUILDER = "review.decision_letter"
NO_ADDRESS = "Aucune adresse e-mail connue pour cet établissement."
NBSP = "\u00a0"


def recipients_of(decision: Decision, members: list[str] | None = None) -> list[str]:
    """The establishment's members; for a dossier received off the site, also whoever sent it.
    `members`: the members' addresses when already read (a batch reads them at once)."""
    application = decision.application
    establishment = application.establishment
    if members is None:
        members = _members_by_organisation([establishment.organisation_id]).get(
            establishment.organisation_id, []
        )
    emails = list(members)
    if application.channel != Channel.ONLINE and application.sender_email:
        emails.append(application.sender_email)
    if not emails and establishment.email:
        emails.append(establishment.email)
    return list(dict.fromkeys(emails))


def _members_by_organisation(organisation_ids) -> dict[int, list[str]]:
    members = defaultdict(list)
    rows = (
        Membership.objects.filter(
            organisation_id__in=[pk for pk in organisation_ids if pk], role__in=APPLICANT_ROLES
        )
        .order_by("user__email")
        .values_list("organisation_id", "user__email")
    )
    for organisation_id, email in rows:
        members[organisation_id].append(email)
    return members


def queue_decision_emails(decision_ids: list[int], *, by) -> list[OutgoingEmail]:
    """Put the e-mail of each confirmed, not yet notified decision in the outbox, replacing any earlier
    one not yet sent; call it in the transaction that asks for the notification."""
    from capqvct.review.decision_links import LINK_VALIDITY, link_url, needs_link
    from capqvct.review.decisions import record_notification
    from capqvct.review.letters import (
        addressee_name,
        letter_agencies,
        letter_file_name,
        recourse_text,
        sending_agency,
    )

    chosen = list(
        Decision.objects.filter(pk__in=decision_ids, notified_at__isnull=True, confirmed_at__isnull=False)
        .select_related("application__call", "application__establishment")
        .order_by("pk")
    )
    members = _members_by_organisation({d.application.establishment.organisation_id for d in chosen})
    cancel_unsent_emails(purpose=PURPOSE, about=chosen)
    senders = {}  # the sending agency of each programme, read once per batch
    emails = []
    for decision in chosen:
        application = decision.application
        to = recipients_of(decision, members.get(application.establishment.organisation_id, []))
        if not to:
            record_notification(decision=decision, error=NO_ADDRESS)
            continue
        programme_id = application.call.programme_id
        if programme_id not in senders:
            senders[programme_id] = sending_agency(letter_agencies(decision))
        sender = senders[programme_id]
        own = members.get(application.establishment.organisation_id, [])
        body = render_to_string(
            "review/decisions/email.txt",
            {
                "decision": decision,
                "application": application,
                "addressee": addressee_name(application.establishment),
                "recourse": recourse_text(decision, sender.name if sender else ""),
                "link": link_url(decision) if needs_link(decision, members=own) else "",
                "link_days": LINK_VALIDITY.days,
                "site_url": settings.SITE_URL,
            },
        )
        emails.append(
            {
                "to": to,
                "subject": f"Décision{NBSP}: {application.call.title}",
                "body": body,
                "purpose": PURPOSE,
                "by": by,
                "about": decision,
                "attachments": [
                    EmailAttachment(
                        LETTER_BUILDER,
                        {"decision_id": decision.pk},
                        letter_file_name(decision),
                        "application/pdf",
                    )
                ],
            }
        )
    return queue_emails(emails)


def is_being_sent(decision: Decision) -> bool:
    """A worker is sending the decision's e-mail right now: its outcome is not known yet."""
    return emails_about(purpose=PURPOSE, about=decision).filter(status=EmailStatus.SENDING).exists()


def decision_letter_of(*, decision_id: int) -> bytes:
    """The outbox's attachment builder: the letter as it reads when the e-mail leaves."""
    from capqvct.review.letters import decision_letter_pdf

    decision = Decision.objects.select_related(
        "application__call__programme__region", "application__establishment", "confirmed_by"
    ).get(pk=decision_id)
    return decision_letter_pdf(decision)


def _current_decision(email: OutgoingEmail) -> Decision | None:
    """The decision the e-mail tells, unless a newer e-mail about it has replaced this one."""
    newer = OutgoingEmail.objects.filter(
        purpose=PURPOSE, about_type=email.about_type, about_id=email.about_id, pk__gt=email.pk
    ).exclude(status=EmailStatus.CANCELLED)
    if newer.exists():
        return None
    return Decision.objects.select_related("application__call").filter(pk=email.about_id).first()


def on_decision_sent(email: OutgoingEmail) -> None:
    from capqvct.review.decisions import record_notification

    if (decision := _current_decision(email)) is not None:
        record_notification(decision=decision, message_id=email.message_id)


def on_decision_failed(email: OutgoingEmail) -> None:
    """The managers read the error, when the next automatic attempt comes, then the technical detail."""
    from capqvct.review.decisions import record_notification

    if (decision := _current_decision(email)) is not None:
        said = [email.error_summary]
        if email.status == EmailStatus.PENDING:
            when = format_datetime(email.next_attempt_at, decision.application.call.time_zone, with_zone=True)
            said.append(f"Nouvel essai automatique le {when}.")
        if email.error_detail:
            said.append(f"{TECHNICAL_DETAIL} {email.error_detail}")
        record_notification(decision=decision, error=" ".join(said))
