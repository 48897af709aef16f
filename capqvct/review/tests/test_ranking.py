"""The consolidation's arithmetic: reviewers' weighted marks, a dossier's average, spread, ranks."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from capqvct.review.ranking import (
    DISAGREEMENT_THRESHOLD,
    Consolidated,
    Notation,
    RankedDossier,
    RankingFilters,
    competition_ranks,
    consolidate,
    is_disagreement,
    mark_text,
    one_decimal,
    reviewer_mark,
    sort_dossiers,
)

weights = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2)
scales = st.integers(min_value=1, max_value=20)


@st.composite
def score(draw, weight=weights):
    scale_max = draw(scales)
    return (draw(weight), draw(st.integers(min_value=0, max_value=scale_max)), scale_max)


scores = st.lists(score(), min_size=1, max_size=8)
notations = st.lists(
    st.builds(Notation, submitted=st.booleans(), conflict=st.booleans(), scores=scores.map(tuple)),
    max_size=6,
)


@given(scores)
def test_a_mark_stays_between_0_and_20(scores):
    assert 0 <= reviewer_mark(scores) <= 20


@given(st.lists(st.tuples(st.integers(0, 4)), min_size=1, max_size=8), weights)
def test_with_equal_weights_a_mark_is_the_plain_mean_on_20(values, weight):
    mark = reviewer_mark([(weight, value, 4) for (value,) in values])
    assert mark == Fraction(sum(value for (value,) in values) * 20, 4 * len(values))


def test_weights_count_as_coefficients():
    # 4/4 with coefficient 3 and 0/4 with coefficient 1: three quarters of 20.
    assert reviewer_mark([(Decimal("3"), 4, 4), (Decimal("1"), 0, 4)]) == 15


def test_criteria_on_different_scales_are_brought_to_the_same_scale():
    assert reviewer_mark([(1, 5, 10), (1, 2, 4)]) == 10


@given(scores, scores)
def test_an_unscored_criterion_does_not_count(scored, unscored):
    blanks = [(weight, None, scale_max) for weight, _, scale_max in unscored]
    assert reviewer_mark(scored + blanks) == reviewer_mark(scored)


def test_a_notation_with_no_score_gives_no_mark():
    assert reviewer_mark([]) is None
    assert reviewer_mark([(1, None, 4)]) is None
    assert reviewer_mark([(0, 3, 4)]) is None


@given(notations)
def test_the_average_stays_between_0_and_20_and_between_the_marks(notations):
    figures = consolidate(notations)
    if figures.marks:
        assert 0 <= min(figures.marks) <= figures.average <= max(figures.marks) <= 20
    else:
        assert figures.average is None


@given(notations, notations)
def test_conflicts_and_unsubmitted_notations_are_ignored(counted, others):
    ignored = [Notation(submitted=n.submitted, conflict=True, scores=n.scores) for n in others] + [
        Notation(submitted=False, conflict=False, scores=n.scores) for n in others
    ]
    with_ignored, without = consolidate(counted + ignored), consolidate(counted)
    assert (with_ignored.average, with_ignored.spread, with_ignored.remitted) == (
        without.average,
        without.spread,
        without.remitted,
    )
    # An unsubmitted notation is still expected; a declared conflict takes the reviewer off.
    assert with_ignored.assigned == without.assigned + len(others)


@given(notations)
def test_the_spread_is_the_gap_between_the_extreme_marks(notations):
    figures = consolidate(notations)
    if len(figures.marks) >= 2:
        assert figures.spread == max(figures.marks) - min(figures.marks) >= 0
        assert figures.disagreement == (figures.spread >= DISAGREEMENT_THRESHOLD)
    else:
        assert figures.spread is None and not figures.disagreement


def test_a_disagreement_starts_at_5_points():
    assert is_disagreement(Fraction(5))
    assert not is_disagreement(Fraction(49, 10))
    assert not is_disagreement(None)


def test_two_reviewers_far_apart():
    figures = consolidate(
        [
            Notation(submitted=True, conflict=False, scores=((1, 4, 4), (1, 4, 4))),
            Notation(submitted=True, conflict=False, scores=((1, 1, 4), (1, 2, 4))),
            Notation(submitted=False, conflict=False, scores=((1, 0, 4),)),
        ]
    )
    assert figures.marks == (20, Fraction(15, 2))
    assert figures.average == Fraction(55, 4)
    assert figures.spread == Fraction(25, 2)
    assert figures.disagreement
    assert (figures.remitted, figures.assigned) == (2, 3)


def test_marks_are_shown_on_20_with_one_decimal_and_a_comma():
    assert mark_text(Fraction(55, 4)) == "13,8"  # 13.75, rounded half up
    assert mark_text(Fraction(20)) == "20,0"
    assert mark_text(None) == "—"
    assert one_decimal(Fraction(1, 3)) == Decimal("0.3")


# Ranks and order ---------------------------------------------------------------------------------


def dossier(pk: int, name: str, average: Fraction | None, **fields) -> RankedDossier:
    figures = Consolidated(
        marks=() if average is None else (average,),
        average=average,
        spread=fields.pop("spread", None),
        disagreement=fields.pop("disagreement", False),
        remitted=0 if average is None else 1,
        assigned=1,
    )
    return RankedDossier(
        application_id=pk,
        establishment_name=name,
        finess_et=f"{pk:09d}",
        departement_code=fields.pop("departement", "34"),
        departement_name="Hérault",
        eligibility=fields.pop("eligibility", "pending"),
        outcome=fields.pop("outcome", ""),
        figures=figures,
    )


averages = st.one_of(st.none(), st.fractions(min_value=0, max_value=20, max_denominator=12))
dossiers = st.lists(
    st.tuples(
        st.sampled_from(["EHPAD Les Tilleuls", "Ehpad les tilleuls", "SSIAD Aude", "EHPAD Bel Air"]), averages
    ),
    max_size=12,
).map(lambda rows: [dossier(pk, name, value) for pk, (name, value) in enumerate(rows, start=1)])


@given(dossiers, st.randoms())
def test_the_ranking_order_does_not_depend_on_the_order_read(dossiers, random):
    shuffled = list(dossiers)
    random.shuffle(shuffled)
    assert sort_dossiers(shuffled, "moyenne") == sort_dossiers(dossiers, "moyenne")


@given(dossiers)
def test_best_first_ties_by_name_then_number_without_average_last(dossiers):
    ordered = sort_dossiers(dossiers, "moyenne")
    keys = [
        (d.average is None, -(d.average or 0), d.establishment_name.casefold(), d.application_id)
        for d in ordered
    ]
    assert keys == sorted(keys)


@given(dossiers)
def test_the_reverse_sort_still_puts_dossiers_without_average_last(dossiers):
    ordered = sort_dossiers(dossiers, "-moyenne")
    present = [d.average for d in ordered if d.average is not None]
    assert present == sorted(present)
    assert [d.average for d in ordered[len(present) :]] == [None] * (len(ordered) - len(present))


def test_equal_averages_share_a_rank_and_the_next_rank_skips():
    assert competition_ranks([Fraction(15), Fraction(12), Fraction(12), Fraction(9), None]) == [
        1,
        2,
        2,
        4,
        None,
    ]


def test_filters_keep_what_they_say():
    disagreeing = dossier(1, "A", Fraction(10), disagreement=True, spread=Fraction(6), departement="11")
    eligible = dossier(2, "B", Fraction(12), eligibility="eligible", outcome="selected")
    assert [
        d.application_id for d in (disagreeing, eligible) if RankingFilters(departement="11").keeps(d)
    ] == [1]
    assert RankingFilters(disagreement_only=True).keeps(disagreeing)
    assert not RankingFilters(disagreement_only=True).keeps(eligible)
    assert RankingFilters(eligibility="eligible", decision="selected").keeps(eligible)
    assert RankingFilters(decision="none").keeps(disagreeing)
    assert not RankingFilters(decision="none").keeps(eligible)
