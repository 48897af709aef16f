from django.contrib import admin

from capqvct.territory.models import Commune, Departement, Region


class ReadOnlyAdmin(admin.ModelAdmin):
    # Reference data comes from the official geography (see the app's README): a change made here
    # would be lost at the next fixture rebuild and could break the establishments that point to it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "time_zone"]
    search_fields = ["code", "name"]


@admin.register(Departement)
class DepartementAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["code", "name"]


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "departement", "postal_codes_display"]
    list_filter = ["departement__region"]
    list_select_related = ["departement"]
    search_fields = ["code", "name", "postal_codes"]
    show_full_result_count = False

    @admin.display(description="codes postaux")
    def postal_codes_display(self, obj):
        return ", ".join(obj.postal_codes)
