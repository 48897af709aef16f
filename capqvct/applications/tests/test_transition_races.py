"""A dossier's transitions racing each other, from threads, on PostgreSQL (SQLite serialises writers
anyway): one action goes through, the other is refused in words."""

import pytest
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.applications import services
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.core.models import AuditEvent
from capqvct.review.tests.test_state_races import at_once
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory, departement, region
from tests.permissions.world import published_call

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture
def draft():
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user
    call = published_call(manager)
    space = OrganisationFactory(establishment_space=True)
    director = MembershipFactory(role=Role.DIRECTOR, organisation=space).user
    establishment = EstablishmentFactory(departement=departement("34"), organisation=space)
    application = services.start_application(call=call, establishment=establishment, by=director)
    services.save_draft(
        application=application, answers={"motivation": "Texte"}, by=director, expected_version=0
    )
    return application, director


def fresh(pk):
    return Application.objects.select_related("call__programme", "establishment").get(pk=pk)


def test_a_dossier_reopened_twice_at_once_is_reopened_once(draft):
    application, director = draft
    services.submit_application(application=application, by=director)

    def reopen():
        services.reopen_application(application=fresh(application.pk), by=director)

    assert sorted(at_once(reopen, reopen)) == ["Seul un dossier déposé peut être rouvert.", "done"]
    assert AuditEvent.objects.filter(action="application_reopened").count() == 1


def test_a_withdrawal_racing_a_submission_lets_one_through(draft):
    application, director = draft

    def submit():
        services.submit_application(application=fresh(application.pk), by=director, now=timezone.now())

    def withdraw():
        services.withdraw_application(application=fresh(application.pk), by=director)

    submitted, withdrawn = at_once(submit, withdraw)

    application.refresh_from_db()
    if submitted == "done":
        # The withdrawal read a draft that had become submitted meanwhile: the page must be read again.
        assert withdrawn == "Ce dossier a changé entre-temps\u00a0: rechargez la page pour voir son état."
        assert application.status == ApplicationStatus.SUBMITTED
    else:
        assert (submitted, withdrawn) == ("Ce dossier est retiré\u00a0: il ne peut plus être déposé.", "done")
        assert application.status == ApplicationStatus.WITHDRAWN
        assert not application.submissions.exists()


def test_a_dossier_restored_twice_at_once_is_restored_and_e_mailed_once(draft):
    # The task at the deadline and the hourly round may run together.
    from capqvct.applications.restoration import restore_last_submission
    from capqvct.core.models import OutgoingEmail

    application, director = draft
    services.submit_application(application=application, by=director)
    services.reopen_application(application=fresh(application.pk), by=director)
    after = fresh(application.pk).call.closes_at + timezone.timedelta(seconds=1)

    restored = []

    def restore():
        restored.append(restore_last_submission(application=fresh(application.pk), now=after))

    at_once(restore, restore)

    assert sorted(restored) == [False, True]
    assert fresh(application.pk).status == ApplicationStatus.SUBMITTED
    assert AuditEvent.objects.filter(action="application_restored_to_last_submission").count() == 1
    assert OutgoingEmail.objects.filter(purpose="applications.restored_to_last_submission").count() == 1
