"""Django admin for superusers. Changes made here are written to the audit log too."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet

from ranan.core import audit, services
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


class AccountRoleFormSet(BaseInlineFormSet):
    """The roles of an account, checked by the rule of the pages and the API (三员分立):
    a superuser cannot give itself or anyone the auditor's role through the Django admin."""

    request: Any = None  # set by AccountRoleInline.get_formset

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        roles = {form.cleaned_data["role"] for form in self.forms
                 if form.cleaned_data.get("role") and not form.cleaned_data.get("DELETE")}
        account = self.instance if self.instance.pk else None
        try:
            services.check_account_change(actor=self.request.user, account=account, roles=roles)
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from None
        except ValidationError as exc:
            raise ValidationError(exc.message_dict.get("roles", exc.messages)) from None


class AccountRoleInline(admin.TabularInline):
    model = AccountRole
    formset = AccountRoleFormSet
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"request": request})


@admin.register(Account)
class AccountAdmin(AuditedAdmin, UserAdmin):
    list_display = ["username", "full_name", "organisation", "is_active", "is_superuser"]
    search_fields = ["username", "full_name"]
    inlines = [AccountRoleInline]
    fieldsets = (*(UserAdmin.fieldsets or ()),
        ("Ranan", {"fields": ("full_name", "phone", "organisation", "area", "language")}),
    )
    filter_horizontal = ["area", "groups", "user_permissions"]

    # 三员分立: an account holding admin, security admin or auditor is changed (its
    # password too: UserAdmin's password page asks has_change_permission) by a security
    # administrator alone, whoever the superuser is (services.check_account_change).
    def has_change_permission(self, request, obj=None):
        if obj is not None and not services.may_manage_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not services.may_manage_account(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        account = form.instance
        before = set(account.role_rows.values_list("role", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        account.__dict__.pop("roles", None)
        services.record_role_change(actor=request.user, account=account, before=before,
                                    after=set(account.roles))

# The audit log is deliberately not in the Django admin: only the auditor role reads it
# (the /audit/ page and API), and nobody can change it.
