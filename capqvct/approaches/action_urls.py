"""The action plan's addresses, added by urls.py to the « approaches » namespace."""

from django.urls import path

from capqvct.approaches import action_views

urlpatterns = [
    path("<int:pk>/actions/", action_views.actions, name="actions"),
    path("actions/<int:pk>/", action_views.action, name="action"),
]
