from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "capqvct.review"
    verbose_name = "Instruction et sélection"

    def ready(self) -> None:
        from capqvct.applications.review_signals import application_withdrawn
        from capqvct.review.decisions import on_application_withdrawn

        application_withdrawn.connect(on_application_withdrawn, dispatch_uid="review_promote_on_withdrawal")

        from capqvct.applications.selectors import hide_from_agents
        from capqvct.review.selectors import dossiers_hidden_from

        hide_from_agents(dossiers_hidden_from)

        from capqvct.core.emails import register_attachment_builder, register_delivery_hooks
        from capqvct.review import decision_tasks

        register_attachment_builder(decision_tasks.LETTER_BUILDER, decision_tasks.decision_letter_of)
        register_delivery_hooks(
            decision_tasks.PURPOSE,
            on_sent=decision_tasks.on_decision_sent,
            on_failed=decision_tasks.on_decision_failed,
        )
