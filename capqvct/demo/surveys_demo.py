"""The staff surveys of the demonstration's OMEGA call: every establishment but one ran its first
wave a month ago and closed it (so the results, the breakdowns and the region's reference show);
marie.delmas's asked the profession and day or night, added two questions of its own, and its comité
reviewed part of the open answers; the other establishment under way has its wave open today, a few
answers in, for the questionnaire to be tried at /q/<its address>/. Answers are drawn at random
with a fixed seed; nobody real answered."""

import random
from datetime import timedelta

from django.utils import timezone

from capqvct.calls.models import Call
from capqvct.cohorts.models import Participant
from capqvct.surveys import services
from capqvct.surveys.models import Campaign, FreeText, InstrumentVersion, QuestionKind

IDEAS = (
    "Des transmissions assises, avec dix minutes de plus le soir.",
    "Un planning connu trois semaines à l’avance.",
    "Plus de lève-personnes dans l’unité du premier étage.",
    "Que les nouveaux soient en doublon leur première semaine.",
    "Une salle de pause où l’on peut vraiment s’asseoir.",
    "Pouvoir échanger nos jours plus facilement entre collègues.",
    "Parler de nos situations difficiles ensemble, une fois par mois.",
    "Mme X de la cuisine nous aide toujours, il faudrait la remercier.",
)


def load_surveys_demo(*, call: Call, people: dict) -> None:
    if Campaign.objects.filter(participant__call=call).exists():
        return
    services.ensure_shipped_instruments()
    instrument = InstrumentVersion.objects.get(code="qvct-cap", agency=None)
    participants = list(
        Participant.objects.filter(call=call, cohort__pair__isnull=False)
        .select_related("cohort__pair__first", "establishment", "call__programme__region")
        .order_by("cohort__number", "establishment__name")
    )
    if not participants:
        return
    marie = people.get("marie.delmas")
    mine = next((p for p in participants if marie and p.trio.filter(user=marie).exists()), participants[0])
    other = next((p for p in participants if p.pk != mine.pk), None)
    rng = random.Random(13)
    for participant in participants:
        if participant == other:
            _open_wave(participant, instrument, rng)
        else:
            _closed_wave(participant, instrument, rng, marie if participant == mine else None)


def _closed_wave(participant, instrument, rng, director) -> None:
    by = director or participant.cohort.pair.first
    today = timezone.localdate()
    detailed = director is not None
    campaign = services.create_campaign(
        participant=participant,
        by=by,
        wave=1,
        instrument=instrument,
        opens_on=today - timedelta(days=35),
        closes_on=today - timedelta(days=14),
        headcount=rng.randint(30, 60) if not detailed else 48,
        breakdowns=["profession", "shift"] if detailed else [],
    )
    questions = []
    if detailed:
        questions = [
            services.add_own_question(
                campaign=campaign,
                by=by,
                text="La relève du soir se passe dans de bonnes conditions.",
                kind=QuestionKind.AGREEMENT,
            ),
            services.add_own_question(
                campaign=campaign,
                by=by,
                text="Une idée pour mieux travailler ensemble\u00a0?",
                kind=QuestionKind.TEXT,
            ),
        ]
    services.open_campaign(campaign=campaign, by=by)
    count = 31 if detailed else rng.randint(12, 28)
    mood = rng.uniform(-0.6, 0.6)
    for index in range(count):
        _answer(campaign, rng, mood, campaign.opens_on + timedelta(days=index % 20), questions, index)
    services.close_campaign(campaign=campaign, by=by)
    if detailed:
        for text in FreeText.objects.filter(question__campaign=campaign).order_by("text")[:6]:
            # The comité hides the answer that names someone, keeps the others, leaves two to read.
            services.review_free_text(free_text=text, by=director, keep=not text.text.startswith("Mme"))


def _open_wave(participant, instrument, rng) -> None:
    by = participant.cohort.pair.first
    today = timezone.localdate()
    campaign = services.create_campaign(
        participant=participant,
        by=by,
        wave=1,
        instrument=instrument,
        opens_on=today - timedelta(days=2),
        closes_on=today + timedelta(days=19),
        headcount=36,
    )
    services.open_campaign(campaign=campaign, by=by)
    for _ in range(7):
        _answer(campaign, rng, 0.0, today, [], 0)


def _answer(campaign, rng, mood: float, day, questions, index: int) -> None:
    """One invented person's answers: a personal leaning around the establishment's, a few skipped."""
    leaning = mood + rng.uniform(-1, 1)
    answers = {}
    for item in campaign.instrument.instrument.items:
        if rng.random() < 0.05:
            continue
        favourable = min(5, max(1, round(3 + leaning + rng.uniform(-1.2, 1.2))))
        answers[item.code] = 6 - favourable if item.reverse else favourable
    own, texts = {}, {}
    for question in questions:
        if question.kind == QuestionKind.TEXT:
            if index % 3 == 0:
                texts[str(question.pk)] = IDEAS[(index // 3) % len(IDEAS)]
        else:
            own[str(question.pk)] = min(5, max(1, round(3 + leaning)))
    about = {}
    if campaign.breakdowns:
        about = {
            "profession": rng.choices(["care", "support", "admin", ""], weights=[10, 6, 3, 1])[0],
            "shift": rng.choices(["day", "night"], weights=[2, 1])[0],
        }
    services.submit_response(
        campaign=campaign, answers=answers, own_answers=own, texts=texts, about=about, today=day
    )
