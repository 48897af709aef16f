from django.contrib import admin, messages

from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent, OutgoingEmail
from capqvct.core.outbox import NBSP, retry_email


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_email", "action", "target_type", "target_label", "ip"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_email", "target_label", "action", "ip"]
    date_hierarchy = "at"

    # The trail is append-only: nobody edits or deletes it, not even an administrator.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Every e-mail of the platform, for the administrator: what left, what failed and why."""

    list_display = ["created_at", "recipients", "subject", "purpose", "status", "attempts", "caused_by"]
    list_filter = ["status", "purpose"]
    search_fields = ["to", "subject", "about_label", "message_id"]
    date_hierarchy = "created_at"
    list_select_related = ["caused_by"]
    readonly_fields = [field.name for field in OutgoingEmail._meta.fields]
    actions = ["send_again"]

    @admin.display(description="destinataires")
    def recipients(self, email: OutgoingEmail) -> str:
        return ", ".join(email.to)

    @admin.action(description="Renvoyer les e-mails sélectionnés en échec")
    def send_again(self, request, queryset):
        retried = 0
        for email in queryset:
            try:
                retry_email(email=email, by=request.user)
            except Refusal as refusal:
                self.message_user(request, f"{email}{NBSP}: {refusal.message}", messages.WARNING)
            else:
                retried += 1
        self.message_user(request, f"{retried} e-mail(s) remis en file.", messages.SUCCESS)

    # The outbox is written by the platform only; an administrator reads it and sends failures again.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
