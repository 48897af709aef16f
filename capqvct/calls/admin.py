"""The Django admin of programmes and calls, in French and read-only: they are created, published
and closed from the programme managers' pages, which check the rules and write the audit log."""

from django.contrib import admin

from capqvct.calls.models import Call, Programme
from capqvct.territory.admin import ReadOnlyAdmin


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["title", "region", "format", "funding_rule", "created_at"]
    list_filter = ["region", "format", "funding_rule"]
    list_select_related = ["region"]
    search_fields = ["title"]
    exclude = ["created_by"]


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "region", "opens_at", "closes_at"]
    list_filter = ["status", "kind", "programme__region"]
    list_select_related = ["programme__region"]
    search_fields = ["title", "programme__title"]
    date_hierarchy = "closes_at"
    exclude = ["cloned_from"]

    @admin.display(description="région", ordering="programme__region__name")
    def region(self, call):
        return call.programme.region
