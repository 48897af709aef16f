"""Attendance and reports in Chromium: a consultant records the sign-in sheet of the day's session,
prints the PDF sheet and attaches its scan, writes the report of a visit; the establishment's director
reads it on a phone."""

import subprocess
from datetime import timedelta

import pytest

from capqvct.accounts.models import Role
from capqvct.cohorts.models import Attendance, TrioMember
from capqvct.cohorts.tests.builders import manager_of_occitanie, quick_confirmed_cohorts, session_of, visit_of
from tests.browser.conftest import ARTIFACTS
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_consultant_records_attendance_prints_the_sheet_and_writes_a_report(page, look, sign_in):
    manager = manager_of_occitanie()
    cohort = quick_confirmed_cohorts(manager, per_cohort=2)[0]
    participant = cohort.participants.order_by("establishment__name").first()
    participant.establishment.organisation = OrganisationFactory(establishment_space=True)
    participant.establishment.save()
    director = MembershipFactory(role=Role.DIRECTOR, organisation=participant.establishment.organisation).user
    session = session_of(cohort, starts_in=timedelta(minutes=-2))
    session_of(cohort, starts_in=timedelta(days=14))
    visit = visit_of(participant, cohort.pair.first, starts_in=timedelta(days=-2))
    consultant = cohort.pair.first
    members = list(TrioMember.objects.filter(participant__cohort=cohort).order_by("pk"))
    sign_in(consultant)

    page.goto("/collectifs/mes-collectifs/")
    page.get_by_role("heading", name="Comptes rendus à écrire").wait_for()
    look(page, "attendance--consultant-home")

    page.get_by_role("link", name=cohort.name).first.click()
    page.get_by_role("heading", name="Émargement", exact=True).wait_for()
    look(page, "attendance--cohort")
    page.get_by_role("link", name="Émargement de la séance 1").click()
    page.get_by_role("heading", name="Émargement — Séance 1").wait_for()
    for member in members:
        choice = "absent" if member == members[0] else "present"
        page.locator(f'label[for="member-{member.pk}-{choice}"]').click()
    page.get_by_role("button", name="Enregistrer l’émargement").click()
    page.get_by_text("Émargement enregistré.").wait_for()
    assert Attendance.objects.filter(session=session, present=True).count() == 5
    look(page, "attendance--sheet")

    # The printable sheet, its first page as an image to look at, then attached back as the scan.
    pdf = page.request.get(f"/collectifs/seances/{session.pk}/emargement.pdf").body()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf_path = ARTIFACTS / "attendance--sheet.pdf"
    pdf_path.write_bytes(pdf)
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
            "-singlefile",
            str(pdf_path),
            str(ARTIFACTS / "attendance--sheet-pdf"),
        ],
        check=True,
    )
    page.get_by_label("Joindre la feuille signée").set_input_files(str(pdf_path))
    page.get_by_role("button", name="Joindre la feuille", exact=True).click()
    page.get_by_text("Feuille signée jointe à la séance.").wait_for()
    assert page.get_by_role("link", name="attendance--sheet.pdf").is_visible()
    look(page, "attendance--sheet-with-scan")

    page.goto("/collectifs/mes-collectifs/")
    page.get_by_role("link", name=f"Appui individuel à {participant.establishment.name}", exact=False).click()
    page.get_by_label("Ce qui a été fait").fill("Comité QVT réuni : deux situations de travail retenues.")
    page.get_by_label("Décisions").fill("Un espace de discussion sur le travail pour l’équipe de nuit.")
    page.get_by_label("Prochaines étapes").fill("Préparer la séance 2 avec la cadre de santé.")
    look(page, "attendance--report-form")
    page.get_by_role("button", name="Enregistrer le compte rendu").click()
    page.get_by_text("Compte rendu enregistré").wait_for()
    visit.refresh_from_db()
    assert visit.report_written_by == consultant

    sign_in(director)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"/collectifs/participations/{participant.pk}/")
    page.get_by_role("heading", name="Comptes rendus des rencontres").wait_for()
    assert page.get_by_text("deux situations de travail retenues").is_visible()
    assert page.get_by_role("link", name="Modifier le compte rendu").count() == 0
    look(page, "attendance--report-read-375")
