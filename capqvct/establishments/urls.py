from django.urls import path

from capqvct.establishments import views

app_name = "establishments"

urlpatterns = [
    path("", views.directory, name="directory"),
]
