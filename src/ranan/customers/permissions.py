"""Who may do what with customers. Visibility itself is `Customer.objects.visible_to`."""

from ranan.core.choices import Role

EDIT_ROLES = (Role.ADMIN, Role.ENTERPRISE_ADMIN, Role.STATION_MANAGER, Role.COURIER,
              Role.INSPECTOR, Role.GRID_WORKER)
IMPORT_ROLES = (Role.ADMIN, Role.ENTERPRISE_ADMIN, Role.STATION_MANAGER, Role.GRID_WORKER)
# The customer's own courier or inspector and the station manager work with full phone and
# ID numbers (issue 3); everyone else sees them masked.
PERSONAL_DATA_ROLES = (Role.COURIER, Role.INSPECTOR, Role.STATION_MANAGER)


def can_list_customers(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(
        user.roles - {Role.AUDITOR}))


def can_edit_customers(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(*EDIT_ROLES))


def can_import_customers(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(*IMPORT_ROLES))


def sees_personal_data(user) -> bool:
    return user.is_authenticated and user.has_role(*PERSONAL_DATA_ROLES)
