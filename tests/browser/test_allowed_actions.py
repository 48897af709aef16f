"""Pages offer the actions the state allows, say why one is refused, and refuse in words an action
taken from a page that is no longer true."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.api.tests.test_calls_api import draft_call
from capqvct.applications import services as application_services
from capqvct.review import decisions, services
from capqvct.review.models import Outcome, Review
from capqvct.review.services import CriterionInput
from capqvct.review.tests import test_decisions as shared
from capqvct.review.tests.test_assignment import Setting, opened
from tests.browser.test_whole_review import signed_in_page
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    departement,
    published_call,
    region,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def manager():
    region("76", "Occitanie")
    departement("34", "Hérault", "76")
    agency = OrganisationFactory(region=region("76"), name="ARS Occitanie")
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation=agency, user__last_name="Martin").user


def test_a_call_whose_deadline_has_passed_says_why_it_cannot_be_published(
    browser, live_server, look, manager
):
    call = draft_call(
        manager,
        title="Démarche QVT 2025",
        opens_at=datetime(2025, 9, 1, 6, 0, tzinfo=UTC),
        closes_at=datetime(2025, 10, 15, 21, 59, 59, tzinfo=UTC),
    )

    page = signed_in_page(browser, live_server, manager)
    page.goto(f"/appels/gestion/{call.pk}/")

    button = page.get_by_role("button", name="Publier l’appel")
    assert button.is_disabled()
    assert page.get_by_text("La date limite de dépôt est passée").is_visible()
    look(page, "calls--publication-refused")


def test_after_the_deadline_the_dossier_says_why_it_cannot_be_submitted(browser, live_server, look, manager):
    now = timezone.now()
    call = published_call(
        manager,
        title="Démarche QVT 2026",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=1),
    )
    space = OrganisationFactory(establishment_space=True, name="Espace EHPAD Les Cigales")
    director = MembershipFactory(role=Role.DIRECTOR, organisation=space).user
    establishment = EstablishmentFactory(
        name="EHPAD Les Cigales", departement=departement("34"), organisation=space
    )
    dossier = application_services.start_application(
        call=call, establishment=establishment, by=director, now=now - timedelta(days=10)
    )

    page = signed_in_page(browser, live_server, director)
    page.goto(f"/dossiers/{dossier.pk}/")

    assert page.get_by_text("Le dépôt est clos depuis").is_visible()
    assert page.get_by_role("button", name="Déposer le dossier").count() == 0
    assert page.get_by_role("button", name="Retirer la candidature").is_visible()
    look(page, "applicant--dossier-after-deadline")


def test_reopening_from_a_page_read_before_a_withdrawal_is_refused_in_words(
    browser, live_server, look, manager
):
    now = timezone.now()
    call = published_call(
        manager,
        title="Démarche QVT 2026",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
    )
    space = OrganisationFactory(establishment_space=True, name="Espace EHPAD Les Cigales")
    director = MembershipFactory(role=Role.DIRECTOR, organisation=space).user
    establishment = EstablishmentFactory(
        name="EHPAD Les Cigales", departement=departement("34"), organisation=space
    )
    dossier = application_services.start_application(call=call, establishment=establishment, by=director)
    application_services.save_draft(
        application=dossier,
        answers={"motivation": "Prendre soin des équipes."},
        by=director,
        expected_version=0,
    )
    application_services.submit_application(application=dossier, by=director)

    page = signed_in_page(browser, live_server, director)
    page.goto(f"/dossiers/{dossier.pk}/")
    page.get_by_role("link", name="Rouvrir le dossier pour le modifier").click()
    reopen = page.get_by_role("button", name="Rouvrir le dossier pour le modifier")
    reopen.wait_for()
    # A colleague withdraws the candidacy while the confirmation page is open.
    application_services.withdraw_application(application=dossier, by=director)
    reopen.click()

    page.get_by_text("Seul un dossier déposé peut être rouvert.").wait_for()
    assert page.get_by_role("button", name="Rouvrir le dossier pour le modifier").count() == 0
    assert page.get_by_role("link", name="Rouvrir le dossier pour le modifier").count() == 0
    look(page, "applicant--reopen-refused-after-withdrawal")


def test_a_reviewer_reads_where_each_dossier_stands(browser, live_server, look):
    setting = Setting(dossiers=3)
    review = opened(setting)
    (criterion,) = services.set_grid(
        review=review, criteria=[CriterionInput("Portage", 1, 4)], by=setting.manager
    )
    reviewer = setting.ars_reviewer
    given = [
        services.assign(review=review, application=application, reviewer=reviewer, by=setting.manager)
        for application in setting.applications
    ]
    services.declare_no_conflict(assignment=given[1], by=reviewer)
    services.declare_no_conflict(assignment=given[2], by=reviewer)
    services.save_scores(assignment=given[2], values={criterion.pk: (3, "")}, by=reviewer)
    services.submit_scores(assignment=given[2], by=reviewer)

    page = signed_in_page(browser, live_server, reviewer)
    page.goto("/instruction/mes-dossiers/")

    for badge in ("Conflit d’intérêts à déclarer", "À noter", "Notation remise"):
        assert page.get_by_text(badge, exact=True).is_visible()
    look(page, "reviewer--my-assignments-states")


def test_the_decisions_page_offers_a_change_and_a_new_sending_where_they_apply(
    browser, live_server, look, django_capture_on_commit_callbacks
):
    agency = OrganisationFactory(region=region("76", "Occitanie"), name="ARS Occitanie")
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation=agency).user
    call = published_call(
        manager, title="Accompagnement QVCT 2026", opens_at=shared.OPENS, closes_at=shared.CLOSES
    )
    review = Review.objects.create(call=call, started_by=manager)
    sent = shared.dossier(call, "EHPAD Les Tilleuls", director_email="direction@tilleuls.fr")
    unreachable = shared.dossier(call, "SSIAD du Lez")  # no one to write to: the sending fails
    drafted = shared.dossier(call, "EHPAD Les Cigales", director_email="direction@cigales.fr")
    shared.draft(sent, Outcome.SELECTED, manager)
    shared.draft(unreachable, Outcome.NOT_SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.notify_decisions(review=review, by=manager)
    shared.draft(drafted, Outcome.WAITING_LIST, manager)

    page = signed_in_page(browser, live_server, manager)
    page.goto(f"/instruction/decisions/appels/{call.pk}/")

    assert page.get_by_role("link", name="Modifier la décision de EHPAD Les Tilleuls").is_visible()
    assert page.get_by_role("button", name="Renvoyer SSIAD du Lez").is_visible()
    assert page.get_by_role("button", name="Renvoyer EHPAD Les Tilleuls").count() == 0
    assert page.get_by_label("Décision (projet) pour EHPAD Les Cigales").is_visible()
    assert page.get_by_label("Décision (projet) pour EHPAD Les Tilleuls").count() == 0
    look(page, "manager--decisions-actions")


def test_a_reviewer_who_read_the_dossier_may_still_declare_a_conflict(browser, live_server, look):
    setting = Setting(dossiers=1)
    review = opened(setting)
    (criterion,) = services.set_grid(
        review=review, criteria=[CriterionInput("Portage", 1, 4)], by=setting.manager
    )
    reviewer = setting.ars_reviewer
    assignment = services.assign(
        review=review, application=setting.applications[0], reviewer=reviewer, by=setting.manager
    )
    services.declare_no_conflict(assignment=assignment, by=reviewer)
    services.save_scores(assignment=assignment, values={criterion.pk: (2, "Brouillon")}, by=reviewer)

    page = signed_in_page(browser, live_server, reviewer)
    page.goto(f"/instruction/mes-dossiers/{assignment.pk}/")
    page.get_by_role("link", name="Déclarer un conflit d’intérêts avec ce dossier").click()
    assert page.get_by_role("button", name="Je n’ai pas de conflit d’intérêts").count() == 0
    page.get_by_label("Nature du conflit").fill("Ma sœur y a été embauchée le mois dernier.")
    look(page, "reviewer--conflict-after-reading")
    page.get_by_role("button", name="Je déclare un conflit").click()

    page.get_by_text("Conflit d’intérêts enregistré").wait_for()
    assignment.refresh_from_db()
    assert (assignment.state, assignment.scores.count()) == ("conflict", 0)
