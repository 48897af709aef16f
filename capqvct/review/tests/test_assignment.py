"""Opening the review, the grid, assigning reviewers by hand and automatically, conflicts, digests."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from capqvct.accounts.models import OrganisationKind, Role
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls import services as call_services
from capqvct.calls.models import Call
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent, OutgoingEmail
from capqvct.review import services
from capqvct.review.models import Assignment, Criterion, Review
from capqvct.review.selectors import assignments_of
from capqvct.review.services import CriterionInput
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    departement,
    published_call,
    region,
)

SMALL_FORM = {
    "sections": [
        {
            "key": "projet",
            "title": "Votre projet",
            "fields": [{"key": "motivation", "kind": "long_text", "label": "Motivation", "max_length": 3000}],
        }
    ]
}


class Setting:
    """A region with an ARS and an Aract, their agents, a call past its deadline and submitted dossiers."""

    def __init__(self, *, dossiers: int = 3, definition: dict = SMALL_FORM, **call_fields):
        occitanie = region("76", "Occitanie")
        self.herault = departement("34", "Hérault", "76")
        self.ars = OrganisationFactory(kind=OrganisationKind.ARS, region=occitanie, name="ARS Occitanie")
        self.aract = OrganisationFactory(
            kind=OrganisationKind.ARACT, region=occitanie, name="Aract Occitanie"
        )
        self.manager = agent(self.ars, Role.PROGRAMME_MANAGER, "responsable@ars.fr", "Aubert")
        self.ars_reviewer = agent(self.ars, Role.REVIEWER, "instructeur@ars.fr", "Bernard")
        self.aract_reviewer = agent(self.aract, Role.REVIEWER, "instructrice@aract.fr", "Chevalier")
        self.call = past_call(self.manager, definition, **call_fields)
        self.applications = [
            submitted(
                self.call, EstablishmentFactory(departement=self.herault, name=f"EHPAD Les Tilleuls {n}")
            )
            for n in range(dossiers)
        ]


def agent(organisation, role, email, last_name):
    user = UserFactory(email=email, last_name=last_name, first_name="Camille")
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def consultant(email, last_name="Faure"):
    """An outside expert's account: a consultant of a consultancy."""
    user = UserFactory(email=email, last_name=last_name, first_name="Dominique")
    MembershipFactory(user=user, organisation=OrganisationFactory(consultancy=True), role=Role.CONSULTANT)
    return user


def past_call(manager, definition=SMALL_FORM, **fields) -> Call:
    now = timezone.now()
    call = published_call(
        manager,
        definition=definition,
        title="Appel à candidatures OMEGA",
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=1),
        **fields,
    )
    Call.objects.filter(pk=call.pk).update(closes_at=now - timedelta(days=1))
    call.refresh_from_db()
    return call


def submitted(call, establishment, answers=None) -> Application:
    return Application.objects.create(
        call=call,
        establishment=establishment,
        form_version=call_services.current_form(call),
        status=ApplicationStatus.SUBMITTED,
        answers=answers or {"motivation": "Améliorer les conditions de travail."},
        submitted_at=timezone.now(),
    )


def opened(setting: Setting, **options) -> Review:
    review = services.open_review(call=setting.call, by=setting.manager, **options)
    for application in setting.applications:
        application.refresh_from_db()
    return review


@pytest.fixture
def setting(db):
    return Setting()


# Opening


def test_opening_moves_submitted_dossiers_to_review_each_with_an_event(setting):
    draft = Application.objects.create(
        call=setting.call,
        establishment=EstablishmentFactory(departement=setting.herault),
        form_version=call_services.current_form(setting.call),
    )
    review = opened(setting, reviewers_per_dossier=3, blind_for_experts=True)
    assert (review.reviewers_per_dossier, review.blind_for_experts) == (3, True)
    assert {a.status for a in setting.applications} == {ApplicationStatus.IN_REVIEW}
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert AuditEvent.objects.filter(action="application_handed_to_review").count() == 3
    assert AuditEvent.objects.filter(action="review_opened").count() == 1


def test_opening_is_refused_before_the_deadline(setting):
    Call.objects.filter(pk=setting.call.pk).update(closes_at=timezone.now() + timedelta(days=2))
    setting.call.refresh_from_db()
    with pytest.raises(Refusal, match="après la date limite"):
        opened(setting)


def test_opening_is_allowed_before_the_deadline_once_closed_early(setting):
    Call.objects.filter(pk=setting.call.pk).update(closes_at=timezone.now() + timedelta(days=2))
    setting.call.refresh_from_db()
    call_services.close_call_early(
        call=setting.call, by=setting.manager, reason="Toutes les places sont prises."
    )
    assert opened(setting).pk


def test_opening_twice_is_refused(setting):
    opened(setting)
    setting.call.refresh_from_db()
    with pytest.raises(Refusal, match="déjà ouverte"):
        opened(setting)


def test_only_a_manager_of_the_region_opens_the_review(setting):
    with pytest.raises(Refusal):
        services.open_review(call=setting.call, by=setting.ars_reviewer)
    assert not Review.objects.exists()


# Grid


def test_grid_replaces_criteria_and_checks_weights_and_scale(setting):
    review = opened(setting)
    services.set_grid(review=review, criteria=[CriterionInput("Ancien", 1, 4)], by=setting.manager)
    services.set_grid(
        review=review,
        criteria=[CriterionInput("Portage", "2,5", 5), CriterionInput("Dialogue social", 1, 20)],
        by=setting.manager,
    )
    assert [(c.label, str(c.weight), c.scale_max) for c in review.criteria.all()] == [
        ("Portage", "2.50", 5),
        ("Dialogue social", "1.00", 20),
    ]
    for bad in (CriterionInput("X", 0, 4), CriterionInput("X", 1, 21), CriterionInput("X", 1, 0)):
        with pytest.raises(Refusal):
            services.set_grid(review=review, criteria=[bad], by=setting.manager)
    with pytest.raises(Refusal):
        services.set_grid(review=review, criteria=[], by=setting.manager)


def test_grid_is_refused_once_a_score_exists(setting):
    review = opened(setting)
    (criterion,) = services.set_grid(review=review, criteria=[CriterionInput("Portage")], by=setting.manager)
    assignment = services.assign(
        review=review, application=setting.applications[0], reviewer=setting.ars_reviewer, by=setting.manager
    )
    services.declare_no_conflict(assignment=assignment, by=setting.ars_reviewer)
    services.save_scores(assignment=assignment, values={criterion.pk: (3, "")}, by=setting.ars_reviewer)
    with pytest.raises(Refusal, match="ne peut plus changer"):
        services.set_grid(review=review, criteria=[CriterionInput("Autre")], by=setting.manager)
    assert list(Criterion.objects.values_list("label", flat=True)) == ["Portage"]


# Assigning by hand


def test_assigning_an_agent_and_an_outside_expert(setting):
    review = opened(setting)
    expert = consultant("experte@exemple.fr")
    application = setting.applications[0]
    agent_assignment = services.assign(
        review=review, application=application, reviewer=setting.aract_reviewer, by=setting.manager
    )
    expert_assignment = services.assign(
        review=review, application=application, reviewer=expert, by=setting.manager
    )
    assert (agent_assignment.is_expert, expert_assignment.is_expert) == (False, True)
    assert list(assignments_of(expert)) == [expert_assignment]
    with pytest.raises(Refusal, match="déjà confié"):
        services.assign(review=review, application=application, reviewer=expert, by=setting.manager)
    assert AuditEvent.objects.filter(action="review_assigned").count() == 2


def test_assigning_is_refused_to_a_reviewer_and_for_a_member_of_the_establishment(setting):
    review = opened(setting)
    application = setting.applications[0]
    with pytest.raises(Refusal):
        services.assign(
            review=review, application=application, reviewer=setting.aract_reviewer, by=setting.ars_reviewer
        )
    space = OrganisationFactory(establishment_space=True)
    application.establishment.organisation = space
    application.establishment.save()
    director = UserFactory()
    MembershipFactory(user=director, organisation=space, role=Role.DIRECTOR)
    with pytest.raises(Refusal, match="membre de l’établissement"):
        services.assign(review=review, application=application, reviewer=director, by=setting.manager)


def test_unassigning_before_submission_only(setting):
    review = opened(setting)
    (criterion,) = services.set_grid(review=review, criteria=[CriterionInput("Portage")], by=setting.manager)
    assignment = services.assign(
        review=review, application=setting.applications[0], reviewer=setting.ars_reviewer, by=setting.manager
    )
    services.declare_no_conflict(assignment=assignment, by=setting.ars_reviewer)
    services.save_scores(assignment=assignment, values={criterion.pk: (3, "")}, by=setting.ars_reviewer)
    services.submit_scores(assignment=assignment, by=setting.ars_reviewer)
    with pytest.raises(Refusal, match="remise"):
        services.unassign(assignment=assignment, by=setting.manager)
    other = services.assign(
        review=review, application=setting.applications[1], reviewer=setting.ars_reviewer, by=setting.manager
    )
    services.unassign(assignment=other, by=setting.manager)
    assert not Assignment.objects.filter(pk=other.pk).exists()


# Assigning automatically


def test_automatic_assignment_gives_one_reviewer_per_agency_and_balances_the_load(db):
    setting = Setting(dossiers=4)
    second_ars = agent(setting.ars, Role.REVIEWER, "second@ars.fr", "Dupont")
    review = opened(setting, reviewers_per_dossier=2)
    result = services.assign_automatically(review=review, by=setting.manager)
    assert (result.created, result.short) == (8, 0)
    for application in setting.applications:
        kinds = {a.reviewer.memberships.get().organisation.kind for a in application.assignments.all()}
        assert kinds == {OrganisationKind.ARS, OrganisationKind.ARACT}
    loads = {
        user.email: Assignment.objects.filter(reviewer=user).count()
        for user in (setting.manager, setting.ars_reviewer, second_ars, setting.aract_reviewer)
    }
    # The Aract's only agent takes every dossier; the ARS's three share theirs.
    assert loads["instructrice@aract.fr"] == 4
    assert sorted(v for k, v in loads.items() if k != "instructrice@aract.fr") == [1, 1, 2]


def test_automatic_assignment_keeps_existing_ones_skips_conflicts_and_is_idempotent(setting):
    review = opened(setting, reviewers_per_dossier=2)
    application = setting.applications[0]
    kept = services.assign(
        review=review, application=application, reviewer=setting.ars_reviewer, by=setting.manager
    )
    conflicted = services.assign(
        review=review, application=application, reviewer=setting.aract_reviewer, by=setting.manager
    )
    services.declare_conflict(assignment=conflicted, reason="J’y ai travaillé.", by=setting.aract_reviewer)
    services.assign_automatically(review=review, by=setting.manager)
    reviewers = set(
        application.assignments.filter(conflict_declared_at__isnull=True).values_list("reviewer", flat=True)
    )
    assert kept.reviewer_id in reviewers
    assert setting.aract_reviewer.pk not in reviewers
    assert len(reviewers) == 2
    again = services.assign_automatically(review=review, by=setting.manager)
    assert again.created == 0


def test_automatic_assignment_leaves_out_a_member_of_any_candidate_establishment(setting):
    """An agent who also sits on the board of one candidate establishment reviews none of the call's
    dossiers, not even the other establishments': they would rank its competitors."""
    space = OrganisationFactory(establishment_space=True)
    candidate = setting.applications[0].establishment
    candidate.organisation = space
    candidate.save()
    MembershipFactory(user=setting.aract_reviewer, organisation=space, role=Role.MEMBER)
    review = opened(setting, reviewers_per_dossier=2)
    result = services.assign_automatically(review=review, by=setting.manager)
    assert not Assignment.objects.filter(reviewer=setting.aract_reviewer).exists()
    assert (result.created, result.short) == (6, 0)


def test_automatic_assignment_reports_dossiers_short_of_reviewers(setting):
    review = opened(setting, reviewers_per_dossier=5)
    result = services.assign_automatically(review=review, by=setting.manager)
    assert (result.created, result.short) == (9, 3)


# Routing rules


def test_a_routing_rule_sends_a_departements_dossiers_to_its_group_only(db):
    setting = Setting(dossiers=2)
    gard = departement("30", "Gard", "76")
    gard_dossiers = [
        submitted(setting.call, EstablishmentFactory(departement=gard, name=f"EHPAD du Gard {n}"))
        for n in range(2)
    ]
    second_ars = agent(setting.ars, Role.REVIEWER, "second@ars.fr", "Dupont")
    review = opened(setting, reviewers_per_dossier=2)
    services.set_routing_rule(
        review=review,
        departement_code="30",
        reviewer_ids=[second_ars.pk, setting.aract_reviewer.pk],
        by=setting.manager,
    )
    result = services.assign_automatically(review=review, by=setting.manager)
    assert (result.created, result.short) == (8, 0)
    for application in gard_dossiers:
        assert set(application.assignments.values_list("reviewer__email", flat=True)) == {
            "second@ars.fr",
            "instructrice@aract.fr",
        }
    # Dossiers of the Hérault, without a rule, still draw from every agent of the region.
    herault_reviewers = Assignment.objects.filter(application__in=setting.applications).values_list(
        "reviewer__email", flat=True
    )
    assert "instructrice@aract.fr" in herault_reviewers
    event = AuditEvent.objects.get(action="review_routing_rule_set")
    assert event.details == {"departement": "30", "reviewers": ["second@ars.fr", "instructrice@aract.fr"]}


def test_a_group_too_small_leaves_its_dossiers_short_rather_than_going_elsewhere(setting):
    review = opened(setting, reviewers_per_dossier=2)
    services.set_routing_rule(
        review=review, departement_code="34", reviewer_ids=[setting.ars_reviewer.pk], by=setting.manager
    )
    result = services.assign_automatically(review=review, by=setting.manager)
    assert (result.created, result.short) == (3, 3)
    assert set(Assignment.objects.values_list("reviewer__email", flat=True)) == {"instructeur@ars.fr"}


def test_a_new_rule_for_the_same_departement_replaces_the_group(setting):
    review = opened(setting)
    services.set_routing_rule(
        review=review, departement_code="34", reviewer_ids=[setting.ars_reviewer.pk], by=setting.manager
    )
    rule = services.set_routing_rule(
        review=review, departement_code="34", reviewer_ids=[setting.aract_reviewer.pk], by=setting.manager
    )
    assert review.routing_rules.count() == 1
    assert list(rule.reviewers.values_list("email", flat=True)) == ["instructrice@aract.fr"]
    services.delete_routing_rule(rule=rule, by=setting.manager)
    assert not review.routing_rules.exists()
    assert AuditEvent.objects.filter(action="review_routing_rule_deleted").count() == 1


def test_a_rule_is_refused_outside_the_region_without_reviewers_or_with_an_outsider(setting):
    review = opened(setting)
    departement("75", "Paris", "11")
    outsider = UserFactory(email="ailleurs@exemple.fr")
    with pytest.raises(Refusal) as refusal:
        services.set_routing_rule(
            review=review, departement_code="75", reviewer_ids=[setting.ars_reviewer.pk], by=setting.manager
        )
    assert refusal.value.field == "departement"
    for reviewer_ids in ([], [outsider.pk], [setting.ars_reviewer.pk, outsider.pk]):
        with pytest.raises(Refusal) as refusal:
            services.set_routing_rule(
                review=review, departement_code="34", reviewer_ids=reviewer_ids, by=setting.manager
            )
        assert refusal.value.field == "reviewers"
    with pytest.raises(Refusal):
        services.set_routing_rule(
            review=review,
            departement_code="34",
            reviewer_ids=[setting.ars_reviewer.pk],
            by=setting.ars_reviewer,
        )
    assert not review.routing_rules.exists()


def test_the_dashboard_form_keeps_the_choices_and_says_what_is_missing(setting, verified_client):
    review = opened(setting)
    client = verified_client(setting.manager)
    url = reverse("review:routing_rule", args=[setting.call.pk])
    response = client.post(url, {"departement": "", "reviewers": [str(setting.aract_reviewer.pk)]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choisissez un département de la région." in page
    assert (
        f'value="{setting.aract_reviewer.pk}" id="routing-reviewer-{setting.aract_reviewer.pk}" checked'
        in page
    )
    response = client.post(url, {"departement": "34", "reviewers": [str(setting.aract_reviewer.pk)]})
    assert response.status_code == 302
    page = client.get(reverse("review:dashboard", args=[setting.call.pk])).content.decode()
    assert "Hérault (34)" in page and "1 règle d’affectation" in page
    rule = review.routing_rules.get()
    response = client.post(reverse("review:delete_routing_rule", args=[rule.pk]))
    assert response.status_code == 302
    assert not review.routing_rules.exists()


def test_only_the_calls_managers_touch_its_rules(setting, verified_client):
    review = opened(setting)
    rule = services.set_routing_rule(
        review=review, departement_code="34", reviewer_ids=[setting.ars_reviewer.pk], by=setting.manager
    )
    ile_de_france = OrganisationFactory(kind=OrganisationKind.ARS, region=region("11", "Île-de-France"))
    elsewhere = agent(ile_de_france, Role.PROGRAMME_MANAGER, "responsable@ars-idf.fr", "Durand")
    for user in (elsewhere, setting.ars_reviewer):
        client = verified_client(user)
        add = client.post(
            reverse("review:routing_rule", args=[setting.call.pk]),
            {"departement": "34", "reviewers": [str(setting.aract_reviewer.pk)]},
        )
        delete = client.post(reverse("review:delete_routing_rule", args=[rule.pk]))
        assert (add.status_code, delete.status_code) == (404, 404)
    assert list(review.routing_rules.get().reviewers.all()) == [setting.ars_reviewer]


# Conflicts


def test_declaring_a_conflict_removes_the_dossier_and_is_logged(setting):
    review = opened(setting)
    assignment = services.assign(
        review=review, application=setting.applications[0], reviewer=setting.ars_reviewer, by=setting.manager
    )
    with pytest.raises(Refusal, match="nature du conflit"):
        services.declare_conflict(assignment=assignment, reason=" ", by=setting.ars_reviewer)
    with pytest.raises(Refusal):
        services.declare_conflict(assignment=assignment, reason="Autre", by=setting.aract_reviewer)
    services.declare_conflict(assignment=assignment, reason="Ma sœur y travaille.", by=setting.ars_reviewer)
    assert list(assignments_of(setting.ars_reviewer)) == []
    event = AuditEvent.objects.get(action="review_conflict_declared")
    assert event.details["reason"] == "Ma sœur y travaille."
    with pytest.raises(Refusal, match="conflit"):
        services.assign(
            review=review,
            application=setting.applications[0],
            reviewer=setting.ars_reviewer,
            by=setting.manager,
        )


def test_a_conflict_with_the_legal_entity_covers_its_other_dossiers_even_unassigned(setting, verified_client):
    from capqvct.establishments.models import Establishment

    Establishment.objects.filter(pk__in=[a.establishment_id for a in setting.applications[:2]]).update(
        finess_ej="340099999"
    )
    review = opened(setting, reviewers_per_dossier=1)
    first = services.assign(
        review=review, application=setting.applications[0], reviewer=setting.ars_reviewer, by=setting.manager
    )
    client = verified_client(setting.ars_reviewer)
    response = client.post(
        reverse("review:conflict", args=[first.pk]),
        {
            "answer": "conflict",
            "reason": "J’ai conseillé l’association gestionnaire.",
            "scope": "legal_entity",
        },
        follow=True,
    )
    assert (
        "les dossiers de cet organisme gestionnaire ne vous seront pas confiés" in response.content.decode()
    )
    conflicted = Assignment.objects.filter(reviewer=setting.ars_reviewer, conflict_declared_at__isnull=False)
    assert set(conflicted.values_list("application", flat=True)) == {
        setting.applications[0].pk,
        setting.applications[1].pk,
    }
    events = AuditEvent.objects.filter(action="review_conflict_declared").order_by("pk")
    assert [e.details.get("legal_entity") for e in events] == [None, "340099999"]
    # Neither a manager nor the automatic assignment gives them the sibling dossier afterwards.
    with pytest.raises(Refusal, match="conflit"):
        services.assign(
            review=review,
            application=setting.applications[1],
            reviewer=setting.ars_reviewer,
            by=setting.manager,
        )
    services.assign_automatically(review=review, by=setting.manager)
    assert not Assignment.objects.filter(
        reviewer=setting.ars_reviewer,
        conflict_declared_at__isnull=True,
        application__in=setting.applications[:2],
    ).exists()


def test_a_missing_reason_keeps_the_chosen_scope(setting, verified_client):
    review = opened(setting)
    assignment = services.assign(
        review=review, application=setting.applications[0], reviewer=setting.ars_reviewer, by=setting.manager
    )
    page = (
        verified_client(setting.ars_reviewer)
        .post(
            reverse("review:conflict", args=[assignment.pk]),
            {"answer": "conflict", "reason": "", "scope": "legal_entity"},
        )
        .content.decode()
    )
    assert "Indiquez la nature du conflit d’intérêts." in page
    assert 'value="legal_entity" checked' in page


# Digest


def test_digest_is_sent_once_per_reviewer_with_what_was_not_notified(
    setting, django_capture_on_commit_callbacks
):
    review = opened(setting, blind_for_experts=True)
    expert = consultant("experte@exemple.fr")
    for application in setting.applications[:2]:
        services.assign(
            review=review, application=application, reviewer=setting.ars_reviewer, by=setting.manager
        )
    services.assign(review=review, application=setting.applications[0], reviewer=expert, by=setting.manager)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_daily_digests() == 2
    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    assert set(by_recipient) == {"instructeur@ars.fr", "experte@exemple.fr"}
    assert "2 dossiers vous ont été confiés" in by_recipient["instructeur@ars.fr"]
    assert "EHPAD Les Tilleuls 0" in by_recipient["instructeur@ars.fr"]
    assert "EHPAD Les Tilleuls" not in by_recipient["experte@exemple.fr"]
    assert f"dossier n° {setting.applications[0].pk}" in by_recipient["experte@exemple.fr"]
    # Through the outbox, caused by nobody (a scheduled round): a failure shows to the administrator.
    assert set(OutgoingEmail.objects.values_list("purpose", "caused_by", "status")) == {
        ("review.digest", None, "sent")
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_daily_digests() == 0
    assert mail.outbox == []


def test_digest_command_runs_the_task(setting, django_capture_on_commit_callbacks):
    review = opened(setting)
    services.assign(
        review=review, application=setting.applications[0], reviewer=setting.ars_reviewer, by=setting.manager
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_review_digests")
    assert [message.to for message in mail.outbox] == [["instructeur@ars.fr"]]
