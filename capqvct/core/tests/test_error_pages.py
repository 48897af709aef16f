"""The error pages: French, in the DSFR look, with a way back; the 500 page needs no database."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils.functional import SimpleLazyObject

from capqvct.accounts.models import Role, User
from capqvct.core.errors import page_not_found, server_error
from tests.factories import MembershipFactory, login_verified
from tests.typography_check import typography_errors

ERROR_URLS = "capqvct.core.tests.error_urls"


def _page(response) -> str:
    html = response.content.decode()
    assert typography_errors(html) == []
    # The DSFR error pattern: the way home and to the contact page, and its pictogram.
    assert 'href="/">Page d’accueil</a>' in html
    assert 'href="/contact/">Nous contacter</a>' in html
    assert "fr-artwork" in html
    return html


def test_the_tests_run_as_production_does():
    # Django shows its own technical pages when DEBUG is on; these tests see what users see.
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_an_unknown_address_gives_the_french_404_page(client):
    response = client.get("/nulle-part/")

    assert response.status_code == 404
    html = _page(response)
    assert "<h1>Page non trouvée</h1>" in html
    assert "Erreur 404" in html
    assert "<title>Page non trouvée — Cap QVCT</title>" in html


@pytest.mark.django_db
def test_someone_elses_object_gives_the_same_404_page_as_a_missing_one(client, verified_client):
    agent = MembershipFactory(role=Role.PROGRAMME_MANAGER).user

    response = verified_client(agent).get("/compte/organisations/999999/")

    assert response.status_code == 404
    assert "<h1>Page non trouvée</h1>" in _page(response)


@pytest.mark.django_db
def test_a_refusal_gives_the_403_page_with_its_reason(client):
    director = MembershipFactory(organisation__establishment_space=True, role=Role.DIRECTOR).user
    client.force_login(director)

    response = client.get("/etablissements/")

    assert response.status_code == 403
    html = _page(response)
    assert "<h1>Accès refusé</h1>" in html
    assert "L’annuaire est réservé aux agents des agences et aux observateurs nationaux." in html


@pytest.mark.django_db
def test_a_post_only_address_opened_as_a_page_gives_the_405_page(client):
    director = MembershipFactory(organisation__establishment_space=True, role=Role.DIRECTOR).user
    client.force_login(director)

    response = client.get("/compte/deconnexion/")

    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    assert "<h1>Action impossible depuis cette adresse</h1>" in _page(response)
    # Still signed in: nothing was done.
    assert client.get("/compte/").status_code == 200


@pytest.mark.django_db
def test_the_api_keeps_its_own_answers(client):
    response = client.get("/api/v1/dossiers/1/depot")

    assert response.status_code == 405
    assert "Action impossible" not in response.content.decode()


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_gives_the_expired_form_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/compte/connexion/", {"username": "a@exemple.fr", "password": "x"})

    assert response.status_code == 403
    html = _page(response)
    assert "<h1>Formulaire expiré</h1>" in html
    assert "rechargez-la" in html


@pytest.mark.django_db
def test_a_request_for_another_host_gives_the_400_page(client):
    response = client.get("/", HTTP_HOST="ailleurs.example")

    assert response.status_code == 400
    assert "<h1>Demande incorrecte</h1>" in _page(response)


@pytest.mark.django_db
@pytest.mark.urls(ERROR_URLS)
def test_a_bug_in_a_view_gives_the_500_page_with_the_contact_address(settings):
    settings.CAPQVCT_CONTACT_EMAIL = "support@capqvct.example.gouv.fr"
    client = Client(raise_request_exception=False)

    response = client.get("/essais/panne/")

    assert response.status_code == 500
    html = _page(response)
    assert "<h1>Erreur inattendue</h1>" in html
    assert '<a href="mailto:support@capqvct.example.gouv.fr">support@capqvct.example.gouv.fr</a>' in html


@pytest.mark.django_db
@pytest.mark.urls(ERROR_URLS)
def test_a_signed_in_user_meets_the_same_500_page(verified_client):
    agent = MembershipFactory(role=Role.REVIEWER).user
    client = login_verified(Client(raise_request_exception=False), agent)

    response = client.get("/essais/base-indisponible/")

    assert response.status_code == 500
    html = _page(response)
    assert "<h1>Erreur inattendue</h1>" in html
    # Drawn without the request: nothing personal, not even the name of whoever is signed in.
    assert agent.email not in html


@pytest.mark.django_db
@pytest.mark.urls(ERROR_URLS)
def test_a_suspicious_request_gives_the_400_page():
    response = Client(raise_request_exception=False).get("/essais/requete-douteuse/")

    assert response.status_code == 400
    assert "<h1>Demande incorrecte</h1>" in _page(response)


def test_the_500_page_is_drawn_without_the_database(django_db_blocker):
    request = RequestFactory().get("/essais/panne/")

    with django_db_blocker.block():  # any query would raise here
        response = server_error(request)

    assert response.status_code == 500
    # The full page, not the bare fallback drawn when the template fails.
    assert "<h1>Erreur inattendue</h1>" in _page(response)


def test_the_500_page_falls_back_to_bare_french_when_its_template_fails(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "APP_DIRS": False, "DIRS": []}]

    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "<h1>Erreur inattendue</h1>" in response.content.decode()


def test_a_404_while_the_database_is_down_still_gives_the_french_page(django_db_blocker):
    request = RequestFactory().get("/nulle-part/")
    # The menu reads the signed-in user from the session's database: here, that read fails.
    request.user = SimpleLazyObject(lambda: User.objects.get(pk=1))

    with django_db_blocker.block():
        response = page_not_found(request)

    assert response.status_code == 404
    assert "<h1>Page non trouvée</h1>" in _page(response)
