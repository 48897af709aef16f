from django.apps import AppConfig

# The name under which receipts' PDF are built by the outbox (stored in its rows: keep it stable).
RECEIPT_BUILDER = "applications.receipt"


class ApplicationsConfig(AppConfig):
    name = "capqvct.applications"
    verbose_name = "Dossiers de candidature"

    def ready(self) -> None:
        # Calls never import applications: the applications app listens to what calls announce.
        from capqvct.applications.reminders import on_deadline_extended
        from capqvct.calls.signals import deadline_extended

        deadline_extended.connect(on_deadline_extended, dispatch_uid="applications.on_deadline_extended")

        from capqvct.applications.restoration import on_call_closed_early
        from capqvct.calls.signals import call_closed_early

        call_closed_early.connect(on_call_closed_early, dispatch_uid="applications.on_call_closed_early")

        from capqvct.core.emails import register_attachment_builder

        register_attachment_builder(RECEIPT_BUILDER, "capqvct.applications.receipts.receipt_pdf_of")
