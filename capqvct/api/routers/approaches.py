"""The establishments' QVT approaches, read-only: where an approach stands with the checklist of its
sequence, its comité and meetings, its EDT work groups, its HR indicators (raw figures and the
computed dashboard, each indicator with its formula) and its action plan. For whoever reads the
workspace: the establishment, the cohort's pair, the programme managers of the region; 404 otherwise.
Read through the approaches' selectors, so the API shows what the pages show."""

from django.shortcuts import get_object_or_404
from ninja import Path, Router

from capqvct.api.routers.cohorts import EXAMPLE_PARTICIPATION_ID
from capqvct.api.schemas import (
    MAX_ID,
    ActionOut,
    ApproachOut,
    CommitteeOut,
    ErrorOut,
    IndicatorYearOut,
    ValidationErrorOut,
    WorkGroupOut,
)
from capqvct.approaches import action_selectors, diagnosis_selectors, selectors
from capqvct.approaches.indicators import compute_all

router = Router(tags=["Démarches QVT"])

NOT_FOUND = {404: ErrorOut, 422: ValidationErrorOut, 401: ErrorOut}


def _participation_id() -> int:
    return Path(
        ..., ge=1, le=MAX_ID, description="Identifiant de la participation.", example=EXAMPLE_PARTICIPATION_ID
    )


def _approach(request, participation_id: int):
    participant = get_object_or_404(selectors.participants_visible_to(request.auth), pk=participation_id)
    return participant, selectors.approach_of(participant)


@router.get("/participations/{participation_id}/demarche", response={200: ApproachOut, **NOT_FOUND})
def get_approach(request, participation_id: int = _participation_id()) -> dict:
    """Où en est la démarche : la séquence en cours, ce qu’elle attend (fait ou non), une demande de
    clôture en attente, le périmètre, le bilan et sa validation par le comité."""
    participant = get_object_or_404(selectors.participants_visible_to(request.auth), pk=participation_id)
    home = selectors.home_of(participant)
    return {"participant": participant, "home": home}


@router.get("/participations/{participation_id}/demarche/comite", response={200: CommitteeOut, **NOT_FOUND})
def get_committee(request, participation_id: int = _participation_id()) -> dict:
    """Le comité QVT (ses membres, ceux qui l’ont quitté compris) et ses réunions, de la plus récente à
    la plus ancienne."""
    _, approach = _approach(request, participation_id)
    return {"members": selectors.committee_of(approach), "meetings": selectors.meetings_of(approach)}


@router.get(
    "/participations/{participation_id}/demarche/groupes", response={200: list[WorkGroupOut], **NOT_FOUND}
)
def list_work_groups(request, participation_id: int = _participation_id()) -> list:
    """Les espaces de discussion sur le travail (EDT), avec leurs réunions."""
    _, approach = _approach(request, participation_id)
    return diagnosis_selectors.work_groups_of(approach)


@router.get(
    "/participations/{participation_id}/demarche/indicateurs",
    response={200: list[IndicatorYearOut], **NOT_FOUND},
)
def list_indicators(request, participation_id: int = _participation_id()) -> list:
    """Par année saisie : les chiffres bruts et les indicateurs calculés (tableau de bord de la
    performance médico-sociale de l’ANAP, taux d’accidents du travail), chacun avec sa formule ; un
    indicateur sans valeur dit ce qui manque."""
    _, approach = _approach(request, participation_id)
    return [
        {"row": row, "results": compute_all(diagnosis_selectors.figures_of(row))}
        for row in diagnosis_selectors.indicator_years_of(approach)
    ]


@router.get(
    "/participations/{participation_id}/demarche/actions", response={200: list[ActionOut], **NOT_FOUND}
)
def list_actions(request, participation_id: int = _participation_id()) -> list:
    """Le plan d’actions, dans l’ordre du plan ; une action conduite en expérimentation donne son
    hypothèse, sa période de test et son résultat."""
    _, approach = _approach(request, participation_id)
    return action_selectors.actions_of(approach)
