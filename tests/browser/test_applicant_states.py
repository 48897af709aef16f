"""A director follows two dossiers in « Mes dossiers »: one with a question waiting, one selected."""

from datetime import timedelta

import pytest
from django.utils import timezone

from capqvct.accounts.models import Membership, Role
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls import services as call_services
from capqvct.review import decisions, exchanges
from capqvct.review.models import Outcome, Review
from capqvct.review.tests import test_decisions as shared
from tests.browser.test_whole_review import signed_in_page
from tests.factories import MembershipFactory, OrganisationFactory, published_call, region

pytestmark = pytest.mark.django_db(transaction=True)


def test_my_dossiers_shows_the_review_states(browser, live_server, look, django_capture_on_commit_callbacks):
    agency = OrganisationFactory(region=region("76", "Occitanie"), name="ARS Occitanie")
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation=agency).user
    first_call = published_call(
        manager, title="Accompagnement QVCT 2026", opens_at=shared.OPENS, closes_at=shared.CLOSES
    )
    second_call = published_call(
        manager, title="Démarche QVT Occitanie", opens_at=shared.OPENS, closes_at=shared.CLOSES
    )
    review = Review.objects.create(call=second_call, started_by=manager)
    questioned = shared.dossier(first_call, "EHPAD Les Tilleuls", director_email="direction@tilleuls.fr")
    director = Membership.objects.get(role=Role.DIRECTOR).user
    selected = Application.objects.create(
        call=second_call,
        establishment=questioned.establishment,
        status=ApplicationStatus.IN_REVIEW,
        form_version=call_services.current_form(second_call),
        submitted_at=shared.CLOSES,
    )
    next_week = timezone.localdate() + timedelta(days=7)
    exchanges.ask_for_information(
        application=questioned, question="Quel est l’effectif de nuit ?", reply_by=next_week, by=manager
    )
    shared.draft(selected, Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.notify_decisions(review=review, by=manager)

    page = signed_in_page(browser, live_server, director)
    page.goto("/dossiers/")
    page.get_by_role("link", name="Répondre à la question de l’agence").wait_for()
    assert page.get_by_text("Complément demandé").is_visible()
    assert page.get_by_text("Retenu", exact=True).is_visible()
    look(page, "applicant--my-dossiers-in-review")
