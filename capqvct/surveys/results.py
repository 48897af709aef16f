"""A campaign's results, built once and read by every reader: the page, the PDF report, the CSV and ODS
of aggregates and the API. Nothing here returns a response row; every figure passes the rule of
anonymity.py first, so a reader cannot show what this module hid.

While the campaign is open only its participation is given: a result shown at 7 respondents and again
at 8 would give away the eighth person's answers. Closing freezes it."""

from collections import Counter
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from statistics import fmean as mean

from django.db.models import Avg, Count, Q

from capqvct.surveys import anonymity
from capqvct.surveys.bands import OWN_AGREEMENT, dimension_of
from capqvct.surveys.instruments import Scale
from capqvct.surveys.models import Campaign, CampaignStatus, QuestionKind, ReviewStatus, ScaleSummary

# Score bands of a scale's distribution (0–100), as the reports of COPSOQ-like instruments group them.
SCORE_BANDS = ((0, 25, "0 à 25"), (25, 50, "25 à 50"), (50, 75, "50 à 75"), (75, 100.01, "75 à 100"))


@dataclass(frozen=True)
class Share:
    label: str
    percent: float


@dataclass(frozen=True)
class ItemResult:
    text: str
    reverse: bool
    respondents: int
    shares: tuple[Share, ...] | None  # None: too few answered


@dataclass(frozen=True)
class ScaleResult:
    code: str
    title: str
    high_is_good: bool
    respondents: int
    score: float | None
    distribution: tuple[Share, ...] | None
    items: tuple[ItemResult, ...]
    items_note: str = ""


@dataclass(frozen=True)
class Group:
    label: str
    respondents: int
    values: tuple[str, ...]


@dataclass(frozen=True)
class Breakdown:
    code: str
    label: str
    groups: tuple[Group, ...]
    # One row per scale: its score per group, None where hiding it protects a group.
    rows: tuple[tuple[str, tuple[float | None, ...]], ...]
    note: str


@dataclass(frozen=True)
class Comparison:
    title: str
    first: float
    second: float

    @property
    def change(self) -> float:
        return self.second - self.first


@dataclass(frozen=True)
class Benchmark:
    title: str
    own: float | None
    # (reference label, mean of the establishments' scores, how many establishments) or None: too few.
    references: tuple[tuple[str, float | None, int], ...]


@dataclass
class Results:
    campaign: Campaign
    respondents: int
    threshold: int
    published: bool
    why_not: str = ""
    scales: list[ScaleResult] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    own_items: list[ItemResult] = field(default_factory=list)
    free_texts: list[tuple[str, list[str]]] = field(default_factory=list)
    free_text_note: str = ""
    questions: list = field(default_factory=list)
    pending_texts: int = 0
    comparison: list[Comparison] = field(default_factory=list)
    comparison_note: str = ""
    benchmarks: list[Benchmark] = field(default_factory=list)
    benchmark_labels: tuple[str, ...] = ()

    @property
    def rate(self) -> float | None:
        headcount = self.campaign.headcount
        return 100 * self.respondents / headcount if headcount else None


def results_of(campaign: Campaign) -> Results:
    """The campaign's results as any reader may show them."""
    minimum = anonymity.threshold()
    rows = list(
        campaign.responses.values_list(
            "profession", "service", "seniority", "shift", "answers", "own_answers", "scores"
        )
    )
    questions = list(campaign.own_questions.prefetch_related("free_texts"))
    results = Results(
        campaign=campaign,
        respondents=len(rows),
        threshold=minimum,
        published=False,
        questions=questions,
        pending_texts=sum(
            1
            for question in questions
            for text in question.free_texts.all()
            if text.status == ReviewStatus.PENDING
        ),
    )
    if campaign.status != CampaignStatus.CLOSED:
        results.why_not = (
            "Les résultats paraissent à la clôture de la campagne\u00a0: les montrer "
            "pendant qu’elle est ouverte laisserait deviner les réponses de chaque nouvelle personne."
        )
        return results
    if not anonymity.enough(len(rows), minimum):
        results.why_not = (
            f"{len(rows)} réponse{'s' if len(rows) > 1 else ''}\u00a0: il en faut au moins {minimum} "
            "pour montrer un résultat sans risquer de reconnaître quelqu’un."
        )
        return results
    results.published = True
    instrument = campaign.instrument.instrument
    scores = [row[6] for row in rows]
    answers = [row[4] for row in rows]
    results.scales = [
        _scale_result(scale, instrument, answers, scores, minimum) for scale in instrument.scales
    ]
    results.breakdowns = _breakdowns(campaign, rows, instrument.scales, minimum)
    results.own_items = _own_items(questions, [row[5] for row in rows], minimum)
    _add_free_texts(results, questions)
    _add_comparison(results, campaign)
    _add_benchmarks(results, campaign)
    return results


def _scale_result(scale: Scale, instrument, answers, scores, minimum: int) -> ScaleResult:
    """The scale's score over those it scores, and its items' shares among the same people: shares
    counted over anyone who answered an item would give away, beside the score, whoever answered too
    little of the scale to be scored. For the same reason the items are hidden when a handful of the
    people scored skipped some of them (0 < that handful < the threshold)."""
    scored = [index for index, score in enumerate(scores) if score.get(scale.code) is not None]
    values = [scores[index][scale.code] for index in scored]
    shown = anonymity.enough(len(values), minimum)
    items = instrument.items_of(scale.code)
    partial = sum(1 for index in scored if any(answers[index].get(item.code) is None for item in items))
    details = shown and (partial == 0 or anonymity.enough(partial, minimum))
    among = [answers[index] for index in scored]
    return ScaleResult(
        code=scale.code,
        title=scale.title,
        high_is_good=scale.polarity == "high_is_good",
        respondents=len(values),
        score=mean(values) if shown else None,
        distribution=_distribution(values) if shown else None,
        items=tuple(
            _item_result(
                item.text,
                item.reverse,
                instrument.answer_scale(item.answers),
                among,
                item.code,
                minimum if details else len(among) + 1,
            )
            for item in items
        ),
        items_note=""
        if details or not shown
        else (
            f"Détail des affirmations caché\u00a0: {partial} personne{'s' if partial > 1 else ''} "
            "n’y ont répondu qu’en partie, trop peu pour ne pas être reconnues."
        ),
    )


def _distribution(values: list[float]) -> tuple[Share, ...]:
    return tuple(
        Share(label, 100 * sum(1 for value in values if low <= value < high) / len(values))
        for low, high, label in SCORE_BANDS
    )


def _item_result(text, reverse, answer_scale, answers, key: str, minimum: int) -> ItemResult:
    given = Counter(answer[key] for answer in answers if answer.get(key) is not None)
    total = sum(given.values())
    shares = (
        tuple(Share(answer_scale.label(value), 100 * given[value] / total) for value in (1, 2, 3, 4, 5))
        if anonymity.enough(total, minimum)
        else None
    )
    return ItemResult(text=text, reverse=reverse, respondents=total, shares=shares)


COLUMNS = {"profession": 0, "service": 1, "seniority": 2, "shift": 3}


def _breakdowns(campaign: Campaign, rows, scales, minimum: int) -> list[Breakdown]:
    """The breakdowns asked, in order, each shown when safe alone (anonymity.merged_groups) and beside
    those already shown: crossed, their groups must leave no « atom » of fewer than `minimum` people,
    among all respondents and among those each scale scores; else it is left out, and says why."""
    breakdowns, shown_columns = [], []
    for code, column in COLUMNS.items():
        if code not in campaign.breakdowns:
            continue
        dimension = dimension_of(code, campaign.services)
        merged = anonymity.merged_groups(Counter(row[column] for row in rows), minimum)
        if not merged:
            breakdowns.append(_left_out(code, dimension.label, _alone_note(dimension.label, minimum)))
            continue
        member_of = {value: key for key, values in merged.items() for value in values}
        columns = [*shown_columns, (column, member_of)]
        if shown_columns and not _crossing_is_safe(rows, columns, scales, minimum):
            crossed = ", ".join(breakdown.label.lower() for breakdown in breakdowns if breakdown.groups)
            breakdowns.append(
                _left_out(
                    code,
                    dimension.label,
                    f"Pas de répartition par {dimension.label.lower()}\u00a0: lue à côté de la "
                    f"répartition par "
                    f"{crossed}, elle laisserait deviner un groupe de moins de {minimum} personnes.",
                )
            )
            continue
        shown_columns = columns
        breakdowns.append(_breakdown(code, dimension, merged, member_of, rows, column, scales, minimum))
    return breakdowns


def _crossing_is_safe(rows, columns, scales, minimum: int) -> bool:
    def atom(row) -> tuple:
        return tuple(member_of[row[column]] for column, member_of in columns)

    if not anonymity.atoms_large_enough((atom(row) for row in rows), minimum):
        return False
    return all(
        anonymity.atoms_large_enough(
            (atom(row) for row in rows if row[6].get(scale.code) is not None), minimum
        )
        for scale in scales
    )


def _left_out(code: str, label: str, note: str) -> Breakdown:
    return Breakdown(code, label, (), (), note)


def _alone_note(label: str, minimum: int) -> str:
    return (
        f"Pas de répartition par {label.lower()}\u00a0: aucun découpage ne laisse "
        f"au moins {minimum} personnes dans chaque groupe et dans l’ensemble des autres."
    )


def _breakdown(code, dimension, merged, member_of, rows, column: int, scales, minimum: int) -> Breakdown:
    counts = Counter(row[column] for row in rows)
    groups = tuple(
        Group(
            anonymity.OTHERS if key == anonymity.OTHERS_KEY else dimension.band_label(key),
            sum(counts[value] for value in values),
            tuple(values),
        )
        for key, values in merged.items()
    )
    table = []
    hidden_somewhere = False
    for scale in scales:
        by_group: dict[str, list[float]] = {key: [] for key in merged}
        for row in rows:
            score = row[6].get(scale.code)
            if score is not None:
                by_group[member_of[row[column]]].append(score)
        safe = anonymity.safe_groups({key: len(values) for key, values in by_group.items()}, minimum)
        hidden_somewhere |= len(safe) < len(merged)
        table.append((scale.title, tuple(mean(by_group[key]) if key in safe else None for key in merged)))
    note = (
        f"Les groupes de moins de {minimum} personnes et les réponses non renseignées sont regroupés dans "
        f"«\u00a0{anonymity.OTHERS}\u00a0»."
        if anonymity.OTHERS_KEY in merged
        else ""
    )
    if hidden_somewhere:
        note += (
            " Un tiret marque un score caché\u00a0: trop peu de personnes de ce groupe, ou des autres, "
            "ont répondu à ces questions."
        )
    return Breakdown(code, dimension.label, groups, tuple(table), note.strip())


def _own_items(questions, own_answers, minimum: int) -> list[ItemResult]:
    return [
        _item_result(question.text, False, OWN_AGREEMENT, own_answers, str(question.pk), minimum)
        for question in questions
        if question.kind == QuestionKind.AGREEMENT
    ]


def _add_free_texts(results: Results, questions) -> None:
    questions = [question for question in questions if question.kind == QuestionKind.TEXT]
    if not questions:
        return
    minimum = anonymity.free_text_threshold()
    if results.respondents < minimum:
        results.free_text_note = (
            f"Les réponses libres ne sont montrées qu’à partir de {minimum} répondants\u00a0: "
            "une phrase se reconnaît plus vite qu’un chiffre."
        )
        return
    kept = {
        question.pk: [text for text in question.free_texts.all() if text.status == ReviewStatus.KEPT]
        for question in questions
    }
    pending = results.pending_texts
    results.free_texts = [
        (question.text, [text.text for text in kept[question.pk]]) for question in questions
    ]
    if pending:
        results.free_text_note = (
            f"Réponses libres en attente de la relecture du comité QVT avant d’être montrées : {pending}."
        )


def _add_comparison(results: Results, campaign: Campaign) -> None:
    other = (
        Campaign.objects.filter(participant=campaign.participant, status=CampaignStatus.CLOSED)
        .exclude(pk=campaign.pk)
        .select_related("instrument")
        .first()
    )
    if other is None:
        return
    if (other.instrument.code, other.instrument.version) != (
        campaign.instrument.code,
        campaign.instrument.version,
    ):
        results.comparison_note = (
            "L’autre vague a utilisé un autre questionnaire\u00a0: ses résultats ne se comparent pas."
        )
        return
    first, second = (other, campaign) if other.wave < campaign.wave else (campaign, other)
    means = {
        (summary.campaign_id, summary.scale): summary.mean
        for summary in ScaleSummary.objects.filter(campaign__in=[first, second])
    }
    for scale in campaign.instrument.instrument.scales:
        before, after = means.get((first.pk, scale.code)), means.get((second.pk, scale.code))
        if before is not None and after is not None:
            results.comparison.append(Comparison(scale.title, before, after))


BENCHMARK_MINIMUM_ESTABLISHMENTS = 5


def _add_benchmarks(results: Results, campaign: Campaign) -> None:
    """The establishment's scores next to the mean of the establishments of its cohort, its region
    and its category nationwide, with the same questionnaire version and wave: each a mean of closed
    campaigns' scores, each of those from enough respondents (ScaleSummary), shown from 5 of them."""
    participant = campaign.participant
    same = ScaleSummary.objects.filter(
        campaign__status=CampaignStatus.CLOSED,
        campaign__wave=campaign.wave,
        campaign__instrument__code=campaign.instrument.code,
        campaign__instrument__version=campaign.instrument.version,
    )
    # One query for the three references: each mean and count filtered on its own group.
    groups = {
        "Collectif": Q(campaign__participant__cohort_id=participant.cohort_id),
        "Région": Q(campaign__participant__call__programme__region_id=participant.call.programme.region_id),
        "Même catégorie, France entière": Q(
            campaign__participant__establishment__category_code=participant.establishment.category_code
        ),
    }
    keys = {label: f"r{index}" for index, label in enumerate(groups)}
    aggregates = {}
    for label, where in groups.items():
        aggregates[f"{keys[label]}_mean"] = Avg("mean", filter=where)
        aggregates[f"{keys[label]}_count"] = Count("campaign", filter=where)
    rows = same.filter(reduce(or_, groups.values())).values("scale").annotate(**aggregates)
    figures = {
        label: {row["scale"]: (row[f"{key}_mean"], row[f"{key}_count"]) for row in rows}
        for label, key in keys.items()
    }
    references = tuple(groups.items())
    own = {scale.code: scale.score for scale in results.scales}
    results.benchmark_labels = tuple(label for label, _ in references)
    for scale in campaign.instrument.instrument.scales:
        row = []
        for label, _ in references:
            average, count = figures[label].get(scale.code, (None, 0))
            row.append((label, average if count >= BENCHMARK_MINIMUM_ESTABLISHMENTS else None, count))
        results.benchmarks.append(Benchmark(scale.title, own.get(scale.code), tuple(row)))
