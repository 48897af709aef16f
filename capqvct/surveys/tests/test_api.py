"""The API gives the results the page gives, through the same guard: nothing while the campaign is
open, the figures once it is closed, and nothing to those outside the workspace."""

import pytest

from capqvct.api.tests.conftest import token_of
from capqvct.surveys import services
from capqvct.surveys.tests.builders import campaign_in, respond, survey_space

pytestmark = pytest.mark.django_db


def read(client, user, path):
    return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token_of(user)}"})


def test_results_through_the_api(client):
    space = survey_space()
    campaign = campaign_in(space, breakdowns=["shift"])
    respond(campaign, 6, value=4, about={"shift": "day"})
    respond(campaign, 6, value=2, about={"shift": "night"})
    while_open = read(client, space.consultant, f"/enquetes/{campaign.pk}/resultats").json()
    assert while_open["published"] is False and while_open["scales"] == [] and while_open["respondents"] == 12
    services.close_campaign(campaign=campaign, by=space.director)
    body = read(client, space.manager, f"/enquetes/{campaign.pk}/resultats").json()
    assert body["published"] is True and body["threshold"] == 5
    (shift,) = body["breakdowns"]
    assert sorted(group["label"] for group in shift["groups"]) == ["La nuit", "Le jour"]
    for scale, row in zip(body["scales"], shift["rows"], strict=True):
        # Two groups of six: the establishment's score is their mean, and they differ.
        day, night = row["scores"]
        assert day != night and scale["score"] == pytest.approx((day + night) / 2)
    assert all(group["respondents"] == 6 for group in shift["groups"])
    listing = read(client, space.director, f"/participations/{space.participant.pk}/enquetes").json()
    assert listing == [
        {
            "id": campaign.pk,
            "wave": 1,
            "status": "closed",
            "questionnaire": "qvct-cap 1.0",
            "opens_on": campaign.opens_on.isoformat(),
            "closes_on": campaign.closes_on.isoformat(),
            "headcount": 40,
            "respondents": 12,
        }
    ]
    assert read(client, space.stranger, f"/enquetes/{campaign.pk}/resultats").status_code == 404
