"""Background work of decisions, run by `manage.py db_worker`: one task per letter and e-mail."""

from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, make_msgid
from django.template.loader import render_to_string
from django_tasks import task

from capqvct.accounts.models import Membership
from capqvct.applications.models import Channel
from capqvct.applications.permissions import APPLICANT_ROLES
from capqvct.review.models import Decision


def recipients_of(decision: Decision) -> list[str]:
    """The establishment's members; for a dossier received off the site, also whoever sent it."""
    application = decision.application
    establishment = application.establishment
    emails = []
    if establishment.organisation_id:
        emails = list(
            Membership.objects.filter(organisation_id=establishment.organisation_id, role__in=APPLICANT_ROLES)
            .order_by("user__email")
            .values_list("user__email", flat=True)
        )
    if application.channel != Channel.ONLINE and application.sender_email:
        emails.append(application.sender_email)
    if not emails and establishment.email:
        emails.append(establishment.email)
    return list(dict.fromkeys(emails))


def message_id_domain() -> str:
    """The domain of the sending address (where delivery reports come back), else the site's host."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    return domain or urlsplit(settings.SITE_URL).hostname or "localhost"


def send_decision(decision: Decision) -> None:
    """Build the letter and send the e-mail now, recording success or the error on the decision.

    Sent here rather than through core.emails (which waits for a commit) because the failure must be
    caught and shown to the managers, with a retry. The e-mail's own Message-ID is kept on the decision:
    a delivery report that comes back later names it (see bounces.py).
    """
    from capqvct.review.decisions import record_notification
    from capqvct.review.letters import decision_letter_pdf, letter_file_name

    if decision.notified_at is not None or decision.confirmed_at is None:
        return
    to = recipients_of(decision)
    if not to:
        record_notification(decision=decision, error="Aucune adresse e-mail connue pour cet établissement.")
        return
    application = decision.application
    try:
        body = render_to_string(
            "review/decisions/email.txt",
            {"decision": decision, "application": application, "site_url": settings.SITE_URL},
        )
        message_id = make_msgid(domain=message_id_domain())
        message = EmailMessage(
            subject=f"Décision : {application.call.title}",
            body=body,
            to=to,
            headers={"Message-ID": message_id},
        )
        message.attach(letter_file_name(decision), decision_letter_pdf(decision), "application/pdf")
        message.send()
    except Exception as error:  # noqa: BLE001 — any failure is shown to the managers, who retry
        record_notification(decision=decision, error=f"{type(error).__name__} : {error}"[:1000])
    else:
        record_notification(decision=decision, message_id=message_id)


@task()
def notify_decision(*, decision_id: int) -> None:
    """The decision letter (PDF) and e-mail of one dossier."""
    decision = (
        Decision.objects.select_related(
            "application__call__programme__region", "application__establishment", "confirmed_by"
        )
        .filter(pk=decision_id)
        .first()
    )
    if decision is not None:
        send_decision(decision)
