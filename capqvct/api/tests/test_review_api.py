"""The review through the API: a reviewer reaches only their cleared assignments, managers only their
region's calls, an applicant only their notified decision, without scores nor reviewers' names."""

from datetime import datetime

import pytest

from capqvct.accounts.models import Role
from capqvct.api.tests.conftest import bearer, token_of
from capqvct.review import decisions, services
from capqvct.review.models import Outcome
from capqvct.review.services import CriterionInput
from capqvct.review.tests.test_assignment import Setting, opened
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory, region

pytestmark = pytest.mark.django_db

URL = "/api/v1/instruction"


@pytest.fixture
def setting():
    """Two dossiers under review, a two-criteria grid; the first dossier given to the ARS's reviewer,
    who declared no conflict, and to the Aract's, who declared one."""
    setting = Setting(dossiers=2)
    setting.review = opened(setting)
    setting.criteria = services.set_grid(
        review=setting.review,
        criteria=[CriterionInput("Portage", 2, 5), CriterionInput("Dialogue social", 1, 4)],
        by=setting.manager,
    )
    setting.application = setting.applications[0]
    setting.mine, setting.conflicted = (
        services.assign(
            review=setting.review, application=setting.application, reviewer=r, by=setting.manager
        )
        for r in (setting.ars_reviewer, setting.aract_reviewer)
    )
    services.declare_no_conflict(assignment=setting.mine, by=setting.ars_reviewer)
    services.declare_conflict(
        assignment=setting.conflicted, reason="Ancienne salariée.", by=setting.aract_reviewer
    )
    return setting


@pytest.fixture
def director(setting):
    """The director of the first dossier's establishment."""
    space = OrganisationFactory(establishment_space=True, name="Espace EHPAD Les Tilleuls 0")
    establishment = setting.application.establishment
    establishment.organisation = space
    establishment.save(update_fields=["organisation"])
    return MembershipFactory(organisation=space, role=Role.DIRECTOR).user


def instant(text: str) -> datetime:
    """An ISO 8601 instant of the API, to the second (it gives milliseconds)."""
    return datetime.fromisoformat(text).replace(microsecond=0)


def scores_body(setting, first, second):
    return {
        "scores": [
            {"criterion_id": setting.criteria[0].pk, "value": first, "comment": "Direction très impliquée."},
            {"criterion_id": setting.criteria[1].pk, "value": second},
        ]
    }


def decided(setting, *, notified: bool):
    decision = decisions.draft_decision(
        application=setting.application,
        outcome=Outcome.WAITING_LIST,
        reason="Projet à mûrir.",
        by=setting.manager,
    )
    decisions.confirm_decisions(review=setting.review, by=setting.manager)
    decision.refresh_from_db()
    if notified:
        decisions.record_notification(decision=decision)
    return decision


def test_a_reviewer_lists_only_their_assignments(client, setting):
    response = client.get(f"{URL}/affectations", headers=bearer(token_of(setting.ars_reviewer)))

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": setting.mine.pk,
            "dossier_id": setting.application.pk,
            "call": {"id": setting.call.pk, "title": "Appel à candidatures OMEGA"},
            "establishment_name": "EHPAD Les Tilleuls 0",
            "blind": False,
            "no_conflict_declared": True,
            "submitted_at": None,
            "actions": [
                {"code": "declare_conflict", "label": "Je déclare un conflit"},
                {"code": "submit_scores", "label": "Remettre ma notation"},
            ],
        }
    ]
    # The reviewer who declared a conflict, and the manager who assigned no one to themself.
    for user in (setting.aract_reviewer, setting.manager):
        assert client.get(f"{URL}/affectations", headers=bearer(token_of(user))).json() == []


def test_an_outside_expert_sees_a_blind_review_without_the_establishment(client, setting):
    setting.review.blind_for_experts = True
    setting.review.save(update_fields=["blind_for_experts"])
    expert = MembershipFactory(organisation=OrganisationFactory(consultancy=True), role=Role.CONSULTANT).user
    services.assign(
        review=setting.review, application=setting.application, reviewer=expert, by=setting.manager
    )

    [row] = client.get(f"{URL}/affectations", headers=bearer(token_of(expert))).json()

    assert row["blind"] is True
    assert row["establishment_name"] == f"Dossier n° {setting.application.pk}"
    assert row["no_conflict_declared"] is False


def test_a_reviewer_saves_reads_and_submits_their_scores(client, setting):
    headers = bearer(token_of(setting.ars_reviewer))
    path = f"{URL}/affectations/{setting.mine.pk}"

    saved = client.put(
        f"{path}/notes", scores_body(setting, 4, None), content_type="application/json", headers=headers
    )
    early = client.post(f"{path}/remise", headers=headers)
    client.put(f"{path}/notes", scores_body(setting, 4, 3), content_type="application/json", headers=headers)
    remitted = client.post(f"{path}/remise", headers=headers)
    sealed = client.put(
        f"{path}/notes", scores_body(setting, 1, 1), content_type="application/json", headers=headers
    )

    assert saved.status_code == 200
    assert [(s["label"], s["value"], s["comment"]) for s in saved.json()["scores"]] == [
        ("Portage", 4, "Direction très impliquée."),
        ("Dialogue social", None, ""),
    ]
    assert early.status_code == 409
    assert early.json()["code"] == "refused"
    assert "Dialogue social" in early.json()["detail"]
    assert remitted.status_code == 200
    assert remitted.json()["submitted_at"] is not None
    assert sealed.status_code == 409
    assert sealed.json()["detail"].startswith("Votre notation est remise")
    assert [s["value"] for s in client.get(f"{path}/notes", headers=headers).json()["scores"]] == [4, 3]


def test_a_score_off_the_scale_is_refused_with_its_criterion(client, setting):
    response = client.put(
        f"{URL}/affectations/{setting.mine.pk}/notes",
        scores_body(setting, 6, 1),
        content_type="application/json",
        headers=bearer(token_of(setting.ars_reviewer)),
    )

    assert response.status_code == 409
    [error] = response.json()["errors"]
    assert error["field"] == f"criterion-{setting.criteria[0].pk}"
    assert "Portage" in error["message"] and "la note va de 0 à 5" in error["message"]


def test_scores_stay_closed_to_anyone_but_the_cleared_reviewer(client, setting):
    not_yet = services.assign(
        review=setting.review,
        application=setting.applications[1],
        reviewer=setting.ars_reviewer,
        by=setting.manager,
    )
    cases = [
        (setting.ars_reviewer, not_yet),  # assigned, but no conflict declared yet
        (setting.aract_reviewer, setting.conflicted),  # declared a conflict
        (setting.aract_reviewer, setting.mine),  # not assigned to this one
        (setting.manager, setting.mine),  # managers read scores on the site, not as a reviewer
    ]
    for user, assignment in cases:
        headers = bearer(token_of(user))
        path = f"{URL}/affectations/{assignment.pk}"
        assert client.get(f"{path}/notes", headers=headers).status_code == 404
        put = client.put(
            f"{path}/notes", scores_body(setting, 1, 1), content_type="application/json", headers=headers
        )
        assert put.status_code == 404
        assert client.post(f"{path}/remise", headers=headers).status_code == 404
    assert not not_yet.scores.exists()


def test_managers_read_the_ranking_and_the_decisions_of_their_region(client, setting):
    services.save_scores(
        assignment=setting.mine, values={c.pk: (4, "") for c in setting.criteria}, by=setting.ars_reviewer
    )
    services.submit_scores(assignment=setting.mine, by=setting.ars_reviewer)
    decision = decided(setting, notified=False)
    headers = bearer(token_of(setting.manager))

    ranking = client.get(f"{URL}/appels/{setting.call.pk}/classement", headers=headers)
    listed = client.get(f"{URL}/appels/{setting.call.pk}/decisions", headers=headers)

    assert ranking.status_code == 200
    first, second = ranking.json()
    assert first["dossier_id"] == setting.application.pk
    assert (first["rank"], first["average"], first["spread"], first["remitted"], first["assigned"]) == (
        1,
        17.3,
        None,
        1,
        1,
    )
    assert (first["eligibility"], first["outcome"], first["outcome_label"]) == (
        "pending",
        "waiting_list",
        "Liste d’attente",
    )
    assert (second["rank"], second["average"], second["outcome"]) == (None, None, None)
    assert listed.status_code == 200
    assert instant(listed.json()[0]["confirmed_at"]) == decision.confirmed_at.replace(microsecond=0)
    assert listed.json() == [
        {
            "dossier_id": setting.application.pk,
            "outcome": "waiting_list",
            "outcome_label": "Liste d’attente",
            "rank": 1,
            "reason": "Projet à mûrir.",
            "reference": f"AAC{setting.call.pk}-2026-0001",
            "notified_at": None,
            "establishment": {
                "finess_et": setting.application.establishment.finess_et,
                "name": "EHPAD Les Tilleuls 0",
            },
            "confirmed_at": listed.json()[0]["confirmed_at"],
            "state": "confirmed",
            "state_label": "Confirmée, non notifiée",
            "actions": [{"code": "change", "label": "Modifier"}],
        }
    ]


def test_the_ranking_and_decisions_are_closed_to_others(client, setting, director):
    aura = region("84", "Auvergne-Rhône-Alpes")
    other_region = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation=OrganisationFactory(region=aura)
    ).user
    for user in (other_region, setting.ars_reviewer, director):
        headers = bearer(token_of(user))
        for page in ("classement", "decisions"):
            response = client.get(f"{URL}/appels/{setting.call.pk}/{page}", headers=headers)
            assert response.status_code == 404, (user, page)


def test_the_applicant_reads_their_decision_once_notified(client, setting, director):
    path = f"/api/v1/dossiers/{setting.application.pk}/decision"
    headers = bearer(token_of(director))
    decision = decided(setting, notified=False)
    before = client.get(path, headers=headers)
    decisions.record_notification(decision=decision)
    decision.refresh_from_db()

    response = client.get(path, headers=headers)

    assert before.status_code == 404
    assert response.status_code == 200
    assert instant(listed_at := response.json()["notified_at"]) == decision.notified_at.replace(microsecond=0)
    assert response.json() == {
        "dossier_id": setting.application.pk,
        "outcome": "waiting_list",
        "outcome_label": "Liste d’attente",
        "rank": 1,
        "reason": "Projet à mûrir.",
        "reference": decision.reference,
        "notified_at": listed_at,
    }


def test_no_one_else_reads_the_applicants_decision(client, setting, director):
    decided(setting, notified=True)
    other_space = OrganisationFactory(establishment_space=True)
    EstablishmentFactory(departement=setting.herault, organisation=other_space)
    other_applicant = MembershipFactory(organisation=other_space, role=Role.DIRECTOR).user
    for user in (other_applicant, setting.manager, setting.ars_reviewer):
        response = client.get(
            f"/api/v1/dossiers/{setting.application.pk}/decision", headers=bearer(token_of(user))
        )
        assert response.status_code == 404


def test_applicant_facing_answers_carry_no_scores_nor_reviewer_names(client, setting, director):
    services.save_scores(
        assignment=setting.mine,
        values={c.pk: (4, "Secret de l’instructeur") for c in setting.criteria},
        by=setting.ars_reviewer,
    )
    services.submit_scores(assignment=setting.mine, by=setting.ars_reviewer)
    services.add_private_note(
        application=setting.application, text="Note interne confidentielle", by=setting.manager
    )
    decided(setting, notified=True)
    headers = bearer(token_of(director))

    bodies = [
        client.get(path, headers=headers).content.decode()
        for path in (
            f"/api/v1/dossiers/{setting.application.pk}/decision",
            f"/api/v1/dossiers/{setting.application.pk}",
            "/api/v1/dossiers",
            f"{URL}/affectations",
        )
    ]

    for body in bodies:
        for secret in (
            "Secret de l’instructeur",
            "Note interne",
            "Bernard",
            "instructeur@ars.fr",
            "Portage",
            "score",
        ):
            assert secret not in body
