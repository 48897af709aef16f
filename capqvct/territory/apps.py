from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "capqvct.territory"
    verbose_name = "Territoires"
