"""The establishment's identity comes from the directory; the FINESS numbers typed are checked."""

from datetime import timedelta
from unittest.mock import patch

import pytest
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.applications import services
from capqvct.applications.models import Application
from capqvct.applications.receipts import receipt_pdf
from capqvct.calls import services as call_services
from capqvct.calls.formdef.templates_library import standard_qvct_application
from tests import factories
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory, departement, region
from tests.permissions.world import published_call

pytestmark = pytest.mark.django_db

IDENTITY = {
    "key": "structure",
    "title": "Structure",
    "description": "",
    "fields": [
        {"key": "name", "kind": "short_text", "label": "Nom de la structure", "from_directory": "name"},
        {"key": "finess", "kind": "establishment", "label": "Numéro FINESS", "from_directory": "finess"},
    ],
}
PARTNERS = {
    "key": "partners",
    "title": "Partenaires",
    "description": "",
    "fields": [
        {"key": "partner_finess", "kind": "establishment", "label": "FINESS de l’établissement partenaire"}
    ],
}


@pytest.fixture
def call():
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user
    call = published_call(manager)
    definition = standard_qvct_application().to_json()
    definition["sections"].append(PARTNERS)
    call_services.save_form(call=call, definition=definition, by=manager)
    return call


@pytest.fixture
def cigales():
    return EstablishmentFactory(
        name="EHPAD Les Cigales",
        finess_et="340780477",
        address="12 RUE DES CIGALES",
        city_label="34000 MONTPELLIER",
        departement=departement("34"),
        organisation=OrganisationFactory(establishment_space=True),
    )


@pytest.fixture
def director(client, cigales):
    user = MembershipFactory(role=Role.DIRECTOR, organisation=cigales.organisation).user
    client.force_login(user)
    return user


@pytest.fixture
def dossier(call, cigales, director):
    return services.start_application(call=call, establishment=cigales, by=director)


def save(client, dossier, **answers):
    data = {"lock_version": dossier.lock_version, "save": ""}
    data.update({f"answers.{key}": value for key, value in answers.items()})
    return client.post(f"/dossiers/{dossier.pk}/", data)


def test_a_new_dossier_holds_the_name_finess_and_address_of_the_directory(dossier):
    assert dossier.answers == {
        "structure_name": "EHPAD Les Cigales",
        "finess_et": "340780477",
        "postal_address": "12 RUE DES CIGALES\n34000 MONTPELLIER",
    }


def test_the_identity_is_shown_as_text_not_as_inputs(client, dossier):
    body = client.get(f"/dossiers/{dossier.pk}/").content.decode()

    assert 'name="answers.structure_name"' not in body
    assert 'name="answers.finess_et"' not in body
    assert 'name="answers.postal_address"' not in body
    assert "12 RUE DES CIGALES<br>34000 MONTPELLIER" in body
    assert "Repris du répertoire FINESS" in body


def test_the_server_ignores_identity_values_posted(client, dossier):
    save(client, dossier, structure_name="Autre nom", finess_et="010000024", postal_address="ailleurs")

    dossier.refresh_from_db()
    assert dossier.answers["structure_name"] == "EHPAD Les Cigales"
    assert dossier.answers["finess_et"] == "340780477"
    assert dossier.answers["postal_address"] == "12 RUE DES CIGALES\n34000 MONTPELLIER"


def test_an_address_the_directory_lacks_is_typed_by_the_applicant(client, call, director, cigales):
    cigales.address = cigales.city_label = ""
    cigales.save()
    dossier = services.start_application(call=call, establishment=cigales, by=director)

    body = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    save(client, dossier, postal_address="1 place de la Comédie")

    assert 'name="answers.postal_address"' in body
    dossier.refresh_from_db()
    assert dossier.answers["postal_address"] == "1 place de la Comédie"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("34078047", "Le numéro FINESS doit compter 9\u00a0caractères."),
        ("340780478", "La clé du numéro FINESS est fausse\u00a0: vérifiez la saisie."),
        ("010000024", "Ce numéro FINESS n’est pas dans le répertoire des établissements."),
    ],
)
def test_a_finess_number_typed_is_checked_at_its_field_and_kept(client, dossier, typed, message):
    response = save(client, dossier, partner_finess=typed, email="direction@cigales.fr")

    body = response.content.decode()
    assert message in body
    assert f'value="{typed}"' in body
    dossier.refresh_from_db()
    assert dossier.answers["partner_finess"] == typed
    assert dossier.answers["email"] == "direction@cigales.fr"


def test_a_finess_number_of_the_directory_is_accepted(client, dossier):
    EstablishmentFactory(finess_et="2A0000170", departement=departement("34"))

    response = save(client, dossier, partner_finess="2a 000 017 0")

    assert "Brouillon enregistré." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.answers["partner_finess"] == "2a 000 017 0"


def test_a_submission_with_a_finess_number_outside_the_directory_is_refused(client, dossier, director):
    dossier.answers = {**dossier.answers, "partner_finess": "010000024"}
    dossier.save()

    with pytest.raises(services.InvalidAnswers) as refusal:
        services.submit_application(application=dossier, by=director)

    assert refusal.value.errors["partner_finess"] == [
        "Ce numéro FINESS n’est pas dans le répertoire des établissements."
    ]
    assert not Application.objects.get().submissions.exists()


def test_the_receipt_names_the_finess_number_once(cigales, director):
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user
    now = timezone.now()
    small = factories.published_call(
        manager,
        definition={"format": 1, "sections": [IDENTITY]},
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
    )
    dossier = services.start_application(call=small, establishment=cigales, by=director)
    submission = services.submit_application(application=dossier, by=director)

    with patch("capqvct.applications.receipts.render_pdf", side_effect=lambda html: html):
        html = receipt_pdf(submission)

    assert html.count("340780477") == 1
    assert "Nom de la structure" in html
