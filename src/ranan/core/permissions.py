"""Role checks shared by pages and the API."""

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from ranan.core.choices import DATA_ROLES, Role


def is_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMIN))


def is_auditor(user) -> bool:
    return user.is_authenticated and user.has_role(Role.AUDITOR)


def has_data_role(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user.roles & DATA_ROLES))


def require(check, user) -> None:
    if not check(user):
        raise PermissionDenied


class ReadDataWriteAdmin(BasePermission):
    """Anyone with a data role reads (scoped); only administrators write."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return has_data_role(request.user)
        return is_admin(request.user)


class AdminOnly(BasePermission):
    def has_permission(self, request, view):
        return is_admin(request.user)


class AuditorOnly(BasePermission):
    def has_permission(self, request, view):
        return is_auditor(request.user)
