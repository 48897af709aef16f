from django.urls import path

from capqvct.applications import views

app_name = "applications"

urlpatterns = [
    path("", views.my_applications, name="mine"),
    path("nouveau/<int:call_pk>/", views.start, name="start"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/depots/<int:number>/accuse-reception.pdf", views.receipt, name="receipt"),
    path("<int:pk>/rouvrir/", views.reopen, name="reopen"),
    path("<int:pk>/retirer/", views.withdraw, name="withdraw"),
    # Programme managers: the dossiers of a call
    # Spreadsheet imports
    # Messages and reminders to draft holders
]
