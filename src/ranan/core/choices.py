"""Stable codes and their translated labels for the core app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Levels of the jurisdiction tree, from the top; the order matters (see LEVEL_ORDER)."""

    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")
    TOWNSHIP = "township", _("Township / sub-district")
    VILLAGE = "village", _("Village / community")
    GRID = "grid", _("Grid")


LEVEL_ORDER = {code: index for index, code in enumerate(Level.values)}


class OrgKind(models.TextChoices):
    PIPELINE_GAS = "pipeline_gas", _("Pipeline gas company")
    LPG_COMPANY = "lpg_company", _("LPG company")
    LPG_STATION = "lpg_station", _("LPG station")
    REGULATOR = "regulator", _("Regulator department")
    TOWNSHIP_OFFICE = "township_office", _("Township / sub-district office")
    VILLAGE_COMMITTEE = "village_committee", _("Village / community committee")
    TASK_FORCE = "task_force", _("Gas safety task force")
    PROPERTY_MANAGER = "property_manager", _("Property management company")


# Enterprise staff see only their enterprise's customers and cylinders (DOMAIN.md).
ENTERPRISE_KINDS = frozenset({OrgKind.PIPELINE_GAS, OrgKind.LPG_COMPANY, OrgKind.LPG_STATION})


class RegulatorType(models.TextChoices):
    MARKET_SUPERVISION = "market_supervision", _("Market supervision")
    HOUSING = "housing", _("Housing / urban management")
    EMERGENCY = "emergency", _("Emergency management")
    FIRE = "fire", _("Fire service")
    PUBLIC_SECURITY = "public_security", _("Public security")


class Role(models.TextChoices):
    COURIER = "courier", _("Courier")
    INSPECTOR = "inspector", _("Inspector")
    STATION_MANAGER = "station_manager", _("Station manager")
    ENTERPRISE_ADMIN = "enterprise_admin", _("Enterprise administrator")
    GRID_WORKER = "grid_worker", _("Grid worker")
    REGULATOR = "regulator", _("Regulator")
    TASK_FORCE = "task_force", _("Task force")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("System administrator")
    # 三员分立 (issue 16): manages the roles and credentials of the privileged accounts.
    SECURITY_ADMIN = "security_admin", _("Security administrator")


# Separation of duties (三员分立, 等保 2.0): the system administrator, the security
# administrator and the auditor are three people. No account holds two of these; the
# security administrator and the auditor hold no other role either (they see no domain data).
# An account holding one of them is managed by a security administrator alone.
PRIVILEGED_ROLES: frozenset[str] = frozenset({Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
SOLE_ROLES: frozenset[str] = frozenset({Role.SECURITY_ADMIN, Role.AUDITOR})


def duties_conflict(roles) -> list[str]:
    """The roles of `roles` that may not be held together (empty when they may)."""
    roles = set(roles)
    privileged = roles & PRIVILEGED_ROLES
    if len(privileged) > 1 or (roles & SOLE_ROLES and len(roles) > 1):
        return sorted(roles if roles & SOLE_ROLES else privileged)
    return []


# Which organisation kinds a role may be given in: a courier works for an LPG station or
# company, never for a regulator department.
ROLE_ORG_KINDS: dict[str, frozenset[str]] = {
    Role.COURIER: frozenset({OrgKind.LPG_STATION, OrgKind.LPG_COMPANY}),
    Role.INSPECTOR: frozenset({OrgKind.PIPELINE_GAS, OrgKind.LPG_COMPANY, OrgKind.LPG_STATION}),
    Role.STATION_MANAGER: frozenset({OrgKind.LPG_STATION}),
    Role.ENTERPRISE_ADMIN: frozenset(ENTERPRISE_KINDS),
    Role.GRID_WORKER: frozenset({OrgKind.TOWNSHIP_OFFICE, OrgKind.VILLAGE_COMMITTEE}),
    Role.REGULATOR: frozenset({OrgKind.REGULATOR}),
    Role.TASK_FORCE: frozenset({OrgKind.TASK_FORCE}),
    Role.AUDITOR: frozenset(OrgKind.values),
    Role.ADMIN: frozenset(OrgKind.values),
    Role.SECURITY_ADMIN: frozenset(OrgKind.values),
}



class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    EXPORT = "export", _("Exported personal data")
    VIEW_PERSONAL = "view_personal", _("Viewed personal data")
    # Issue 16: a full number shown after a reason was given (PIPL), an attempt refused
    # (a 403, a lockout, an out-of-scope write), a role given or taken away.
    UNMASK = "unmask", _("Unmasked personal data")
    DENIED = "denied", _("Access denied")
    ROLE_CHANGE = "role_change", _("Changed roles")


AUDIT_ACTION_COLOURS = {
    AuditAction.CREATE: "green",
    AuditAction.UPDATE: "blue",
    AuditAction.DELETE: "red",
    AuditAction.LOGIN: "secondary",
    AuditAction.LOGIN_FAILED: "orange",
    AuditAction.LOGOUT: "secondary",
    AuditAction.EXPORT: "purple",
    AuditAction.VIEW_PERSONAL: "purple",
    AuditAction.UNMASK: "purple",
    AuditAction.DENIED: "red",
    AuditAction.ROLE_CHANGE: "orange",
}
