from django.urls import path

from capqvct.establishments import views

app_name = "establishments"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("rattachement/", views.claim_search, name="claim_search"),
    path("rattachement/<str:finess>/", views.claim_create, name="claim_create"),
    path("demandes/", views.claims, name="claims"),
    path("demandes/<int:pk>/accepter/", views.claim_approve, name="claim_approve"),
    path("demandes/<int:pk>/refuser/", views.claim_reject, name="claim_reject"),
    path("demandes/<int:pk>/confirmer/", views.claim_confirm, name="claim_confirm"),
    path("demandes/<int:pk>/decliner/", views.claim_decline, name="claim_decline"),
    path("<str:finess>/", views.establishment_detail, name="detail"),
]
