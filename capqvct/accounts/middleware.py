import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from capqvct.accounts.selectors import needs_second_factor, time_zone_of

# Paths a signed-in user without a verified second factor may still reach.
OPEN_PREFIXES = ("/compte/double-authentification", "/compte/deconnexion", "/static/")


# The session keeps when the user last made a request, and whether idleness signs them out.
LAST_ACTIVITY_KEY = "capqvct_last_activity"
IDLE_LIMITED_KEY = "capqvct_idle_limited"
# The stamp is rewritten at most this often, not on every request (a session write each time).
STAMP_RESOLUTION_SECONDS = 60
EXPIRED_PARAMETER = "session"
EXPIRED_VALUE = "expiree"


class IdleSessionMiddleware:
    """Agents, consultants, observers and administrators, who read dossiers, are signed out after
    IDLE_SESSION_TIMEOUT without a request; establishment members keep the session's full age."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and self._is_idle_limited(request):
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > settings.IDLE_SESSION_TIMEOUT.total_seconds():
                logout(request)
                query = urlencode({EXPIRED_PARAMETER: EXPIRED_VALUE, "next": request.get_full_path()})
                return redirect(f"{reverse('accounts:login')}?{query}")
            if last is None or now - last >= STAMP_RESOLUTION_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    @staticmethod
    def start_clock(request, user) -> None:
        """At sign-in: the clock starts, and the session knows whether idleness ends it, so the
        requests that follow write nothing to the session."""
        request.session[IDLE_LIMITED_KEY] = needs_second_factor(user)
        request.session[LAST_ACTIVITY_KEY] = time.time()

    @staticmethod
    def _is_idle_limited(request) -> bool:
        # Decided once per session: a role given during the session applies from the next sign-in.
        if IDLE_LIMITED_KEY not in request.session:
            request.session[IDLE_LIMITED_KEY] = needs_second_factor(request.user)
        return request.session[IDLE_LIMITED_KEY]


class SecondFactorRequiredMiddleware:
    """Agents, consultants and administrators reach nothing private before proving a second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified() or not needs_second_factor(user):
            return None
        if not getattr(view_func, "login_required", True) or request.path.startswith(OPEN_PREFIXES):
            return None
        return redirect(f"{reverse('accounts:second_factor')}?next={request.get_full_path()}")


class RegionTimeZoneMiddleware:
    """Dates are shown in the time zone of the user's region: an agent in La Réunion reads UTC+4."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = time_zone_of(request.user)
        if zone:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # The zone belongs to this request only, not to whatever runs next on the thread.
            timezone.deactivate()
