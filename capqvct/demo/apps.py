from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demonstration data: it may use every other app, and no app uses it."""

    name = "capqvct.demo"
    verbose_name = "Données de démonstration"
