"""The second sequence: work groups, a year's HR figures turned into the dashboard's indicators with
their formulas and their change, the situations rated by the comité and ranked; on the page, what was
typed stays when refused, and the page reads in a fixed number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from capqvct.approaches import diagnosis_services
from capqvct.approaches.diagnosis_selectors import indicator_table, matrix_of, ranked_situations
from capqvct.approaches.models import Approach, IndicatorYear, Situation, WorkGroupMeeting
from capqvct.approaches.tests.builders import workspace
from capqvct.core.exceptions import Refusal
from tests.factories import login_verified
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return workspace()


# An EHPAD of 50 real FTE: 730 days of ordinary illness → 730 ÷ (50 × 365) = 4,00 %; the next year
# 547,5 days would be 3 %, typed as 548 days → 548 ÷ 18 250 = 3,00 % (3,0027 rounded).
YEAR_BEFORE = {"real_fte": Decimal("50"), "days_short_illness": 730}
YEAR_AFTER = {"real_fte": Decimal("50"), "days_short_illness": 548}


def test_a_years_figures_become_the_indicators_with_their_change(w):
    diagnosis_services.save_indicator_year(
        participant=w.participant, by=w.director, year=2024, figures=YEAR_BEFORE
    )
    diagnosis_services.save_indicator_year(
        participant=w.participant, by=w.consultant, year=2025, figures=YEAR_AFTER
    )
    table = indicator_table(list(Approach.objects.get().indicator_years.order_by("year")))
    assert table.years == [2024, 2025]
    short = next(row for row in table.rows if row.indicator.code.endswith("short_illness"))
    assert [result.value for result in short.results] == [Decimal("4.00"), Decimal("3.00")]
    assert short.change_points == "−1,00" and short.change_label == "amélioration"
    turnover = next(row for row in table.rows if "turnover" in row.indicator.code)
    assert turnover.results[0].value is None and "Il manque" in turnover.results[0].explanation


def test_a_year_is_replaced_not_doubled_and_bad_figures_are_refused_at_their_field(w):
    diagnosis_services.save_indicator_year(
        participant=w.participant, by=w.director, year=2024, figures=YEAR_BEFORE
    )
    diagnosis_services.save_indicator_year(
        participant=w.participant,
        by=w.director,
        year=2024,
        figures={**YEAR_BEFORE, "days_short_illness": 365},
    )
    assert IndicatorYear.objects.get().days_short_illness == 365
    next_year = timezone.localdate().year + 1
    cases = [
        ({"year": next_year, "figures": YEAR_BEFORE}, "year"),
        ({"year": 2024, "figures": {"entries": -3}}, "entries"),
        ({"year": 2023, "figures": {}}, "real_fte"),
    ]
    for arguments, field in cases:
        with pytest.raises(Refusal) as refused:
            diagnosis_services.save_indicator_year(participant=w.participant, by=w.director, **arguments)
        assert refused.value.field == field
    assert list(IndicatorYear.objects.values_list("year", "days_short_illness")) == [(2024, 365)]


def test_work_groups_meet_once_their_date_has_come(w):
    group = diagnosis_services.add_work_group(
        participant=w.participant, by=w.director, name="EDT de nuit", members="Awa, aide-soignante\nLéo, IDE"
    )
    with pytest.raises(Refusal) as refused:
        diagnosis_services.record_work_group_meeting(
            group=group, by=w.director, held_on=date.today(), notes=" "
        )
    assert refused.value.field == "notes"
    diagnosis_services.record_work_group_meeting(
        group=group, by=w.director, held_on=date.today(), notes="Les transmissions du matin débordent."
    )
    assert WorkGroupMeeting.objects.get().group == group
    with pytest.raises(Refusal):
        diagnosis_services.add_work_group(participant=w.participant, by=w.manager, name="X", members="Y")


def test_the_comite_rates_and_the_situations_are_ranked(w):
    def situation(title, theme="organisation"):
        return diagnosis_services.add_situation(
            participant=w.participant, by=w.director, title=title, theme=theme
        )

    nights, handover, breaks = situation("Nuits à deux"), situation("Transmissions"), situation("Pauses")
    with pytest.raises(Refusal) as refused:
        diagnosis_services.rate_situation(
            situation=nights, by=w.director, importance=5, feasibility=2, retained=True
        )
    assert refused.value.field == "importance"
    with pytest.raises(Refusal) as refused:
        diagnosis_services.rate_situation(
            situation=nights, by=w.director, importance=3, feasibility=None, retained=True
        )
    assert (refused.value.field, refused.value.message) == ("feasibility", "Notez la faisabilité, de 1 à 4.")
    assert Situation.objects.get(pk=nights.pk).importance is None
    diagnosis_services.rate_situation(
        situation=nights, by=w.director, importance=4, feasibility=2, retained=True
    )
    diagnosis_services.rate_situation(
        situation=handover, by=w.consultant, importance=3, feasibility=4, retained=True
    )
    situations = list(Situation.objects.order_by("pk"))
    ranked = ranked_situations(situations)
    # 3 × 4 = 12 before 4 × 2 = 8; « Pauses » not rated yet comes last, unranked.
    assert [(entry.item.title, entry.rank) for entry in ranked] == [
        ("Transmissions", 1),
        ("Nuits à deux", 2),
        ("Pauses", None),
    ]
    matrix = dict(matrix_of(situations).rows)
    assert [s.title for s in matrix[4][1]] == ["Nuits à deux"] and [s.title for s in matrix[3][3]] == [
        "Transmissions"
    ]
    assert breaks.importance is None


def test_the_diagnosis_page_keeps_what_was_typed_and_shows_the_formulas(client, w):
    login_verified(client, w.director)
    path = reverse("approaches:diagnosis", args=[w.participant.pk])
    refused = client.post(path, {"form": "indicators", "year": "2024", "real_fte": "50", "entries": "-2"})
    text = refused.content.decode()
    assert "Un chiffre ne peut pas être négatif." in text and 'value="50"' in text
    assert not IndicatorYear.objects.exists()
    client.post(path, {"form": "indicators", "year": "2024", "real_fte": "50", "days_short_illness": "730"})
    text = client.get(path).content.decode()
    assert "jours calendaires d’absence" in text and "4,00" in text
    assert typography_errors(text) == []


def test_the_rating_form_and_a_manager_refused(client, w):
    situation = diagnosis_services.add_situation(
        participant=w.participant, by=w.director, title="Nuits à deux", theme="health"
    )
    login_verified(client, w.manager)
    path = reverse("approaches:situation_rating", args=[situation.pk])
    assert (
        client.post(
            path, {f"s{situation.pk}-importance": "4", f"s{situation.pk}-feasibility": "2"}
        ).status_code
        == 404
    )
    assert Situation.objects.get().importance is None
    login_verified(client, w.director)
    response = client.post(
        path,
        {
            f"s{situation.pk}-importance": "4",
            f"s{situation.pk}-feasibility": "2",
            f"s{situation.pk}-retained": "on",
        },
        follow=True,
    )
    assert "Cotation de «\u00a0Nuits à deux\u00a0» enregistrée." in response.content.decode()
    assert Situation.objects.filter(importance=4, feasibility=2, retained=True).exists()


def test_the_diagnosis_page_reads_in_a_fixed_number_of_queries(client, w):
    login_verified(client, w.director)
    path = reverse("approaches:diagnosis", args=[w.participant.pk])

    def add(index):
        group = diagnosis_services.add_work_group(
            participant=w.participant, by=w.director, name=f"G{index}", members="x"
        )
        diagnosis_services.record_work_group_meeting(
            group=group, by=w.director, held_on=date.today(), notes="n"
        )
        diagnosis_services.add_situation(
            participant=w.participant, by=w.director, title=f"S{index}", theme="health"
        )
        diagnosis_services.save_indicator_year(
            participant=w.participant, by=w.director, year=2015 + index, figures=YEAR_BEFORE
        )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    add(0)
    first = count()
    for index in range(1, 6):
        add(index)
    assert count() == first


def test_every_figure_has_its_place_in_the_form():
    from capqvct.approaches.diagnosis_forms import FIGURE_GROUPS
    from capqvct.approaches.indicators import INPUT_LABELS

    placed = [name for _, names in FIGURE_GROUPS for name in names]
    assert sorted(placed) == sorted(INPUT_LABELS)
