import pytest

from capqvct.accounts import services
from capqvct.accounts.models import Role
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_role_change_is_written_to_the_audit_log():
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER)
    colleague = MembershipFactory(organisation=manager.organisation, role=Role.REVIEWER)

    services.change_role(membership=colleague, role=Role.PROGRAMME_MANAGER, by=manager.user)

    event = AuditEvent.objects.get(action="role_changed")
    assert event.actor == manager.user
    assert event.details == {
        "organisation": manager.organisation.name,
        "from": "reviewer",
        "to": "programme_manager",
    }


def test_the_last_manager_cannot_leave_nor_be_demoted():
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER)
    with pytest.raises(Refusal, match="dernier responsable"):
        services.remove_membership(membership=manager, by=manager.user)
    with pytest.raises(Refusal, match="dernier responsable"):
        services.change_role(membership=manager, role=Role.REVIEWER, by=manager.user)


def test_a_member_leaves_and_the_departure_is_logged():
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER)
    reviewer = MembershipFactory(organisation=manager.organisation, role=Role.REVIEWER)

    services.remove_membership(membership=reviewer, by=reviewer.user)

    assert not reviewer.user.memberships.exists()
    assert AuditEvent.objects.filter(action="membership_left", actor=reviewer.user).exists()


def test_a_member_of_another_organisation_cannot_remove_anyone():
    reviewer = MembershipFactory(role=Role.REVIEWER)
    outsider = MembershipFactory(role=Role.PROGRAMME_MANAGER)
    with pytest.raises(Refusal):
        services.remove_membership(membership=reviewer, by=outsider.user)
    assert reviewer.user.memberships.exists()
