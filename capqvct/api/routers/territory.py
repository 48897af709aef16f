"""Reference data: regions, départements, communes. Public, as the official geography they copy."""

from django.db.models import Q, QuerySet
from ninja import Query, Router
from ninja.pagination import paginate

from capqvct.api.schemas import (
    Code,
    CommuneOut,
    DepartementOut,
    Pagination,
    RegionOut,
    SearchText,
    ValidationErrorOut,
)
from capqvct.territory.models import Commune, Departement, Region

router = Router(tags=["Territoire"], auth=None)

INVALID = {422: ValidationErrorOut}


@router.get("/regions", response=list[RegionOut], summary="Lister les régions")
def list_regions(request) -> QuerySet[Region]:
    """Toutes les régions, par ordre alphabétique."""
    return Region.objects.order_by("name")


@router.get(
    "/departements",
    response={200: list[DepartementOut], **INVALID},
    summary="Lister les départements",
)
def list_departements(
    request,
    region: Code = Query("", description="Code de la région, pour ne garder que ses départements."),
) -> QuerySet[Departement]:
    """Tous les départements par code, ou ceux d’une région."""
    departements = Departement.objects.order_by("code")
    if region:
        departements = departements.filter(region_id=region)
    return departements


@router.get(
    "/communes",
    response={200: list[CommuneOut], **INVALID},
    summary="Chercher des communes",
)
@paginate(Pagination)
def list_communes(
    request,
    departement: Code = Query("", description="Code du département, pour ne garder que ses communes."),
    q: SearchText = Query("", description="Début ou partie du nom, ou code INSEE exact."),
) -> QuerySet[Commune]:
    """Les communes par nom, filtrées par département ou par nom ; réponse paginée."""
    communes = Commune.objects.order_by("name", "code")
    if departement:
        communes = communes.filter(departement_id=departement)
    q = q.strip()
    if q:
        communes = communes.filter(Q(name__icontains=q) | Q(code=q.upper()))
    return communes
