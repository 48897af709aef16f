"""The error pages (400, 403, 404, 405, 413, 500 and a refused form), in French and in the DSFR look.

Each page says what happened, what to do, and leads back home or to the contact page. The 500 page
is rendered from a plain context, without the request: no context processor runs, so it needs
neither the database nor the session, which may be what failed.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.template.response import TemplateResponse

logger = logging.getLogger(__name__)

TEMPLATE = "core/error.html"
# The DSFR system pictograms drawn beside the text (dsfr/dist/artwork/pictograms/system/).
TECHNICAL = "technical-error"
PADLOCK = "padlock"


@dataclass(frozen=True)
class ErrorPage:
    status: int
    title: str
    summary: str
    advice: str
    pictogram: str = TECHNICAL


PAGES = {
    "bad_request": ErrorPage(
        400,
        "Demande incorrecte",
        "Le service n’a pas pu lire la demande envoyée par votre navigateur.",
        "Revenez à la page précédente et recommencez. Si le problème se reproduit, écrivez-nous en "
        "indiquant la page et l’heure.",
    ),
    "permission_denied": ErrorPage(
        403,
        "Accès refusé",
        "Votre compte ne permet pas d’ouvrir cette page.",
        "Si votre mission le demande, un responsable de programme de votre agence (ou la direction de "
        "votre établissement) peut vous donner le rôle qu’il faut.",
        PADLOCK,
    ),
    "page_not_found": ErrorPage(
        404,
        "Page non trouvée",
        "Cette adresse ne mène à aucune page, ou à une page que votre compte ne permet pas de voir.",
        "Si vous avez saisi l’adresse, vérifiez-la. Si vous avez suivi un lien, il est peut-être "
        "ancien\u00a0: repartez de la page d’accueil ou de votre tableau de bord.",
    ),
    "method_not_allowed": ErrorPage(
        405,
        "Action impossible depuis cette adresse",
        "Cette adresse reçoit un formulaire\u00a0; elle ne s’ouvre pas comme une page.",
        "Revenez à la page précédente et utilisez le bouton prévu. Si vous arrivez ici après vous être "
        "reconnecté, votre action n’a pas été faite\u00a0: recommencez-la.",
    ),
    "server_error": ErrorPage(
        500,
        "Erreur inattendue",
        "Le service a rencontré un problème et n’a pas pu terminer votre demande. L’erreur est "
        "enregistrée pour l’équipe technique.",
        "Réessayez dans quelques minutes. Ce que vous veniez d’envoyer n’a peut-être pas été "
        "enregistré\u00a0: vérifiez-le avant de recommencer.",
    ),
    "request_too_large": ErrorPage(
        413,
        "Envoi trop volumineux",
        "Ce que vous avez envoyé dépasse la taille totale qu’accepte le service en une fois "
        f"({settings.UPLOAD_MAX_REQUEST_MB}\u00a0Mo, fichiers compris)\u00a0: rien n’a été enregistré.",
        "Revenez à la page précédente\u00a0: ce qui était déjà enregistré est intact. Envoyez les "
        "fichiers un par un, ou allégez-les (PDF compressé, images réduites).",
    ),
    "csrf_failure": ErrorPage(
        403,
        "Formulaire expiré",
        "Votre formulaire n’a pas pu être envoyé\u00a0: la page était ouverte depuis longtemps, vous "
        "vous êtes déconnecté entre-temps, ou votre navigateur refuse les cookies de ce site.",
        "Revenez à la page précédente, rechargez-la, puis envoyez de nouveau le formulaire. Les cookies "
        "de Cap QVCT servent seulement à la connexion et à la sécurité des formulaires.",
        PADLOCK,
    ),
}


def _context(kind: str, **extra) -> dict:
    page = PAGES[kind]
    return {
        "error": page,
        "page_title": page.title,
        "contact_email": settings.CAPQVCT_CONTACT_EMAIL,
        **extra,
    }


def _plain_html(context: dict) -> str:
    """The page drawn from `context` alone: no request, no context processor, no database."""
    try:
        return loader.get_template(TEMPLATE).render(context)
    except Exception:  # the page itself must not fail: fall back to a bare one, still in French
        logger.exception("The error page could not be drawn")
        title = context["error"].title
        return (
            f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title} — Cap QVCT'
            f"</title></head><body><main><h1>{title}</h1><p>{context['error'].summary}</p>"
            '<p><a href="/">Page d’accueil</a></p></main></body></html>'
        )


def _render(request, kind: str, **extra) -> HttpResponse:
    context = _context(kind, **extra)
    status = PAGES[kind].status
    # Refused before the authentication middleware ran (a forged Host header), the request has no
    # user for the menu: the page is drawn as the 500 one is.
    if hasattr(request, "user"):
        try:
            return TemplateResponse(request, TEMPLATE, context, status=status).render()
        except Exception:
            logger.exception("The %s page could not be drawn with its request", status)
    return HttpResponse(_plain_html(context), status=status)


def bad_request(request, exception=None):
    return _render(request, "bad_request")


def permission_denied(request, exception=None):
    # The views' PermissionDenied carry a French reason for the user (« L’annuaire est réservé… »).
    reason = str(exception) if exception is not None else ""
    return _render(request, "permission_denied", reason=reason)


def page_not_found(request, exception=None):
    # Http404's own messages are Django's, in English, and may name a model: never shown.
    return _render(request, "page_not_found")


def csrf_failure(request, reason=""):
    return _render(request, "csrf_failure")


def server_error(request=None):
    """Drawn without the request nor any context processor: nothing here may touch the database."""
    return HttpResponse(_plain_html(_context("server_error")), status=500)


class MethodNotAllowedPage:
    """A page instead of the empty body of a 405, e.g. a POST-only address reopened after signing in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code != 405
            or response.streaming
            or response.content
            or request.path.startswith("/api/")
        ):
            return response
        page = _render(request, "method_not_allowed")
        page["Allow"] = response.get("Allow", "")
        return page


class RequestTooLargePage:
    """Refuse a request heavier than UPLOAD_MAX_REQUEST_MB from its Content-Length, before anything
    reads its body (the CSRF check would): a 413 page in French, and nothing written. The web server
    in front refuses it earlier still (nginx: client_max_body_size, see docs/deploiement.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.UPLOAD_MAX_REQUEST_MB * 1024 * 1024:
            return _render(request, "request_too_large")
        return self.get_response(request)
