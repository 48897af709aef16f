from django.urls import path

from capqvct.calls import views

app_name = "calls"

urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("<int:pk>/", views.public_detail, name="public_detail"),
]
