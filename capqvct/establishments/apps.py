from django.apps import AppConfig


class EstablishmentsConfig(AppConfig):
    name = "capqvct.establishments"
    verbose_name = "Établissements"
