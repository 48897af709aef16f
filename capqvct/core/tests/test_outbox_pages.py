"""« Envois en échec »: an agent sees the e-mails they caused that could not leave, with the error in
French, and sends them again; the dashboard and « Mon compte » point there; a committed change is never
turned into an error page by a mail server that is down."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from capqvct.accounts.models import Invitation, Role
from capqvct.core.models import EmailStatus, OutgoingEmail
from capqvct.core.tests.smtp import free_port
from tests.factories import MembershipFactory
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db
FAILED_PAGE = "/compte/envois-en-echec/"


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()


@pytest.fixture
def manager():
    return MembershipFactory(
        role=Role.PROGRAMME_MANAGER,
        organisation__name="ARS Occitanie",
        user__email="claire.martin@ars.sante.fr",
    ).user


def failed(by, n: int, **fields) -> OutgoingEmail:
    """An e-mail `by` caused, failed for good unless `fields` say otherwise."""
    return OutgoingEmail.objects.create(
        **{
            "to": [f"personne{n}@ehpad.fr"],
            "subject": f"Invitation à rejoindre l’ARS n° {n}",
            "body": "Bonjour",
            "purpose": "accounts.invitation",
            "message_id": f"<{n}@capqvct.example>",
            "caused_by": by,
            "status": EmailStatus.FAILED,
            "attempts": 8,
            "last_error": "Le serveur d’envoi est injoignable (connexion refusée).",
            **fields,
        }
    )


def test_an_invitation_with_the_mail_server_down_is_committed_and_its_failure_shown_to_its_author(
    manager, smtp_down, verified_client, django_capture_on_commit_callbacks
):
    client = verified_client(manager)
    organisation = manager.memberships.get().organisation

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:invite", args=[organisation.pk]),
            {"email": "ines.durand@ars.sante.fr", "role": "reviewer"},
        )

    assert response.status_code == 302
    assert Invitation.objects.get().email == "ines.durand@ars.sante.fr"
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.caused_by) == (EmailStatus.PENDING, 1, manager)

    dashboard = client.get(reverse("accounts:dashboard")).content.decode()
    assert "1 e-mail n’a pas pu partir" in dashboard
    assert f'href="{FAILED_PAGE}"' in dashboard
    page = client.get(FAILED_PAGE).content.decode()
    assert "ines.durand@ars.sante.fr" in page
    assert "Invitation à rejoindre ARS Occitanie sur Cap QVCT" in page
    assert "Le serveur d’envoi est injoignable (connexion refusée)." in page
    assert "Nouvel essai prévu" in page
    assert typography_errors(page) == []


def test_the_author_sends_a_failed_e_mail_again_from_the_page(
    manager, verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    email = failed(manager, 1)
    client = verified_client(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{FAILED_PAGE}{email.pk}/renvoyer/", follow=True)

    assert "Nouvel envoi lancé pour l’e-mail à personne1@ehpad.fr." in response.content.decode()
    assert [m.to for m in mailoutbox] == [["personne1@ehpad.fr"]]
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert "Aucun envoi en échec." in response.content.decode()


def test_nobody_sees_nor_sends_again_the_e_mails_someone_else_caused(manager, verified_client, mailoutbox):
    colleague = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation=manager.memberships.get().organisation
    ).user
    email = failed(manager, 1)
    client = verified_client(colleague)

    assert "personne1@ehpad.fr" not in client.get(FAILED_PAGE).content.decode()
    assert client.post(f"{FAILED_PAGE}{email.pk}/renvoyer/").status_code == 404
    assert OutgoingEmail.objects.get().status == EmailStatus.FAILED
    assert "n’a pas pu partir" not in client.get(reverse("accounts:dashboard")).content.decode()


def test_sent_and_cancelled_e_mails_are_not_listed(manager, verified_client):
    failed(manager, 1, status=EmailStatus.SENT, sent_at=timezone.now(), last_error="")
    failed(manager, 2, status=EmailStatus.CANCELLED)
    failed(manager, 3, status=EmailStatus.PENDING, attempts=0, last_error="")  # not tried yet

    page = verified_client(manager).get(FAILED_PAGE).content.decode()

    assert "Aucun envoi en échec." in page


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_number_of_failures(
    manager, verified_client, django_assert_num_queries
):
    client = verified_client(manager)
    failed(manager, 1)
    with CaptureQueriesContext(connection) as one:
        client.get(FAILED_PAGE)
    for n in range(2, 7):
        failed(manager, n, next_attempt_at=timezone.now() + timedelta(minutes=n))
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(FAILED_PAGE).content.decode()
    assert page.count("Renvoyer") == 6


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(FAILED_PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_administrator_reads_every_e_mail_and_sends_failures_again(
    manager, verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    administrator = MembershipFactory(role=Role.PROGRAMME_MANAGER).user
    administrator.is_superuser = administrator.is_staff = True
    administrator.save()
    email = failed(manager, 1)
    client = verified_client(administrator)

    listing = client.get("/admin/core/outgoingemail/").content.decode()
    assert "e-mails sortants" in listing.lower()
    assert "personne1@ehpad.fr" in listing and "en échec" in listing
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/core/outgoingemail/", {"action": "send_again", "_selected_action": [email.pk]})

    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert [m.to for m in mailoutbox] == [["personne1@ehpad.fr"]]
