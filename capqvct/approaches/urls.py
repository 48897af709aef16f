from django.urls import path

from capqvct.approaches import diagnosis_views, views

app_name = "approaches"

urlpatterns = [
    path("<int:pk>/", views.home, name="home"),
    path("demandes/<int:pk>/reponse/", views.closure_answer, name="closure_answer"),
    path("<int:pk>/lancement/", views.launch, name="launch"),
    path("comite/<int:pk>/depart/", views.committee_member_leave, name="committee_member_leave"),
    path("messages/<int:pk>/envoye/", views.message_sent, name="message_sent"),
    path("<int:pk>/diagnostic/", diagnosis_views.diagnosis, name="diagnosis"),
    path("situations/<int:pk>/cotation/", diagnosis_views.situation_rating, name="situation_rating"),
]
