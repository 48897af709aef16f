"""The REST API, mounted at /api/v1/: its authentication, routers and error responses."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.operation import Operation

from capqvct.api.auth import ApiTokenAuth, VerifiedSessionAuth
from capqvct.api.routers.applications import router as applications_router
from capqvct.api.routers.approaches import router as approaches_router
from capqvct.api.routers.calls import router as calls_router
from capqvct.api.routers.cohorts import router as cohorts_router
from capqvct.api.routers.establishments import router as establishments_router
from capqvct.api.routers.review import applicant_router as applicant_decision_router
from capqvct.api.routers.review import router as review_router
from capqvct.api.routers.surveys import router as surveys_router
from capqvct.api.routers.territory import router as territory_router

DESCRIPTION = """
L’API de Cap QVCT donne accès, en lecture, aux données de la plateforme.

**Authentification.** Créez un jeton personnel depuis « Mon compte › Mes jetons d’API », puis
envoyez-le dans l’en-tête `Authorization: Bearer cq_…` de chaque requête. Un jeton donne les mêmes
droits que votre compte : gardez-le secret et révoquez-le dès qu’il ne sert plus. Sur cette page de
documentation, une personne connectée peut aussi essayer l’API avec sa session.

**Périmètre.** Chaque réponse ne contient que ce que votre compte peut voir : les établissements de
votre région pour un agent d’ARS ou d’Aract, tous pour un observateur national, les vôtres pour un
établissement. Une fiche que vous ne pouvez pas voir répond 404.

**Pagination.** Les listes longues sont paginées : paramètres `page` (à partir de 1) et `page_size`
(50 par défaut, 200 au plus) ; la réponse donne `items` et `count`, le nombre total d’éléments.

Les données de référence (régions, départements, communes) et les appels publiés sont publics.
""".strip()

AUTHENTICATION_REQUIRED = (
    "Authentification requise : envoyez un jeton d’API valide dans l’en-tête "
    "« Authorization: Bearer cq_… », ou connectez-vous."
)


class CapQvctApi(NinjaAPI):
    """A NinjaAPI whose views bypass LoginRequiredMiddleware: each operation authenticates itself
    (token or session) and answers 401 in JSON instead of redirecting to the login page."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            login_not_required(pattern.callback)
        return patterns, app_name, namespace

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__


api = CapQvctApi(
    title="API Cap QVCT",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[ApiTokenAuth(), VerifiedSessionAuth()],
)
api.add_router("/territoire", territory_router)
api.add_router("/etablissements", establishments_router)
api.add_router("/appels", calls_router)
api.add_router("/dossiers", applications_router)
api.add_router("/dossiers", applicant_decision_router)
api.add_router("/instruction", review_router)
api.add_router("", cohorts_router)
api.add_router("", approaches_router)
api.add_router("", surveys_router)


@api.exception_handler(AuthenticationError)
def authentication_required(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": AUTHENTICATION_REQUIRED}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="Cap QVCT"'
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Introuvable : cette ressource n’existe pas ou vous ne pouvez pas la voir."},
        status=404,
    )


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Paramètres invalides : voyez « errors ».", "errors": exc.errors}, status=422
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja words its own refusals in English; the only one it raises here is an unreadable body.
    detail = (
        "Corps de requête illisible : envoyez un objet JSON valide." if exc.status_code == 400 else str(exc)
    )
    response = api.create_response(request, {"detail": detail}, status=exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="Cap QVCT", error="invalid_token"'
    return response
