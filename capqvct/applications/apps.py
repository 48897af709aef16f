from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "capqvct.applications"
    verbose_name = "Dossiers de candidature"

    def ready(self) -> None:
        # Calls never import applications: the applications app listens to what calls announce.
        from capqvct.applications.reminders import on_deadline_extended
        from capqvct.calls.signals import deadline_extended

        deadline_extended.connect(on_deadline_extended, dispatch_uid="applications.on_deadline_extended")
