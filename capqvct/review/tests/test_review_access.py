"""Who reads a dossier under review and its internal notes, and who may review it at all: a reviewer
once « pas de conflit » is declared; a programme manager of the call's region even after declaring a
conflict (shown on the review's pages); an outside expert only from a consultant's account; never a
member of an establishment applying to the call."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from capqvct.accounts.models import Role
from capqvct.api.tests.conftest import bearer, token_of
from capqvct.applications import attachments
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from capqvct.review import services
from capqvct.review.models import Assignment, PrivateNote
from capqvct.review.tests.test_assignment import Setting, agent, consultant, opened
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    login_verified,
)

OWN_CONFLICT = (
    "Vous avez déclaré un conflit d’intérêts sur ce dossier\u00a0: ne prenez pas part à sa décision."
)
NOTES_REFUSED = (
    "Seuls les responsables de programme de l’appel et les instructeurs du dossier qui ont déclaré "
    "n’avoir aucun conflit d’intérêts peuvent lire et écrire ses notes internes."
)


@pytest.fixture
def setting(db):
    """Two dossiers under review in Occitanie, where the ARS's reviewer reviews without managing; the
    first dossier, with a file, given to that reviewer, who has declared nothing yet."""
    setting = Setting(dossiers=2)
    setting.review = opened(setting)
    setting.application = setting.applications[0]
    setting.file = attachments.store(
        setting.application,
        SimpleUploadedFile("lettre.pdf", b"%PDF-1.4\n%lettre d'engagement\n%%EOF\n"),
        field_key="",
        by=setting.manager,
    )
    setting.assignment = services.assign(
        review=setting.review,
        application=setting.application,
        reviewer=setting.ars_reviewer,
        by=setting.manager,
    )
    return setting


def client_of(user) -> Client:
    return login_verified(Client(), user)


def statuses(user, setting) -> list[int]:
    """The dossier's page, its file and its detail in the API, as the user gets them."""
    client = client_of(user)
    return [
        client.get(reverse("applications:read", args=[setting.application.pk])).status_code,
        client.get(reverse("applications:attachment", args=[setting.file.pk])).status_code,
        Client()
        .get(f"/api/v1/dossiers/{setting.application.pk}", headers=bearer(token_of(user)))
        .status_code,
    ]


def events() -> int:
    return AuditEvent.objects.count()


# A reviewer reads the dossier once « pas de conflit » is declared


def test_a_fresh_assignment_opens_nothing_until_no_conflict_is_declared(setting):
    assert statuses(setting.ars_reviewer, setting) == [404, 404, 404]
    services.declare_no_conflict(assignment=setting.assignment, by=setting.ars_reviewer)
    assert statuses(setting.ars_reviewer, setting) == [200, 200, 200]


def test_the_api_keeps_an_undeclared_assignments_scores_closed(setting):
    response = Client().get(
        f"/api/v1/instruction/affectations/{setting.assignment.pk}/notes",
        headers=bearer(token_of(setting.ars_reviewer)),
    )
    assert response.status_code == 404


def test_a_reviewer_lists_through_the_api_only_the_dossiers_they_cleared(setting):
    token = token_of(setting.ars_reviewer)
    assert Client().get("/api/v1/dossiers", headers=bearer(token)).json()["items"] == []
    services.declare_no_conflict(assignment=setting.assignment, by=setting.ars_reviewer)
    listed = Client().get("/api/v1/dossiers", headers=bearer(token)).json()["items"]
    assert [row["id"] for row in listed] == [setting.application.pk]


# Private notes


def test_a_cleared_reviewer_and_the_calls_manager_write_and_read_notes(setting):
    services.declare_no_conflict(assignment=setting.assignment, by=setting.ars_reviewer)
    services.add_private_note(
        application=setting.application, text="Déjà accompagné.", by=setting.ars_reviewer
    )
    services.add_private_note(application=setting.application, text="Vu en 2024.", by=setting.manager)
    score = client_of(setting.ars_reviewer).get(reverse("review:score", args=[setting.assignment.pk]))
    dossier = client_of(setting.manager).get(
        reverse("review:dossier", args=[setting.call.pk, setting.application.pk])
    )
    for page in (score.content.decode(), dossier.content.decode()):
        assert "Déjà accompagné." in page
        assert "Vu en 2024." in page
    assert AuditEvent.objects.filter(action="review_private_note_added").count() == 2


@pytest.mark.parametrize("who", ["undeclared", "conflicted", "unassigned", "expert"])
def test_a_note_is_refused_to_whoever_is_not_cleared_on_the_dossier(setting, who):
    if who == "conflicted":
        services.declare_conflict(
            assignment=setting.assignment, reason="Ancien salarié.", by=setting.ars_reviewer
        )
    if who == "expert":
        expert = consultant("experte@exemple.fr")
        assignment = services.assign(
            review=setting.review, application=setting.application, reviewer=expert, by=setting.manager
        )
        services.declare_no_conflict(assignment=assignment, by=expert)
    author = {
        "undeclared": setting.ars_reviewer,
        "conflicted": setting.ars_reviewer,
        "unassigned": setting.aract_reviewer,
        "expert": expert if who == "expert" else None,
    }[who]
    before = events()
    with pytest.raises(Refusal) as refused:
        services.add_private_note(application=setting.application, text="Note.", by=author)
    assert refused.value.message == NOTES_REFUSED
    assert PrivateNote.objects.count() == 0
    assert events() == before
    response = client_of(author).post(
        reverse("review:private_note", args=[setting.application.pk]), {"text": "Note."}
    )
    assert response.status_code == 404
    assert PrivateNote.objects.count() == 0


def test_notes_disappear_from_the_score_page_of_an_expert(setting):
    expert = consultant("experte@exemple.fr")
    assignment = services.assign(
        review=setting.review, application=setting.application, reviewer=expert, by=setting.manager
    )
    services.declare_no_conflict(assignment=assignment, by=expert)
    services.add_private_note(application=setting.application, text="Note des agents.", by=setting.manager)
    page = client_of(expert).get(reverse("review:score", args=[assignment.pk])).content.decode()
    assert "Notes internes" not in page
    assert "Note des agents." not in page


# A programme manager's own conflict


@pytest.fixture
def manager_in_conflict(setting):
    """The ARS's programme manager, given the dossier as a reviewer too, declared a conflict on it; the
    Aract's programme manager did not."""
    assignment = services.assign(
        review=setting.review, application=setting.application, reviewer=setting.manager, by=setting.manager
    )
    services.declare_conflict(assignment=assignment, reason="Ma sœur y travaille.", by=setting.manager)
    setting.other_manager = agent(setting.aract, Role.PROGRAMME_MANAGER, "responsable@aract.fr", "Durand")
    return setting


def test_a_manager_in_conflict_still_reads_the_dossier_everywhere(manager_in_conflict):
    setting = manager_in_conflict
    assert statuses(setting.manager, setting) == [200, 200, 200]
    page = client_of(setting.manager).get(
        reverse("review:dossier", args=[setting.call.pk, setting.application.pk])
    )
    assert page.status_code == 200
    assert OWN_CONFLICT in page.content.decode()
    assert AuditEvent.objects.filter(
        action="review_conflict_declared", actor=setting.manager, details__reason="Ma sœur y travaille."
    ).exists()


def test_the_other_managers_see_who_declared_the_conflict(manager_in_conflict):
    setting = manager_in_conflict
    client = client_of(setting.other_manager)
    dossier = client.get(reverse("review:dossier", args=[setting.call.pk, setting.application.pk]))
    decisions = client.get(reverse("review:decisions", args=[setting.call.pk]))
    for page in (dossier.content.decode(), decisions.content.decode()):
        assert f"Conflit d’intérêts déclaré par {setting.manager}" in page
        assert OWN_CONFLICT not in page


def test_the_decisions_page_reminds_the_manager_of_their_conflict_on_that_dossier_only(manager_in_conflict):
    setting = manager_in_conflict
    page = (
        client_of(setting.manager).get(reverse("review:decisions", args=[setting.call.pk])).content.decode()
    )
    assert page.count(OWN_CONFLICT) == 1


def test_a_managers_conflict_ends_their_assignment_as_any_reviewers(manager_in_conflict):
    setting = manager_in_conflict
    client = client_of(setting.manager)
    assert (
        setting.application.establishment.name
        not in client.get(reverse("review:my_assignments")).content.decode()
    )
    assignment = Assignment.objects.get(reviewer=setting.manager)
    assert client.get(reverse("review:score", args=[assignment.pk])).status_code == 404


def test_a_reviewers_conflict_is_not_called_a_managers(setting):
    services.declare_conflict(
        assignment=setting.assignment, reason="Ancien salarié.", by=setting.ars_reviewer
    )
    page = client_of(setting.manager).get(
        reverse("review:dossier", args=[setting.call.pk, setting.application.pk])
    )
    assert "Conflit d’intérêts déclaré par" not in page.content.decode()
    assert statuses(setting.ars_reviewer, setting) == [404, 404, 404]


# Outside experts and members of candidate establishments


def candidate_member(setting, user, role=Role.MEMBER):
    """Make the user a member of the second dossier's establishment, which applies to the same call."""
    establishment = setting.applications[1].establishment
    establishment.organisation = OrganisationFactory(establishment_space=True)
    establishment.save(update_fields=["organisation"])
    MembershipFactory(user=user, organisation=establishment.organisation, role=role)
    return user


def refused_assignment(setting, reviewer) -> str:
    """Assign the first dossier to the reviewer, expecting a refusal that writes nothing; its message."""
    before = events()
    with pytest.raises(Refusal) as refused:
        services.assign(
            review=setting.review, application=setting.application, reviewer=reviewer, by=setting.manager
        )
    assert Assignment.objects.filter(reviewer=reviewer).count() == 0
    assert events() == before
    return refused.value.message


def test_an_outside_expert_must_hold_a_consultants_account(setting):
    expert = UserFactory(email="expert@exemple.fr", first_name="Alix", last_name="Moreau")
    assert refused_assignment(setting, expert) == (
        "Seul un compte d’intervenant (consultant) peut être expert extérieur."
    )


def test_a_consultant_member_of_a_candidate_establishment_is_refused(setting):
    expert = candidate_member(setting, consultant("experte@exemple.fr", last_name="Faure"), Role.DIRECTOR)
    assert refused_assignment(setting, expert) == (
        f"{expert} est membre d’un établissement candidat à cet appel\u00a0: il ne peut pas instruire ses "
        "dossiers."
    )


def test_an_agent_member_of_a_candidate_establishment_is_refused_too(setting):
    reviewer = candidate_member(setting, setting.aract_reviewer)
    assert "est membre d’un établissement candidat à cet appel" in refused_assignment(setting, reviewer)


def test_a_member_of_the_dossiers_own_establishment_keeps_its_refusal(setting):
    establishment = setting.application.establishment
    establishment.organisation = OrganisationFactory(establishment_space=True)
    establishment.save(update_fields=["organisation"])
    director = consultant("direction@exemple.fr")
    MembershipFactory(user=director, organisation=establishment.organisation, role=Role.DIRECTOR)
    assert refused_assignment(setting, director) == (
        "Un membre de l’établissement candidat ne peut pas instruire son dossier."
    )


def test_a_consultant_of_an_establishment_of_another_call_becomes_an_expert(setting):
    expert = consultant("experte@exemple.fr")
    MembershipFactory(
        user=expert,
        organisation=EstablishmentFactory(
            organisation=OrganisationFactory(establishment_space=True)
        ).organisation,
        role=Role.MEMBER,
    )
    assignment = services.assign(
        review=setting.review, application=setting.application, reviewer=expert, by=setting.manager
    )
    assert assignment.is_expert
    assert AuditEvent.objects.filter(
        action="review_assigned", details__reviewer="experte@exemple.fr"
    ).exists()


def test_the_dossier_page_says_why_an_expert_was_refused(setting):
    UserFactory(email="expert@exemple.fr")
    url = reverse("review:dossier", args=[setting.call.pk, setting.application.pk])
    response = client_of(setting.manager).post(
        reverse("review:assign", args=[setting.call.pk, setting.application.pk]),
        {"expert_email": "expert@exemple.fr", "next": url},
        follow=True,
    )
    assert response.redirect_chain == [(url, 302)]
    assert (
        "Seul un compte d’intervenant (consultant) peut être expert extérieur." in response.content.decode()
    )
    assert not Assignment.objects.filter(reviewer__email="expert@exemple.fr").exists()
