from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "capqvct.core"
    verbose_name = "Socle commun"
