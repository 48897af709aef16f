"""Decisions: drafting, the commission and its places limit, changes, waiting-list promotion, notification."""

import email
import email.policy
import io
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from capqvct.accounts.models import Role
from capqvct.applications import services as application_services
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls import services as call_services
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent, OutgoingEmail
from capqvct.core.outbox import deliver
from capqvct.review import decisions
from capqvct.review.letters import decision_letter_pdf
from capqvct.review.models import Decision, Outcome, Review
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    departement,
    published_call,
    region,
)

pytestmark = pytest.mark.django_db

OPENS = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
CLOSES = datetime(2026, 10, 15, 21, 59, tzinfo=UTC)
COMMISSION = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
FORM = {
    "sections": [
        {
            "key": "projet",
            "title": "Votre projet",
            "fields": [{"key": "motivation", "kind": "long_text", "label": "Motivation", "max_length": 3000}],
        }
    ]
}
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"


@pytest.fixture
def agency():
    occitanie = region("76", "Occitanie")
    departement("34", "Hérault", "76")
    return OrganisationFactory(region=occitanie, name="ARS Occitanie", email="ars-oc-qvct@ars.sante.fr")


@pytest.fixture
def manager(agency):
    return MembershipFactory(
        role=Role.PROGRAMME_MANAGER,
        organisation=agency,
        user__email="claire.martin@ars.sante.fr",
        user__first_name="Claire",
        user__last_name="Martin",
    ).user


@pytest.fixture
def call(manager, agency):
    return published_call(
        manager,
        programme_title="QVCT Occitanie 2026",
        agencies=[agency],
        definition=FORM,
        title="Accompagnement QVCT 2026",
        opens_at=OPENS,
        closes_at=CLOSES,
        places=2,
    )


@pytest.fixture
def review(call, manager):
    return Review.objects.create(call=call, started_by=manager)


def dossier(call, name: str, *, director_email: str = "") -> Application:
    """A dossier in review, its establishment's space with a director when an address is given."""
    space = OrganisationFactory(establishment_space=True, name=f"Espace {name}")
    establishment = EstablishmentFactory(
        name=name,
        organisation=space,
        address="12 rue des Lilas",
        postal_code="34000",
        city_label="34000 MONTPELLIER",
    )
    if director_email:
        MembershipFactory(role=Role.DIRECTOR, organisation=space, user__email=director_email)
    return Application.objects.create(
        call=call,
        establishment=establishment,
        status=ApplicationStatus.IN_REVIEW,
        form_version=call_services.current_form(call),
        submitted_at=CLOSES - timedelta(days=1),
    )


def draft(application, outcome, by, rank=None, reason="La commission a examiné votre dossier."):
    return decisions.draft_decision(
        application=application, outcome=outcome, reason=reason, by=by, waiting_rank=rank
    )


def ranks(call) -> dict[str, int]:
    return dict(
        Decision.objects.filter(application__call=call, outcome=Outcome.WAITING_LIST).values_list(
            "application__establishment__name", "waiting_rank"
        )
    )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


# Drafting


def test_a_dossier_not_in_review_gets_no_decision(call, manager):
    application = dossier(call, "EHPAD Les Tilleuls")
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SUBMITTED)
    application.refresh_from_db()

    with pytest.raises(Refusal, match="en instruction"):
        draft(application, Outcome.SELECTED, manager)


def test_the_reason_for_the_applicant_is_required(call, manager):
    with pytest.raises(Refusal) as refusal:
        draft(dossier(call, "EHPAD Les Tilleuls"), Outcome.NOT_SELECTED, manager, reason="  ")
    assert refusal.value.field == "reason"


def test_only_the_region_managers_draft(call):
    other = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation=OrganisationFactory(region=region("84", "Auvergne"))
    ).user

    with pytest.raises(Refusal, match="responsables de programme"):
        draft(dossier(call, "EHPAD Les Tilleuls"), Outcome.SELECTED, other)
    assert not Decision.objects.exists()


def test_waiting_list_ranks_stay_unique_and_contiguous(call, manager):
    a, b, c = (dossier(call, name) for name in ("A", "B", "C"))

    draft(a, Outcome.WAITING_LIST, manager)
    draft(b, Outcome.WAITING_LIST, manager)
    draft(c, Outcome.WAITING_LIST, manager, rank=1)
    assert ranks(call) == {"C": 1, "A": 2, "B": 3}

    draft(a, Outcome.NOT_SELECTED, manager)
    assert ranks(call) == {"C": 1, "B": 2}
    assert Decision.objects.get(application=a).waiting_rank is None

    draft(a, Outcome.WAITING_LIST, manager, rank=99)
    assert ranks(call) == {"C": 1, "B": 2, "A": 3}


def test_a_draft_is_logged(call, manager):
    decision = draft(dossier(call, "A"), Outcome.WAITING_LIST, manager)

    (event,) = events("decision_drafted")
    assert (event.actor, event.target_id, event.details) == (
        manager,
        str(decision.pk),
        {"outcome": "waiting_list", "waiting_rank": 1},
    )


# The commission


def test_the_commission_confirms_every_draft_at_once(call, review, manager):
    drafts = [draft(dossier(call, name), Outcome.NOT_SELECTED, manager) for name in ("A", "B", "C")]

    confirmed = decisions.confirm_decisions(review=review, by=manager, now=COMMISSION)

    assert {d.pk for d in confirmed} == {d.pk for d in drafts}
    assert set(Decision.objects.values_list("confirmed_at", "confirmed_by")) == {(COMMISSION, manager.pk)}
    assert len(events("decision_confirmed")) == 3
    (commission,) = events("decisions_confirmed_in_commission")
    assert commission.target_type == "review.review"


def test_a_commission_with_nothing_drafted_is_refused(review, manager):
    with pytest.raises(Refusal, match="Aucune décision en projet"):
        decisions.confirm_decisions(review=review, by=manager)


def test_a_confirmed_decision_is_no_longer_a_draft(call, review, manager):
    application = dossier(call, "A")
    draft(application, Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)

    with pytest.raises(Refusal, match="motif du changement"):
        draft(application, Outcome.NOT_SELECTED, manager)


def test_more_selected_than_places_needs_a_logged_override(call, review, manager):
    for name in ("A", "B", "C"):
        draft(dossier(call, name), Outcome.SELECTED, manager)

    with pytest.raises(Refusal) as refusal:
        decisions.confirm_decisions(review=review, by=manager)
    assert refusal.value.message.startswith("3 dossiers seraient retenus pour 2 places")
    assert refusal.value.field == "places_override_reason"
    assert not Decision.objects.filter(confirmed_at__isnull=False).exists()

    decisions.confirm_decisions(review=review, by=manager, places_override_reason="Crédits supplémentaires")

    (override,) = events("decision_places_overridden")
    assert override.details == {"selected": 3, "places": 2, "reason": "Crédits supplémentaires"}
    assert override.actor == manager


# Changing a confirmed decision


@pytest.fixture
def notified(call, review, manager, mailoutbox, django_capture_on_commit_callbacks):
    """A, selected; B, first on the waiting list; C, second: confirmed and notified."""
    apps = {
        name: dossier(call, name, director_email=f"direction@{name.lower()}.fr") for name in ("A", "B", "C")
    }
    draft(apps["A"], Outcome.SELECTED, manager)
    draft(apps["B"], Outcome.WAITING_LIST, manager)
    draft(apps["C"], Outcome.WAITING_LIST, manager)
    draft(dossier(call, "D"), Outcome.INELIGIBLE, manager, reason="Catégorie d’ESSMS non visée.")
    decisions.confirm_decisions(review=review, by=manager, now=COMMISSION)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.notify_decisions(review=review, by=manager)
    mailoutbox.clear()
    return {name: Application.objects.select_related("decision").get(pk=a.pk) for name, a in apps.items()}


def test_only_a_confirmed_decision_is_changed_this_way(call, manager):
    decision = draft(dossier(call, "A"), Outcome.SELECTED, manager)

    with pytest.raises(Refusal, match="pas encore confirmée"):
        decisions.change_decision(
            decision=decision, outcome=Outcome.NOT_SELECTED, reason="R", change_reason="C", by=manager
        )


def test_a_change_needs_its_own_reason(notified, manager):
    decision = notified["A"].decision

    with pytest.raises(Refusal) as refusal:
        decisions.change_decision(
            decision=decision, outcome=Outcome.NOT_SELECTED, reason="Budget", change_reason="", by=manager
        )
    assert refusal.value.field == "change_reason"


def test_a_change_is_logged_from_and_to_and_notified_again(
    notified, manager, mailoutbox, django_capture_on_commit_callbacks
):
    decision = notified["C"].decision
    assert decision.notified_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        changed = decisions.change_decision(
            decision=decision,
            outcome=Outcome.NOT_SELECTED,
            reason="Votre projet ne répond pas au cahier des charges.",
            change_reason="Erreur matérielle relevée après la commission.",
            by=manager,
        )

    (event,) = events("decision_changed")
    assert event.details == {
        "from": {
            "outcome": "waiting_list",
            "reason": "La commission a examiné votre dossier.",
            "waiting_rank": 2,
        },
        "to": {
            "outcome": "not_selected",
            "reason": "Votre projet ne répond pas au cahier des charges.",
            "waiting_rank": None,
        },
        "change_reason": "Erreur matérielle relevée après la commission.",
    }
    changed.refresh_from_db()
    assert changed.notified_at is not None
    (letter,) = mailoutbox
    assert letter.to == ["direction@c.fr"]
    assert "Non retenu" in letter.body


def test_changing_to_selected_over_the_places_needs_an_override(notified, manager, call):
    call.places = 1
    call.save()

    with pytest.raises(Refusal, match="2 dossiers seraient retenus pour 1 places"):
        decisions.change_decision(
            decision=notified["B"].decision,
            outcome=Outcome.SELECTED,
            reason="Retenu",
            change_reason="Désistement",
            by=manager,
        )


# Waiting-list promotion


def test_a_selected_withdrawal_offers_the_place_to_the_first_waiting(
    notified, call, mailoutbox, django_capture_on_commit_callbacks
):
    call.places = 1
    call.save()
    director = notified["A"].establishment.organisation.memberships.get().user

    with django_capture_on_commit_callbacks(execute=True):
        application_services.withdraw_application(application=notified["A"], by=director)

    promoted = Decision.objects.get(application=notified["B"])
    assert (promoted.outcome, promoted.waiting_rank, promoted.reason) == (
        Outcome.SELECTED,
        None,
        decisions.PROMOTION_REASON,
    )
    assert promoted.notified_at is not None
    assert ranks(call) == {"C": 1}
    (event,) = events("decision_promoted_from_waiting_list")
    assert event.actor == director
    assert event.details["from"]["outcome"] == "waiting_list"
    (letter,) = mailoutbox
    assert letter.to == ["direction@b.fr"]


def test_withdrawing_a_dossier_not_selected_promotes_no_one(notified, call, manager):
    director = notified["C"].establishment.organisation.memberships.get().user

    application_services.withdraw_application(application=notified["C"], by=director)

    assert Decision.objects.get(application=notified["B"]).outcome == Outcome.WAITING_LIST
    assert events("decision_promoted_from_waiting_list") == []


# Notification


def test_notification_waits_for_the_commission(call, review, manager):
    draft(dossier(call, "A"), Outcome.SELECTED, manager)

    with pytest.raises(Refusal, match="encore en projet"):
        decisions.notify_decisions(review=review, by=manager)


def test_each_confirmed_decision_gets_its_letter_once(
    notified, review, manager, mailoutbox, django_capture_on_commit_callbacks
):
    assert Decision.objects.filter(notified_at__isnull=True).count() == 1  # D's space has no member
    assert Decision.objects.get(application__establishment__name="D").notification_error == (
        "Aucune adresse e-mail connue pour cet établissement."
    )

    with pytest.raises(Refusal, match="déjà été notifiées"):
        Decision.objects.filter(notification_error__gt="").update(
            notified_at=COMMISSION, notification_error=""
        )
        decisions.notify_decisions(review=review, by=manager)


def test_letters_and_e_mails_carry_the_decision(
    call, review, manager, mailoutbox, django_capture_on_commit_callbacks
):
    application = dossier(call, "EHPAD Les Tilleuls", director_email="direction@tilleuls.fr")
    draft(application, Outcome.WAITING_LIST, manager, reason="Dossier solide, places épuisées.")
    decisions.confirm_decisions(review=review, by=manager, now=COMMISSION)

    with django_capture_on_commit_callbacks(execute=True):
        assert decisions.notify_decisions(review=review, by=manager) == 1

    (message,) = mailoutbox
    assert message.subject == "Décision\u00a0: Accompagnement QVCT 2026"
    assert "Liste d’attente (rang 1)" in message.body
    assert "Dossier solide, places épuisées." in message.body
    ((name, content, mimetype),) = message.attachments
    assert (name, mimetype) == (f"lettre-decision-{application.pk}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert len(events("decision_notified")) == 1


def test_a_failed_e_mail_is_shown_and_sent_again(
    call, review, manager, mailoutbox, django_capture_on_commit_callbacks
):
    application = dossier(call, "A", director_email="direction@a.fr")
    draft(application, Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)

    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("refusée")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        decisions.notify_decisions(review=review, by=manager)
    decision = Decision.objects.get()
    assert decision.notified_at is None
    assert decision.notification_error.startswith(
        "Le serveur d’envoi est injoignable (connexion refusée). Nouvel essai automatique le "
    )
    assert decision.notification_error.endswith(
        "(heure de Paris). Détail technique\u00a0: ConnectionRefusedError\u00a0: refusée"
    )

    with django_capture_on_commit_callbacks(execute=True):
        decisions.retry_notification(decision=decision, by=manager)

    decision.refresh_from_db()
    assert decision.notified_at is not None
    assert decision.notification_error == ""
    assert len(mailoutbox) == 1
    with pytest.raises(Refusal, match="déjà été notifiée"):
        decisions.retry_notification(decision=decision, by=manager)


@pytest.mark.django_db(transaction=True)
def test_bulk_notification_runs_in_the_database_queue_through_db_worker(
    settings, call, review, manager, mailoutbox, signal_handlers
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for name in ("A", "B", "C"):
        draft(
            dossier(call, name, director_email=f"direction@{name.lower()}.fr"), Outcome.NOT_SELECTED, manager
        )
    decisions.confirm_decisions(review=review, by=manager)

    decisions.notify_decisions(review=review, by=manager)

    assert mailoutbox == []
    assert OutgoingEmail.objects.filter(purpose="review.decision", status="pending").count() == 3
    assert DBTaskResult.objects.filter(task_path="capqvct.core.tasks.deliver_email").count() == 3
    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, stdout=io.StringIO()
    )
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert sorted(m.to[0] for m in mailoutbox) == ["direction@a.fr", "direction@b.fr", "direction@c.fr"]
    assert not Decision.objects.filter(notified_at__isnull=True).exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_decision_e_mails_reach_a_real_smtp_server(
    settings, call, review, manager, django_capture_on_commit_callbacks
):
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content))
            return "250 Message accepted for delivery"

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
        for name in ("A", "B"):
            draft(
                dossier(call, name, director_email=f"direction@{name.lower()}.fr"), Outcome.SELECTED, manager
            )
        decisions.confirm_decisions(review=review, by=manager)
        with django_capture_on_commit_callbacks(execute=True):
            decisions.notify_decisions(review=review, by=manager)
    finally:
        controller.stop()

    assert sorted(rcpt for rcpt, _ in handler.messages) == [["direction@a.fr"], ["direction@b.fr"]]
    received = email.message_from_bytes(handler.messages[0][1], policy=email.policy.default)
    assert received["Subject"] == "Décision\u00a0: Accompagnement QVCT 2026"
    assert "Retenu" in received.get_body(preferencelist=("plain",)).get_content()
    (attachment,) = list(received.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert not Decision.objects.filter(notified_at__isnull=True).exists()
    # The Message-ID the server received is the one kept on the decision, which a bounce names.
    received_ids = {
        str(email.message_from_bytes(content, policy=email.policy.default)["Message-ID"])
        for _, content in handler.messages
    }
    assert received_ids == set(Decision.objects.values_list("message_id", flat=True))
    assert all(message_id.endswith("@capqvct.example>") for message_id in received_ids)


def test_the_letter_reads_as_a_french_administrative_letter(call, review, manager, tmp_path):
    application = dossier(call, "EHPAD Les Tilleuls")
    draft(
        application,
        Outcome.WAITING_LIST,
        manager,
        reason="Votre projet est solide, mais les places sont attribuées aux dossiers les mieux classés.\n"
        "Vous êtes premier sur la liste d’attente.",
    )
    decisions.confirm_decisions(review=review, by=manager, now=COMMISSION)
    decision = Decision.objects.select_related("confirmed_by").get()

    pdf = decision_letter_pdf(decision, now=COMMISSION)

    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    for expected in (
        "ARS Occitanie",
        "Occitanie, le 23 novembre 2026",
        "12 rue des Lilas",
        "Accompagnement QVCT 2026",
        "Liste d’attente — rang 1",
        "premier sur la liste d’attente",
        "Claire Martin",
        "Responsable de programme",
        "ars-oc-qvct@ars.sante.fr",
    ):
        assert expected in text, expected
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (tmp_path / "lettre.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-singlefile",
            tmp_path / "lettre.pdf",
            ARTIFACTS / "lettre-decision",
        ],
        check=True,
    )
    assert (ARTIFACTS / "lettre-decision.png").exists()


# Through the outbox


def test_a_decision_changed_while_its_e_mail_waits_for_a_retry_is_told_once_in_its_new_form(
    settings, call, review, manager, mailoutbox, django_capture_on_commit_callbacks
):
    application = dossier(call, "A", director_email="direction@a.fr")
    draft(application, Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    with django_capture_on_commit_callbacks(execute=True):
        decisions.notify_decisions(review=review, by=manager)
    first = OutgoingEmail.objects.get()
    assert first.status == "pending" and "Retenu" in first.body

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        decisions.change_decision(
            decision=Decision.objects.get(),
            outcome=Outcome.NOT_SELECTED,
            reason="Le budget ne le permet pas.",
            change_reason="Erreur de saisie en commission.",
            by=manager,
        )
    # The first e-mail's retry comes due: it was replaced, it does not leave.
    assert deliver(first.pk, now=first.next_attempt_at + timedelta(hours=1)) == ""

    (message,) = mailoutbox
    assert "Non retenu" in message.body
    first.refresh_from_db()
    assert first.status == "cancelled"
    decision = Decision.objects.get()
    assert decision.notified_at is not None
    assert decision.message_id == message.extra_headers["Message-ID"]


def test_a_decision_is_not_sent_again_while_its_e_mail_is_leaving(call, review, manager):
    application = dossier(call, "A", director_email="direction@a.fr")
    draft(application, Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    decisions.notify_decisions(review=review, by=manager)  # its e-mail waits for the commit
    OutgoingEmail.objects.update(status="sending")  # a worker is sending it right now
    decision = Decision.objects.get()
    Decision.objects.update(notification_error="Le serveur d’envoi ne répond pas.")

    with pytest.raises(Refusal, match="en cours d’envoi\u00a0: attendez son résultat"):
        decisions.retry_notification(decision=decision, by=manager)
    assert OutgoingEmail.objects.count() == 1


def test_the_letter_is_built_when_the_e_mail_leaves(
    call, review, manager, django_capture_on_commit_callbacks
):
    application = dossier(call, "A", director_email="direction@a.fr")
    draft(application, Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decisions.notify_decisions(review=review, by=manager)

    email = OutgoingEmail.objects.get()
    assert (email.purpose, email.caused_by, email.about_label) == (
        "review.decision",
        manager,
        str(application.decision),
    )
    assert email.attachments == [
        {
            "builder": "review.decision_letter",
            "args": {"decision_id": application.decision.pk},
            "file_name": f"lettre-decision-{application.pk}.pdf",
            "mimetype": "application/pdf",
        }
    ]
    assert len(callbacks) == 1
