import pytest
from django.core import mail

from capqvct.accounts.models import Role
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from capqvct.establishments import services
from capqvct.establishments.models import ClaimStatus
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    departement,
    region,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return MembershipFactory(role=Role.REVIEWER, organisation__region=region("76")).user


def test_an_approved_claim_opens_the_space_and_makes_the_claimant_director(
    agent, django_capture_on_commit_callbacks
):
    establishment = EstablishmentFactory(departement=departement("34"))
    director = UserFactory(email="directrice@exemple.fr")
    claim = services.request_claim(establishment=establishment, user=director, function="Directrice")

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_claim(claim=claim, by=agent)

    establishment.refresh_from_db()
    assert establishment.organisation.memberships.get().user == director
    assert establishment.organisation.memberships.get().role == Role.DIRECTOR
    assert mail.outbox[-1].to == ["directrice@exemple.fr"]
    assert "est acceptée" in mail.outbox[-1].body
    assert {"claim_requested", "claim_approved"} <= set(AuditEvent.objects.values_list("action", flat=True))


def test_a_rejection_needs_a_reason_that_the_claimant_reads(agent, django_capture_on_commit_callbacks):
    claim = services.request_claim(
        establishment=EstablishmentFactory(departement=departement("34")),
        user=UserFactory(),
        function="Cadre",
    )
    with pytest.raises(Refusal) as refusal:
        services.reject_claim(claim=claim, by=agent, reason="  ")
    assert refusal.value.field == "reason"

    with django_capture_on_commit_callbacks(execute=True):
        services.reject_claim(claim=claim, by=agent, reason="Vous n’êtes pas la directrice déclarée.")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert "Vous n’êtes pas la directrice déclarée." in mail.outbox[-1].body


def test_an_agent_of_another_region_cannot_decide(django_capture_on_commit_callbacks):
    claim = services.request_claim(
        establishment=EstablishmentFactory(departement=departement("34")),
        user=UserFactory(),
        function="Cadre",
    )
    outsider = MembershipFactory(
        role=Role.PROGRAMME_MANAGER,
        organisation=OrganisationFactory(region=region("84", "Auvergne-Rhône-Alpes")),
    ).user
    with pytest.raises(Refusal, match="région"):
        services.approve_claim(claim=claim, by=outsider)


def test_a_second_pending_claim_by_the_same_person_is_refused():
    establishment = EstablishmentFactory(departement=departement("34"))
    user = UserFactory()
    services.request_claim(establishment=establishment, user=user, function="Directeur")
    with pytest.raises(Refusal, match="déjà en attente"):
        services.request_claim(establishment=establishment, user=user, function="Directeur")


def test_a_decided_claim_cannot_be_decided_again(agent):
    claim = services.request_claim(
        establishment=EstablishmentFactory(departement=departement("34")),
        user=UserFactory(),
        function="Cadre",
    )
    services.approve_claim(claim=claim, by=agent)
    with pytest.raises(Refusal, match="déjà été traitée"):
        services.reject_claim(claim=claim, by=agent, reason="Trop tard")


def test_the_claim_form_keeps_what_was_typed_when_the_function_is_missing(client):
    establishment = EstablishmentFactory(departement=departement("34"))
    client.force_login(UserFactory())
    response = client.post(
        f"/etablissements/rattachement/{establishment.finess_et}/", {"function": "", "message": "Bonjour !"}
    )
    assert response.status_code == 200
    assert "Bonjour !" in response.content.decode()
    assert response.context["form"].errors["function"]


def test_members_of_the_space_do_not_see_who_else_claimed_it(client, agent, verified_client):
    space = OrganisationFactory(establishment_space=True)
    establishment = EstablishmentFactory(departement=departement("34"), organisation=space)
    member = MembershipFactory(organisation=space, role=Role.MEMBER).user
    claimant = UserFactory(email="autre@exemple.fr", first_name="Aurore", last_name="Testard")
    services.request_claim(establishment=establishment, user=claimant, function="Cadre")
    client.force_login(member)
    page = f"/etablissements/{establishment.finess_et}/"

    assert "Aurore Testard" not in client.get(page).content.decode()
    assert "Aurore Testard" in verified_client(agent).get(page).content.decode()
