"""A programme manager invites an establishment's direction to answer a call."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from capqvct.accounts.models import Invitation, Role
from capqvct.applications.director_invitations import invite_director_to_call
from capqvct.calls.models import Call, CallStatus
from capqvct.core.exceptions import Refusal
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory, departement, region
from tests.permissions.world import published_call
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(manager):
    call = published_call(manager)
    call.categories = ["500"]  # EHPAD only
    call.save(update_fields=["categories"])
    return call


@pytest.fixture
def ehpad():
    return EstablishmentFactory(
        name="EHPAD Les Cigales",
        finess_et="349999995",
        departement=departement("34"),
        email="accueil@cigales.exemple.fr",
        postal_code="34000",
    )


def _invite(call, establishment, by, email="directrice@cigales.exemple.fr"):
    return invite_director_to_call(call=call, establishment=establishment, email=email, by=by)


def _invitation_path() -> str:
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/compte/invitation/" in line)
    return link.removeprefix("http://127.0.0.1:8000")


def test_the_invitation_names_the_call_and_its_acceptance_lands_on_it(
    manager, call, ehpad, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(call, ehpad, manager)

    ehpad.refresh_from_db()
    assert invitation.organisation == ehpad.organisation  # the space, opened for the invitation
    message = mail.outbox[-1]
    assert message.to == ["directrice@cigales.exemple.fr"]
    assert message.subject == "Invitation à rejoindre l’espace de EHPAD Les Cigales sur Cap QVCT"
    assert f"pour répondre à l’appel «\u00a0{call.title}\u00a0»" in message.body

    response = client.post(
        _invitation_path(),
        {"first_name": "Inès", "last_name": "Roux", "password": "une-phrase-de-passe-longue"},
    )

    assert response["Location"] == f"/appels/{call.pk}/"
    membership = ehpad.organisation.memberships.get()
    assert (membership.user.email, membership.role) == ("directrice@cigales.exemple.fr", Role.DIRECTOR)
    # The director goes on to start the dossier, with no second factor to set up.
    response = client.post(f"/dossiers/nouveau/{call.pk}/", {"establishment": ehpad.pk})
    assert response.status_code == 302 and response["Location"].startswith("/dossiers/")


def test_an_establishment_the_call_does_not_target_is_refused_with_the_reason(manager, call):
    foyer = EstablishmentFactory(
        name="Foyer de vie Les Pins",
        departement=departement("34"),
        category_code="382",
        category_label="Foyer de vie pour adultes handicapés",
    )
    with pytest.raises(Refusal) as refusal:
        _invite(call, foyer, manager)
    assert refusal.value.field == "finess"
    assert refusal.value.message == (
        "Foyer de vie Les Pins ne peut pas répondre à cet appel\u00a0: La catégorie "
        "«\u00a0Foyer de vie pour adultes handicapés\u00a0» n’est pas visée par cet appel."
    )
    assert not Invitation.objects.exists() and mail.outbox == []


def test_an_establishment_of_another_region_is_refused(manager, call):
    lyon = EstablishmentFactory(departement=departement("69", "Rhône", "84"))
    region("84", "Auvergne-Rhône-Alpes")
    with pytest.raises(Refusal, match="réservé aux établissements de la région Occitanie"):
        _invite(call, lyon, manager)
    assert not Invitation.objects.exists()


def test_a_draft_or_closed_call_invites_nobody(manager, call, ehpad):
    published_at = call.published_at
    Call.objects.filter(pk=call.pk).update(status=CallStatus.DRAFT, published_at=None)
    call.refresh_from_db()
    with pytest.raises(Refusal, match="Publiez d’abord l’appel"):
        _invite(call, ehpad, manager)
    Call.objects.filter(pk=call.pk).update(
        status=CallStatus.PUBLISHED,
        published_at=published_at,
        closes_at=timezone.now() - timedelta(minutes=1),
    )
    call.refresh_from_db()
    with pytest.raises(Refusal, match="Le dépôt des dossiers de cet appel est clos"):
        _invite(call, ehpad, manager)
    assert not Invitation.objects.exists()


def test_an_address_already_in_the_space_is_refused(manager, call, ehpad):
    space = OrganisationFactory(establishment_space=True)
    ehpad.organisation = space
    ehpad.save()
    MembershipFactory(organisation=space, role=Role.DIRECTOR, user__email="marie@cigales.exemple.fr")
    MembershipFactory(organisation=space, role=Role.MEMBER, user__email="karim@cigales.exemple.fr")

    with pytest.raises(Refusal) as refusal:
        _invite(call, ehpad, manager, email="Marie@Cigales.exemple.fr")
    assert (refusal.value.field, refusal.value.message) == (
        "email",
        "Cette personne dirige déjà l’espace de cet établissement.",
    )
    with pytest.raises(Refusal, match="déjà membre de l’espace de cet établissement"):
        _invite(call, ehpad, manager, email="karim@cigales.exemple.fr")
    assert not Invitation.objects.exists()


def test_an_agents_address_is_refused(manager, call, ehpad):
    with pytest.raises(Refusal, match="Cette adresse est celle d’un agent"):
        _invite(call, ehpad, manager, email="claire@ars.exemple.fr")


def test_a_reviewer_cannot_invite(reviewer, call, ehpad):
    with pytest.raises(Refusal, match="Seuls les responsables de programme"):
        _invite(call, ehpad, reviewer)
    assert not Invitation.objects.exists()


# The page -----------------------------------------------------------------------------------------


def test_the_page_proposes_the_finess_address_and_sends_to_another(
    manager, call, ehpad, verified_client, django_capture_on_commit_callbacks
):
    client = verified_client(manager)
    path = f"/dossiers/gestion/appels/{call.pk}/inviter-une-direction/"

    page = client.get(path, {"q": "cigales 34000"}).content.decode()
    assert "EHPAD Les Cigales" in page and "?finess=349999995" in page
    response = client.get(path, {"finess": "349999995"})
    assert response.context["form"]["email"].value() == "accueil@cigales.exemple.fr"
    assert typography_errors(response.content.decode()) == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            path, {"finess": "349999995", "email": "direction@cigales.exemple.fr"}, follow=True
        )

    page = response.content.decode()
    assert "Invitation envoyée à direction@cigales.exemple.fr pour EHPAD Les Cigales." in page
    assert "Invitations en attente pour cet appel" in page and "direction@cigales.exemple.fr" in page
    assert mail.outbox[-1].to == ["direction@cigales.exemple.fr"]


def test_the_page_refuses_at_the_field_and_keeps_what_was_typed(manager, call, verified_client):
    response = verified_client(manager).post(
        f"/dossiers/gestion/appels/{call.pk}/inviter-une-direction/",
        {"finess": "349999995", "email": "direction@exemple.fr"},
    )
    assert response.context["form"].errors["finess"] == [
        "Aucun établissement de la région Occitanie ne porte ce numéro FINESS."
    ]
    assert 'value="direction@exemple.fr"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_call_pages_lead_to_the_invitation(manager, call, verified_client):
    client = verified_client(manager)
    target = f'href="/dossiers/gestion/appels/{call.pk}/inviter-une-direction/"'
    assert target in client.get(f"/appels/gestion/{call.pk}/").content.decode()
    assert target in client.get(f"/dossiers/gestion/appels/{call.pk}/").content.decode()


def test_a_reviewer_and_another_regions_manager_get_nothing(ars, call, ehpad, verified_client):
    reviewer = MembershipFactory(role=Role.REVIEWER, organisation=ars).user
    outsider = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation=OrganisationFactory(region=region("84", "Auvergne"))
    ).user
    path = f"/dossiers/gestion/appels/{call.pk}/inviter-une-direction/"
    for user in (reviewer, outsider):
        client = verified_client(user)
        assert client.get(path).status_code == 404
        assert client.post(path, {"finess": ehpad.finess_et, "email": "x@exemple.fr"}).status_code == 404
    assert not Invitation.objects.exists()
