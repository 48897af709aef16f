"""The review's pages end to end: who reaches what, the conflict declaration before the dossier,
scoring, blind reading for experts, and nothing of the review on the applicant's pages."""

import pytest
from django.test import Client
from django.urls import reverse

from capqvct.accounts.models import OrganisationKind, Role
from capqvct.applications.models import ApplicationStatus
from capqvct.core.models import AuditEvent
from capqvct.review import services
from capqvct.review.models import Assignment, Review
from capqvct.review.services import CriterionInput
from capqvct.review.tests.test_assignment import Setting, agent, consultant, opened
from capqvct.review.tests.test_grid_page import grid_data
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, login_verified, region


@pytest.fixture
def setting(db):
    setting = Setting(dossiers=2)
    setting.review = opened(setting, blind_for_experts=True)
    setting.criteria = services.set_grid(
        review=setting.review, criteria=[CriterionInput("Portage", 1, 5)], by=setting.manager
    )
    setting.application = setting.applications[0]
    setting.assignment = services.assign(
        review=setting.review,
        application=setting.application,
        reviewer=setting.ars_reviewer,
        by=setting.manager,
    )
    return setting


def client_of(user) -> Client:
    return login_verified(Client(), user)


def test_manager_opens_the_review_from_the_dashboard(db):
    setting = Setting(dossiers=1)
    client = client_of(setting.manager)
    page = client.get(reverse("review:dashboard", args=[setting.call.pk]))
    assert "Ouvrir l’instruction" in page.content.decode()
    client.post(reverse("review:open", args=[setting.call.pk]), {"reviewers_per_dossier": "2"})
    assert Review.objects.filter(call=setting.call).exists()
    setting.applications[0].refresh_from_db()
    assert setting.applications[0].status == ApplicationStatus.IN_REVIEW


def test_dashboard_lists_dossiers_reviewers_and_eligibility(setting):
    page = (
        client_of(setting.manager).get(reverse("review:dashboard", args=[setting.call.pk])).content.decode()
    )
    assert "EHPAD Les Tilleuls 0" in page
    assert "Répartir automatiquement" in page
    assert "Vérifications réussies" in page
    assert str(setting.ars_reviewer) in page


def test_automatic_assignment_and_grid_from_the_pages(setting):
    client = client_of(setting.manager)
    client.post(reverse("review:assign_automatically", args=[setting.call.pk]))
    assert Assignment.objects.filter(application__call=setting.call).count() == 4
    response = client.post(
        reverse("review:grid", args=[setting.call.pk]),
        grid_data([("Portage", "2", "30"), ("", "1", "4")]),
    )
    assert "La note maximale va de 1 à 20." in response.content.decode()


def test_agent_of_another_region_sees_nothing_of_the_review(setting):
    other = OrganisationFactory(kind=OrganisationKind.ARS, region=region("84", "Auvergne-Rhône-Alpes"))
    stranger = agent(other, Role.PROGRAMME_MANAGER, "ailleurs@ars.fr", "Ailleurs")
    client = client_of(stranger)
    for url in (
        reverse("review:dashboard", args=[setting.call.pk]),
        reverse("review:dossier", args=[setting.call.pk, setting.application.pk]),
        reverse("review:score", args=[setting.assignment.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("review:private_note", args=[setting.application.pk]), {"text": "x"}).status_code
        == 404
    )


def test_reviewer_declares_no_conflict_before_seeing_the_dossier(setting):
    client = client_of(setting.ars_reviewer)
    score_url = reverse("review:score", args=[setting.assignment.pk])
    conflict_url = reverse("review:conflict", args=[setting.assignment.pk])
    assert client.get(score_url)["Location"] == conflict_url
    page = client.get(conflict_url).content.decode()
    assert "Je n’ai pas de conflit d’intérêts" in page
    assert "Améliorer les conditions de travail" not in page
    assert client.post(conflict_url, {"answer": "none"})["Location"] == score_url
    page = client.get(score_url).content.decode()
    assert "Améliorer les conditions de travail" in page
    assert "Remettre ma notation" in page


def test_a_declared_conflict_takes_the_dossier_away_and_is_logged(setting):
    client = client_of(setting.ars_reviewer)
    conflict_url = reverse("review:conflict", args=[setting.assignment.pk])
    assert (
        "Indiquez la nature"
        in client.post(conflict_url, {"answer": "conflict", "reason": ""}).content.decode()
    )
    client.post(conflict_url, {"answer": "conflict", "reason": "Mon ancien employeur."})
    assert client.get(conflict_url).status_code == 404
    assert client.get(reverse("review:score", args=[setting.assignment.pk])).status_code == 404
    assert "EHPAD Les Tilleuls 0" not in client.get(reverse("review:my_assignments")).content.decode()
    assert AuditEvent.objects.filter(action="review_conflict_declared").exists()


def test_a_reviewer_not_given_the_dossier_gets_a_404(setting):
    client = client_of(setting.aract_reviewer)
    assert client.get(reverse("review:score", args=[setting.assignment.pk])).status_code == 404
    assert client.get(reverse("review:conflict", args=[setting.assignment.pk])).status_code == 404


def test_scoring_then_others_scores_show_after_submission(setting):
    other = services.assign(
        review=setting.review,
        application=setting.application,
        reviewer=setting.aract_reviewer,
        by=setting.manager,
    )
    services.declare_no_conflict(assignment=other, by=setting.aract_reviewer)
    services.save_scores(
        assignment=other, values={setting.criteria[0].pk: (2, "Avis de l’Aract")}, by=setting.aract_reviewer
    )
    services.submit_scores(assignment=other, by=setting.aract_reviewer)
    services.declare_no_conflict(assignment=setting.assignment, by=setting.ars_reviewer)
    client = client_of(setting.ars_reviewer)
    url = reverse("review:score", args=[setting.assignment.pk])
    criterion = setting.criteria[0].pk
    assert "Avis de l’Aract" not in client.get(url).content.decode()
    response = client.post(url, {f"value-{criterion}": "9", f"comment-{criterion}": "Trop"})
    assert "la note va de 0 à 5" in response.content.decode()
    client.post(url, {f"value-{criterion}": "4", f"comment-{criterion}": "Solide", "save": ""})
    assert "Avis de l’Aract" not in client.get(url).content.decode()
    client.post(url, {f"value-{criterion}": "4", f"comment-{criterion}": "Solide", "submit": ""})
    page = client.get(url).content.decode()
    assert "Avis de l’Aract" in page
    assert "Notation remise le" in page


def test_blind_mode_hides_the_establishment_from_outside_experts(setting):
    expert = consultant("experte@exemple.fr")
    assignment = services.assign(
        review=setting.review, application=setting.application, reviewer=expert, by=setting.manager
    )
    client = client_of(expert)
    listing = client.get(reverse("review:my_assignments")).content.decode()
    assert f"Dossier n° {setting.application.pk}" in listing
    assert setting.application.establishment.name not in listing
    client.post(reverse("review:conflict", args=[assignment.pk]), {"answer": "none"})
    page = client.get(reverse("review:score", args=[assignment.pk])).content.decode()
    assert setting.application.establishment.name not in page
    assert setting.application.establishment.finess_et not in page
    assert "Notes internes" not in page
    assert (
        client.post(reverse("review:private_note", args=[setting.application.pk]), {"text": "x"}).status_code
        == 404
    )


def test_agents_add_private_notes_that_the_applicant_never_sees(setting):
    services.declare_no_conflict(assignment=setting.assignment, by=setting.ars_reviewer)
    client = client_of(setting.ars_reviewer)
    score_url = reverse("review:score", args=[setting.assignment.pk])
    client.post(
        reverse("review:private_note", args=[setting.application.pk]),
        {"text": "Note secrète", "next": score_url},
    )
    assert "Note secrète" in client.get(score_url).content.decode()
    services.save_scores(
        assignment=setting.assignment,
        values={setting.criteria[0].pk: (3, "Commentaire d’instructeur")},
        by=setting.ars_reviewer,
    )
    director = UserFactory()
    space = OrganisationFactory(establishment_space=True)
    setting.application.establishment.organisation = space
    setting.application.establishment.save()
    MembershipFactory(user=director, organisation=space, role=Role.DIRECTOR)
    applicant = client_of(director)
    for url in (
        reverse("applications:mine"),
        reverse("applications:edit", args=[setting.application.pk]),
        reverse("applications:read", args=[setting.application.pk]),
    ):
        page = applicant.get(url).content.decode()
        for secret in ("Note secrète", "Commentaire d’instructeur", str(setting.ars_reviewer), "Portage"):
            assert secret not in page, (url, secret)
    assert applicant.get(reverse("review:score", args=[setting.assignment.pk])).status_code == 404
    assert applicant.get(reverse("review:dashboard", args=[setting.call.pk])).status_code == 404


def test_manager_confirms_or_overrides_eligibility_and_assigns_an_expert(setting):
    client = client_of(setting.manager)
    url = reverse("review:eligibility", args=[setting.call.pk, setting.application.pk])
    client.post(url, {"eligible": "no", "reason": ""})
    assert not hasattr(setting.application, "eligibility_review")
    client.post(url, {"eligible": "no", "reason": "Hors champ."})
    setting.application.refresh_from_db()
    assert setting.application.eligibility_review.reason == "Hors champ."
    consultant("experte@exemple.fr")
    client.post(
        reverse("review:assign", args=[setting.call.pk, setting.application.pk]),
        {"expert_email": "Experte@exemple.fr"},
    )
    assert Assignment.objects.get(reviewer__email="experte@exemple.fr").is_expert
    page = client.get(reverse("review:dossier", args=[setting.call.pk, setting.application.pk]))
    assert "Hors champ." in page.content.decode()


def test_the_dashboard_runs_as_many_queries_for_3_dossiers_as_for_12(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for dossiers in (3, 12):
        setting = Setting(dossiers=dossiers)
        setting.review = opened(setting)
        services.assign_automatically(review=setting.review, by=setting.manager)
        client = client_of(setting.manager)
        url = reverse("review:dashboard", args=[setting.call.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
