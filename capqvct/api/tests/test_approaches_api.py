"""The approaches through the API: the establishment, its pair and the managers read where the
approach stands, its comité, work groups, indicators (with their formulas) and actions; anyone else
gets a 404; the queries do not grow with the data."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capqvct.api.tests.conftest import bearer, token_of
from capqvct.approaches import diagnosis_services, services
from capqvct.approaches.action_services import add_action
from capqvct.approaches.tests.builders import workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return workspace()


def get(client, user, path):
    return client.get(f"/api/v1{path}", headers=bearer(token_of(user)))


def fill(w, index: int = 0) -> None:
    member = services.add_committee_member(
        participant=w.participant, by=w.director, name=f"Claire Martin {index}", role="direction"
    )
    services.record_committee_meeting(
        participant=w.participant,
        by=w.director,
        held_on=date.today(),
        attendee_ids=[member.pk],
        decisions="Go",
    )
    group = diagnosis_services.add_work_group(
        participant=w.participant, by=w.director, name=f"EDT {index}", members="Awa, aide-soignante"
    )
    diagnosis_services.record_work_group_meeting(
        group=group, by=w.director, held_on=date.today(), notes="Notes"
    )
    diagnosis_services.save_indicator_year(
        participant=w.participant,
        by=w.director,
        year=2020 + index,
        figures={"real_fte": Decimal("50"), "days_short_illness": 730},
    )
    add_action(
        participant=w.participant, by=w.director, title=f"Action {index}", theme="health", status="planned"
    )


def test_the_approach_and_its_parts_read_as_the_pages_show_them(client, w):
    fill(w)
    base = f"/participations/{w.participant.pk}/demarche"
    for reader in (w.director, w.consultant, w.manager):
        approach = get(client, reader, base).json()
        assert approach["sequence"] == 1 and approach["sequence_label"] == "Lancement et conduite en interne"
        assert {item["code"]: item["done"] for item in approach["checklist"]}["meeting"] is True
    committee = get(client, w.director, f"{base}/comite").json()
    assert committee["members"][0]["name"] == "Claire Martin 0"
    assert committee["meetings"][0]["attendees"] == [committee["members"][0]["id"]]
    groups = get(client, w.director, f"{base}/groupes").json()
    assert groups[0]["meetings"][0]["notes"] == "Notes"
    (year,) = get(client, w.director, f"{base}/indicateurs").json()
    short = next(item for item in year["indicators"] if item["code"].endswith("short_illness"))
    # 730 days ÷ (50 FTE × 365) = 4,00 %.
    assert short["value"] == "4.00" and "365" in short["formula"]
    turnover = next(item for item in year["indicators"] if "turnover" in item["code"])
    assert turnover["value"] is None and turnover["missing"]
    (action,) = get(client, w.director, f"{base}/actions").json()
    assert action["title"] == "Action 0" and action["status_label"] == "Prévue"


def test_nobody_else_reads_an_approach(client, w):
    base = f"/participations/{w.participant.pk}/demarche"
    for path in ("", "/comite", "/groupes", "/indicateurs", "/actions"):
        assert get(client, w.stranger, base + path).status_code == 404
    assert client.get(f"/api/v1{base}").status_code == 401


def test_queries_do_not_grow_with_the_approach(client, w):
    base = f"/participations/{w.participant.pk}/demarche"
    paths = [base, f"{base}/comite", f"{base}/groupes", f"{base}/indicateurs", f"{base}/actions"]
    token = token_of(w.director)

    def counts() -> list[int]:
        result = []
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"/api/v1{path}", headers=bearer(token)).status_code == 200
            result.append(len(queries))
        return result

    fill(w, 0)
    counts()  # the token's first use is dated once
    first = counts()
    for index in range(1, 5):
        fill(w, index)
    assert counts() == first
