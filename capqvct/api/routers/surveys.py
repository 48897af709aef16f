"""The staff surveys, read-only and aggregated: an establishment's campaigns and a campaign's results,
read through capqvct.surveys.results like the pages, the PDF and the CSV, so the API shows no figure
under the anonymity threshold and never a response. For whoever reads the workspace; 404 otherwise."""

from django.shortcuts import get_object_or_404
from ninja import Path, Router

from capqvct.api.routers.cohorts import EXAMPLE_PARTICIPATION_ID
from capqvct.api.schemas import MAX_ID, CampaignOut, ErrorOut, SurveyResultsOut, ValidationErrorOut
from capqvct.approaches.selectors import participants_visible_to
from capqvct.surveys import selectors
from capqvct.surveys.results import results_of

router = Router(tags=["Enquêtes auprès des salariés"])

NOT_FOUND = {404: ErrorOut, 422: ValidationErrorOut, 401: ErrorOut}
EXAMPLE_CAMPAIGN_ID = 1


@router.get("/participations/{participation_id}/enquetes", response={200: list[CampaignOut], **NOT_FOUND})
def list_campaigns(
    request,
    participation_id: int = Path(
        ..., ge=1, le=MAX_ID, description="Identifiant de la participation.", example=EXAMPLE_PARTICIPATION_ID
    ),
) -> list:
    """Les campagnes de l’établissement (vague 1, vague 2) et leur participation."""
    participant = get_object_or_404(participants_visible_to(request.auth), pk=participation_id)
    return [
        {
            "id": campaign.pk,
            "wave": campaign.wave,
            "status": campaign.status,
            "questionnaire": f"{campaign.instrument.code} {campaign.instrument.version}",
            "opens_on": campaign.opens_on,
            "closes_on": campaign.closes_on,
            "headcount": campaign.headcount,
            "respondents": campaign.respondents,
        }
        for campaign in selectors.campaigns_with_counts(participant)
    ]


@router.get("/enquetes/{campaign_id}/resultats", response={200: SurveyResultsOut, **NOT_FOUND})
def get_results(
    request,
    campaign_id: int = Path(
        ..., ge=1, le=MAX_ID, description="Identifiant de la campagne.", example=EXAMPLE_CAMPAIGN_ID
    ),
) -> dict:
    """Les résultats agrégés d’une campagne clôturée : thèmes, affirmations, répartitions permises,
    réponses libres relues, évolution entre les vagues et repères. Rien sous le seuil d’anonymat."""
    campaign = get_object_or_404(selectors.campaigns_visible_to(request.auth), pk=campaign_id)
    results = results_of(campaign)
    return {
        "campaign_id": campaign.pk,
        "published": results.published,
        "why_not": results.why_not,
        "respondents": results.respondents,
        "threshold": results.threshold,
        "scales": [
            {
                "respondents": scale.respondents,
                "code": scale.code,
                "title": scale.title,
                "high_is_good": scale.high_is_good,
                "score": scale.score,
                "distribution": _shares(scale.distribution),
                "items_note": scale.items_note,
                "items": [_item(item) for item in scale.items],
            }
            for scale in results.scales
        ],
        "breakdowns": [
            {
                "label": breakdown.label,
                "note": breakdown.note,
                "groups": [
                    {"label": group.label, "respondents": group.respondents} for group in breakdown.groups
                ],
                "rows": [{"scale": title, "scores": list(values)} for title, values in breakdown.rows],
            }
            for breakdown in results.breakdowns
        ],
        "own_items": [_item(item) for item in results.own_items],
        "free_texts": [{"question": question, "answers": texts} for question, texts in results.free_texts],
        "comparison": [
            {"scale": row.title, "wave_1": row.first, "wave_2": row.second, "change": row.change}
            for row in results.comparison
        ],
        "benchmarks": [
            {
                "scale": row.title,
                "own": row.own,
                "references": [
                    {"reference": label, "mean": mean, "establishments": count}
                    for label, mean, count in row.references
                ],
            }
            for row in results.benchmarks
        ],
    }


def _shares(shares) -> list | None:
    return None if shares is None else [{"label": share.label, "percent": share.percent} for share in shares]


def _item(item) -> dict:
    return {"text": item.text, "respondents": item.respondents, "shares": _shares(item.shares)}
