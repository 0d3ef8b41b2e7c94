"""Django admin for superusers. Changes made here are written to the audit log too."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ranan.core import audit
from ranan.core.models import Account, AccountRole, Jurisdiction, Organisation


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        if change:
            audit.record_update(actor=request.user, instance=obj, before=before or {})
        else:
            audit.record_create(actor=request.user, instance=obj)

    def delete_model(self, request, obj):
        audit.record_delete(actor=request.user, instance=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record_delete(actor=request.user, instance=obj)
        super().delete_queryset(request, queryset)


@admin.register(Jurisdiction)
class JurisdictionAdmin(AuditedAdmin):
    list_display = ["name", "code", "level", "parent"]
    search_fields = ["name", "code"]
    list_filter = ["level"]
    readonly_fields = ["parent", "path", "depth"]

    def has_add_permission(self, request):
        return False  # paths are built by services.jurisdiction_create (pages and API)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "regulator_type", "parent", "is_active"]
    list_filter = ["kind", "regulator_type"]
    search_fields = ["name"]
    filter_horizontal = ["jurisdictions"]


class AccountRoleInline(admin.TabularInline):
    model = AccountRole
    extra = 0


@admin.register(Account)
class AccountAdmin(AuditedAdmin, UserAdmin):
    list_display = ["username", "full_name", "organisation", "is_active", "is_superuser"]
    search_fields = ["username", "full_name"]
    inlines = [AccountRoleInline]
    fieldsets = (*(UserAdmin.fieldsets or ()),
        ("Ranan", {"fields": ("full_name", "phone", "organisation", "area", "language")}),
    )
    filter_horizontal = ["area", "groups", "user_permissions"]

# The audit log is deliberately not in the Django admin: only the auditor role reads it
# (the /audit/ page and API), and nobody can change it.
