from django.urls import path

from capqvct.api import views

app_name = "tokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("nouveau/", views.token_create, name="create"),
    path("<int:pk>/cree/", views.token_created, name="created"),
    path("<int:pk>/revoquer/", views.token_revoke, name="revoke"),
]
