from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from capqvct.accounts import services
from capqvct.accounts.models import Membership, Role
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _token_from_last_email() -> str:
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/compte/invitation/" in line)
    return link.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def manager():
    return MembershipFactory(role=Role.PROGRAMME_MANAGER).user


def test_invitation_email_carries_a_link_that_creates_the_account(
    manager, django_capture_on_commit_callbacks
):
    organisation = manager.memberships.get().organisation
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_colleague(
            organisation=organisation, email="Nouvelle@Exemple.fr", role="reviewer", by=manager
        )

    assert mail.outbox[-1].to == ["nouvelle@exemple.fr"]
    assert "Instructeur" in mail.outbox[-1].body
    membership = services.accept_invitation(
        token=_token_from_last_email(),
        first_name="Inès",
        last_name="Durand",
        password="un-mot-de-passe-solide",
    )
    assert membership.role == Role.REVIEWER
    assert membership.user.check_password("un-mot-de-passe-solide")
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("pk")) == [
        "invitation_sent",
        "invitation_accepted",
    ]


def test_an_expired_invitation_is_refused_and_creates_nobody(manager, django_capture_on_commit_callbacks):
    organisation = manager.memberships.get().organisation
    sent_at = timezone.now() - timedelta(days=8)
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_colleague(
            organisation=organisation, email="tard@exemple.fr", role="reviewer", by=manager, now=sent_at
        )

    with pytest.raises(Refusal, match="n’est plus valable"):
        services.accept_invitation(
            token=_token_from_last_email(), first_name="A", last_name="B", password="x" * 20
        )
    assert not Membership.objects.filter(user__email="tard@exemple.fr").exists()


def test_a_new_invitation_replaces_the_pending_one(manager, django_capture_on_commit_callbacks):
    organisation = manager.memberships.get().organisation
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_colleague(
            organisation=organisation, email="deux@exemple.fr", role="reviewer", by=manager
        )
    first_token = _token_from_last_email()
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_colleague(
            organisation=organisation, email="deux@exemple.fr", role="reviewer", by=manager
        )

    with pytest.raises(Refusal):
        services.accept_invitation(token=first_token, first_name="A", last_name="B", password="y" * 20)


def test_only_a_manager_of_the_organisation_may_invite():
    reviewer = MembershipFactory(role=Role.REVIEWER).user
    organisation = reviewer.memberships.get().organisation
    with pytest.raises(Refusal, match="responsables"):
        services.invite_colleague(
            organisation=organisation, email="x@exemple.fr", role="reviewer", by=reviewer
        )


def test_a_role_foreign_to_the_kind_of_organisation_is_refused(manager):
    organisation = manager.memberships.get().organisation
    with pytest.raises(Refusal) as refusal:
        services.invite_colleague(
            organisation=organisation, email="x@exemple.fr", role="director", by=manager
        )
    assert refusal.value.field == "role"


def test_a_weak_password_keeps_the_invitation_usable(manager, django_capture_on_commit_callbacks, client):
    organisation = manager.memberships.get().organisation
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_colleague(
            organisation=organisation, email="faible@exemple.fr", role="reviewer", by=manager
        )
    token = _token_from_last_email()

    response = client.post(
        f"/compte/invitation/{token}/", {"first_name": "Léa", "last_name": "Petit", "password": "1234"}
    )

    assert response.status_code == 200
    assert "Léa" in response.content.decode()  # what was typed is kept
    assert "trop court" in response.content.decode()
    response = client.post(
        f"/compte/invitation/{token}/",
        {"first_name": "Léa", "last_name": "Petit", "password": "une-phrase-de-passe-longue"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user__email="faible@exemple.fr", organisation=organisation).exists()


def test_an_existing_user_signed_in_with_another_address_cannot_take_the_invitation(
    manager, django_capture_on_commit_callbacks
):
    organisation = manager.memberships.get().organisation
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_colleague(
            organisation=organisation, email="cible@exemple.fr", role="reviewer", by=manager
        )
    intruder = UserFactory(email="intrus@exemple.fr")
    with pytest.raises(Refusal, match="cible@exemple.fr"):
        services.accept_invitation(token=_token_from_last_email(), user=intruder)
    assert not intruder.memberships.exists()


def test_organisation_kinds_each_have_their_roles():
    consultancy = OrganisationFactory(consultancy=True)
    owner = UserFactory(is_superuser=True)
    with pytest.raises(Refusal):
        services.add_member(organisation=consultancy, user=owner, role=Role.REVIEWER)
