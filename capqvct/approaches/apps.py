from django.apps import AppConfig


class ApproachesConfig(AppConfig):
    name = "capqvct.approaches"
    verbose_name = "Démarches QVT des établissements"
