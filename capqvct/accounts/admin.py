"""The Django admin of accounts, in French, for the platform's administrators.

People are invited, given roles and removed through the product's pages, which check the rules and
write the audit log; here memberships and invitations are read, and accounts may be corrected or
deactivated. Agencies are created from the « Agences » page (one ARS and one Aract per region)."""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils import timezone

from capqvct.accounts.models import Invitation, Membership, Organisation, User
from capqvct.territory.admin import ReadOnlyAdmin

# Roles are memberships of organisations (accounts.models.Role): Django's groups are not used.
admin.site.unregister(Group)


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["organisation", "role", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["email", "full_name", "is_active", "is_superuser", "date_joined", "last_login"]
    list_filter = ["is_active", "is_superuser", "memberships__role", "memberships__organisation__kind"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["email"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name"]}),
        ("Droits", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]})
    ]
    inlines = [MembershipInline]

    @admin.display(description="nom", ordering="last_name")
    def full_name(self, user):
        return user.get_full_name() or "—"


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "email", "member_count"]
    list_filter = ["kind", "region"]
    list_select_related = ["region"]
    search_fields = ["name", "email"]
    fields = [
        "name",
        "kind",
        "region",
        "email",
        "postal_address",
        "city",
        "signatory_name",
        "signatory_title",
    ]
    readonly_fields = ["kind", "region"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description="membres", ordering="member_count")
    def member_count(self, organisation):
        return organisation.member_count

    def has_add_permission(self, request):
        # Agencies come from the « Agences » page (one of each kind per region), establishments'
        # spaces from claims and invitations, consultancies and national bodies from the shell.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind", "organisation__region"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__email", "user__last_name", "organisation__name"]
    date_hierarchy = "created_at"


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "organisation", "role", "created_at", "state", "invited_by"]
    list_filter = ["role", "organisation__kind"]
    list_select_related = ["organisation", "invited_by"]
    search_fields = ["email", "organisation__name"]
    exclude = ["token_hash"]
    date_hierarchy = "created_at"

    @admin.display(description="état")
    def state(self, invitation):
        if invitation.accepted_at:
            return "acceptée"
        if invitation.revoked_at:
            return "remplacée"
        if invitation.expires_at <= timezone.now():
            return "expirée"
        return "en attente"
