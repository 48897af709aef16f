"""Anonymity, attacked: whatever the respondents, no figure a reader sees rests on fewer than the
threshold's people, and no figure put beside another gives away a smaller group (anonymity.py).

The rule is tried on any counts; `results_of` on campaigns hypothesis makes up (how many answered, in
which bands, how much of each scale), every figure shown checked against the respondents it is
computed from, worked out again from the generated answers."""

import random
from collections import Counter
from dataclasses import dataclass
from itertools import chain, combinations
from statistics import mean

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from capqvct.surveys import services
from capqvct.surveys.anonymity import (
    NOT_ANSWERED,
    OTHERS,
    free_text_threshold,
    merged_groups,
    safe_groups,
    threshold,
)
from capqvct.surveys.bands import DIMENSIONS, dimension_of
from capqvct.surveys.instruments import SHIPPED, Scale, load_instrument
from capqvct.surveys.models import FreeText, QuestionKind
from capqvct.surveys.results import ItemResult, Results, ScaleResult, results_of
from capqvct.surveys.tests.builders import TODAY, campaign_in, respond, survey_space

pytestmark = pytest.mark.django_db

INSTRUMENT = load_instrument(SHIPPED["qvct-cap"])  # the questionnaire campaign_in uses
SERVICES = ("Accueil", "Soins", "Cuisine")


def subsets(items) -> chain:
    """Every non-empty subset: what a reader may add up."""
    items = list(items)
    return chain.from_iterable(combinations(items, size) for size in range(1, len(items) + 1))


def nobody_or_enough(people: int, minimum: int) -> bool:
    return people == 0 or people >= minimum


# The rule alone

labels = st.text(alphabet="abcd", max_size=2)  # "" is a band nobody chose: « non renseigné »
counts_by_label = st.dictionaries(labels, st.integers(min_value=0, max_value=40), max_size=8)
minimums = st.integers(min_value=5, max_value=8)


@given(counts=counts_by_label, minimum=minimums)
def test_no_group_shown_nor_any_remainder_of_the_total_is_under_the_minimum(counts, minimum):
    shown = safe_groups(counts, minimum)
    total = sum(counts.values())
    assert shown <= set(counts)
    assert all(counts[label] >= minimum for label in shown)
    assert len(shown) != 1
    # The total minus any groups shown (all of them: the people left out) is a group too.
    for added_up in subsets(shown):
        assert nobody_or_enough(total - sum(counts[label] for label in added_up), minimum), added_up


@given(counts=st.dictionaries(labels, st.integers(min_value=8, max_value=40), min_size=2), minimum=minimums)
def test_a_breakdown_whose_groups_all_have_enough_people_is_shown_whole(counts, minimum):
    assert safe_groups(counts, minimum) == set(counts)


@given(counts=counts_by_label, minimum=minimums)
def test_merged_groups_gather_every_chosen_value_once_each_group_with_enough_people(counts, minimum):
    merged = merged_groups(counts, minimum)
    gathered = [value for values in merged.values() for value in values]
    if merged:
        assert sorted(gathered) == sorted(label for label, count in counts.items() if count)
    assert all(sum(counts[value] for value in values) >= minimum for values in merged.values())
    assert len(merged) != 1
    assert NOT_ANSWERED not in merged  # always among « Autres ou non renseigné »


@given(counts=counts_by_label, minimum=minimums)
def test_merged_groups_show_a_breakdown_whenever_the_rule_alone_allows_one(counts, minimum):
    assert (merged_groups(counts, minimum) == {}) <= (safe_groups(counts, minimum) == set())


# Campaigns made up by hypothesis, read through results_of


@dataclass(frozen=True)
class Respondent:
    about: dict[str, str]  # dimension → band, "" when not answered
    answers: dict[str, int]  # item → 1..5, skipped items left out


@dataclass(frozen=True)
class Survey:
    breakdowns: tuple[str, ...]
    minimum: int  # SURVEY_MIN_RESPONDENTS
    respondents: tuple[Respondent, ...]


@dataclass(frozen=True)
class Figure:
    """A mean shown, with the respondents it is computed from."""

    where: str
    people: frozenset[int]
    score: float


def bands_of(code: str) -> list[str]:
    return ["", *(band for band, _ in dimension_of(code, list(SERVICES)).bands)]


@st.composite
def respondents(draw, profiles: list[dict[str, str]], skipping: bool) -> Respondent:
    about = draw(st.sampled_from(profiles))
    # How many items of each scale this person answered (3 of 5 are needed for a score): all of them,
    # or when people skip, all of them half of the time.
    sizes = [len(INSTRUMENT.items_of(scale.code)) for scale in INSTRUMENT.scales]
    answered = (
        draw(st.tuples(*(st.just(size) | st.integers(0, size) for size in sizes)).filter(any))
        if skipping
        else sizes
    )
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))  # which items, and the answers
    answers = {
        item.code: rng.randint(1, 5)
        for scale, count in zip(INSTRUMENT.scales, answered, strict=True)
        for item in rng.sample(INSTRUMENT.items_of(scale.code), count)
    }
    return Respondent(about, answers)


@st.composite
def surveys(draw) -> Survey:
    breakdowns = tuple(draw(st.lists(st.sampled_from(tuple(DIMENSIONS)), unique=True, min_size=1)))
    # The few combinations of bands the people of this establishment share (all night workers are
    # care workers…), so that groups are large enough to be shown and often nested in one another.
    profiles = draw(
        st.lists(
            st.fixed_dictionaries({code: st.sampled_from(bands_of(code)) for code in breakdowns}),
            min_size=1,
            max_size=4,
        )
    )
    minimum = draw(st.integers(min_value=5, max_value=8))
    # Often just around the threshold, where a figure appears.
    count = draw(st.integers(min_value=3, max_value=10) | st.sampled_from(range(41)))
    skipping = draw(st.booleans())
    return Survey(breakdowns, minimum, tuple(draw(respondents(profiles, skipping)) for _ in range(count)))


def everyone_answering(**about) -> Respondent:
    return Respondent(about, {item.code: 1 + index % 5 for index, item in enumerate(INSTRUMENT.items)})


# Ten care workers of more than five years, three care workers and ten administrative staff of less
# than a year: « soin » minus « plus de 5 ans » is the mean of three people.
NESTED_GROUPS = Survey(
    ("profession", "seniority"),
    5,
    tuple(
        [everyone_answering(profession="care", seniority="gt5")] * 10
        + [everyone_answering(profession="care", seniority="lt1")] * 3
        + [everyone_answering(profession="admin", seniority="lt1")] * 10
    ),
)

run_settings = hypothesis_settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def space():
    return survey_space()


def results_for(space, survey: Survey) -> Results:
    """Run inside a transaction the caller rolls back: one campaign per wave and participant."""
    campaign = campaign_in(space, breakdowns=survey.breakdowns, services_=SERVICES)
    for respondent in survey.respondents:
        services.submit_response(
            campaign=campaign, answers=respondent.answers, about=respondent.about, today=TODAY
        )
    services.close_campaign(campaign=campaign, by=space.director)
    with override_settings(SURVEY_MIN_RESPONDENTS=survey.minimum):
        return results_of(campaign)


def item_score(item, value: int) -> float:
    score = (value - 1) * 25.0
    return 100.0 - score if item.reverse else score


def scored(survey: Survey, scale: Scale) -> frozenset[int]:
    items = INSTRUMENT.items_of(scale.code)
    needed = scale.required_answers(len(items))
    return frozenset(
        index
        for index, respondent in enumerate(survey.respondents)
        if sum(item.code in respondent.answers for item in items) >= needed
    )


def mean_score(survey: Survey, scale: Scale, people: frozenset[int]) -> float:
    def own_score(respondent: Respondent) -> float:
        return mean(
            item_score(item, respondent.answers[item.code])
            for item in INSTRUMENT.items_of(scale.code)
            if item.code in respondent.answers
        )

    return mean(own_score(survey.respondents[index]) for index in people)


def members(survey: Survey, code: str, values: tuple[str, ...]) -> frozenset[int]:
    return frozenset(
        index for index, respondent in enumerate(survey.respondents) if respondent.about[code] in values
    )


def figures_shown(results: Results, survey: Survey) -> dict[str, list[Figure]]:
    """Per scale, every mean shown: the total, then each breakdown's cells."""
    figures: dict[str, list[Figure]] = {scale.code: [] for scale in INSTRUMENT.scales}
    if not results.published:
        return figures
    for scale, result in zip(INSTRUMENT.scales, results.scales, strict=True):
        if result.score is not None:
            figures[scale.code].append(Figure("ensemble", scored(survey, scale), result.score))
    for breakdown in results.breakdowns:
        if not breakdown.groups:  # « pas de répartition »: no row at all
            continue
        for scale, (_, cells) in zip(INSTRUMENT.scales, breakdown.rows, strict=True):
            for group, cell in zip(breakdown.groups, cells, strict=True):
                if cell is not None:
                    people = members(survey, breakdown.code, group.values) & scored(survey, scale)
                    figures[scale.code].append(Figure(f"{breakdown.code} {group.label}", people, cell))
    return figures


def assert_items_rest_on_enough_people(survey: Survey, scale: Scale, result: ScaleResult, minimum: int):
    """An item's shares count the people the scale's score counts, never anyone else, and are shown
    only when those of them who skipped some of its items number 0 or at least `minimum`: beside the
    score, the items give away what that handful answered."""
    items = INSTRUMENT.items_of(scale.code)
    people = [survey.respondents[index] for index in sorted(scored(survey, scale))]
    partial = sum(1 for respondent in people if any(item.code not in respondent.answers for item in items))
    for item, shown in zip(items, result.items, strict=True):
        answers_given = [
            respondent.answers[item.code] for respondent in people if item.code in respondent.answers
        ]
        assert shown.respondents == len(answers_given)
        if shown.shares is not None:
            assert len(answers_given) >= minimum, item.code
            assert nobody_or_enough(partial, minimum), item.code
            assert [share.percent for share in shown.shares] == pytest.approx(
                [100 * answers_given.count(value) / len(answers_given) for value in range(1, 6)]
            )


def assert_no_figure_rests_on_too_few(results: Results, survey: Survey) -> int:
    """(a), (d), (e) and the means themselves; returns how many breakdown cells were shown."""
    minimum = results.threshold
    assert minimum == survey.minimum
    assert results.published == (len(survey.respondents) >= minimum)
    if not results.published:
        assert results.scales == [] and results.breakdowns == []
        return 0
    for scale, result in zip(INSTRUMENT.scales, results.scales, strict=True):
        people = scored(survey, scale)
        assert result.respondents == len(people)
        assert (result.score is None) == (result.distribution is None) == (len(people) < minimum)
        assert_items_rest_on_enough_people(survey, scale, result, minimum)
    for breakdown in results.breakdowns:
        assert len(breakdown.rows) == (len(INSTRUMENT.scales) if breakdown.groups else 0)
        for group in breakdown.groups:
            assert group.respondents == len(members(survey, breakdown.code, group.values)) >= minimum
    cells = 0
    for scale in INSTRUMENT.scales:
        for figure in figures_shown(results, survey)[scale.code]:
            assert len(figure.people) >= minimum, figure.where
            assert figure.score == pytest.approx(mean_score(survey, scale, figure.people)), figure.where
            cells += figure.where != "ensemble"
    return cells


def assert_no_remainder_of_the_total_is_too_small(results: Results, survey: Survey) -> None:
    """(b): the people of a scale's total not in some of a breakdown's cells shown for it."""
    for scale in INSTRUMENT.scales:
        total = scored(survey, scale)
        for breakdown in results.breakdowns:
            cells = [
                figure.people
                for figure in figures_shown(results, survey)[scale.code]
                if figure.where.startswith(f"{breakdown.code} ")
            ]
            for added_up in subsets(cells):
                rest = total - frozenset().union(*added_up)
                assert nobody_or_enough(len(rest), results.threshold), (scale.code, breakdown.code)


def test_every_figure_rests_on_enough_people_and_no_remainder_of_the_total_is_smaller(space):
    published = []

    @run_settings
    @given(survey=surveys())
    def check(survey):
        with transaction.atomic():
            results = results_for(space, survey)
            assert_no_figure_rests_on_too_few(results, survey)
            assert_no_remainder_of_the_total_is_too_small(results, survey)
            transaction.set_rollback(True)
        published.append(results.published)

    check()
    assert any(published)


def assert_no_figure_contains_another_but_for_too_few(results: Results, survey: Survey) -> None:
    """(c): the difference of two nested figures of a scale, across the total and every breakdown."""
    for scale_figures in figures_shown(results, survey).values():
        for larger, smaller in combinations(scale_figures, 2):
            if larger.people < smaller.people:
                larger, smaller = smaller, larger
            if smaller.people < larger.people:
                difference = len(larger.people - smaller.people)
                assert difference >= results.threshold, (larger.where, smaller.where, difference)


def assert_no_atom_is_too_small(results: Results, survey: Survey) -> None:
    """Whatever a reader adds up and takes away among a scale's figures is a union of « atoms »: the
    people who are in exactly the same figures. None may be under the threshold."""
    for scale_figures in figures_shown(results, survey).values():
        everyone = frozenset().union(*(figure.people for figure in scale_figures))
        atoms = Counter(tuple(person in figure.people for figure in scale_figures) for person in everyone)
        assert all(size >= results.threshold for size in atoms.values()), atoms


def test_no_group_worked_out_from_several_figures_is_under_the_threshold(space):
    @run_settings
    @example(survey=NESTED_GROUPS)
    @given(survey=surveys())
    def check(survey):
        with transaction.atomic():
            results = results_for(space, survey)
            assert_no_figure_contains_another_but_for_too_few(results, survey)
            assert_no_atom_is_too_small(results, survey)
            transaction.set_rollback(True)

    check()


def test_thirty_respondents_in_two_professions_show_each_professions_mean(space):
    survey = Survey(
        ("profession",),
        5,
        tuple(
            [everyone_answering(profession="care")] * 15
            + [Respondent({"profession": "admin"}, {item.code: 4 for item in INSTRUMENT.items})] * 15
        ),
    )
    results = results_for(space, survey)
    (breakdown,) = results.breakdowns
    assert [group.values for group in breakdown.groups] == [("admin",), ("care",)]
    assert assert_no_figure_rests_on_too_few(results, survey) == 2 * len(INSTRUMENT.scales)
    assert_no_remainder_of_the_total_is_too_small(results, survey)


def test_a_breakdown_that_would_give_away_a_group_beside_another_is_left_out(space):
    results = results_for(space, NESTED_GROUPS)
    profession, seniority = results.breakdowns
    assert [group.values for group in profession.groups] == [("care",), ("admin",)]
    assert seniority.groups == () and seniority.rows == ()
    assert_no_figure_contains_another_but_for_too_few(results, NESTED_GROUPS)


def test_two_breakdowns_whose_crossing_leaves_enough_people_everywhere_are_both_shown(space):
    survey = Survey(
        ("profession", "seniority"),
        5,
        tuple(
            everyone_answering(profession=profession, seniority=seniority)
            for profession in ("care", "admin")
            for seniority in ("lt1", "gt5")
            for _ in range(6)
        ),
    )
    results = results_for(space, survey)
    assert [len(breakdown.groups) for breakdown in results.breakdowns] == [2, 2]
    assert assert_no_figure_rests_on_too_few(results, survey) == 4 * len(INSTRUMENT.scales)
    assert_no_atom_is_too_small(results, survey)


# Attacks written out


LONE_ANSWER = 2


def item_total(item: ItemResult) -> float:
    """The sum of an item's scores 0–100: its shares, as the CSV of aggregates rounds them (0.1 %),
    times its respondents give back how many chose each answer."""
    return sum(
        round(round(share.percent, 1) * item.respondents / 100)
        * (100 - (value - 1) * 25 if item.reverse else (value - 1) * 25)
        for value, share in enumerate(item.shares, start=1)
    )


def lone_answer_worked_out(scale: ScaleResult) -> int | None:
    """What a reader works out when one more person answered the scale's first item than the scale
    scores, and those scored answered all of its items: the first item's mean among those scored is n ×
    the score minus the other items' means; its shares count one more person."""
    first, *others = scale.items
    if scale.score is None or any(item.shares is None for item in scale.items):
        return None
    if first.respondents != scale.respondents + 1:
        return None
    others_mean = sum(item_total(item) / item.respondents for item in others)
    first_among_scored = len(scale.items) * round(scale.score, 1) - others_mean
    lone_score = item_total(first) - scale.respondents * first_among_scored
    return round(lone_score / 25) + 1


def partial_score_worked_out(scale: ScaleResult) -> float | None:
    """What a reader works out when one of the people scored skipped one item of the scale: the score
    is the mean of everyone's own mean, so n × N × score = Σ items' totals + (the skipper's total) ÷
    (n − 1), and the skipper's own score follows."""
    people, count = scale.respondents, len(scale.items)
    if scale.score is None or any(item.shares is None for item in scale.items):
        return None
    if sorted(item.respondents for item in scale.items) != [people - 1] + [people] * (count - 1):
        return None
    totals = sum(item_total(item) for item in scale.items)
    skipper_total = (people * round(scale.score, 1) - totals / count) * count * (count - 1)
    return round(skipper_total / 25) * 25 / (count - 1)  # a total of item scores, 25 apart


def test_item_shares_beside_the_scale_score_do_not_give_away_one_persons_answer(space):
    campaign = campaign_in(space)
    organisation = [item.code for item in INSTRUMENT.items_of("ORG")]
    for value in (1, 2, 3, 4, 5, 5):
        services.submit_response(campaign=campaign, answers=dict.fromkeys(organisation, value), today=TODAY)
    # Too little of the scale to be scored, but an answer all the same.
    services.submit_response(campaign=campaign, answers={organisation[0]: LONE_ANSWER}, today=TODAY)
    services.close_campaign(campaign=campaign, by=space.director)
    (scale, *_) = results_of(campaign).scales
    assert scale.respondents == 6 and scale.score is not None
    assert lone_answer_worked_out(scale) != LONE_ANSWER


def test_item_shares_beside_the_scale_score_do_not_give_away_the_score_of_one_who_skipped_an_item(space):
    campaign = campaign_in(space)
    organisation = [item.code for item in INSTRUMENT.items_of("ORG")]
    for value in (1, 2, 3, 4, 5, 5):
        services.submit_response(campaign=campaign, answers=dict.fromkeys(organisation, value), today=TODAY)
    skipper = dict.fromkeys(organisation[:-1], 2)  # ORG3 is reversed: (25 + 25 + 75 + 25) / 4
    services.submit_response(campaign=campaign, answers=skipper, today=TODAY)
    services.close_campaign(campaign=campaign, by=space.director)
    (scale, *_) = results_of(campaign).scales
    assert scale.respondents == 7 and scale.score is not None
    assert partial_score_worked_out(scale) != 37.5
    assert all(item.shares is None for item in scale.items) and "1 personne" in scale.items_note


def test_a_service_named_like_the_merged_group_keeps_its_people(space):
    campaign = campaign_in(
        space, breakdowns=["service"], services_=[OTHERS, "Accueil", "Cuisine", "Lingerie"]
    )
    for service, count in ((OTHERS, 10), ("Accueil", 10), ("Cuisine", 10), ("Lingerie", 2)):
        respond(campaign, count, about={"service": service})
    services.close_campaign(campaign=campaign, by=space.director)
    (breakdown,) = results_of(campaign).breakdowns
    assert sum(group.respondents for group in breakdown.groups) == 32


# The thresholds


def test_free_texts_kept_by_the_review_wait_for_ten_respondents(space, settings):
    settings.SURVEY_MIN_FREE_TEXT_RESPONDENTS = 3
    campaign = campaign_in(space, opened=False)
    question = services.add_own_question(
        campaign=campaign, by=space.director, text="Une idée ?", kind=QuestionKind.TEXT
    )
    services.open_campaign(campaign=campaign, by=space.director)
    for index in range(9):
        services.submit_response(
            campaign=campaign, answers={"ORG1": 3}, texts={str(question.pk): f"idée {index}"}, today=TODAY
        )
    services.close_campaign(campaign=campaign, by=space.director)
    for free_text in FreeText.objects.all():
        services.review_free_text(free_text=free_text, by=space.director, keep=True)
    results = results_of(campaign)
    assert free_text_threshold() == 10
    assert results.published and results.free_texts == []
    assert "à partir de 10 répondants" in results.free_text_note


def test_a_threshold_set_under_five_still_asks_five(space, settings):
    settings.SURVEY_MIN_RESPONDENTS = 2
    campaign = campaign_in(space, breakdowns=["shift"])
    respond(campaign, 4, about={"shift": "day"})
    services.close_campaign(campaign=campaign, by=space.director)
    results = results_of(campaign)
    assert threshold() == results.threshold == 5
    assert not results.published and results.scales == [] and results.breakdowns == []
    assert safe_groups({"day": 4, "night": 4}, threshold()) == set()
