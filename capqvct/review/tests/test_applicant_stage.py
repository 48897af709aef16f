"""What the applicant reads of their dossier during the review: « Complément demandé » while a
question waits, the notified decision after, in « Mes dossiers » and on the dossier."""

import pytest
from django.urls import reverse

from capqvct.api.tests.conftest import bearer, token_of
from capqvct.applications import services as application_services
from capqvct.applications.models import ApplicantStage, Application
from capqvct.review import decisions, exchanges
from capqvct.review.models import Decision, Outcome
from capqvct.review.tests import test_decisions as shared
from capqvct.review.tests import test_exchanges as exchange_tests
from capqvct.review.tests.test_exchanges import NOW, ask

pytestmark = pytest.mark.django_db

agency, manager, call, review = shared.agency, shared.manager, shared.call, shared.review
director = exchange_tests.director


@pytest.fixture
def application(call):
    return shared.dossier(call, "EHPAD Les Tilleuls", director_email="direction@tilleuls.fr")


def my_dossiers(client) -> str:
    return client.get(reverse("applications:mine")).content.decode()


def test_a_question_shows_complement_demande_until_every_one_is_answered(
    application, manager, director, verified_client
):
    first = ask(application, manager)
    second = ask(application, manager, question="Qui porte le projet ?")
    application.refresh_from_db()
    assert application.state_for_applicant == "Complément demandé"
    page = my_dossiers(verified_client(director))
    assert "Complément demandé" in page
    assert (
        f'href="/instruction/echanges/dossier/{application.pk}/">Répondre à la question de l’agence' in page
    )

    exchanges.answer_information_request(request=first, answer="52 salariés.", by=director, now=NOW)
    application.refresh_from_db()
    assert application.applicant_stage == ApplicantStage.INFORMATION_REQUESTED
    exchanges.answer_information_request(request=second, answer="La directrice.", by=director, now=NOW)
    application.refresh_from_db()
    assert application.state_for_applicant == "En instruction"
    assert "Dossier en instruction : la décision vous sera notifiée" in my_dossiers(verified_client(director))


@pytest.mark.parametrize(
    ("outcome", "rank", "shown"),
    [
        (Outcome.SELECTED, None, "Retenu"),
        (Outcome.WAITING_LIST, 1, "Liste d’attente"),
        (Outcome.NOT_SELECTED, None, "Non retenu"),
        (Outcome.INELIGIBLE, None, "Non retenu"),
    ],
)
def test_the_decision_shows_once_notified_not_before(
    call,
    review,
    manager,
    application,
    director,
    verified_client,
    outcome,
    rank,
    shown,
    django_capture_on_commit_callbacks,
):
    shared.draft(application, outcome, manager, rank=rank)
    decisions.confirm_decisions(review=review, by=manager, now=shared.COMMISSION)
    client = verified_client(director)
    # Confirmed in commission but not yet sent: the applicant still reads « En instruction ».
    assert shown not in my_dossiers(client)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.notify_decisions(review=review, by=manager)
    application.refresh_from_db()
    assert application.state_for_applicant == shown
    page = my_dossiers(client)
    assert shown in page
    assert f'href="/instruction/decisions/dossier/{application.pk}/">Lire la lettre de décision' in page


def test_a_changed_decision_waits_for_its_new_letter_and_a_withdrawal_says_retire(
    call, review, manager, application, director, django_capture_on_commit_callbacks, settings
):
    shared.draft(application, Outcome.WAITING_LIST, manager, rank=1)
    decisions.confirm_decisions(review=review, by=manager, now=shared.COMMISSION)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.notify_decisions(review=review, by=manager)
    # The e-mail cannot leave: the change is recorded, the old state no longer shown.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_PORT = 9
    with django_capture_on_commit_callbacks(execute=True):
        decisions.change_decision(
            decision=Decision.objects.get(application=application),
            outcome=Outcome.SELECTED,
            reason="Une place s’est libérée.",
            change_reason="Désistement",
            by=manager,
        )
    application.refresh_from_db()
    assert application.state_for_applicant == "En instruction"
    application_services.withdraw_application(
        application=Application.objects.get(pk=application.pk), by=director
    )
    application.refresh_from_db()
    assert application.state_for_applicant == "Retiré"


def test_the_api_gives_the_applicant_the_same_state(application, manager, director, client):
    ask(application, manager)
    response = client.get(f"/api/v1/dossiers/{application.pk}", headers=bearer(token_of(director)))
    assert response.status_code == 200
    assert (response.json()["status_label"], response.json()["state_for_applicant"]) == (
        "En instruction",
        "Complément demandé",
    )
