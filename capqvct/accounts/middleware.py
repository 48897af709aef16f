from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from capqvct.accounts.selectors import needs_second_factor, time_zone_of

# Paths a signed-in user without a verified second factor may still reach.
OPEN_PREFIXES = ("/compte/double-authentification", "/compte/deconnexion", "/static/")


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
