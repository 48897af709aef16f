"""The project's URLs, its error handlers, and views that fail on purpose, for the error pages' tests."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db import OperationalError
from django.urls import path

from capqvct.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


@login_not_required
def broken(request):
    raise RuntimeError("a bug in a view")


@login_not_required
def database_down(request):
    raise OperationalError("connection to server at 127.0.0.1 failed")


@login_not_required
def suspicious(request):
    raise SuspiciousOperation("a tampered request")


urlpatterns = [
    path("essais/panne/", broken),
    path("essais/base-indisponible/", database_down),
    path("essais/requete-douteuse/", suspicious),
    *urlpatterns,
]
