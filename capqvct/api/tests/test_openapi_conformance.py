"""Property-based tests generated from the OpenAPI document: no server error, responses as documented."""

from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from capqvct.accounts.models import Role
from capqvct.api.routers.applications import EXAMPLE_APPLICATION_ID, EXAMPLE_EDITABLE_APPLICATION_ID
from capqvct.api.routers.calls import EXAMPLE_CALL_ID
from capqvct.api.routers.cohorts import EXAMPLE_COHORT_ID, EXAMPLE_PARTICIPATION_ID, EXAMPLE_SESSION_ID
from capqvct.api.routers.establishments import EXAMPLE_FINESS_ET
from capqvct.api.routers.review import (
    EXAMPLE_ASSIGNMENT_ID,
    EXAMPLE_DECIDED_APPLICATION_ID,
    EXAMPLE_REVIEWED_CALL_ID,
)
from capqvct.api.routers.surveys import EXAMPLE_CAMPAIGN_ID
from capqvct.api.tests.conftest import token_of
from capqvct.applications.models import Channel
from capqvct.applications.services import record_received_application, start_application
from capqvct.calls.models import Call
from capqvct.review import decisions as review_decisions
from capqvct.review import services as review_services
from capqvct.review.models import Outcome
from capqvct.wsgi import application
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory
from tests.permissions.world import published_call, submitted_application

pytestmark = [pytest.mark.django_db, pytest.mark.sweep]


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """The real WSGI application closes the database connection at the end of each request, which on
    PostgreSQL would drop the test's transaction; like Django's test client, keep it open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_token(agent, herault, rhone):
    """An agent of Occitanie, with establishments in and out of the region to look at."""
    EstablishmentFactory.create_batch(3, departement=herault)
    # The documented example, so that the detail of a visible establishment is requested too.
    EstablishmentFactory(departement=herault, finess_et=EXAMPLE_FINESS_ET)
    EstablishmentFactory(departement=rhone, finess_et="690000001")
    return token_of(agent)


@pytest.fixture
def seeded_ids(agent, herault):
    """A published call of the agent's region, an online dossier for it that the agent may read, and
    one received by post that the agent transcribes: their details are read, the latter saved and
    submitted too."""
    call = published_call(agent)
    space = OrganisationFactory(establishment_space=True)
    director = MembershipFactory(organisation=space, role=Role.DIRECTOR).user
    establishment = EstablishmentFactory(departement=herault, organisation=space)
    dossier = start_application(call=call, establishment=establishment, by=director)
    received = record_received_application(
        call=call,
        establishment=EstablishmentFactory(departement=herault),
        channel=Channel.POST,
        received_at=timezone.now() - timedelta(hours=1),
        by=agent,
    )
    return [
        ("call_id", EXAMPLE_CALL_ID, call.pk),
        ("application_id", EXAMPLE_APPLICATION_ID, dossier.pk),
        ("application_id", EXAMPLE_EDITABLE_APPLICATION_ID, received.pk),
        *seeded_review(agent, herault),
        *seeded_cohort(agent),
    ]


def seeded_review(agent, herault):
    """Two calls under review that the agent manages: in one, a dossier given to the agent, who declared
    no conflict, so that their scores are read, saved and submitted; in the other, a dossier whose
    decision was notified, read by the agent as a member of its establishment too (two calls, as nobody
    reviews a call their own establishment applies to)."""
    scored_call, decided_call = published_call(agent), published_call(agent)
    space, director = _space_with()
    scored = submitted_application(
        scored_call, EstablishmentFactory(departement=herault, organisation=space), director
    )
    space, director = _space_with(member=agent)
    decided = submitted_application(
        decided_call, EstablishmentFactory(departement=herault, organisation=space), director
    )
    scored_review, decided_review = (_under_review(call, agent) for call in (scored_call, decided_call))
    scored.refresh_from_db()
    decided.refresh_from_db()
    assignment = review_services.assign(review=scored_review, application=scored, reviewer=agent, by=agent)
    review_services.declare_no_conflict(assignment=assignment, by=agent)
    decision = review_decisions.draft_decision(
        application=decided, outcome=Outcome.SELECTED, reason="Projet solide.", by=agent
    )
    review_decisions.confirm_decisions(review=decided_review, by=agent)
    decision.refresh_from_db()
    review_decisions.record_notification(decision=decision)
    return [
        ("assignment_id", EXAMPLE_ASSIGNMENT_ID, assignment.pk),
        ("call_id", EXAMPLE_REVIEWED_CALL_ID, decided_call.pk),
        ("application_id", EXAMPLE_DECIDED_APPLICATION_ID, decided.pk),
    ]


def seeded_cohort(agent):
    """A confirmed cohort of the agent's region with a session and a reported visit, read whole."""
    from capqvct.cohorts.models import Session, SupportVisit
    from capqvct.cohorts.tests.builders import confirmed_cohort

    cohort = confirmed_cohort(agent, herault=2)
    participant = cohort.participants.order_by("pk").first()
    start = timezone.now() - timedelta(days=2)
    session = Session.objects.create(
        call=cohort.call, cohort=cohort, number=1, starts_at=start, ends_at=start + timedelta(hours=7)
    )
    SupportVisit.objects.create(
        participant=participant,
        consultant=cohort.pair.first,
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        report_done="Atelier",
        report_written_at=start + timedelta(hours=5),
    )
    _seeded_approach(participant)
    campaign = _seeded_campaign(participant)
    return [
        ("campaign_id", EXAMPLE_CAMPAIGN_ID, campaign.pk),
        ("cohort_id", EXAMPLE_COHORT_ID, cohort.pk),
        ("participation_id", EXAMPLE_PARTICIPATION_ID, participant.pk),
        ("session_id", EXAMPLE_SESSION_ID, session.pk),
    ]


def _seeded_campaign(participant):
    """A closed survey wave with enough responses for every figure the API gives."""
    from capqvct.surveys import services
    from capqvct.surveys.tests.builders import shipped

    by = participant.cohort.pair.first
    today = timezone.localdate()
    campaign = services.create_campaign(
        participant=participant,
        by=by,
        wave=1,
        instrument=shipped(),
        opens_on=today,
        closes_on=today,
        headcount=10,
        breakdowns=["shift"],
    )
    services.open_campaign(campaign=campaign, by=by)
    for index in range(12):
        services.submit_response(
            campaign=campaign,
            answers={"ORG1": 1 + index % 5, "ORG2": 2, "ORG3": 3},
            about={"shift": ("day", "night")[index % 2]},
        )
    services.close_campaign(campaign=campaign, by=by)
    return campaign


def _seeded_approach(participant):
    """The participation's approach with something in each part the API reads."""
    from datetime import date
    from decimal import Decimal

    from capqvct.approaches.models import (
        Action,
        Approach,
        CommitteeMeeting,
        CommitteeMember,
        IndicatorYear,
        WorkGroup,
    )

    approach = Approach.objects.create(participant=participant, scope_services="Unités A et B")
    member = CommitteeMember.objects.create(approach=approach, name="Claire Martin", role="direction")
    CommitteeMeeting.objects.create(approach=approach, held_on=date(2026, 9, 1)).attendees.add(member)
    WorkGroup.objects.create(
        approach=approach, name="EDT de nuit", members="Awa, aide-soignante"
    ).meetings.create(held_on=date(2026, 9, 8), notes="Le pic du matin")
    IndicatorYear.objects.create(approach=approach, year=2025, real_fte=Decimal("50"), days_short_illness=730)
    Action.objects.create(approach=approach, title="Binômes de nuit", theme="organisation", experiment=True)


def _under_review(call, manager):
    """The call past its deadline, its review opened with a one-criterion grid."""
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(hours=1))
    call.refresh_from_db()
    review = review_services.open_review(call=call, by=manager)
    review_services.set_grid(
        review=review, criteria=[review_services.CriterionInput("Portage du projet")], by=manager
    )
    return review


def _space_with(member=None):
    """An establishment's space, with its director (and `member`, if given); returns (space, director)."""
    space = OrganisationFactory(establishment_space=True)
    if member is not None:
        MembershipFactory(organisation=space, user=member, role=Role.MEMBER)
    return space, MembershipFactory(organisation=space, role=Role.DIRECTOR).user


# Loaded when the module is imported: serving the document needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
# The seeded data is shared by every generated request on purpose: a generated request may save or
# submit the dossier received by post, and the next ones then meet a stale version or a refusal.
@settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_api_answers_as_documented(case, api_token, seeded_ids, wsgi_keeps_the_test_connection):
    # Ids depend on the database's sequences: the documented example stands for the seeded object.
    for name, example, pk in seeded_ids:
        if (case.path_parameters or {}).get(name) == example:
            case.path_parameters[name] = pk
            break
    # Schemathesis's WSGI client asks for gzip and does not inflate what it gets back: ask for plain JSON.
    case.call_and_validate(headers={"Authorization": f"Bearer {api_token}", "Accept-Encoding": "identity"})
