from django.apps import AppConfig


class EstablishmentsConfig(AppConfig):
    name = "capqvct.establishments"
    verbose_name = "Établissements"

    def ready(self):
        from capqvct.establishments.dashboard_panels import register

        register()
