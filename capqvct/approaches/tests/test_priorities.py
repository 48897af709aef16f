"""The comité's prioritisation matrix: score = importance × feasibility, four quadrants, and a ranking
by score then importance where ties share a rank (1, 2, 2, 4) and unrated items come last."""

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capqvct.approaches.priorities import (
    QUADRANT_LABELS,
    Ranked,
    RatingError,
    quadrant,
    rank,
    score,
)


@dataclass(frozen=True)
class Theme:
    name: str
    importance: int | None
    feasibility: int | None


levels = st.integers(min_value=1, max_value=4)
ratings = st.tuples(levels, levels)
maybe_ratings = st.one_of(ratings, st.tuples(st.none() | levels, st.none()), st.tuples(st.none(), levels))


def names(ranked: list[Ranked[Theme]]) -> list[str]:
    return [entry.item.name for entry in ranked]


def ranks(ranked: list[Ranked[Theme]]) -> list[int | None]:
    return [entry.rank for entry in ranked]


def rank_ratings(values: list[tuple[int | None, int | None]]) -> list[Ranked[int]]:
    """Rank the positions 0…n−1 of a list of ratings."""
    return rank(range(len(values)), key=lambda position: values[position])


def test_score_is_the_product():
    assert score(1, 1) == 1
    assert score(3, 2) == 6
    assert score(4, 4) == 16


@pytest.mark.parametrize(
    ("importance", "feasibility", "field"),
    [(0, 2, "importance"), (5, 2, "importance"), (2, 0, "feasibility"), (2, 5, "feasibility")],
)
def test_a_level_outside_one_to_four_is_refused_in_french(importance, feasibility, field):
    with pytest.raises(RatingError) as refusal:
        score(importance, feasibility)
    assert refusal.value.field == field
    assert "de 1 à 4" in refusal.value.message


def test_a_refusal_is_a_value_error_naming_the_value():
    with pytest.raises(ValueError, match="La faisabilité se note de 1 à 4\u00a0: 7 ne convient pas."):
        score(2, 7)


@pytest.mark.parametrize("value", [True, 2.0, "3", None])
def test_only_whole_numbers_are_levels(value):
    with pytest.raises(RatingError):
        quadrant(value, 2)


@pytest.mark.parametrize(
    ("importance", "feasibility", "expected"),
    [
        (3, 3, "priority"),
        (4, 4, "priority"),
        (1, 3, "quick_win"),
        (2, 4, "quick_win"),
        (3, 2, "prepare"),
        (4, 1, "prepare"),
        (2, 2, "later"),
        (1, 1, "later"),
    ],
)
def test_quadrants(importance, feasibility, expected):
    assert quadrant(importance, feasibility) == expected


def test_every_quadrant_has_a_french_label():
    assert QUADRANT_LABELS == {
        "priority": "À traiter en priorité",
        "quick_win": "Gains rapides",
        "prepare": "À préparer",
        "later": "Plus tard",
    }


def test_ranking_by_score_then_importance_with_shared_ranks():
    themes = [
        Theme("Relations au travail", 2, 2),  # 4
        Theme("Contenu du travail", 4, 3),  # 12
        Theme("Santé au travail", 3, 4),  # 12, less important than « Contenu »
        Theme("Égalité professionnelle", 2, 4),  # 8
        Theme("Management", 4, 2),  # 8, more important than « Égalité »
        Theme("Parcours professionnels", 4, 2),  # 8, tied with « Management »
    ]

    ranked = rank(themes)

    assert names(ranked) == [
        "Contenu du travail",
        "Santé au travail",
        "Management",
        "Parcours professionnels",
        "Égalité professionnelle",
        "Relations au travail",
    ]
    assert ranks(ranked) == [1, 2, 3, 3, 5, 6]
    assert [entry.score for entry in ranked] == [12, 12, 8, 8, 8, 4]
    assert ranked[0].quadrant == "priority"
    assert ranked[0].quadrant_label == "À traiter en priorité"
    assert ranked[-1].quadrant_label == "Plus tard"


def test_competition_ranking_one_two_two_four():
    ranked = rank([Theme("a", 4, 4), Theme("b", 3, 3), Theme("c", 3, 3), Theme("d", 1, 1)])

    assert ranks(ranked) == [1, 2, 2, 4]


def test_unrated_items_come_last_unranked_in_their_original_order():
    themes = [Theme("sans note", None, None), Theme("notée", 1, 1), Theme("à moitié", 4, None)]

    ranked = rank(themes)

    assert names(ranked) == ["notée", "sans note", "à moitié"]
    assert ranks(ranked) == [1, None, None]
    assert ranked[2].score is None and ranked[2].quadrant is None and ranked[2].quadrant_label == ""
    assert ranked[2].importance == 4


def test_half_a_rating_is_still_checked():
    with pytest.raises(RatingError) as refusal:
        rank([Theme("à moitié", 9, None)])
    assert refusal.value.field == "importance"


def test_a_key_reads_ratings_from_any_item():
    ranked = rank(
        [{"id": 1, "i": 1, "f": 2}, {"id": 2, "i": 3, "f": 3}], key=lambda row: (row["i"], row["f"])
    )

    assert [entry.item["id"] for entry in ranked] == [2, 1]


def test_nothing_to_rank():
    assert rank([]) == []


@given(st.lists(maybe_ratings, max_size=20))
def test_the_ranking_is_a_permutation_of_the_input(values):
    assert sorted(entry.item for entry in rank_ratings(values)) == list(range(len(values)))


@given(st.lists(maybe_ratings, max_size=20))
def test_ranks_do_not_decrease_and_unrated_come_last(values):
    ranked = rank_ratings(values)
    numbers = [entry.rank for entry in ranked if entry.rank is not None]
    rated_count = sum(1 for importance, feasibility in values if None not in (importance, feasibility))

    assert numbers == sorted(numbers)
    assert all(entry.rank is not None for entry in ranked[:rated_count])
    assert all(entry.rank is None for entry in ranked[rated_count:])


@given(st.lists(ratings, min_size=2, max_size=20))
def test_a_strictly_higher_score_is_never_ranked_after_a_lower_one(values):
    ranked = rank_ratings(values)

    for before, after in zip(ranked, ranked[1:], strict=False):
        assert before.score >= after.score
        assert before.rank <= after.rank


@given(st.lists(ratings, min_size=1, max_size=20))
def test_ties_share_a_rank_and_only_ties(values):
    ranked = rank_ratings(values)

    for position, entry in enumerate(ranked):
        better = sum(
            1 for other in ranked if (other.score, other.importance) > (entry.score, entry.importance)
        )
        assert entry.rank == better + 1
        assert position + 1 >= entry.rank


@given(st.lists(ratings, min_size=1, max_size=20), st.data())
def test_raising_an_importance_never_lowers_the_rank(values, data):
    position = data.draw(st.integers(min_value=0, max_value=len(values) - 1))
    importance, feasibility = values[position]
    higher = data.draw(st.integers(min_value=importance, max_value=4))
    raised = [*values[:position], (higher, feasibility), *values[position + 1 :]]

    def rank_of(ranked):
        return next(entry.rank for entry in ranked if entry.item == position)

    assert rank_of(rank_ratings(raised)) <= rank_of(rank_ratings(values))


@given(st.lists(ratings, max_size=20))
def test_equal_ratings_keep_their_original_order(values):
    ranked = rank_ratings(values)

    for before, after in zip(ranked, ranked[1:], strict=False):
        if before.rank == after.rank:
            assert before.item < after.item
