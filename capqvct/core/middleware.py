"""Middleware shared by every app: private responses are never cached, and NUL characters, which
PostgreSQL refuses in text, never reach a query."""

from django.contrib import messages
from django.http import QueryDict
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from capqvct.core.formatting import NBSP

NUL = "\x00"
NUL_REMOVED = f"Un caractère non autorisé (caractère nul) a été retiré de votre saisie{NBSP}: vérifiez-la."
API_PREFIX = "/api/"
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class PrivateResponsesMiddleware:
    """Every response to a signed-in user (pages, files, PDFs, exports) is `no-store`: it is theirs
    and may carry personal data, so neither a shared proxy nor the browser's cache keeps it. Public
    pages seen anonymously stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_vary_headers(response, ["Cookie"])
        return response


class NullCharacterMiddleware:
    """NUL characters, which PostgreSQL refuses in text, are taken out of query strings and posted
    forms before any view reads them, and the user is told so: no view has to guard its raw inputs
    (filters, searches, notes, hidden fields), nothing else typed is lost, and nothing fails with a
    server error. JSON bodies are left to the API, whose schemas refuse them with a 422."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            return self.get_response(request)
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or NUL in query:
            request.GET = _without_nul(request.GET)
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES and _has_nul(request.POST):
            request.POST = _without_nul(request.POST)
            messages.warning(request, NUL_REMOVED)
        return self.get_response(request)


def _has_nul(query: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())


def _without_nul(query: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        cleaned.setlist(key.replace(NUL, ""), [value.replace(NUL, "") for value in values])
    cleaned._mutable = False
    return cleaned
