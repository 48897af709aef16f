from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls import services as call_services
from capqvct.calls.formdef.templates_library import standard_qvct_application
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory, departement, region
from tests.permissions.world import published_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user
    call = published_call(manager)
    call_services.save_form(call=call, definition=standard_qvct_application().to_json(), by=manager)
    return call


@pytest.fixture
def director(client):
    space = OrganisationFactory(establishment_space=True)
    user = MembershipFactory(role=Role.DIRECTOR, organisation=space, user__email="dir@ehpad.fr").user
    EstablishmentFactory(name="EHPAD Les Cigales", departement=departement("34"), organisation=space)
    client.force_login(user)
    return user


def _start(client, call) -> Application:
    page = client.get(f"/dossiers/nouveau/{call.pk}/")
    assert "EHPAD Les Cigales" in page.content.decode()
    value = page.context["establishments"][0].pk
    response = client.post(f"/dossiers/nouveau/{call.pk}/", {"establishment": value})
    assert response.status_code == 302
    return Application.objects.get()


def test_a_director_starts_a_dossier_from_the_call_page(client, director, call):
    assert "Déposer un dossier" in client.get(f"/appels/{call.pk}/").content.decode()
    application = _start(client, call)
    page = client.get(f"/dossiers/{application.pk}/")
    assert "Trinôme" in page.content.decode()


def test_an_invalid_email_is_kept_as_typed_with_its_error(client, director, call):
    application = _start(client, call)
    response = client.post(
        f"/dossiers/{application.pk}/",
        {"lock_version": application.lock_version, "answers.email": "pas-une-adresse", "save": ""},
    )
    body = response.content.decode()
    assert "pas-une-adresse" in body
    assert "fr-input-group--error" in body
    application.refresh_from_db()
    assert application.answers["email"] == "pas-une-adresse"


def test_submitting_an_incomplete_dossier_lists_what_is_missing_and_keeps_the_draft(client, director, call):
    application = _start(client, call)
    response = client.post(f"/dossiers/{application.pk}/", {"lock_version": 0, "submit": ""})
    assert "corrigez les champs signalés" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_a_page_loaded_before_a_colleagues_save_does_not_overwrite_it(client, director, call):
    application = _start(client, call)
    client.post(
        f"/dossiers/{application.pk}/", {"lock_version": 0, "answers.email": "a@ehpad.fr", "save": ""}
    )
    response = client.post(
        f"/dossiers/{application.pk}/", {"lock_version": 0, "answers.email": "b@ehpad.fr", "save": ""}
    )
    assert "Un collègue a enregistré ce dossier" in response.content.decode()
    application.refresh_from_db()
    assert application.answers["email"] == "a@ehpad.fr"


def test_someone_elses_dossier_is_not_found(client, call, director):
    application = _start(client, call)
    other = MembershipFactory(
        role=Role.DIRECTOR, organisation=OrganisationFactory(establishment_space=True)
    ).user
    client.force_login(other)
    assert client.get(f"/dossiers/{application.pk}/").status_code == 404
    assert client.get(f"/dossiers/{application.pk}/depots/1/accuse-reception.pdf").status_code == 404
    assert mail.outbox == []


def test_my_applications_lists_state_and_next_step(client, director, call):
    _start(client, call)
    body = client.get("/dossiers/").content.decode()
    assert "Brouillon" in body
    assert "Compléter et déposer le dossier" in body
    assert call.closes_at > timezone.now() + timedelta(days=1)
