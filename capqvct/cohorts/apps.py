from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "capqvct.cohorts"
    verbose_name = "Collectifs et binômes d’intervenants"

    def ready(self) -> None:
        from capqvct.core.emails import register_attachment_builder

        # The co-signed engagement letter, built by the worker when its e-mail leaves.
        register_attachment_builder(
            "cohorts.engagement_cosigned", "capqvct.cohorts.engagement_tasks.cosigned_letter_of"
        )
