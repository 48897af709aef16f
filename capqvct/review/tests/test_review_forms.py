"""The review's pages read what is posted through Django forms: bad input gets a clear French message,
the refused POST changes nothing, and what was typed comes back."""

import pytest
from django.urls import reverse

from capqvct.review import services
from capqvct.review.models import Assignment, EligibilityReview, PrivateNote, Review, RoutingRule, Score
from capqvct.review.services import CriterionInput
from capqvct.review.tests.test_assignment import Setting, opened
from capqvct.review.tests.test_grid_page import client_of


@pytest.fixture
def setting(db):
    setting = Setting(dossiers=1)
    setting.review = opened(setting)
    setting.application = setting.applications[0]
    setting.client = client_of(setting.manager)
    return setting


def given_to_a_reviewer(setting) -> Assignment:
    return services.assign(
        review=setting.review,
        application=setting.application,
        reviewer=setting.ars_reviewer,
        by=setting.manager,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


def test_opening_with_a_wrong_number_of_reviewers_says_so_at_the_field(db):
    setting = Setting(dossiers=1)
    client = client_of(setting.manager)

    response = client.post(
        reverse("review:open", args=[setting.call.pk]),
        {"reviewers_per_dossier": "onze", "blind_for_experts": "on"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Indiquez le nombre d’instructeurs par dossier en chiffres." in page
    assert 'value="onze"' in page and "checked" in page
    assert not Review.objects.exists()


def test_opening_with_too_many_reviewers_is_refused(db):
    setting = Setting(dossiers=1)
    response = client_of(setting.manager).post(
        reverse("review:open", args=[setting.call.pk]), {"reviewers_per_dossier": "11"}
    )

    assert response.status_code == 400
    assert "Le nombre d’instructeurs par dossier va de 1 à 10." in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({}, "Choisissez un instructeur."),
        ({"reviewer": "abc"}, "Choisissez un instructeur."),
        ({"reviewer": "999999"}, "Choisissez un instructeur."),
        (
            {"expert_email": "personne@exemple.fr"},
            "Aucun compte actif n’a cette adresse\u00a0: invitez d’abord l’expert à créer son compte.",
        ),
        ({"expert_email": "pas une adresse"}, "Saisissez une adresse électronique valide."),
    ],
)
def test_an_assignment_without_a_reviewer_says_which(setting, posted, message):
    url = reverse("review:assign", args=[setting.call.pk, setting.application.pk])

    response = setting.client.post(url, posted)

    assert response.status_code == 302
    assert messages_of(response) == [message]
    assert not Assignment.objects.exists()


def test_eligibility_without_a_verdict_is_refused(setting):
    url = reverse("review:eligibility", args=[setting.call.pk, setting.application.pk])

    response = setting.client.post(url, {"eligible": "peut-être", "reason": "?"})

    assert messages_of(response) == ["Indiquez si le dossier est éligible."]
    assert not EligibilityReview.objects.exists()


def test_an_empty_private_note_is_refused(setting):
    response = setting.client.post(
        reverse("review:private_note", args=[setting.application.pk]), {"text": " "}
    )

    assert messages_of(response) == ["La note est vide."]
    assert not PrivateNote.objects.exists()


def test_a_routing_rule_naming_someone_outside_the_region_keeps_the_choice(setting):
    url = reverse("review:routing_rule", args=[setting.call.pk])

    response = setting.client.post(
        url, {"departement": "34", "reviewers": [str(setting.ars_reviewer.pk), "999"]}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Choisissez au moins un instructeur parmi les agents de la région." in page
    assert (
        f'value="{setting.ars_reviewer.pk}" id="routing-reviewer-{setting.ars_reviewer.pk}" checked' in page
    )
    assert not RoutingRule.objects.exists()


def test_a_note_out_of_range_or_not_a_number_keeps_what_was_typed(setting):
    (criterion,) = services.set_grid(
        review=setting.review, criteria=[CriterionInput("Portage", 1, 5)], by=setting.manager
    )
    assignment = given_to_a_reviewer(setting)
    services.declare_no_conflict(assignment=assignment, by=setting.ars_reviewer)
    client = client_of(setting.ars_reviewer)
    url = reverse("review:score", args=[assignment.pk])

    response = client.post(
        url, {f"value-{criterion.pk}": "quatre", f"comment-{criterion.pk}": "Gardé", "submit": ""}
    )

    page = response.content.decode()
    assert "«\u00a0Portage\u00a0»\u00a0: la note va de 0 à 5." in page
    assert 'value="quatre"' in page and "Gardé" in page
    assert not Score.objects.exists()
    assignment.refresh_from_db()
    assert assignment.submitted_at is None


def test_a_conflict_without_its_nature_keeps_the_scope_chosen(setting):
    assignment = given_to_a_reviewer(setting)
    client = client_of(setting.ars_reviewer)

    response = client.post(
        reverse("review:conflict", args=[assignment.pk]),
        {"answer": "conflict", "reason": "", "scope": "legal_entity"},
    )

    page = response.content.decode()
    assert "Indiquez la nature du conflit d’intérêts." in page
    assert 'value="legal_entity" checked' in page
    assignment.refresh_from_db()
    assert assignment.conflict_declared_at is None and assignment.no_conflict_declared_at is None


def test_an_unknown_answer_to_the_conflict_form_declares_nothing(setting):
    assignment = given_to_a_reviewer(setting)

    response = client_of(setting.ars_reviewer).post(
        reverse("review:conflict", args=[assignment.pk]), {"answer": "x"}
    )

    assert response.status_code == 200
    assignment.refresh_from_db()
    assert assignment.conflict_declared_at is None and assignment.no_conflict_declared_at is None


def test_unassigning_goes_back_only_to_a_page_of_this_site(setting):
    assignment = given_to_a_reviewer(setting)

    response = setting.client.post(
        reverse("review:unassign", args=[assignment.pk]), {"next": "https://ailleurs.exemple.fr/"}
    )

    assert response["Location"] == reverse("review:dashboard", args=[setting.call.pk])
    assert not Assignment.objects.exists()
