"""Dossiers, restricted to those the caller may see (their establishments', their region's calls…)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router
from ninja.pagination import paginate

from capqvct.api.schemas import (
    MAX_ID,
    ApplicationDetailOut,
    ApplicationOut,
    ApplicationStatusCode,
    ErrorOut,
    Pagination,
    ValidationErrorOut,
)
from capqvct.applications.models import Application
from capqvct.applications.selectors import applications_visible_to

router = Router(tags=["Dossiers"])

# Documented example of a dossier id: the conformance test maps it onto a seeded dossier.
EXAMPLE_APPLICATION_ID = 1

UNAUTHENTICATED = {401: ErrorOut}


@router.get(
    "",
    response={200: list[ApplicationOut], 422: ValidationErrorOut, **UNAUTHENTICATED},
    summary="Lister les dossiers",
)
@paginate(Pagination)
def list_applications(
    request,
    appel: int | None = Query(None, ge=1, le=MAX_ID, description="Identifiant de l’appel."),
    etat: ApplicationStatusCode | None = Query(None, description="État du dossier."),
) -> QuerySet[Application]:
    """Les dossiers que vous pouvez voir (ceux de vos établissements, ceux des appels de votre région
    pour un agent, tous pour un observateur national), du plus récemment modifié au plus ancien ;
    réponse paginée."""
    applications = applications_visible_to(request.auth)
    if appel is not None:
        applications = applications.filter(call_id=appel)
    if etat is not None:
        applications = applications.filter(status=etat)
    return applications.order_by("-updated_at", "-pk")


@router.get(
    "/{application_id}",
    response={200: ApplicationDetailOut, 404: ErrorOut, 422: ValidationErrorOut, **UNAUTHENTICATED},
    summary="Lire un dossier",
)
def get_application(
    request,
    application_id: int = Path(
        ..., ge=1, le=MAX_ID, description="Identifiant du dossier.", example=EXAMPLE_APPLICATION_ID
    ),
) -> Application:
    """Un dossier, avec ses réponses et ses dépôts ; 404 s’il n’existe pas ou si vous ne pouvez pas
    le voir."""
    return get_object_or_404(applications_visible_to(request.auth), pk=application_id)
