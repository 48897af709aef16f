from django.urls import path

from capqvct.approaches import (
    action_urls,
    diagnosis_views,
    document_views,
    following_views,
    review_views,
    views,
)

app_name = "approaches"

urlpatterns = [
    path("<int:pk>/", views.home, name="home"),
    path("demandes/<int:pk>/reponse/", views.closure_answer, name="closure_answer"),
    path("<int:pk>/lancement/", views.launch, name="launch"),
    path("comite/<int:pk>/depart/", views.committee_member_leave, name="committee_member_leave"),
    path("messages/<int:pk>/envoye/", views.message_sent, name="message_sent"),
    path("<int:pk>/diagnostic/", diagnosis_views.diagnosis, name="diagnosis"),
    path("situations/<int:pk>/cotation/", diagnosis_views.situation_rating, name="situation_rating"),
    path("<int:pk>/bilan/", review_views.review, name="review"),
    path("<int:pk>/bilan/validation/", review_views.review_validate, name="review_validate"),
    path("<int:pk>/bilan.pdf", review_views.bilan, name="bilan"),
    path("<int:pk>/export.zip", review_views.export, name="export"),
    path("<int:pk>/commentaires/", views.comment, name="comment"),
    path("<int:pk>/resume-quotidien/", views.digest, name="digest"),
    path("<int:pk>/documents/<str:part>/", document_views.document_add, name="document_add"),
    path("documents/<int:pk>/", document_views.document, name="document"),
    path("documents/<int:pk>/retirer/", document_views.document_remove, name="document_remove"),
    path("collectifs/<int:pk>/", following_views.cohort_following, name="cohort_following"),
    path("appels/<int:pk>/", following_views.call_following, name="call_following"),
    *action_urls.urlpatterns,
]
