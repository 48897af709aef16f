"""The decisions pages: managers draft, confirm and notify; applicants read their own decision only."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from capqvct.accounts.models import Role
from capqvct.review import decisions
from capqvct.review.models import Assignment, Criterion, Decision, Outcome, Score
from capqvct.review.selectors import local_today, notification_warning
from capqvct.review.tests import test_decisions as shared
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, region

pytestmark = pytest.mark.django_db

# The call, its agency, manager and review, and the dossier helpers of the services' tests.
agency, manager, call, review = shared.agency, shared.manager, shared.call, shared.review
dossier, draft = shared.dossier, shared.draft


def page_url(call) -> str:
    return f"/instruction/decisions/appels/{call.pk}/"


@pytest.fixture
def client(verified_client, manager):
    return verified_client(manager)


def test_the_page_lists_dossiers_counts_and_places(client, call, review, manager):
    draft(dossier(call, "EHPAD Les Tilleuls"), Outcome.SELECTED, manager)
    dossier(call, "SSIAD de l’Aude")

    page = client.get(page_url(call)).content.decode()

    assert "1 retenu pour 2 places" in page
    assert "EHPAD Les Tilleuls" in page and "SSIAD de l’Aude" in page
    assert "Confirmer en commission" in page
    assert "Sans décision confirmée&nbsp;: 2 sur 2" in page


def test_drafting_then_confirming_over_the_places_through_the_page(client, call, review, manager):
    applications = [dossier(call, name) for name in ("A", "B", "C")]
    response = client.post(
        page_url(call),
        {
            f"d{application.pk}-{name}": value
            for application in applications
            for name, value in (("outcome", "selected"), ("reason", "Projet solide."), ("waiting_rank", ""))
        },
    )
    assert response.status_code == 302
    page = client.get(page_url(call)).content.decode()
    assert "un motif de dépassement sera demandé" in page

    refused = client.post(f"{page_url(call)}commission/").content.decode()
    assert "3 dossiers seraient retenus pour 2 places" in refused

    client.post(f"{page_url(call)}commission/", {"places_override_reason": "Enveloppe abondée."})
    assert Decision.objects.filter(confirmed_at__isnull=False).count() == 3


def test_a_refused_draft_is_shown(client, call, review):
    application = dossier(call, "A")

    page = client.post(
        page_url(call), {f"d{application.pk}-outcome": "selected", f"d{application.pk}-reason": ""}
    ).content.decode()

    assert "Écrivez le motif adressé au candidat." in page
    assert not Decision.objects.exists()


def test_notifying_shows_who_was_notified_and_the_failures_with_retry(
    client, call, review, manager, mailoutbox, django_capture_on_commit_callbacks
):
    draft(dossier(call, "A", director_email="direction@a.fr"), Outcome.SELECTED, manager)
    draft(dossier(call, "B"), Outcome.NOT_SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager, now=shared.COMMISSION)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{page_url(call)}notifier/")

    page = client.get(page_url(call)).content.decode()
    assert "1 / 2</strong> décisions notifiées, 1 en échec" in page
    assert "Notifiée le" in page
    assert "Aucune adresse e-mail connue pour cet établissement." in page
    assert "Renvoyer" in page
    assert 'hx-trigger="every 2s"' not in page


def test_the_progress_is_polled_while_letters_are_pending(client, call, review, manager):
    draft(dossier(call, "A", director_email="direction@a.fr"), Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    # Queued after the commit, which this test's transaction never reaches: the letter stays pending.
    decisions.notify_decisions(review=review, by=manager)

    fragment = client.get(f"{page_url(call)}avancement/").content.decode()

    assert 'hx-trigger="every 2s"' in fragment
    assert "0 / 1</strong> décision notifiée, 1 en cours d’envoi" in fragment


def test_changing_a_confirmed_decision_through_its_page(client, call, review, manager):
    decision = draft(dossier(call, "A"), Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    url = f"/instruction/decisions/{decision.pk}/modifier/"
    assert client.get(url).status_code == 200

    refused = client.post(url, {"outcome": "not_selected", "reason": "Budget"}).content.decode()
    assert "Ce champ est obligatoire." in refused

    response = client.post(
        url, {"outcome": "not_selected", "reason": "Budget épuisé.", "change_reason": "Erreur de saisie."}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.outcome, decision.reason) == (Outcome.NOT_SELECTED, "Budget épuisé.")


def test_a_manager_of_another_region_gets_a_404(verified_client, call, review):
    other = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation=OrganisationFactory(region=region("84", "Auvergne"))
    ).user

    assert verified_client(other).get(page_url(call)).status_code == 404


# The announced notification date


@pytest.mark.parametrize(
    ("days", "undecided", "expected"),
    [
        (8, 3, ""),
        (
            7,
            3,
            "La date annoncée de notification est dans 7 jours et 3 dossiers n’ont pas de décision "
            "confirmée.",
        ),
        (
            1,
            1,
            "La date annoncée de notification est dans 1 jour et 1 dossier n’a pas de décision confirmée.",
        ),
        (
            0,
            2,
            "La date annoncée de notification est aujourd’hui et 2 dossiers n’ont pas de décision confirmée.",
        ),
        (
            -2,
            2,
            "La date annoncée de notification est dépassée et 2 dossiers n’ont pas de décision confirmée.",
        ),
        (3, 0, ""),
    ],
)
def test_the_warning_when_the_announced_date_is_close(call, days, undecided, expected):
    today = date(2026, 11, 23)
    call.notification_on = today + timedelta(days=days)

    assert notification_warning(call, undecided=undecided, today=today) == expected


def test_the_page_warns_when_the_announced_date_is_close(client, call, review):
    call.notification_on = local_today(call) + timedelta(days=3)
    call.save()
    dossier(call, "A")

    page = client.get(page_url(call)).content.decode()

    assert "Date de notification proche" in page


def test_the_review_dashboard_warns_too_until_every_decision_is_confirmed(client, call, review, manager):
    call.notification_on = local_today(call) + timedelta(days=2)
    call.save()
    application = dossier(call, "A")
    dashboard = reverse("review:dashboard", args=[call.pk])

    page = client.get(dashboard).content.decode()
    assert "La date annoncée de notification est dans 2 jours et 1 dossier n’a pas de décision" in page

    draft(application, Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    assert "La date annoncée de notification" not in client.get(dashboard).content.decode()


# The applicant


@pytest.fixture
def applicant_dossier(call):
    return dossier(call, "EHPAD Les Tilleuls", director_email="direction@tilleuls.fr")


@pytest.fixture
def director(applicant_dossier):
    return applicant_dossier.establishment.organisation.memberships.get().user


def test_the_applicant_sees_in_review_until_notified(
    client, call, review, manager, applicant_dossier, director
):
    draft(applicant_dossier, Outcome.SELECTED, manager, reason="Motif encore secret")
    decisions.confirm_decisions(review=review, by=manager)
    applicant = client.__class__()
    applicant.force_login(director)

    page = applicant.get(f"/instruction/decisions/dossier/{applicant_dossier.pk}/").content.decode()

    assert "En instruction" in page
    assert "Motif encore secret" not in page
    assert applicant.get(f"/instruction/decisions/dossier/{applicant_dossier.pk}/lettre/").status_code == 404


def test_the_applicant_reads_and_downloads_their_decision_but_never_scores(
    client, call, review, manager, applicant_dossier, director, django_capture_on_commit_callbacks
):
    criterion = Criterion.objects.create(review=review, label="Projet")
    assignment = Assignment.objects.create(application=applicant_dossier, reviewer=UserFactory())
    Score.objects.create(
        assignment=assignment, criterion=criterion, value=3, comment="Commentaire d’instructeur"
    )
    draft(applicant_dossier, Outcome.WAITING_LIST, manager, reason="Places épuisées.")
    decisions.confirm_decisions(review=review, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.notify_decisions(review=review, by=manager)
    applicant = client.__class__()
    applicant.force_login(director)

    page = applicant.get(f"/instruction/decisions/dossier/{applicant_dossier.pk}/").content.decode()
    letter = applicant.get(f"/instruction/decisions/dossier/{applicant_dossier.pk}/lettre/")

    assert "Liste d’attente" in page and "rang 1" in page and "Places épuisées." in page
    assert "Commentaire d’instructeur" not in page and "Projet" not in page
    assert letter.status_code == 200
    assert b"".join(letter.streaming_content).startswith(b"%PDF")


def test_an_applicant_never_sees_another_establishment_s_decision(
    client, call, review, manager, applicant_dossier, django_capture_on_commit_callbacks
):
    other = dossier(call, "SSIAD de l’Aude", director_email="direction@aude.fr")
    draft(other, Outcome.SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.notify_decisions(review=review, by=manager)
    stranger = client.__class__()
    stranger.force_login(applicant_dossier.establishment.organisation.memberships.get().user)

    assert stranger.get(f"/instruction/decisions/dossier/{other.pk}/").status_code == 404
    assert stranger.get(f"/instruction/decisions/dossier/{other.pk}/lettre/").status_code == 404
