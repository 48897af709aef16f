from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "capqvct.cohorts"
    verbose_name = "Collectifs et binômes d’intervenants"
