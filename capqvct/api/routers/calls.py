"""Calls for applications: public, like the « Appels ouverts » pages they mirror."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from ninja import Path, Query, Router
from ninja.pagination import paginate

from capqvct.api.schemas import (
    MAX_ID,
    CallDetailOut,
    CallKindCode,
    CallOut,
    Code,
    ErrorOut,
    Pagination,
    ValidationErrorOut,
)
from capqvct.calls.models import Call
from capqvct.calls.selectors import public_calls, visible_call

router = Router(tags=["Appels"], auth=None)

# Documented example of a call id: the conformance test maps it onto a seeded call.
EXAMPLE_CALL_ID = 1


@router.get(
    "",
    response={200: list[CallOut], 422: ValidationErrorOut},
    summary="Lister les appels ouverts",
)
@paginate(Pagination)
def list_calls(
    request,
    region: Code = Query("", description="Code de la région (par exemple 76 pour l’Occitanie)."),
    kind: CallKindCode | None = Query(None, alias="type", description="Type d’appel."),
    categorie: Code = Query(
        "",
        description="Code de la catégorie FINESS ; les appels ouverts à toutes les catégories sont gardés.",
    ),
) -> QuerySet[Call]:
    """Les appels publiés dont la date limite n’est pas passée, de toutes les régions, de la date
    limite la plus proche à la plus lointaine ; réponse paginée. Public."""
    return public_calls(now=timezone.now(), region=region, kind=kind or "", category=categorie)


@router.get(
    "/{call_id}",
    response={200: CallDetailOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Lire un appel",
)
def get_call(
    request,
    call_id: int = Path(..., ge=1, le=MAX_ID, description="Identifiant de l’appel.", example=EXAMPLE_CALL_ID),
) -> Call:
    """Un appel publié ou clos ; 404 pour un appel en préparation. Public."""
    try:
        return visible_call(call_id)
    except Call.DoesNotExist:
        raise Http404 from None
