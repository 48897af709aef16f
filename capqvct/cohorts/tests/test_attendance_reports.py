"""Support visit reports: written after the visit by its consultant or the other of the pair, refused
before it; read on the participation page by the establishment's people and the programme managers;
a 404 for another establishment. Editing keeps the first writing and every version."""

from datetime import timedelta

import pytest
from django.urls import reverse

from capqvct.accounts.models import Role
from capqvct.cohorts import attendance_services
from capqvct.cohorts.models import EventStatus, SupportVisit, TrioRole, VisitReportVersion
from capqvct.cohorts.tests.builders import (
    consultants,
    manager_of_occitanie,
    quick_confirmed_cohorts,
    visit_of,
)
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, login_verified
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db

REPORT = {
    "done": "Réunion du comité QVT : choix de deux situations de travail prioritaires.",
    "decisions": "Un espace de discussion sur le travail pour l’équipe de nuit.",
    "next_steps": "Préparer la séance 3 ; inviter la cadre de santé.",
}


@pytest.fixture
def manager():
    return manager_of_occitanie()


@pytest.fixture
def cohort(manager):
    return quick_confirmed_cohorts(manager, per_cohort=2)[0]


@pytest.fixture
def participant(cohort):
    return cohort.participants.order_by("pk").first()


def director_of(participant):
    participant.establishment.organisation = OrganisationFactory(establishment_space=True)
    participant.establishment.save()
    return MembershipFactory(role=Role.DIRECTOR, organisation=participant.establishment.organisation).user


def test_the_pair_writes_the_report_after_the_visit(client, cohort, participant):
    visit = visit_of(participant, cohort.pair.first)
    # The other consultant of the pair writes it.
    login_verified(client, cohort.pair.second)
    form = client.get(reverse("cohorts:visit_report", args=[visit.pk]))
    assert form.status_code == 200
    assert typography_errors(form.content.decode()) == []

    response = client.post(reverse("cohorts:visit_report", args=[visit.pk]), REPORT)

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.report_done == REPORT["done"].replace(" :", "\u00a0:")
    assert visit.report_next_steps == "Préparer la séance 3\u00a0; inviter la cadre de santé."
    assert visit.report_written_by == cohort.pair.second
    assert AuditEvent.objects.filter(action="visit_report_written", target_id=str(visit.pk)).count() == 1


def test_the_first_writing_goes_to_the_trinome_by_email(
    cohort, participant, mailoutbox, django_capture_on_commit_callbacks
):
    visit = visit_of(participant, cohort.pair.first)
    with django_capture_on_commit_callbacks(execute=True):
        attendance_services.write_visit_report(visit=visit, by=cohort.pair.first, **REPORT)
    (sent,) = mailoutbox
    slug = participant.establishment.finess_et
    assert sorted(sent.to) == sorted(
        f"{part}.{slug}@example.org" for part in ("direction", "personnel", "cadre")
    )
    # « le 3 décembre… », or « du … au … » for a visit the clock makes cross midnight.
    assert sent.subject.startswith("Cap QVCT — Compte rendu de la rencontre ")
    assert "choix de deux situations de travail prioritaires" in sent.body
    assert f"/collectifs/participations/{participant.pk}/" in sent.body
    # An edit sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        attendance_services.write_visit_report(visit=visit, by=cohort.pair.second, **REPORT)
    assert len(mailoutbox) == 1


def test_editing_keeps_the_first_writing_and_every_version(cohort, participant):
    visit = visit_of(participant, cohort.pair.first)
    attendance_services.write_visit_report(visit=visit, by=cohort.pair.first, **REPORT)
    visit.refresh_from_db()
    first_at = visit.report_written_at
    attendance_services.write_visit_report(
        visit=visit, by=cohort.pair.second, **{**REPORT, "decisions": "Deux espaces de discussion."}
    )
    visit.refresh_from_db()
    assert (visit.report_written_by, visit.report_written_at) == (cohort.pair.first, first_at)
    assert visit.report_decisions == "Deux espaces de discussion."
    versions = list(VisitReportVersion.objects.filter(visit=visit).order_by("pk"))
    assert [v.written_by for v in versions] == [cohort.pair.first, cohort.pair.second]
    assert versions[0].decisions == REPORT["decisions"]
    assert AuditEvent.objects.filter(action="visit_report_edited").count() == 1


def test_a_report_before_the_visit_is_refused_and_changes_nothing(client, cohort, participant):
    visit = visit_of(participant, cohort.pair.first, starts_in=timedelta(days=2))
    login_verified(client, cohort.pair.first)
    page = client.post(reverse("cohorts:visit_report", args=[visit.pk]), REPORT).content.decode()
    assert "Le compte rendu s’écrit après la rencontre, qui finit le" in page
    # What was typed is still there.
    assert "choix de deux situations de travail prioritaires" in page
    visit.refresh_from_db()
    assert visit.report_written_at is None and visit.report_done == ""
    assert not VisitReportVersion.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="visit_report").exists()


def test_a_report_of_a_cancelled_visit_is_refused(cohort, participant):
    visit = visit_of(participant, cohort.pair.first, status=EventStatus.CANCELLED)
    with pytest.raises(Refusal, match="Cette rencontre est annulée"):
        attendance_services.write_visit_report(visit=visit, by=cohort.pair.first, **REPORT)


def test_an_empty_report_is_refused_at_its_field(client, cohort, participant):
    visit = visit_of(participant, cohort.pair.first)
    login_verified(client, cohort.pair.first)
    response = client.post(reverse("cohorts:visit_report", args=[visit.pk]), {**REPORT, "done": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["done"] == ["Dites ce qui a été fait pendant la rencontre."]
    assert "Un espace de discussion sur le travail" in response.content.decode()
    assert not VisitReportVersion.objects.exists()


def test_another_consultant_gets_a_404(client, cohort, participant):
    visit = visit_of(participant, cohort.pair.first)
    login_verified(client, consultants(1)[0])
    assert client.post(reverse("cohorts:visit_report", args=[visit.pk]), REPORT).status_code == 404
    visit.refresh_from_db()
    assert visit.report_written_at is None


def test_the_trinome_and_the_managers_read_the_report(client, manager, cohort, participant):
    visit = visit_of(participant, cohort.pair.first)
    attendance_services.write_visit_report(visit=visit, by=cohort.pair.first, **REPORT)
    member = participant.trio.get(role=TrioRole.PROFESSIONS)
    member.user = UserFactory(email=member.email)
    member.save()
    url = reverse("cohorts:participation", args=[participant.pk])
    for reader in (director_of(participant), member.user, manager, cohort.pair.second):
        login_verified(client, reader)
        page = client.get(url).content.decode()
        assert "Comptes rendus des rencontres" in page
        assert "choix de deux situations de travail prioritaires" in page
        assert "Préparer la séance 3" in page
        assert typography_errors(page) == []
    # Only the pair is offered to edit it.
    login_verified(client, director_of(participant))
    assert reverse("cohorts:visit_report", args=[visit.pk]) not in client.get(url).content.decode()
    assert client.get(reverse("cohorts:visit_report", args=[visit.pk])).status_code == 404


def test_another_establishment_gets_a_404(client, cohort, participant):
    visit_of(participant, cohort.pair.first)
    other = cohort.participants.exclude(pk=participant.pk).get()
    login_verified(client, director_of(other))
    assert client.get(reverse("cohorts:participation", args=[participant.pk])).status_code == 404


def test_a_future_visit_shows_no_report_yet(client, cohort, participant):
    visit_of(participant, cohort.pair.first, starts_in=timedelta(days=3))
    login_verified(client, cohort.pair.first)
    page = client.get(reverse("cohorts:participation", args=[participant.pk])).content.decode()
    assert "Aucune rencontre n’a encore eu lieu" in page
    assert SupportVisit.objects.count() == 1
