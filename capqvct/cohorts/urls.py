from django.urls import path

from capqvct.cohorts import attendance_urls, calendar_urls, cohort_views, engagement_urls, views

app_name = "cohorts"

urlpatterns = [
    path("appels/<int:pk>/", views.page, name="page"),
    path("appels/<int:pk>/regles/", views.rules, name="rules"),
    path("appels/<int:pk>/binomes/nouveau/", views.pair_create, name="pair_create"),
    path("appels/<int:pk>/binomes/<int:pair_pk>/", views.pair_edit, name="pair_edit"),
    path("appels/<int:pk>/proposer/", views.propose, name="propose"),
    path("appels/<int:pk>/confirmer/", views.confirm, name="confirm"),
    path("<int:pk>/deplacer/", views.move, name="move"),
    path("<int:pk>/scinder/", views.split, name="split"),
    path("<int:pk>/fusionner/", views.merge, name="merge"),
    path("<int:pk>/binome/", views.set_pair, name="set_pair"),
    # Following a confirmed cohort.
    path("mes-collectifs/", cohort_views.mine, name="mine"),
    path("<int:pk>/", cohort_views.cohort, name="cohort"),
    path("participations/<int:pk>/", cohort_views.participation, name="participation"),
]
urlpatterns += calendar_urls.urlpatterns
urlpatterns += engagement_urls.urlpatterns
urlpatterns += attendance_urls.urlpatterns
