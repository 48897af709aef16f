"""Middleware shared by every app: private responses are never cached, and NUL characters, which
PostgreSQL refuses in text, never reach a query."""

from django.http import QueryDict
from django.utils.cache import add_never_cache_headers, patch_vary_headers

NUL = "\x00"
NUL_REFUSED = "Ce champ contient un caractère non autorisé."
API_PREFIX = "/api/"


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
    """NUL characters in a query string are dropped: filters and searches lose nothing by it, and no
    view has to guard its filters. Forms refuse them at their fields, the API in its schemas."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        # The API refuses them itself, with a 422 naming the parameter (its schemas).
        if ("%00" in query or NUL in query) and not request.path.startswith(API_PREFIX):
            request.GET = _without_nul(request.GET)
        return self.get_response(request)


def _without_nul(query: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        cleaned.setlist(key.replace(NUL, ""), [value.replace(NUL, "") for value in values])
    cleaned._mutable = False
    return cleaned
