"""Claims on an establishment's space: who decides, what each decision does, who is told."""

import pytest
from django.core import mail

from capqvct.accounts.models import Membership, OrganisationKind, Role
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent, OutgoingEmail
from capqvct.establishments import services
from capqvct.establishments.models import Claim, ClaimStatus
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
def ehpad():
    return EstablishmentFactory(name="EHPAD Les Cigales", departement=departement("34"))


@pytest.fixture
def directed_ehpad():
    """An EHPAD whose space already has a director on the platform."""
    space = OrganisationFactory(establishment_space=True, name="EHPAD Les Glycines")
    establishment = EstablishmentFactory(
        name="EHPAD Les Glycines", departement=departement("34"), organisation=space
    )
    MembershipFactory(
        organisation=space,
        role=Role.DIRECTOR,
        user__email="marie@glycines.exemple.fr",
        user__first_name="Marie",
        user__last_name="Delmas",
    )
    return establishment


def _claim(establishment, email="odile@exemple.fr", **extra):
    return services.request_claim(
        establishment=establishment, user=UserFactory(email=email), function="Directrice", **extra
    )


def _unchanged(claim) -> bool:
    claim.refresh_from_db()
    return claim.status == ClaimStatus.PENDING and claim.decided_by is None


# Deciding ---------------------------------------------------------------------------------------


def test_a_programme_manager_accepts_the_space_opens_and_the_claimant_directs_it(
    manager, ehpad, django_capture_on_commit_callbacks
):
    claim = _claim(ehpad, return_path="/appels/12/")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_claim(claim=claim, by=manager)

    ehpad.refresh_from_db()
    membership = ehpad.organisation.memberships.get()
    assert (membership.user.email, membership.role) == ("odile@exemple.fr", Role.DIRECTOR)
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by) == (ClaimStatus.APPROVED, manager)
    assert [message.to for message in mail.outbox] == [["odile@exemple.fr"]]
    assert "est acceptée" in mail.outbox[0].body
    # The acceptance leads back to the call the claimant came from.
    assert "http://127.0.0.1:8000/appels/12/" in mail.outbox[0].body
    assert {"claim_requested", "claim_approved"} <= set(AuditEvent.objects.values_list("action", flat=True))


def test_a_reviewer_can_neither_accept_nor_refuse(reviewer, ehpad):
    claim = _claim(ehpad)

    with pytest.raises(Refusal, match="Seuls les responsables de programme de la région"):
        services.approve_claim(claim=claim, by=reviewer)
    with pytest.raises(Refusal, match="Seuls les responsables de programme de la région"):
        services.reject_claim(claim=claim, by=reviewer, reason="Inconnue")

    assert _unchanged(claim)
    assert ehpad.organisation_id is None


def test_a_programme_manager_of_another_region_cannot_decide(ehpad):
    claim = _claim(ehpad)
    outsider = MembershipFactory(
        role=Role.PROGRAMME_MANAGER,
        organisation=OrganisationFactory(region=region("84", "Auvergne-Rhône-Alpes")),
    ).user

    with pytest.raises(Refusal, match="Seuls les responsables de programme de la région"):
        services.approve_claim(claim=claim, by=outsider)
    assert _unchanged(claim)


def test_a_refusal_needs_a_reason_that_the_claimant_reads(manager, ehpad, django_capture_on_commit_callbacks):
    claim = _claim(ehpad)
    with pytest.raises(Refusal) as refusal:
        services.reject_claim(claim=claim, by=manager, reason="  ")
    assert refusal.value.field == "reason"
    assert refusal.value.message == "Indiquez le motif du refus\u00a0: il sera transmis au demandeur."
    assert _unchanged(claim)

    with django_capture_on_commit_callbacks(execute=True):
        services.reject_claim(claim=claim, by=manager, reason="Vous n’êtes pas la directrice déclarée.")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert "Vous n’êtes pas la directrice déclarée." in mail.outbox[-1].body


def test_a_decided_claim_cannot_be_decided_again(manager, ehpad):
    claim = _claim(ehpad)
    services.approve_claim(claim=claim, by=manager)
    with pytest.raises(Refusal, match="déjà été traitée"):
        services.reject_claim(claim=claim, by=manager, reason="Trop tard")


def test_of_two_managers_deciding_at_once_only_the_first_wins(manager, ars, ehpad):
    """Each read the claim while it was pending; the second's conditional update finds it decided."""
    other_manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation=ars).user
    claim = _claim(ehpad)
    stale = Claim.objects.get(pk=claim.pk)

    services.reject_claim(claim=claim, by=manager, reason="Déjà une direction")
    with pytest.raises(Refusal) as refusal:
        services.approve_claim(claim=stale, by=other_manager)

    assert refusal.value.message == "Cette demande vient d’être traitée par quelqu’un d’autre."
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by) == (ClaimStatus.REJECTED, manager)
    ehpad.refresh_from_db()
    # The approval rolled back with its refusal: no space was opened, nobody joined.
    assert ehpad.organisation_id is None
    assert not Membership.objects.filter(user=claim.user).exists()


def test_a_second_pending_claim_by_the_same_person_is_refused(ehpad):
    user = UserFactory()
    services.request_claim(establishment=ehpad, user=user, function="Directeur")
    with pytest.raises(Refusal, match="déjà en attente"):
        services.request_claim(establishment=ehpad, user=user, function="Directeur")
    assert Claim.objects.count() == 1


# Who is told of a new claim -----------------------------------------------------------------------


def test_the_programme_managers_of_the_region_are_emailed_each_new_claim(
    manager, reviewer, ehpad, django_capture_on_commit_callbacks
):
    aract_manager = MembershipFactory(
        role=Role.PROGRAMME_MANAGER,
        organisation=OrganisationFactory(kind=OrganisationKind.ARACT, region=region("76")),
        user__email="sophie@aract.exemple.fr",
    ).user
    MembershipFactory(
        role=Role.PROGRAMME_MANAGER,
        organisation=OrganisationFactory(region=region("84", "Auvergne-Rhône-Alpes")),
        user__email="ailleurs@ars.exemple.fr",
    )

    with django_capture_on_commit_callbacks(execute=True):
        _claim(ehpad, message="Je dirige l’EHPAD depuis mars.")

    # One message per manager (each reads only their own address), none to reviewers or elsewhere.
    assert sorted(message.to[0] for message in mail.outbox) == sorted([aract_manager.email, manager.email])
    message = mail.outbox[0]
    assert message.subject == "Demande de rattachement à EHPAD Les Cigales"
    assert "Je dirige l’EHPAD depuis mars." in message.body
    assert "http://127.0.0.1:8000/etablissements/demandes/" in message.body


def test_without_a_programme_manager_in_the_region_the_platform_administrators_are_told(
    ehpad, django_capture_on_commit_callbacks
):
    UserFactory(email="admin@capqvct.exemple.fr", is_superuser=True, is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        _claim(ehpad)
    assert [message.to for message in mail.outbox] == [["admin@capqvct.exemple.fr"]]


# An establishment that already has a direction ---------------------------------------------------


def test_the_current_direction_is_told_and_the_managers_warned(
    manager, directed_ehpad, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _claim(directed_ehpad, email="aurore@exemple.fr")

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"marie@glycines.exemple.fr", manager.email}
    to_director = by_recipient["marie@glycines.exemple.fr"]
    assert "demande à rejoindre l’espace de EHPAD Les Glycines" in to_director.subject
    assert "http://127.0.0.1:8000/compte/tableau-de-bord/" in to_director.body
    to_manager = by_recipient[manager.email]
    assert "Cet établissement a déjà une direction sur la plateforme\u00a0: Marie Delmas" in to_manager.body


def test_the_direction_confirms_a_colleague_who_joins_as_a_member(
    manager, directed_ehpad, django_capture_on_commit_callbacks
):
    director = directed_ehpad.organisation.memberships.get().user
    claim = _claim(directed_ehpad, email="aurore@exemple.fr", return_path="/appels/3/")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_claim(claim=claim, by=director)

    roles = dict(directed_ehpad.organisation.memberships.values_list("user__email", "role"))
    assert roles == {"marie@glycines.exemple.fr": Role.DIRECTOR, "aurore@exemple.fr": Role.MEMBER}
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by) == (ClaimStatus.CONFIRMED, director)
    assert [message.to for message in mail.outbox] == [["aurore@exemple.fr"]]
    assert "http://127.0.0.1:8000/appels/3/" in mail.outbox[0].body
    # The managers' list no longer holds it.
    with pytest.raises(Refusal, match="déjà été traitée"):
        services.approve_claim(claim=claim, by=manager)


def test_the_direction_declines_and_the_claimant_reads_why(
    directed_ehpad, django_capture_on_commit_callbacks
):
    director = directed_ehpad.organisation.memberships.get().user
    claim = _claim(directed_ehpad, email="aurore@exemple.fr")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.decline_claim(claim=claim, by=director, reason="Je ne connais pas cette personne.")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DECLINED
    assert not directed_ehpad.organisation.memberships.filter(user=claim.user).exists()
    assert mail.outbox[0].to == ["aurore@exemple.fr"]
    assert "n’a pas confirmé votre demande" in mail.outbox[0].body
    assert "Je ne connais pas cette personne." in mail.outbox[0].body


def test_only_the_direction_answers_as_the_direction(manager, directed_ehpad):
    member = MembershipFactory(organisation=directed_ehpad.organisation, role=Role.MEMBER).user
    claim = _claim(directed_ehpad, email="aurore@exemple.fr")

    for someone in (member, manager, claim.user):
        with pytest.raises(Refusal) as refusal:
            services.confirm_claim(claim=claim, by=someone)
        assert refusal.value.message in (
            "Seule la direction de l’établissement peut répondre à cette demande.",
            "Vous ne pouvez pas répondre à votre propre demande.",
        )
    assert _unchanged(claim)


def test_a_manager_accepting_does_not_hand_the_space_over(
    manager, directed_ehpad, django_capture_on_commit_callbacks
):
    """The claimant joins the direction; the current director keeps their role and is told."""
    claim = _claim(directed_ehpad, email="nouvelle@exemple.fr")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_claim(claim=claim, by=manager)

    roles = dict(directed_ehpad.organisation.memberships.values_list("user__email", "role"))
    assert roles == {"marie@glycines.exemple.fr": Role.DIRECTOR, "nouvelle@exemple.fr": Role.DIRECTOR}
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"nouvelle@exemple.fr", "marie@glycines.exemple.fr"}
    assert "Vous gardez votre rôle" in by_recipient["marie@glycines.exemple.fr"].body


def test_a_confirmation_keeps_the_role_the_claimant_got_meanwhile(directed_ehpad):
    director = directed_ehpad.organisation.memberships.get().user
    claim = _claim(directed_ehpad, email="aurore@exemple.fr")
    MembershipFactory(organisation=directed_ehpad.organisation, user=claim.user, role=Role.DIRECTOR)

    services.confirm_claim(claim=claim, by=director)

    assert directed_ehpad.organisation.memberships.get(user=claim.user).role == Role.DIRECTOR


def test_the_claimant_is_told_through_the_outbox_on_behalf_of_the_agent_who_decided(manager, ehpad):
    claim = _claim(ehpad)
    services.reject_claim(claim=claim, by=manager, reason="Vous n’êtes pas la directrice déclarée.")

    # Written with the decision; it leaves once the transaction commits.
    email = OutgoingEmail.objects.get(purpose="establishments.claim_rejected")
    assert (email.to, email.caused_by, email.status) == (["odile@exemple.fr"], manager, "pending")
    assert "Vous n’êtes pas la directrice déclarée." in email.body
    # The managers were told of the claim the same way, on behalf of the claimant.
    told = OutgoingEmail.objects.get(purpose="establishments.claim_requested")
    assert (told.to, told.caused_by) == ([manager.email], claim.user)
