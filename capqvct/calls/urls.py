from django.urls import path

from capqvct.calls import builder_views, manage_views, views

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
    # The form builder
    path("gestion/<int:pk>/questionnaire/", builder_views.form_builder, name="manage_form_builder"),
    path(
        "gestion/<int:pk>/questionnaire/sections/ajouter/",
        builder_views.section_add,
        name="manage_builder_section_add",
    ),
    path(
        "gestion/<int:pk>/questionnaire/sections/<str:section>/",
        builder_views.section_edit,
        name="manage_builder_section_edit",
    ),
    path(
        "gestion/<int:pk>/questionnaire/sections/<str:section>/deplacer/<str:direction>/",
        builder_views.section_move,
        name="manage_builder_section_move",
    ),
    path(
        "gestion/<int:pk>/questionnaire/sections/<str:section>/supprimer/",
        builder_views.section_delete,
        name="manage_builder_section_delete",
    ),
    path(
        "gestion/<int:pk>/questionnaire/sections/<str:section>/questions/ajouter/",
        builder_views.question_add,
        name="manage_builder_question_add",
    ),
    path(
        "gestion/<int:pk>/questionnaire/questions/<str:key>/",
        builder_views.question_edit,
        name="manage_builder_question_edit",
    ),
    path(
        "gestion/<int:pk>/questionnaire/questions/<str:key>/deplacer/<str:direction>/",
        builder_views.question_move,
        name="manage_builder_question_move",
    ),
    path(
        "gestion/<int:pk>/questionnaire/questions/<str:key>/supprimer/",
        builder_views.question_delete,
        name="manage_builder_question_delete",
    ),
    path(
        "gestion/<int:pk>/questionnaire/questions/<str:key>/sous-questions/ajouter/",
        builder_views.sub_question_add,
        name="manage_builder_subquestion_add",
    ),
    path(
        "gestion/<int:pk>/questionnaire/questions/<str:key>/sous-questions/<str:sub>/",
        builder_views.sub_question_edit,
        name="manage_builder_subquestion_edit",
    ),
    path(
        "gestion/<int:pk>/questionnaire/questions/<str:key>/sous-questions/<str:sub>/deplacer/<str:direction>/",
        builder_views.sub_question_move,
        name="manage_builder_subquestion_move",
    ),
    path(
        "gestion/<int:pk>/questionnaire/questions/<str:key>/sous-questions/<str:sub>/supprimer/",
        builder_views.sub_question_delete,
        name="manage_builder_subquestion_delete",
    ),
]
