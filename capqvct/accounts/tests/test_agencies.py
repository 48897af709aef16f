"""A new agency joins the platform: the administrator creates it and invites its first manager."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capqvct.accounts.agencies import create_agency
from capqvct.accounts.models import Invitation, Organisation, OrganisationKind, Role
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from capqvct.territory.models import Region
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(email="admin@capqvct.exemple.fr", is_superuser=True, is_staff=True)


@pytest.fixture
def bretagne():
    return Region.objects.get(code="53")


def _link(message) -> str:
    return next(line for line in message.body.splitlines() if "/compte/invitation/" in line)


def test_the_administrator_creates_an_ars_and_invites_its_first_manager(
    admin, bretagne, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agency, invitation = create_agency(
            kind=OrganisationKind.ARS, region=bretagne, manager_email=" Lea.Morvan@ARS.exemple.fr", by=admin
        )

    assert (agency.name, agency.kind, agency.region_id) == ("ARS Bretagne", "ars", "53")
    assert (invitation.email, invitation.role) == ("lea.morvan@ars.exemple.fr", Role.PROGRAMME_MANAGER)
    message = mail.outbox[-1]
    assert message.to == ["lea.morvan@ars.exemple.fr"]
    assert message.subject == "ARS Bretagne sur Cap QVCT\u00a0: votre invitation de responsable de programme"
    assert "premier responsable de programme" in message.body and "double authentification" in message.body
    assert _link(message).startswith("http://127.0.0.1:8000/compte/invitation/")
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "actor_email")) == [
        ("agency_created", "admin@capqvct.exemple.fr"),
        ("invitation_sent", "admin@capqvct.exemple.fr"),
    ]


def test_a_second_ars_in_a_region_is_refused_at_the_region_and_nothing_is_created(admin, bretagne):
    OrganisationFactory(kind=OrganisationKind.ARS, region=bretagne, name="ARS Bretagne")

    with pytest.raises(Refusal) as refusal:
        create_agency(kind=OrganisationKind.ARS, region=bretagne, manager_email="x@exemple.fr", by=admin)

    assert refusal.value.field == "region"
    assert refusal.value.message.startswith(
        "La région Bretagne a déjà une ARS\u00a0: «\u00a0ARS Bretagne\u00a0»."
    )
    assert Organisation.objects.filter(region=bretagne).count() == 1
    assert not Invitation.objects.exists()


def test_the_aract_of_a_region_that_has_its_ars(admin, bretagne):
    OrganisationFactory(kind=OrganisationKind.ARS, region=bretagne, name="ARS Bretagne")
    agency, _ = create_agency(
        kind=OrganisationKind.ARACT,
        region=bretagne,
        name="Aract Bretagne (Rennes)",
        email="contact@aract-bretagne.exemple.fr",
        manager_email="yann@aract.exemple.fr",
        by=admin,
    )
    assert (agency.name, agency.email) == ("Aract Bretagne (Rennes)", "contact@aract-bretagne.exemple.fr")


def test_only_a_platform_administrator_creates_an_agency(bretagne):
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER).user
    with pytest.raises(Refusal, match="Seuls les administrateurs de la plateforme créent les agences."):
        create_agency(kind=OrganisationKind.ARS, region=bretagne, manager_email="x@exemple.fr", by=manager)
    assert not Organisation.objects.filter(region=bretagne).exists()


def test_the_page_lists_every_region_in_two_queries_whatever_the_agencies(admin, verified_client, bretagne):
    client = verified_client(admin)
    client.get("/compte/agences/")
    with CaptureQueriesContext(connection) as before:
        client.get("/compte/agences/")
    for code in ("76", "84", "11", "53"):
        region = Region.objects.get(code=code)
        MembershipFactory(
            role=Role.PROGRAMME_MANAGER, organisation=OrganisationFactory(region=region, name=f"ARS {region}")
        )
        OrganisationFactory(kind=OrganisationKind.ARACT, region=region, name=f"Aract {region}")
    with CaptureQueriesContext(connection) as after:
        response = client.get("/compte/agences/")

    page = response.content.decode()
    assert len(after) == len(before)
    assert page.count('<th scope="row">') == Region.objects.count() == 18
    assert "1 responsable de programme" in page and "Aucun responsable de programme" in page
    assert "14 régions sur 18 n’ont encore aucune agence sur la plateforme." in page
    assert typography_errors(page) == []


def test_the_form_refuses_a_second_ars_at_the_field_and_keeps_what_was_typed(
    admin, verified_client, bretagne
):
    OrganisationFactory(kind=OrganisationKind.ARS, region=bretagne, name="ARS Bretagne")
    response = verified_client(admin).post(
        "/compte/agences/nouvelle/",
        {"kind": "ars", "region": "53", "name": "", "email": "", "manager_email": "lea@ars.exemple.fr"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["region"][0].startswith("La région Bretagne a déjà une ARS")
    assert 'value="lea@ars.exemple.fr"' in response.content.decode()
    assert Organisation.objects.filter(region=bretagne).count() == 1


def test_the_form_creates_and_the_invited_manager_sets_up_the_second_factor(
    admin, verified_client, client, bretagne, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = verified_client(admin).post(
            "/compte/agences/nouvelle/",
            {"kind": "ars", "region": "53", "name": "", "email": "", "manager_email": "lea@ars.exemple.fr"},
        )
    assert response["Location"] == "/compte/agences/"
    path = _link(mail.outbox[-1]).removeprefix("http://127.0.0.1:8000")

    response = client.post(
        path, {"first_name": "Léa", "last_name": "Morvan", "password": "une-phrase-de-passe-longue"}
    )
    assert response["Location"] == "/compte/tableau-de-bord/"
    # As any agent: nothing private before the second factor.
    response = client.get("/compte/tableau-de-bord/")
    assert response["Location"].startswith("/compte/double-authentification/")
    membership = Organisation.objects.get(region=bretagne).memberships.get()
    assert (membership.user.email, membership.role) == ("lea@ars.exemple.fr", Role.PROGRAMME_MANAGER)


def test_the_administrators_dashboard_leads_to_the_agencies(admin, verified_client):
    assert (
        'href="/compte/agences/"' in verified_client(admin).get("/compte/tableau-de-bord/").content.decode()
    )


@pytest.mark.parametrize("path", ["/compte/agences/", "/compte/agences/nouvelle/"])
def test_nobody_else_reaches_the_agencies_pages(path, verified_client):
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER).user
    assert verified_client(manager).get(path).status_code == 403
    assert verified_client(manager).post(path, {"kind": "ars", "region": "53"}).status_code == 403
    assert not Organisation.objects.filter(region="53").exists()
