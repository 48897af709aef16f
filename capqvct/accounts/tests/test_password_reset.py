"""« Mot de passe oublié »: the e-mail goes through the outbox, its link on the configured site address."""

import pytest
from django.core import mail

from capqvct.core.models import EmailStatus, OutgoingEmail
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_reset_link_leaves_through_the_outbox_on_the_site_address(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://capqvct.example.gouv.fr"
    UserFactory(email="claire.martin@ars.sante.fr")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/compte/mot-de-passe/oubli/", {"email": "claire.martin@ars.sante.fr"})

    assert response.status_code == 302
    email = OutgoingEmail.objects.get()
    assert (email.purpose, email.status, email.to) == (
        "accounts.password_reset",
        EmailStatus.SENT,
        ["claire.martin@ars.sante.fr"],
    )
    (message,) = mail.outbox
    assert "\n" not in message.subject
    link = next(line for line in message.body.splitlines() if "/compte/mot-de-passe/nouveau/" in line)
    assert link.startswith("https://capqvct.example.gouv.fr/compte/mot-de-passe/nouveau/")
    form = client.get(link.removeprefix("https://capqvct.example.gouv.fr"), follow=True)
    assert "Nouveau mot de passe" in form.content.decode()


def test_an_unknown_address_gets_no_e_mail_and_the_same_answer(client, django_capture_on_commit_callbacks):
    UserFactory(email="claire.martin@ars.sante.fr", password=PASSWORD)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/compte/mot-de-passe/oubli/", {"email": "inconnu@ars.sante.fr"})

    assert response.status_code == 302
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []
