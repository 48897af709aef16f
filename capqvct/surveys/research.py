"""The research export, for platform administrators: the raw answers of closed campaigns with enough
respondents, one file per questionnaire version, anonymised further than the table itself. Kept: a
pseudonym per campaign (a keyed hash, stable across exports, that names no establishment), the wave,
the region, the establishment's category, each item's answer and each scale's score. Left out: the
establishment, the week, the channel and the descriptive bands (with the category and the region they
could single out a person in a small establishment). Rows are shuffled."""

import hashlib
import hmac
import random

from django.conf import settings
from django.db.models import Count

from capqvct.surveys import anonymity
from capqvct.surveys.instruments import load_instrument
from capqvct.surveys.models import CampaignStatus, InstrumentVersion, Response


def versions() -> list[tuple[str, str, str]]:
    """(code, version, title) of each questionnaire version stored."""
    seen = {}
    for version in InstrumentVersion.objects.order_by("code", "version", "pk"):
        seen.setdefault((version.code, version.version), version.title)
    return [(code, number, title) for (code, number), title in seen.items()]


def pseudonym(campaign_id: int) -> str:
    message = f"research:{campaign_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:12]


def rows(code: str, version: str) -> tuple[list[str], list[list]]:
    stored = InstrumentVersion.objects.filter(code=code, version=version).first()
    if stored is None:
        return ["campagne"], []
    instrument = load_instrument(stored.definition)
    items = [item.code for item in instrument.items]
    scales = [scale.code for scale in instrument.scales]
    responses = (
        Response.objects.filter(
            campaign__status=CampaignStatus.CLOSED,
            campaign__instrument__code=code,
            campaign__instrument__version=version,
        )
        .annotate(respondents=Count("campaign__responses"))
        .filter(respondents__gte=anonymity.threshold())
        .values_list(
            "campaign_id",
            "campaign__wave",
            "campaign__participant__call__programme__region__name",
            "campaign__participant__establishment__aggregate_category_label",
            "answers",
            "scores",
        )
    )
    table = [
        [pseudonym(campaign_id), wave, region, category]
        + [answers.get(item) for item in items]
        + [None if scores.get(scale) is None else round(scores[scale], 1) for scale in scales]
        for campaign_id, wave, region, category, answers, scores in responses
    ]
    random.SystemRandom().shuffle(table)
    return [
        "campagne",
        "vague",
        "région",
        "catégorie",
        *items,
        *(f"score {scale}" for scale in scales),
    ], table
