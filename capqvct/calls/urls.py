from django.urls import path

from capqvct.calls import manage_views, views

app_name = "calls"

urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("<int:pk>/", views.public_detail, name="public_detail"),
    # Programme managers
    path("gestion/", manage_views.manage_list, name="manage_list"),
    path("gestion/programmes/nouveau/", manage_views.programme_create, name="manage_programme_create"),
    path("gestion/programmes/<int:pk>/", manage_views.programme_detail, name="manage_programme"),
    path("gestion/programmes/<int:pk>/appels/nouveau/", manage_views.call_create, name="manage_call_create"),
    path("gestion/<int:pk>/", manage_views.call_dashboard, name="manage_call"),
    path("gestion/<int:pk>/modifier/", manage_views.call_edit, name="manage_call_edit"),
    path("gestion/<int:pk>/formulaire/", manage_views.call_form_definition, name="manage_call_form"),
    path("gestion/<int:pk>/apercu/", manage_views.call_preview, name="manage_call_preview"),
    path("gestion/<int:pk>/publier/", manage_views.call_publish, name="manage_call_publish"),
    path("gestion/<int:pk>/clore/", manage_views.call_close, name="manage_call_close"),
    path("gestion/<int:pk>/dupliquer/", manage_views.call_clone, name="manage_call_clone"),
]
