"""Engagement letters in Chromium: a manager sends them from the cohort page; a member of a trinôme
opens their personal link from the e-mail (no account), forgets the box, then signs; the cohort page
shows who has signed; the establishment's director reads the letter's state on a phone; the co-signed
letter's first page is rendered to look at."""

import subprocess

import pytest
from django.core import mail

from capqvct.accounts.models import Role
from capqvct.cohorts.engagement_letters import cosigned_pdf
from capqvct.cohorts.models import EngagementLetter, TrioRole
from capqvct.cohorts.tests.builders import confirmed_cohort, manager_of_occitanie
from capqvct.cohorts.tests.engagement_builders import LINK, sign
from tests.browser.conftest import ARTIFACTS
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def link_of(address: str) -> str:
    (body,) = [message.body for message in mail.outbox if message.to == [address]]
    return LINK.search(body).group(0)


def test_a_trio_member_signs_the_engagement_letter(page, live_server, look, sign_in):
    manager = manager_of_occitanie()
    cohort = confirmed_cohort(manager, herault=3)
    participant = cohort.participants.order_by("establishment__name").first()
    space = OrganisationFactory(establishment_space=True)
    participant.establishment.organisation = space
    participant.establishment.save()
    director = MembershipFactory(role=Role.DIRECTOR, organisation=space).user
    sign_in(manager)

    page.goto(f"/collectifs/{cohort.pk}/")
    page.get_by_role("button", name="Envoyer les lettres d’engagement").click()
    page.get_by_text("Lettres d’engagement envoyées").wait_for()
    assert len(mail.outbox) == 9
    look(page, "engagement--cohort-sent")

    # The staff representative opens the link of their e-mail, without an account.
    staff = participant.trio.get(role=TrioRole.STAFF_REPRESENTATIVE)
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(link_of(staff.email))
    page.get_by_role("heading", name="Lettre d’engagement").wait_for()
    assert page.get_by_text("comité QVT", exact=False).first.is_visible()
    look(page, "engagement--sign-375")
    page.get_by_label("Votre nom et votre prénom").fill(staff.name)
    page.get_by_role("button", name="Signer").click()
    page.get_by_text("Cochez la case pour confirmer votre engagement.").first.wait_for()
    assert page.get_by_label("Votre nom et votre prénom").input_value() == staff.name
    look(page, "engagement--sign-refused-375")
    page.set_viewport_size(DESKTOP)
    look(page, "engagement--sign")
    page.locator("label[for=id_consent]").click()
    page.get_by_role("button", name="Signer").click()
    page.get_by_role("heading", name="Lettre signée").wait_for()
    look(page, "engagement--signed")

    # A used link says so.
    page.goto(link_of(staff.email))
    page.get_by_text("Ce lien a déjà servi", exact=False).wait_for()
    look(page, "engagement--link-used")

    # The other two sign; the cohort page shows it.
    letter = EngagementLetter.objects.get(participant=participant)
    for member in participant.trio.exclude(pk=staff.pk):
        sign(LINK.search(link_of(member.email)).group(1), name=member.name, ip="192.0.2.10")
    sign_in(manager)
    page.goto(f"/collectifs/{cohort.pk}/#lettres-engagement")
    section = page.locator("#lettres-engagement").locator("xpath=..")
    assert "Signée par tout le trinôme" in section.text_content()
    assert f"{staff.name}, représentant du personnel" in section.text_content()
    look(page, "engagement--cohort-signed")

    # The establishment's director, on a phone.
    sign_in(director)
    page.set_viewport_size(PHONE)
    page.goto(f"/collectifs/participations/{participant.pk}/")
    page.get_by_role("link", name="Télécharger la lettre cosignée (PDF)").wait_for()
    look(page, "engagement--participation-375")

    letter.refresh_from_db()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-",
            str(ARTIFACTS / "engagement--cosigned-pdf"),
        ],
        input=cosigned_pdf(letter),
        check=True,
    )
