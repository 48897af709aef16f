"""The calendar in Chromium: a consultant of the pair plans 5 sessions with the assistant, edits one,
cancels another; the establishment reads its next sessions on a phone; « Mon agenda » gives the feed."""

import pytest

from capqvct.cohorts.models import EventStatus, Session, TrioMember
from capqvct.cohorts.tests.calendar_builders import planned_cohort
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_consultant_plans_the_sessions(page, live_server, look, sign_in):
    manager, cohort = planned_cohort(herault=3)
    consultant = cohort.pair.first
    sign_in(consultant)

    page.goto("/collectifs/mes-collectifs/")
    page.get_by_role("link", name=cohort.name).click()
    page.get_by_role("link", name="Planifier les séances avec l’assistant").click()
    page.get_by_label("Première date possible").fill("2030-09-02")
    page.get_by_label("Dernière date possible").fill("2031-06-30")
    page.get_by_label("Nombre de séances").fill("5")
    page.get_by_label("Adresse du lieu").fill("EHPAD Les Oliviers, 12 rue des Écoles, 34000 Montpellier")
    page.get_by_role("button", name="Proposer des dates").click()
    page.get_by_role("heading", name="Dates proposées").wait_for()
    look(page, "calendar--proposal")

    page.get_by_label("Séance 3").fill("2031-02-04")
    page.get_by_role("button", name="Créer les 5 séances").click()
    page.get_by_text("5 séances planifiées").wait_for()
    assert Session.objects.filter(cohort=cohort).count() == 5
    assert Session.objects.get(cohort=cohort, number=3).starts_at.date().isoformat() == "2031-02-04"
    look(page, "calendar--cohort")

    page.get_by_role("link", name="Séance 2", exact=True).click()
    page.get_by_label("Début").fill("09:30")
    page.get_by_role("button", name="Modifier et prévenir").click()
    page.get_by_text("Séance 2 modifiée").wait_for()
    assert Session.objects.get(cohort=cohort, number=2).sequence == 1

    page.get_by_role("link", name="Séance 4", exact=True).click()
    look(page, "calendar--session")
    page.get_by_role("button", name="Annuler séance 4").click()
    page.get_by_text("Séance 4 annulée\u00a0: les personnes invitées").wait_for()
    assert Session.objects.get(cohort=cohort, number=4).status == EventStatus.CANCELLED

    page.goto("/collectifs/mon-agenda/")
    page.get_by_role("button", name="Créer l’adresse de mon agenda").click()
    page.get_by_label("Adresse de mon agenda").wait_for()
    look(page, "calendar--agenda")

    participant = cohort.participants.order_by("pk").first()
    member = UserFactory(email=f"direction.{participant.establishment.finess_et}@example.org")
    TrioMember.objects.filter(email=member.email).update(user=member)
    sign_in(member)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/collectifs/participations/{participant.pk}/")
    page.get_by_role("heading", name="Prochaines séances").wait_for()
    look(page, "calendar--participation-375")
