"""The calendar's addresses (added to cohorts/urls.py)."""

from django.urls import path

from capqvct.cohorts import calendar_views

urlpatterns = [
    path("<int:pk>/seances/nouvelle/", calendar_views.session_new, name="calendar_session_new"),
    path("<int:pk>/seances/planifier/", calendar_views.planning, name="calendar_planning"),
    path("<int:pk>/rencontres/nouvelle/", calendar_views.visit_new, name="calendar_visit_new"),
    path("seances/<int:pk>/", calendar_views.session, name="calendar_session"),
    path("seances/<int:pk>/annuler/", calendar_views.session_cancel, name="calendar_session_cancel"),
    path("seances/<int:pk>/documents/", calendar_views.session_document, name="calendar_session_document"),
    path("documents/<int:pk>/", calendar_views.document, name="calendar_document"),
    path("documents/<int:pk>/retirer/", calendar_views.document_remove, name="calendar_document_remove"),
    path("rencontres/<int:pk>/", calendar_views.visit, name="calendar_visit"),
    path("rencontres/<int:pk>/annuler/", calendar_views.visit_cancel, name="calendar_visit_cancel"),
    path("appels/<int:pk>/presentation/", calendar_views.presentation_new, name="calendar_presentation_new"),
    path(
        "appels/<int:pk>/vacances-scolaires/", calendar_views.school_holidays, name="calendar_school_holidays"
    ),
    path("mon-agenda/", calendar_views.agenda, name="calendar_agenda"),
    path("mon-agenda/nouvelle-adresse/", calendar_views.feed_renew, name="calendar_feed_renew"),
    path("agenda/<str:token>.ics", calendar_views.feed, name="calendar_feed"),
]
