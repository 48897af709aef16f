from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "capqvct.calls"
    verbose_name = "Programmes et appels"
