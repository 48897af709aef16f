"""The ESSMS directory, restricted to what the caller may see (its region, its own establishments…)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router
from ninja.pagination import paginate

from capqvct.api.schemas import (
    Code,
    ErrorOut,
    EstablishmentDetailOut,
    EstablishmentOut,
    Pagination,
    SearchText,
    ValidationErrorOut,
)
from capqvct.establishments.models import Establishment
from capqvct.establishments.selectors import establishments_visible_to, search_directory

router = Router(tags=["Établissements"])

EXAMPLE_FINESS_ET = "340780477"

UNAUTHENTICATED = {401: ErrorOut}


@router.get(
    "",
    response={200: list[EstablishmentOut], 422: ValidationErrorOut, **UNAUTHENTICATED},
    summary="Chercher des établissements",
)
@paginate(Pagination)
def list_establishments(
    request,
    q: SearchText = Query(
        "", description="Nom, numéro FINESS, début du nom de la commune, ligne d’acheminement ou code postal."
    ),
    departement: Code = Query("", description="Code du département."),
    categorie: Code = Query("", description="Code de la catégorie FINESS (par exemple 500 pour un EHPAD)."),
) -> QuerySet[Establishment]:
    """Les établissements que vous pouvez voir (ceux de votre région pour un agent, les vôtres pour un
    établissement, tous pour un observateur national), par nom ; réponse paginée."""
    return search_directory(request.auth, query=q, departement=departement, category=categorie)


@router.get(
    "/{finess_et}",
    response={200: EstablishmentDetailOut, 404: ErrorOut, 422: ValidationErrorOut, **UNAUTHENTICATED},
    summary="Lire la fiche d’un établissement",
)
def get_establishment(
    request,
    finess_et: str = Path(
        ...,
        pattern=r"^[0-9A-Z]{9}$",
        description="Numéro FINESS de l’établissement (9 caractères).",
        example=EXAMPLE_FINESS_ET,
    ),
) -> Establishment:
    """La fiche d’un établissement ; 404 s’il n’existe pas ou si vous ne pouvez pas le voir."""
    return get_object_or_404(establishments_visible_to(request.auth), finess_et=finess_et)
