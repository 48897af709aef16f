import pytest
from django.core import mail
from playwright.sync_api import expect

from capqvct.accounts.models import Role
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls import services as call_services
from capqvct.calls.formdef.templates_library import standard_qvct_application
from tests.factories import (
    PASSWORD,
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    departement,
    region,
)
from tests.permissions.world import published_call

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_director_fills_in_saves_and_submits_a_dossier(page, look):
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user
    call = published_call(manager)
    space = OrganisationFactory(establishment_space=True)
    EstablishmentFactory(name="EHPAD Les Cigales", departement=departement("34"), organisation=space)
    director = MembershipFactory(
        role=Role.DIRECTOR, organisation=space, user__email="directrice@cigales.fr"
    ).user

    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(director.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.goto(f"/appels/{call.pk}/")
    look(page, "appel-public")
    page.get_by_role("link", name="Déposer un dossier").click()
    page.get_by_role("button", name="Commencer le dossier").click()
    look(page, "dossier-brouillon")

    page.get_by_label("Motivation").fill("Réduire les glissements de tâches la nuit.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Brouillon enregistré.")).to_be_visible()
    page.get_by_role("button", name="Déposer le dossier").click()

    expect(page.get_by_text("l’accusé de réception vous est envoyé par e-mail")).to_be_visible()
    look(page, "mes-dossiers")
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED
    assert mail.outbox[-1].attachments[0][2] == "application/pdf"


def test_the_standard_qvct_form_as_an_applicant_sees_it(page, look):
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user
    call = published_call(manager)
    call_services.save_form(call=call, definition=standard_qvct_application().to_json(), by=manager)
    space = OrganisationFactory(establishment_space=True)
    EstablishmentFactory(name="EHPAD Les Cigales", departement=departement("34"), organisation=space)
    director = MembershipFactory(role=Role.DIRECTOR, organisation=space).user

    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(director.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"/dossiers/nouveau/{call.pk}/")
    page.get_by_role("button", name="Commencer le dossier").click()
    page.get_by_role("button", name="Déposer le dossier").click()

    expect(page.get_by_text("corrigez les champs signalés")).to_be_visible()
    look(page, "dossier-qvct-erreurs")
