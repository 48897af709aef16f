from django.urls import path

from capqvct.applications import import_views, invite_views, manage_views, message_views, views

app_name = "applications"

urlpatterns = [
    path("", views.my_applications, name="mine"),
    path("nouveau/<int:call_pk>/", views.start, name="start"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/depots/<int:number>/accuse-reception.pdf", views.receipt, name="receipt"),
    path("<int:pk>/rouvrir/", views.reopen, name="reopen"),
    path("<int:pk>/retirer/", views.withdraw, name="withdraw"),
    path("<int:pk>/lecture/", views.read, name="read"),
    path("pieces/<uuid:attachment_id>/", views.attachment, name="attachment"),
    # Programme managers: the dossiers of a call
    path("gestion/appels/<int:call_pk>/", manage_views.call_dossiers, name="call_dossiers"),
    path("gestion/appels/<int:call_pk>/enregistrer/", manage_views.record, name="record"),
    path(
        "gestion/appels/<int:call_pk>/inviter-une-direction/",
        invite_views.invite_director,
        name="invite_director",
    ),
    # Spreadsheet imports
    path("gestion/appels/<int:call_pk>/import/", import_views.upload, name="import_upload"),
    path(
        "gestion/appels/<int:call_pk>/import/<int:pk>/correspondance/",
        import_views.mapping,
        name="import_mapping",
    ),
    path("gestion/appels/<int:call_pk>/import/<int:pk>/apercu/", import_views.preview, name="import_preview"),
    path("gestion/appels/<int:call_pk>/import/<int:pk>/importer/", import_views.run, name="import_run"),
    path(
        "gestion/appels/<int:call_pk>/import/<int:pk>/compte-rendu/",
        import_views.report,
        name="import_report",
    ),
    # Messages and reminders to draft holders
    path(
        "gestion/appels/<int:call_pk>/ecrire-aux-brouillons/",
        message_views.write_to_drafts,
        name="write_to_drafts",
    ),
]
