"""The Django admin lists users, organisations, memberships, claims and calls in French."""

import pytest
from django.apps import apps

from capqvct.accounts.models import OrganisationKind, Role
from capqvct.establishments import services as establishment_services
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory, UserFactory, region
from tests.permissions.world import published_call

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    ("accounts/user", "utilisateurs", "?q=claire&is_active__exact=1"),
    ("accounts/organisation", "organisations", "?q=ARS&kind__exact=ars"),
    ("accounts/membership", "appartenances", "?q=claire&role__exact=programme_manager"),
    ("accounts/invitation", "invitations", "?q=exemple&role__exact=reviewer"),
    ("establishments/establishment", "établissements", "?q=Cigales"),
    ("establishments/claim", "demandes de rattachement", "?status__exact=pending"),
    ("calls/programme", "programmes", "?q=OMEGA"),
    ("calls/call", "appels", "?status__exact=published"),
]


@pytest.fixture
def admin_client(verified_client):
    admin = UserFactory(email="admin@capqvct.exemple.fr", is_superuser=True, is_staff=True)
    manager = MembershipFactory(
        role=Role.PROGRAMME_MANAGER,
        organisation=OrganisationFactory(
            kind=OrganisationKind.ARS, region=region("76"), name="ARS Occitanie"
        ),
        user__email="claire@ars.exemple.fr",
    ).user
    published_call(manager)
    establishment_services.request_claim(
        establishment=EstablishmentFactory(name="EHPAD Les Cigales"),
        user=UserFactory(),
        function="Directrice",
    )
    return verified_client(admin)


def test_the_index_is_in_french_with_every_part_of_the_platform(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "Cap QVCT — administration" in page
    assert "Comptes et organisations" in page and "Établissements" in page
    for label in (
        "Utilisateurs",
        "Organisations",
        "Appartenances",
        "Invitations",
        "Demandes de rattachement",
    ):
        assert label in page
    assert "Site administration" not in page and "Groups" not in page


@pytest.mark.parametrize(("model", "title", "query"), CHANGELISTS)
def test_each_list_searches_and_filters_in_french(admin_client, model, title, query):
    response = admin_client.get(f"/admin/{model}/{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rechercher" in page or "Filtre" in page
    assert title in page.lower()


def test_a_user_is_read_with_their_memberships_and_can_be_deactivated(admin_client):
    from capqvct.accounts.models import User

    claire = User.objects.get(email="claire@ars.exemple.fr")
    page = admin_client.get(f"/admin/accounts/user/{claire.pk}/change/").content.decode()
    assert "Responsable de programme" in page and "ARS Occitanie" in page
    assert admin_client.get("/admin/accounts/user/add/").status_code == 200


def test_memberships_claims_and_calls_are_read_only_here(admin_client):
    # Roles, claims and calls change through the product's pages, which check rules and audit.
    assert admin_client.get("/admin/accounts/membership/add/").status_code == 403
    assert admin_client.get("/admin/establishments/claim/add/").status_code == 403
    assert admin_client.get("/admin/accounts/organisation/add/").status_code == 403


@pytest.mark.parametrize("app_label", ["accounts", "establishments"])
def test_model_and_field_names_use_curly_apostrophes(app_label):
    names = [
        str(name)
        for model in apps.get_app_config(app_label).get_models()
        for name in (
            model._meta.verbose_name,
            model._meta.verbose_name_plural,
            *(field.verbose_name for field in model._meta.get_fields() if hasattr(field, "verbose_name")),
        )
    ]
    assert [name for name in names if "'" in name] == []


def test_list_columns_are_named_in_french(admin_client):
    memberships = admin_client.get("/admin/accounts/membership/").content.decode()
    claims = admin_client.get("/admin/establishments/claim/").content.decode()
    for column in ("Utilisateur", "Organisation", "Rôle", "Depuis le"):
        assert f">{column}</a>" in memberships
    for column in ("Établissement", "Demandeur", "Fonction", "État", "Demandée le", "Décidée par"):
        assert f">{column}</a>" in claims
