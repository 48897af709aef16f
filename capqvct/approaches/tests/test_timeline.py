"""The action plan's timeline: well-formed SVG that the Content-Security-Policy lets through, one row per
action on a month scale, readable in black and white and by a screen reader, every title escaped."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capqvct.approaches.timeline import (
    STATUS_LABELS,
    Bar,
    TimelineRow,
    render_timeline,
    summary,
    timeline_rows,
)

SVG = "{http://www.w3.org/2000/svg}"
NBSP = "\u00a0"
TODAY = date(2027, 5, 3)


def action(title="Action", *, starts_on=None, due_on=None, status="running", experiment=False, late=False):
    return Bar(
        title=title,
        theme="Contenu du travail",
        starts_on=starts_on,
        due_on=due_on,
        status=status,
        experiment=experiment,
        late=late,
    )


def draw(bars, today=TODAY, **kwargs):
    return ET.fromstring(render_timeline(bars, today=today, title="Plan d’action 2027", **kwargs))


def rows(svg):
    return svg.findall(f"{SVG}g[@class='row']")


def shape(row, kind):
    return row.find(f"{SVG}*[@class='{kind}']")


def texts(svg, kind):
    return [element.text for element in svg.iter(f"{SVG}text") if element.get("class") == kind]


def luminance(colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_on_white(colour):
    return 1.05 / (luminance(colour) + 0.05)


PLAN = [
    action("Former les encadrants", starts_on=date(2027, 1, 5), due_on=date(2027, 3, 31), status="done"),
    action(
        "Charte du droit à la déconnexion",
        starts_on=date(2027, 2, 1),
        due_on=date(2027, 4, 30),
        status="done",
    ),
    action("Groupe d’expression", starts_on=date(2027, 3, 1), due_on=date(2027, 11, 30)),
    action("Horaires en 12 heures", starts_on=date(2027, 4, 1), due_on=date(2027, 9, 30), experiment=True),
    action("Salle de pause", starts_on=date(2027, 2, 1), due_on=date(2027, 4, 15), late=True),
    action("Questionnaire de suivi", due_on=date(2027, 6, 30), status="planned"),
    action("Binômes de tutorat", status="dropped"),
]


def test_no_action_gives_no_drawing():
    """The page says « Aucune action pour l’instant. » instead."""
    assert render_timeline([], today=TODAY, title="Plan d’action") == ""


def test_an_image_named_by_its_title_and_described_by_its_desc():
    svg = draw(PLAN)

    assert svg.get("role") == "img"
    assert svg.get("width") == "100%"
    assert svg.get("viewBox").startswith("0 0 960 ")
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title[@id='{title_id}']").text == "Plan d’action 2027"
    assert svg.find(f"{SVG}desc[@id='{desc_id}']").text == (
        f"7 actions du 5{NBSP}janvier 2027 au 30{NBSP}novembre 2027, dont 1 aux dates à fixer{NBSP}; "
        "2 réalisées, 3 en cours, 1 en retard"
    )


def test_the_summary_of_the_brief():
    plan = [bar for bar in PLAN if bar.dates] + [action(starts_on=date(2027, 5, 1), due_on=date(2027, 5, 31))]

    assert summary(plan) == (
        f"7 actions du 5{NBSP}janvier 2027 au 30{NBSP}novembre 2027{NBSP}; "
        "2 réalisées, 4 en cours, 1 en retard"
    )


def test_the_summary_agrees_in_number():
    assert summary([action(starts_on=date(2027, 1, 1), due_on=date(2027, 1, 1), status="done")]) == (
        f"1 action le 1er{NBSP}janvier 2027{NBSP}; 1 réalisée, 0 en cours, 0 en retard"
    )
    assert summary([action(status="planned"), action(status="planned")]) == (
        f"2 actions aux dates à fixer{NBSP}; 0 réalisée, 0 en cours, 0 en retard"
    )


def test_two_drawings_on_a_page_have_their_own_ids():
    first, second = draw(PLAN, id_prefix="plan-2027"), draw(PLAN, id_prefix="plan-2028")

    assert first.get("aria-labelledby") == "plan-2027-title plan-2027-desc"
    assert second.get("aria-labelledby") == "plan-2028-title plan-2028-desc"


def test_an_id_prefix_must_be_an_xml_name():
    with pytest.raises(ValueError):
        render_timeline(PLAN, today=TODAY, title="Plan", id_prefix='x" onload="alert(1)')


def test_one_row_per_action_in_the_given_order():
    svg = draw(PLAN)

    assert [row.get("data-row") for row in rows(svg)] == [str(position) for position in range(7)]
    assert texts(svg, "label") == [bar.title for bar in PLAN]


def test_bars_start_further_right_the_later_they_start_and_grow_with_their_duration():
    svg = draw(
        [
            action(starts_on=date(2027, 1, 1), due_on=date(2027, 1, 31)),
            action(starts_on=date(2027, 2, 1), due_on=date(2027, 3, 31)),
            action(starts_on=date(2027, 3, 1), due_on=date(2027, 12, 31)),
        ]
    )
    bars = [shape(row, "bar") for row in rows(svg)]

    starts = [float(bar.get("x")) for bar in bars]
    widths = [float(bar.get("width")) for bar in bars]
    assert starts == sorted(starts) and len(set(starts)) == 3
    assert widths == sorted(widths) and len(set(widths)) == 3
    # A year on the month scale: the first bar fills January, the last ends at the chart's right edge.
    assert starts[0] == 320 and widths[0] == pytest.approx(52)
    assert starts[2] + widths[2] == pytest.approx(944)


def test_one_date_makes_a_milestone_and_none_dates_to_fix():
    svg = draw(
        [
            action("Début seul", starts_on=date(2027, 2, 1)),
            action("Échéance seule", due_on=date(2027, 6, 30)),
            action("Même jour", starts_on=date(2027, 4, 1), due_on=date(2027, 4, 1)),
            action("Sans dates"),
        ]
    )
    start_only, due_only, same_day, undated = rows(svg)

    assert all(shape(row, "milestone") is not None for row in (start_only, due_only, same_day))
    assert all(shape(row, "bar") is None for row in (start_only, due_only, same_day, undated))
    assert shape(undated, "milestone") is None
    assert shape(undated, "undated").text == "dates à fixer"


def test_a_plan_without_any_date_is_listed_without_a_scale():
    svg = draw([action("Sans dates"), action("Pas plus")])

    assert texts(svg, "undated") == ["dates à fixer", "dates à fixer"]
    assert texts(svg, "month") == []
    assert svg.find(f".//{SVG}g[@class='today']") is None


def test_months_in_french_with_the_year_at_january():
    svg = draw([action(starts_on=date(2027, 1, 5), due_on=date(2027, 12, 20))])

    assert texts(svg, "month") == [
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ]
    assert texts(svg, "year") == ["2027"]


def test_the_year_at_the_first_month_and_at_each_january():
    svg = draw([action(starts_on=date(2026, 9, 1), due_on=date(2027, 3, 31))])

    assert texts(svg, "year") == ["2026", "2027"]
    assert texts(svg, "month")[:2] == ["sept.", "oct."]


def test_decades_show_years_only():
    svg = draw([action(starts_on=date(1990, 3, 1), due_on=date(2060, 3, 31))])

    assert texts(svg, "month") == []
    assert texts(svg, "year")[:3] == ["1990", "1995", "2000"]


def test_a_today_line_only_when_today_falls_in_the_span():
    plan = [action(starts_on=date(2027, 2, 10), due_on=date(2027, 6, 20))]

    within = draw(plan, today=date(2027, 6, 30)).find(f".//{SVG}g[@class='today']")
    before = draw(plan, today=date(2027, 1, 31)).find(f".//{SVG}g[@class='today']")
    after = draw(plan, today=date(2027, 7, 1)).find(f".//{SVG}g[@class='today']")

    assert within.find(f"{SVG}text").text == "aujourd’hui"
    assert before is None and after is None


def test_status_is_written_not_only_coloured():
    svg = draw(
        [
            action(status="planned"),
            action(status="running", late=True),
            action(status="done"),
            action(status="dropped"),
            action(status="planned", experiment=True),
        ]
    )

    assert texts(svg, "status") == [
        "prévue",
        "en cours, en retard",
        "réalisée",
        "abandonnée",
        "prévue (expérimentation)",
    ]


def test_an_experiment_has_a_dashed_frame():
    svg = draw(
        [
            action(starts_on=date(2027, 1, 1), due_on=date(2027, 3, 31), experiment=True),
            action(due_on=date(2027, 2, 1), experiment=True),
            action(starts_on=date(2027, 1, 1), due_on=date(2027, 3, 31)),
        ]
    )
    bar, milestone, ordinary = rows(svg)

    assert shape(bar, "experiment").get("stroke-dasharray")
    assert shape(milestone, "experiment").get("stroke-dasharray")
    assert shape(ordinary, "experiment") is None


def test_a_malicious_title_is_escaped():
    title = '<script>alert("x")</script> & <b>co</b>'

    markup = render_timeline([action(title)], today=TODAY, title="Plan <d’action> & co")
    svg = ET.fromstring(markup)

    assert "<script" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup and "&amp; &lt;b&gt;" in markup
    assert texts(svg, "label") == [title]
    assert svg.find(f"{SVG}title").text == "Plan <d’action> & co"


def test_characters_xml_forbids_are_dropped():
    svg = draw([action("Bip\x07 et\x00 nul\ufffe")])

    assert texts(svg, "label") == ["Bip et nul"]


def test_a_long_title_is_truncated_and_kept_whole_on_hover():
    title = (
        "Mettre en place des temps d’échange sur les pratiques professionnelles "
        "entre équipes de jour et de nuit"
    )

    row = rows(draw([action(title, starts_on=date(2027, 1, 1), due_on=date(2027, 6, 30))]))[0]

    label = shape(row, "label").text
    assert label.endswith("…") and len(label) <= 44
    assert title.startswith(label[:-1])
    assert row.find(f"{SVG}title").text == (
        f"{title} (Contenu du travail){NBSP}: en cours, du 1er{NBSP}janvier 2027 au 30{NBSP}juin 2027"
    )


def test_nothing_the_content_security_policy_would_block():
    markup = render_timeline(PLAN, today=TODAY, title="Plan")
    svg = ET.fromstring(markup)

    tags = {element.tag for element in svg.iter()}
    assert f"{SVG}script" not in tags and f"{SVG}style" not in tags
    assert not any("style" in element.attrib for element in svg.iter())
    assert not any(name.startswith("on") for element in svg.iter() for name in element.attrib)


def test_every_text_colour_reads_on_white():
    svg = draw(PLAN)
    colours = {svg.get("fill")} | {text.get("fill") for text in svg.iter(f"{SVG}text") if text.get("fill")}

    assert len(colours) >= 4
    assert all(contrast_on_white(colour) >= 4.5 for colour in colours), colours


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError):
        action(status="finished")


def test_rows_for_the_accessible_table():
    table = timeline_rows(
        [
            action("Former", starts_on=date(2027, 1, 5), due_on=date(2027, 3, 1), status="done"),
            action("Salle de pause", starts_on=date(2027, 2, 1), late=True, experiment=True),
            action("Questionnaire", due_on=date(2027, 6, 30), status="planned"),
            action("Tutorat", status="dropped"),
        ]
    )

    assert table[0] == TimelineRow(
        title="Former",
        theme="Contenu du travail",
        status="done",
        status_label="réalisée",
        starts_on=f"5{NBSP}janvier 2027",
        due_on=f"1er{NBSP}mars 2027",
        dates=f"du 5{NBSP}janvier 2027 au 1er{NBSP}mars 2027",
        late=False,
        late_label="",
        experiment=False,
    )
    assert (table[1].due_on, table[1].dates, table[1].late_label) == (
        "",
        f"à partir du 1er{NBSP}février 2027",
        "en retard",
    )
    assert table[2].dates == f"échéance le 30{NBSP}juin 2027"
    assert (table[3].status_label, table[3].dates) == ("abandonnée", "dates à fixer")


# Properties --------------------------------------------------------------------------------------

days = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
bars = st.builds(
    Bar,
    title=st.text(max_size=120),
    theme=st.sampled_from(["Contenu du travail", "Santé au travail", "Management", ""]),
    starts_on=days,
    due_on=days,
    status=st.sampled_from(sorted(STATUS_LABELS)),
    experiment=st.booleans(),
    late=st.booleans(),
)


def points(polygon):
    return [tuple(map(float, point.split(","))) for point in polygon.get("points").split()]


@given(
    st.lists(bars, min_size=1, max_size=12),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)),
)
def test_any_plan_draws_one_row_per_action_inside_the_view_box(plan, today):
    svg = ET.fromstring(render_timeline(plan, today=today, title="Plan"))
    _, _, width, height = map(float, svg.get("viewBox").split())

    assert len(rows(svg)) == len(plan)
    for rect in svg.iter(f"{SVG}rect"):
        if rect.get("x") is not None:  # the hatch pattern's tile has no position
            x, y = float(rect.get("x")), float(rect.get("y"))
            assert 0 <= x and x + float(rect.get("width")) <= width
            assert 0 <= y and y + float(rect.get("height")) <= height
    for polygon in svg.iter(f"{SVG}polygon"):
        assert all(0 <= x <= width and 0 <= y <= height for x, y in points(polygon))
    for text in svg.iter(f"{SVG}text"):
        assert 0 <= float(text.get("x")) < width and 0 <= float(text.get("y")) <= height


@given(st.lists(bars, min_size=1, max_size=12))
def test_every_dated_action_has_a_shape_and_every_other_says_so(plan):
    svg = ET.fromstring(render_timeline(plan, today=TODAY, title="Plan"))

    for bar, row in zip(plan, rows(svg), strict=True):
        drawn = shape(row, "bar") if len(set(bar.dates)) == 2 else shape(row, "milestone")
        assert (drawn is not None) == bool(bar.dates)
        assert (shape(row, "undated") is not None) == (not bar.dates)
