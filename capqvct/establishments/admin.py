"""The Django admin of the directory, in French and read-only: establishments come from the FINESS
import, claims are decided from the product's pages (which write the audit log and the e-mails)."""

from django.contrib import admin

from capqvct.establishments.models import Claim, Establishment
from capqvct.territory.admin import ReadOnlyAdmin


@admin.register(Establishment)
class EstablishmentAdmin(ReadOnlyAdmin):
    list_display = ["finess_et", "name", "category_label", "commune", "departement", "organisation"]
    list_filter = ["departement__region", "aggregate_category_label"]
    list_select_related = ["commune", "departement", "organisation"]
    search_fields = ["=finess_et", "=finess_ej", "name", "city_label"]
    show_full_result_count = False


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["establishment", "user", "function", "status", "created_at", "decided_at", "decided_by"]
    list_filter = ["status", "establishment__departement__region"]
    list_select_related = ["establishment", "user", "decided_by"]
    search_fields = ["user__email", "establishment__name", "=establishment__finess_et"]
    date_hierarchy = "created_at"
