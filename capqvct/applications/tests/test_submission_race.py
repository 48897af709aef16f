"""Submissions racing the deadline, from threads, on PostgreSQL (SQLite serialises writers anyway)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.applications import services
from capqvct.applications.models import ApplicationStatus, Submission
from capqvct.core.exceptions import Refusal
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory, departement, region
from tests.permissions.world import published_call

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

RACERS = 50


def _dossiers(count: int):
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user
    call = published_call(manager)
    dossiers = []
    for _ in range(count):
        space = OrganisationFactory(establishment_space=True)
        director = MembershipFactory(role=Role.DIRECTOR, organisation=space).user
        establishment = EstablishmentFactory(departement=departement("34"), organisation=space)
        dossiers.append(
            (services.start_application(call=call, establishment=establishment, by=director), director)
        )
    return call, dossiers


def _submit(application, director, now):
    try:
        services.submit_application(application=application, by=director, now=now)
        return "accepted"
    except Refusal:
        return "refused"
    finally:
        connections.close_all()


def test_fifty_dossiers_racing_the_deadline_are_each_accepted_or_refused_once():
    call, dossiers = _dossiers(RACERS)
    # Half arrive in the last second before the deadline, half in the first second after it.
    instants = [call.closes_at - timedelta(milliseconds=10 * i) for i in range(RACERS // 2)] + [
        call.closes_at + timedelta(seconds=1, milliseconds=10 * i) for i in range(RACERS - RACERS // 2)
    ]
    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(
            pool.map(
                lambda args: _submit(*args), [(a, d, t) for (a, d), t in zip(dossiers, instants, strict=True)]
            )
        )

    assert outcomes.count("accepted") == RACERS // 2
    assert Submission.objects.count() == RACERS // 2
    assert sorted(Submission.objects.values_list("application_id", flat=True)) == sorted(
        application.pk
        for (application, _), outcome in zip(dossiers, outcomes, strict=True)
        if outcome == "accepted"
    )
    assert len(mail.outbox) == RACERS // 2


def test_the_same_dossier_submitted_ten_times_at_once_is_counted_once():
    call, [(application, director)] = _dossiers(1)
    now = timezone.now()
    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(lambda _: _submit(application, director, now), range(10)))

    assert outcomes.count("accepted") == 1
    assert Submission.objects.filter(application=application).count() == 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
