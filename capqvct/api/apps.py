from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "capqvct.api"
    verbose_name = "API"
