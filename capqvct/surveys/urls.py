from django.urls import path

from capqvct.surveys import respond_views, views

app_name = "surveys"

urlpatterns = [
    # The staff's questionnaire: short, for a QR code and a poster.
    path("q/<str:token>/", respond_views.respond, name="respond"),
    path("q/<str:token>/<int:step>/", respond_views.respond_step, name="respond_step"),
    path("q/<str:token>/merci/", respond_views.thanks, name="thanks"),
    # The workspace's pages.
    path("enquetes/demarche/<int:pk>/", views.campaigns, name="campaigns"),
    path("enquetes/<int:pk>/", views.campaign, name="campaign"),
    path("enquetes/questions/<int:pk>/retirer/", views.question_remove, name="question_remove"),
    path("enquetes/<int:pk>/affiche.pdf", views.poster, name="poster"),
    path("enquetes/<int:pk>/questionnaire-papier.pdf", views.paper, name="paper"),
    path("enquetes/<int:pk>/saisie-papier/", views.paper_entry, name="paper_entry"),
    path("enquetes/<int:pk>/reponses-libres/", views.free_texts, name="free_texts"),
    path("enquetes/reponses-libres/<uuid:pk>/", views.free_text_review, name="free_text_review"),
    path("enquetes/<int:pk>/resultats.pdf", views.report, name="report"),
    path("enquetes/<int:pk>/resultats.<str:export_format>", views.aggregates, name="aggregates"),
    path("enquetes/recherche/", views.research, name="research"),
    path("enquetes/recherche/<str:code>/<str:version>.csv", views.research_export, name="research_export"),
]
