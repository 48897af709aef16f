"""How an API request proves who makes it: a personal token, or the browser's Django session."""

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from capqvct.accounts.models import User
from capqvct.accounts.selectors import needs_second_factor
from capqvct.api.services import authenticate_api_token
from capqvct.core.exceptions import Refusal

CSRF_REFUSED = (
    "Vérification CSRF échouée : rechargez la page de documentation de l’API, "
    "ou utilisez un jeton d’API plutôt que votre session."
)


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer cq_…`: a personal token created on « Mon compte › Mes jetons d’API »."""

    openapi_bearerFormat = "cq_…"
    openapi_description = (
        "Jeton personnel créé depuis « Mon compte › Mes jetons d’API », "
        "envoyé dans l’en-tête « Authorization: Bearer cq_… »."
    )

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        try:
            user = authenticate_api_token(secret=token)
        except Refusal as refusal:
            # Expired or revoked: 401 with the reason, rather than the generic « Authentification requise ».
            raise HttpError(401, refusal.message) from None
        if user is not None:
            # Code reading request.user sees the token's owner, as with a session.
            request.user = user
        return user


class VerifiedSessionAuth(SessionAuth):
    """The session of a signed-in user browsing the documentation, CSRF-checked on unsafe methods.

    The API's views are opted out of the login and second-factor middlewares (they answer 401 in
    JSON rather than redirecting to the login page), so the second factor is checked here.
    """

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "Session Django d’une personne connectée (page de documentation de l’API)."

    def __call__(self, request: HttpRequest) -> User | None:
        try:
            return super().__call__(request)
        except HttpError as error:
            if error.status_code == 403:
                raise HttpError(403, CSRF_REFUSED) from error
            raise

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if needs_second_factor(user) and not user.is_verified():
            return None
        return user
