from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "capqvct.applications"
    verbose_name = "Dossiers de candidature"
