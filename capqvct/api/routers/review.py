"""The review (instruction): a reviewer's assignments and scores, the ranking and decisions for the
programme managers of the call's region, and a dossier's notified decision for its applicant."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Path, Router, Status

from capqvct.api.schemas import (
    MAX_ID,
    ApplicantDecisionOut,
    AssignmentOut,
    ErrorOut,
    ManagedDecisionOut,
    RankedDossierOut,
    RefusalCode,
    RefusalOut,
    ScoresIn,
    ScoresOut,
    ValidationErrorOut,
    allowed_actions,
    answer_errors,
    storage_problem,
)
from capqvct.applications.selectors import applications_of_applicant
from capqvct.calls.selectors import calls_managed_by
from capqvct.core.exceptions import Refusal
from capqvct.review import selectors, services
from capqvct.review.decisions import decisions_of_call
from capqvct.review.models import Assignment, Decision, Review
from capqvct.review.ranking import one_decimal, ranking
from capqvct.review.states import ASSIGNMENT

router = Router(tags=["Instruction"])
# Mounted under /dossiers: what an applicant reads of the review, their notified decision.
applicant_router = Router(tags=["Dossiers"])

# Documented examples: the conformance test maps them onto a seeded assignment of the caller, a call
# under review that the caller manages and a dossier of theirs whose decision was notified.
EXAMPLE_ASSIGNMENT_ID = 1
EXAMPLE_REVIEWED_CALL_ID = 3
EXAMPLE_DECIDED_APPLICATION_ID = 3

UNAUTHENTICATED = {401: ErrorOut}
NOT_FOUND = {404: ErrorOut, 422: ValidationErrorOut, **UNAUTHENTICATED}


def _assignment_id() -> int:
    return Path(
        ..., ge=1, le=MAX_ID, description="Identifiant de l’affectation.", example=EXAMPLE_ASSIGNMENT_ID
    )


def _call_id() -> int:
    return Path(..., ge=1, le=MAX_ID, description="Identifiant de l’appel.", example=EXAMPLE_REVIEWED_CALL_ID)


def _title(assignment: Assignment, *, blind: bool) -> str:
    application = assignment.application
    return f"Dossier n° {application.pk}" if blind else application.establishment.name


@router.get(
    "/affectations",
    response={200: list[AssignmentOut], **UNAUTHENTICATED},
    summary="Mes dossiers à instruire",
)
def list_assignments(request) -> list[dict]:
    """Les dossiers qui vous sont confiés, appel par appel (date limite la plus ancienne d’abord) ; ceux
    pour lesquels vous avez déclaré un conflit d’intérêts n’y sont plus. Quand l’instruction est à
    l’aveugle pour les experts extérieurs et que vous en êtes un, le nom de l’établissement est remplacé
    par « Dossier n° … ». Vos notes s’ouvrent une fois déclarée, sur le site, l’absence de conflit
    d’intérêts."""
    rows = []
    for assignment in selectors.assignments_of(request.auth):
        application = assignment.application
        blind = selectors.is_blind_for(assignment, application.call.review)
        rows.append(
            {
                "id": assignment.pk,
                "dossier_id": application.pk,
                "call": application.call,
                "establishment_name": _title(assignment, blind=blind),
                "blind": blind,
                "no_conflict_declared": selectors.declared_no_conflict(assignment),
                "submitted_at": assignment.submitted_at,
                "actions": allowed_actions(ASSIGNMENT, assignment, request.auth),
            }
        )
    return rows


def _cleared_assignment(request, assignment_id: int) -> Assignment:
    """One of the caller's assignments, once they declared no conflict of interest; 404 otherwise."""
    cleared = selectors.assignments_of(request.auth).filter(no_conflict_declared_at__isnull=False)
    return get_object_or_404(cleared, pk=assignment_id)


def _scores(assignment: Assignment) -> dict:
    own = {score.criterion_id: score for score in assignment.scores.all()}
    criteria = assignment.application.call.review.criteria.all()
    return {
        "assignment_id": assignment.pk,
        "dossier_id": assignment.application_id,
        "submitted_at": assignment.submitted_at,
        "scores": [
            {
                "criterion_id": criterion.pk,
                "label": criterion.label,
                "weight": criterion.weight,
                "scale_max": criterion.scale_max,
                "value": own[criterion.pk].value if criterion.pk in own else None,
                "comment": own[criterion.pk].comment if criterion.pk in own else "",
            }
            for criterion in criteria
        ],
    }


def _refused(refusal: Refusal) -> Status:
    errors = {refusal.field: [refusal.message]} if refusal.field else {}
    return Status(
        409, {"code": RefusalCode.REFUSED, "detail": refusal.message, "errors": answer_errors(errors)}
    )


@router.get(
    "/affectations/{assignment_id}/notes", response={200: ScoresOut, **NOT_FOUND}, summary="Lire ma notation"
)
def get_scores(request, assignment_id: int = _assignment_id()) -> dict:
    """Votre notation du dossier : un élément par critère de la grille, avec votre note et votre
    commentaire. Seules vos notes : celles des autres instructeurs restent sur le site. 404 pour une
    affectation qui n’est pas la vôtre, ou tant que vous n’avez pas déclaré l’absence de conflit
    d’intérêts."""
    return _scores(_cleared_assignment(request, assignment_id))


@router.put(
    "/affectations/{assignment_id}/notes",
    response={200: ScoresOut, 400: ErrorOut, 409: RefusalOut, **NOT_FOUND},
    summary="Enregistrer ma notation",
)
def save_scores(request, payload: ScoresIn, assignment_id: int = _assignment_id()) -> Status:
    """Enregistre vos notes et commentaires, critère par critère (un critère absent garde sa note ; une
    note nulle l’efface), sans les remettre. Refusé (409, code « refused ») pour une note hors de
    l’échelle du critère, un critère d’une autre grille ou une notation déjà remise. Mêmes affectations
    que pour la lecture ; 404 pour toute autre."""
    assignment = _cleared_assignment(request, assignment_id)
    values = {score.criterion_id: (score.value, score.comment) for score in payload.scores}
    if problem := storage_problem({"comments": [comment for _, comment in values.values()]}):
        return _refused(Refusal(problem))
    try:
        services.save_scores(assignment=assignment, values=values, by=request.auth)
    except Refusal as refusal:
        return _refused(refusal)
    return Status(200, _scores(assignment))


@router.post(
    "/affectations/{assignment_id}/remise",
    response={200: ScoresOut, 409: RefusalOut, **NOT_FOUND},
    summary="Remettre ma notation",
)
def submit_scores(request, assignment_id: int = _assignment_id()) -> Status:
    """Remet votre notation telle qu’elle est enregistrée : elle ne change plus, et les notes des autres
    instructeurs s’affichent alors sur le site. Refusé (409, code « refused ») tant qu’un critère n’est
    pas noté, sans grille ou pour une notation déjà remise. Mêmes affectations que pour la lecture ; 404
    pour toute autre."""
    assignment = _cleared_assignment(request, assignment_id)
    try:
        services.submit_scores(assignment=assignment, by=request.auth)
    except Refusal as refusal:
        return _refused(refusal)
    return Status(200, _scores(assignment))


def _managed_review(request, call_id: int) -> Review:
    call = get_object_or_404(calls_managed_by(request.auth), pk=call_id)
    return get_object_or_404(Review.objects.select_related("call"), call=call)


@router.get(
    "/appels/{call_id}/classement",
    response={200: list[RankedDossierOut], **NOT_FOUND},
    summary="Classement des dossiers",
)
def get_ranking(request, call_id: int = _call_id()) -> list[dict]:
    """Le classement des dossiers d’un appel en instruction, par moyenne (la meilleure d’abord ; ex aequo
    par nom d’établissement, les dossiers sans moyenne à la fin). Seules comptent les notations remises,
    sans conflit d’intérêts. Pour les responsables de programme de la région de l’appel ; 404 pour tout
    autre, ou pour un appel dont l’instruction n’est pas ouverte."""
    table = ranking(_managed_review(request, call_id))
    return [
        {
            "dossier_id": row.application_id,
            "establishment": {"finess_et": row.finess_et, "name": row.establishment_name},
            "departement_code": row.departement_code,
            "rank": row.rank,
            "average": _number(row.average),
            "spread": _number(row.spread),
            "disagreement": row.figures.disagreement,
            "remitted": row.figures.remitted,
            "assigned": row.figures.assigned,
            "eligibility": row.eligibility,
            "eligibility_label": row.eligibility_label,
            "outcome": row.outcome or None,
            "outcome_label": row.outcome_label,
        }
        for row in table.dossiers
    ]


def _number(value) -> float | None:
    """A mark on 20 as the ranking page shows it, rounded to one decimal."""
    rounded = one_decimal(value)
    return None if rounded is None else float(rounded)


@router.get(
    "/appels/{call_id}/decisions",
    response={200: list[ManagedDecisionOut], **NOT_FOUND},
    summary="Décisions d’un appel",
)
def list_decisions(request, call_id: int = _call_id()) -> QuerySet[Decision]:
    """Les décisions sur les dossiers en instruction d’un appel, en projet, confirmées ou notifiées :
    par nom d’établissement. Pour les responsables de programme de la
    région de l’appel ; 404 pour tout autre, ou pour un appel dont l’instruction n’est pas ouverte."""
    review = _managed_review(request, call_id)
    return (
        decisions_of_call(review.call)
        .select_related("application__establishment", "application__call__programme")
        .order_by("application__establishment__name", "pk")
    )


@applicant_router.get(
    "/{application_id}/decision",
    response={200: ApplicantDecisionOut, **NOT_FOUND},
    summary="Lire la décision",
)
def get_decision(
    request,
    application_id: int = Path(
        ..., ge=1, le=MAX_ID, description="Identifiant du dossier.", example=EXAMPLE_DECIDED_APPLICATION_ID
    ),
) -> Decision:
    """La décision sur votre dossier, une fois qu’elle vous a été notifiée : retenu, liste d’attente
    (avec votre rang), non retenu ou inéligible, et son motif. Pour les membres de l’établissement
    candidat ; 404 avant la notification, ou pour tout autre dossier."""
    application = get_object_or_404(applications_of_applicant(request.auth), pk=application_id)
    return get_object_or_404(Decision, application=application, notified_at__isnull=False)
