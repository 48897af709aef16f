from django.contrib import admin
from django.urls import include, path

from capqvct.api.api import api

admin.site.site_header = "Cap QVCT — administration"
admin.site.site_title = "Cap QVCT"

handler400 = "capqvct.core.errors.bad_request"
handler403 = "capqvct.core.errors.permission_denied"
handler404 = "capqvct.core.errors.page_not_found"
handler500 = "capqvct.core.errors.server_error"

urlpatterns = [
    path("", include("capqvct.core.urls")),
    path("compte/", include("capqvct.accounts.urls")),
    path("compte/jetons/", include("capqvct.api.urls")),
    path("etablissements/", include("capqvct.establishments.urls")),
    path("appels/", include("capqvct.calls.urls")),
    path("dossiers/", include("capqvct.applications.urls")),
    path("instruction/", include("capqvct.review.urls")),
    path("collectifs/", include("capqvct.cohorts.urls")),
    path("demarches/", include("capqvct.approaches.urls")),
    path("", include("capqvct.surveys.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
