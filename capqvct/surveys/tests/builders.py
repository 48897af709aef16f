"""A workspace with a survey campaign: the approach's people (tests/builders of approaches) and
responses stored the way the questionnaire stores them."""

import random
from datetime import date, timedelta

from capqvct.approaches.tests.builders import Workspace, workspace
from capqvct.surveys import services
from capqvct.surveys.models import Access, Campaign, InstrumentVersion

# The questionnaire's pages read the real date: campaigns are built around it.
TODAY = date.today()


def shipped(code: str = "qvct-cap") -> InstrumentVersion:
    services.ensure_shipped_instruments()
    return InstrumentVersion.objects.get(code=code, agency=None)


def campaign_in(
    space: Workspace, *, wave: int = 1, access: str = Access.LINK, breakdowns=(), services_=(), opened=True
):
    campaign = services.create_campaign(
        participant=space.participant,
        by=space.director,
        wave=wave,
        instrument=shipped(),
        opens_on=TODAY - timedelta(days=3),
        closes_on=TODAY + timedelta(days=14),
        headcount=40,
        access=access,
        breakdowns=list(breakdowns),
        services=list(services_),
    )
    if opened:
        services.open_campaign(campaign=campaign, by=space.director)
    return campaign


def respond(
    campaign: Campaign, count: int, *, value: int | None = None, seed: int = 1, about=None, code=None
):
    """`count` responses, every item answered (with `value`, else at random)."""
    rng = random.Random(seed)
    items = [item.code for item in campaign.instrument.instrument.items]
    for _ in range(count):
        services.submit_response(
            campaign=campaign,
            answers={item: value or rng.randint(1, 5) for item in items},
            about=about or {},
            code_digest_=code,
            today=TODAY,
        )


def survey_space() -> Workspace:
    return workspace()
