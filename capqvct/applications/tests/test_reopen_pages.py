"""« Rouvrir » asks first; what was changed after reopening and not deposited stays the establishment's."""

import pytest
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.applications import services
from capqvct.applications.models import ApplicationStatus
from capqvct.applications.restoration import restore_last_submission
from capqvct.core.models import AuditEvent
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory, departement, region
from tests.permissions.world import published_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user


@pytest.fixture
def director():
    space = OrganisationFactory(establishment_space=True)
    EstablishmentFactory(name="EHPAD Les Cigales", departement=departement("34"), organisation=space)
    return MembershipFactory(role=Role.DIRECTOR, organisation=space).user


@pytest.fixture
def submitted(manager, director):
    call = published_call(manager)
    establishment = director.memberships.get().organisation.establishment
    application = services.start_application(call=call, establishment=establishment, by=director)
    services.save_draft(
        application=application,
        answers={"motivation": "Version déposée"},
        by=director,
        expected_version=application.lock_version,
    )
    services.submit_application(application=application, by=director)
    return application


def test_the_reopen_link_leads_to_a_page_that_explains_and_reopens_nothing(client, director, submitted):
    client.force_login(director)

    dossier_page = client.get(f"/dossiers/{submitted.pk}/").content.decode()
    page = client.get(f"/dossiers/{submitted.pk}/rouvrir/")

    body = page.content.decode()
    assert f'href="/dossiers/{submitted.pk}/rouvrir/"' in dossier_page
    assert page.status_code == 200
    assert "compte toujours" in body
    assert "déposées de nouveau avant la date limite" in body
    assert "c’est ce dernier dépôt qui sera instruit" in body
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert not AuditEvent.objects.filter(action="application_reopened").exists()


def test_confirming_reopens_the_dossier(client, director, submitted):
    client.force_login(director)

    response = client.post(f"/dossiers/{submitted.pk}/rouvrir/", follow=True)

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.DRAFT
    assert "votre dépôt n°&nbsp;1 compte toujours" in response.content.decode()


def test_a_reviewer_cannot_open_the_reopen_page(verified_client, manager, submitted):
    reviewer = MembershipFactory(role=Role.REVIEWER, organisation__region=region("76")).user
    client = verified_client(reviewer)

    assert client.get(f"/dossiers/{submitted.pk}/rouvrir/").status_code == 404
    assert client.post(f"/dossiers/{submitted.pk}/rouvrir/").status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED


def test_undeposited_changes_are_shown_to_the_establishment_only(
    client, verified_client, director, manager, submitted
):
    services.reopen_application(application=submitted, by=director)
    submitted.refresh_from_db()
    services.save_draft(
        application=submitted,
        answers={"motivation": "Version jamais déposée"},
        by=director,
        expected_version=submitted.lock_version,
    )
    call = submitted.call
    call.closes_at = timezone.now() - timezone.timedelta(seconds=1)
    call.opens_at = call.closes_at - timezone.timedelta(days=2)
    call.save()
    assert restore_last_submission(application=submitted)

    client.force_login(director)
    mine = client.get(f"/dossiers/{submitted.pk}/").content.decode()
    agents = verified_client(manager).get(f"/dossiers/{submitted.pk}/lecture/").content.decode()

    assert "Modifications non déposées (non instruites)" in mine
    assert "Version jamais déposée" in mine
    assert "Version déposée" in mine
    assert "Version jamais déposée" not in agents
    assert "Version déposée" in agents
