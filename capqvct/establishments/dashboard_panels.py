"""What the establishments app shows on the dashboard (registered in apps.py): the user's own claims,
the claims their establishment's direction may confirm, and, for programme managers, those to decide."""

from capqvct.accounts.dashboard import register_panel
from capqvct.establishments.models import ClaimStatus
from capqvct.establishments.selectors import (
    claims_awaiting_director,
    claims_of_claimant,
    claims_to_decide_by,
    decides_claims,
)


def my_claims(user) -> dict | None:
    claims = list(claims_of_claimant(user))
    if not claims:
        return None
    return {
        "claims": claims,
        "says_what_comes_next": any(claim.status == ClaimStatus.PENDING for claim in claims),
    }


def claims_to_confirm(user) -> dict | None:
    claims = list(claims_awaiting_director(user))
    return {"claims": claims} if claims else None


def claims_to_decide(user) -> dict | None:
    """Shown when claims wait: the decision is an action to take, at the top of the dashboard."""
    if not decides_claims(user):
        return None
    count = claims_to_decide_by(user).count()
    return {"count": count} if count else None


def register() -> None:
    register_panel("establishments/_panel_claims_to_decide.html", claims_to_decide)
    register_panel("establishments/_panel_to_confirm.html", claims_to_confirm)
    register_panel("establishments/_panel_my_claims.html", my_claims)
