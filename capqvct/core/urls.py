from django.urls import path

from capqvct.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("mentions-legales/", views.legal_page, {"page": "mentions"}, name="legal_notice"),
    path("accessibilite/", views.legal_page, {"page": "accessibilite"}, name="accessibility"),
    path("donnees-personnelles/", views.legal_page, {"page": "donnees"}, name="privacy"),
    path("cookies/", views.legal_page, {"page": "cookies"}, name="cookies"),
    path("plan-du-site/", views.legal_page, {"page": "plan"}, name="sitemap"),
    path("aide/", views.help_index, name="help"),
    path("aide/<slug:slug>/", views.guide, name="guide"),
    path("contact/", views.contact, name="contact"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("compte/envois-en-echec/", views.failed_emails, name="failed_emails"),
    path("compte/envois-en-echec/<int:pk>/renvoyer/", views.retry_failed_email, name="retry_failed_email"),
]
