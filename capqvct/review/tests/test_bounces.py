"""Decision e-mails that the mail system accepted, then returned undelivered (RFC 3464 delivery status
notifications): read from the bounce mailbox, shown on the decisions page, sent again."""

import io
import mailbox
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from django.core.management import CommandError, call_command

from capqvct.accounts.models import Role
from capqvct.core.models import AuditEvent
from capqvct.review import decisions
from capqvct.review.bounces import Bounce, bounces_in, is_delivery_report, read_message
from capqvct.review.models import Decision, Outcome
from capqvct.review.tests import test_decisions as shared
from tests.factories import MembershipFactory, OrganisationFactory, region

pytestmark = pytest.mark.django_db

# The call, its agency, manager and review, and the dossier helpers of the services' tests.
agency, manager, call, review = shared.agency, shared.manager, shared.call, shared.review
dossier, draft = shared.dossier, shared.draft

UNKNOWN_USER = "550 5.1.1 <direction@a.fr>: Recipient address rejected: User unknown in virtual mailbox table"


# Delivery reports, built as a mail server (Postfix here) writes them


def original(message_id: str = "<176.42@capqvct.example>") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Cap QVCT <ne-pas-repondre@capqvct.example>"
    message["To"] = "direction@a.fr"
    message["Subject"] = "Décision\u00a0: Accompagnement QVCT 2026"
    message["Message-ID"] = message_id
    message.set_content("Bonjour,\n\nLa commission de sélection a statué sur votre dossier.\n")
    return message


def fields(**values: str) -> Message:
    block = Message()
    for name, value in values.items():
        block[name.replace("_", "-")] = value
    return block


def recipient_fields(
    address: str = "direction@a.fr",
    *,
    action: str = "failed",
    status: str = "5.1.1",
    diagnostic: str = f"smtp; {UNKNOWN_USER}",
) -> Message:
    return fields(
        Final_Recipient=f"rfc822; {address}",
        Original_Recipient=f"rfc822;{address}",
        Action=action,
        Status=status,
        Remote_MTA="dns; mx.a.fr",
        Diagnostic_Code=diagnostic,
    )


def delivery_report(sent: Message, *recipients: Message, headers_only: bool = False) -> bytes:
    """multipart/report: a word for people, the message/delivery-status part, the message returned."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@mx.capqvct.example (Mail Delivery System)"
    report["To"] = "ne-pas-repondre@capqvct.example"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.attach(
        MIMEText(
            "This is the mail system at host mx.capqvct.example.\n\nI'm sorry to have to "
            "inform you that your message could not be delivered to one or more recipients.\n"
        )
    )
    status = MIMEBase("message", "delivery-status")
    per_message = fields(
        Reporting_MTA="dns; mx.capqvct.example", Arrival_Date="Mon, 23 Nov 2026 15:30:00 +0100"
    )
    status.set_payload([per_message, *(recipients or [recipient_fields()])])
    report.attach(status)
    if headers_only:
        headers = "".join(f"{name}: {value}\n" for name, value in sent.items())
        report.attach(MIMEText(headers, "rfc822-headers"))
    else:
        report.attach(MIMEMessage(sent))
    return report.as_bytes()


def test_a_failed_delivery_gives_the_message_the_recipient_and_why():
    (bounce,) = bounces_in(read_message(delivery_report(original())))

    assert bounce == Bounce(
        message_id="<176.42@capqvct.example>",
        recipient="direction@a.fr",
        status="5.1.1",
        diagnostic=UNKNOWN_USER,
    )


def test_a_delay_is_not_a_bounce():
    report = read_message(
        delivery_report(
            original(),
            recipient_fields(
                action="delayed", status="4.4.1", diagnostic="smtp; 421 4.4.1 Connection timed out"
            ),
        )
    )

    assert is_delivery_report(report)
    assert bounces_in(report) == []


def test_only_the_failed_recipients_of_a_report_count():
    report = read_message(
        delivery_report(
            original(),
            recipient_fields(
                "secretariat@a.fr", action="delivered", status="2.0.0", diagnostic="smtp; 250 ok"
            ),
            recipient_fields("direction@a.fr"),
            recipient_fields("rh@a.fr", action="relayed", status="2.0.0"),
        )
    )

    assert [bounce.recipient for bounce in bounces_in(report)] == ["direction@a.fr"]


def test_an_ordinary_message_is_not_a_report():
    reply = read_message(original().as_bytes())

    assert not is_delivery_report(reply)
    assert bounces_in(reply) == []


def test_a_report_returning_only_the_headers_still_names_the_message():
    (bounce,) = bounces_in(
        read_message(delivery_report(original("<9.9@capqvct.example>"), headers_only=True))
    )

    assert (bounce.message_id, bounce.status) == ("<9.9@capqvct.example>", "5.1.1")


# Recording a bounce


@pytest.fixture
def notified(call, review, manager, mailoutbox, django_capture_on_commit_callbacks):
    """A, notified to its director; the e-mail that left, as the bounce would return it."""
    draft(dossier(call, "A", director_email="direction@a.fr"), Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager, now=shared.COMMISSION)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.notify_decisions(review=review, by=manager)
    (sent,) = mailoutbox
    mailoutbox.clear()
    return Decision.objects.get(), sent.message()


def bounce_of(decision: Decision, **overrides) -> dict:
    return {
        "message_id": decision.message_id,
        "recipient": "direction@a.fr",
        "status": "5.1.1",
        "diagnostic": "550 5.1.1 user unknown",
        **overrides,
    }


def test_each_decision_e_mail_leaves_with_its_own_message_id(notified):
    decision, sent = notified

    assert decision.message_id.endswith("@capqvct.example>")
    assert sent["Message-ID"] == decision.message_id


def test_a_bounce_is_recorded_once_with_an_audit_event(notified):
    decision, _ = notified

    assert decisions.record_bounce(**bounce_of(decision), now=shared.COMMISSION) == decision
    assert decisions.record_bounce(**bounce_of(decision)) is None

    decision.refresh_from_db()
    assert decision.bounced_at == shared.COMMISSION
    assert decision.bounce_reason == "Adresse refusée\u00a0: direction@a.fr — 550 5.1.1 user unknown"
    assert decision.notified_at is not None  # sent it was; the applicant still reads it in their space
    (event,) = AuditEvent.objects.filter(action="decision_notification_bounced")
    assert (event.target_id, event.details["recipient"], event.details["status"]) == (
        str(decision.pk),
        "direction@a.fr",
        "5.1.1",
    )


@pytest.mark.parametrize(
    ("status", "diagnostic", "expected"),
    [
        ("5.1.1", "user unknown", "Adresse refusée\u00a0: x@y.fr — 5.1.1 user unknown"),
        ("5.1.1", "550 5.1.1 User unknown", "Adresse refusée\u00a0: x@y.fr — 550 5.1.1 User unknown"),
        ("5.2.2", "", "Message non distribué\u00a0: x@y.fr — 5.2.2"),
        (
            "4.4.7",
            "delivery time expired",
            "Message non distribué\u00a0: x@y.fr — 4.4.7 delivery time expired",
        ),
    ],
)
def test_the_reason_the_managers_read(status, diagnostic, expected):
    assert decisions.bounce_reason(recipient="x@y.fr", status=status, diagnostic=diagnostic) == expected


def test_a_second_recipient_bouncing_adds_a_line(notified):
    decision, _ = notified
    decisions.record_bounce(**bounce_of(decision))

    decisions.record_bounce(
        **bounce_of(decision, recipient="rh@a.fr", status="5.2.2", diagnostic="552 mailbox full")
    )

    decision.refresh_from_db()
    assert (
        decision.bounce_reason.splitlines()[1]
        == "Message non distribué\u00a0: rh@a.fr — 5.2.2 552 mailbox full"
    )


def test_a_report_about_another_message_changes_nothing(notified):
    decision, _ = notified

    assert decisions.record_bounce(**bounce_of(decision, message_id="<autre@capqvct.example>")) is None
    assert decisions.record_bounce(**bounce_of(decision, message_id="")) is None
    assert not Decision.objects.filter(bounced_at__isnull=False).exists()


def test_a_bounced_decision_is_sent_again_under_a_new_message_id(
    notified, manager, mailoutbox, django_capture_on_commit_callbacks
):
    decision, _ = notified
    first_id = decision.message_id
    decisions.record_bounce(**bounce_of(decision))

    with django_capture_on_commit_callbacks(execute=True):
        decisions.retry_notification(decision=decision, by=manager)

    decision.refresh_from_db()
    assert (decision.bounced_at, decision.bounce_reason) == (None, "")
    assert decision.notified_at is not None
    (again,) = mailoutbox
    assert again.message()["Message-ID"] == decision.message_id != first_id
    retried = AuditEvent.objects.get(action="decision_notification_retried")
    assert retried.details["bounce_reason"].startswith("Adresse refusée")
    # A late report about the first e-mail no longer marks the decision.
    assert decisions.record_bounce(**bounce_of(decision, message_id=first_id)) is None


# The command, on the sending address's bounce mailbox


def fill(box: mailbox.Mailbox, sent: Message) -> None:
    box.add(delivery_report(sent))
    box.add(delivery_report(sent, recipient_fields(action="delayed", status="4.4.1")))
    box.add(original("<reponse@a.fr>").as_bytes())  # someone answered the no-reply address
    box.flush()


def run(path, *options) -> str:
    out = io.StringIO()
    call_command("record_bounces", str(path), *options, stdout=out)
    return out.getvalue()


def test_the_command_records_the_bounces_of_an_mbox_and_deletes_the_reports(notified, tmp_path):
    decision, sent = notified
    path = tmp_path / "retours.mbox"
    fill(mailbox.mbox(path), sent)

    assert run(path) == "1 retour en erreur enregistré, 2 messages ignorés (3 messages lus).\n"
    decision.refresh_from_db()
    assert decision.bounce_reason == f"Adresse refusée\u00a0: direction@a.fr — {UNKNOWN_USER}"

    assert run(path, "--delete") == (
        "0 retour en erreur enregistré, 3 messages ignorés (3 messages lus).\n"
        "2 avis de remise supprimés de la boîte.\n"
    )
    (left,) = mailbox.mbox(path)
    assert left["Message-ID"] == "<reponse@a.fr>"
    assert AuditEvent.objects.filter(action="decision_notification_bounced").count() == 1


def test_the_command_reads_a_maildir(notified, tmp_path):
    decision, sent = notified
    fill(mailbox.Maildir(tmp_path / "Maildir", create=True), sent)

    output = run(tmp_path / "Maildir", "--delete")

    assert output.startswith("1 retour en erreur enregistré, 2 messages ignorés")
    assert Decision.objects.get().bounced_at is not None
    assert len(mailbox.Maildir(tmp_path / "Maildir", create=False)) == 1


def test_the_command_names_a_missing_mailbox(tmp_path):
    with pytest.raises(CommandError, match="Boîte aux lettres introuvable"):
        run(tmp_path / "absente")


# The decisions page


def page_url(call) -> str:
    return f"/instruction/decisions/appels/{call.pk}/"


def test_the_page_shows_the_bounce_and_sends_again(
    notified, call, verified_client, manager, mailoutbox, django_capture_on_commit_callbacks
):
    decision, _ = notified
    decisions.record_bounce(**bounce_of(decision), now=shared.COMMISSION)
    client = verified_client(manager)

    page = client.get(page_url(call)).content.decode()

    assert "0 / 1</strong> décision notifiée, 1 retour en erreur." in page
    assert "Retour en erreur le 23\u00a0novembre 2026 à 15\u00a0h\u00a030" in page
    assert "Adresse refusée\u00a0: direction@a.fr — 550 5.1.1 user unknown" in page
    assert f'action="/instruction/decisions/{decision.pk}/renvoyer/"' in page
    assert "Notifier les décisions" not in page  # one by one, once the address is corrected

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/instruction/decisions/{decision.pk}/renvoyer/", follow=True)

    assert "Nouvel envoi lancé." in response.content.decode()
    (again,) = mailoutbox
    assert again.to == ["direction@a.fr"]
    assert "1 / 1</strong> décision notifiée." in client.get(page_url(call)).content.decode()


def test_a_manager_of_another_region_cannot_send_again(notified, verified_client, mailoutbox):
    decision, _ = notified
    decisions.record_bounce(**bounce_of(decision))
    other = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation=OrganisationFactory(region=region("84", "Auvergne"))
    ).user

    response = verified_client(other).post(f"/instruction/decisions/{decision.pk}/renvoyer/")

    assert response.status_code == 404
    decision.refresh_from_db()
    assert decision.bounced_at is not None
    assert mailoutbox == []
