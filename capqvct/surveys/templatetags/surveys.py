from django import template

from capqvct.core.formatting import format_number

register = template.Library()


@register.filter
def score(value) -> str:
    """A score 0–100 as a whole number, « — » when hidden."""
    return "—" if value is None else format_number(value, decimals=0)


@register.filter
def signed(value) -> str:
    """A change between two scores, with its sign (« +4 », « −3 », « 0 »)."""
    if value is None:
        return "—"
    rounded = round(value)
    if rounded > 0:
        return f"+{rounded}"
    return f"\u2212{-rounded}" if rounded < 0 else "0"


@register.filter
def percent(value) -> str:
    """A share as a whole number of percent, the way a report reads it (« 33 »)."""
    return "—" if value is None else format_number(value, decimals=0)


@register.inclusion_tag("surveys/_in_approach.html")
def survey_panel(participant, wave: int):
    """The survey wave a sequence's page shows: wave 1 on the shared diagnosis, wave 2 on the review.
    Read through results.py, so the panel shows no more than the results page."""
    from capqvct.surveys.models import Campaign
    from capqvct.surveys.results import results_of

    campaign = (
        Campaign.objects.filter(participant=participant, wave=wave).select_related("instrument").first()
    )
    return {
        "participant": participant,
        "wave": wave,
        "campaign": campaign,
        "results": results_of(campaign) if campaign else None,
    }
