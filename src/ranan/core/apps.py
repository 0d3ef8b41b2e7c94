from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from ranan.core import contract
from ranan.core.choices import ROLE_ORG_KINDS, SOLE_ROLES, Role
from ranan.core.contract import DATA_ROLES, Grant, Job, Nav, Panel, RoleDef

H = "ranan.core.home."


class CoreConfig(contract.RananApp):
    name = "ranan.core"
    verbose_name = _("Core")

    navigation = [
        Nav("home", _("Home"), order=0),
        Nav("jurisdiction-list", _("Areas"), order=900, capability="core.data"),
        Nav("organisation-list", _("Organisations"), order=910, capability="core.admin"),
        Nav("account-list", _("Accounts"), order=920, capability="core.accounts"),
        Nav("audit-list", _("Audit log"), order=930, capability="core.audit"),
        Nav("outbox", _("Outbox"), order=940, capability="core.admin"),
    ]
    home_panels = [
        Panel("core/home/_no_role.html", H + "no_role", order=0),
        # A field role's day's work comes before the figures (order 10).
        Panel("core/home/_field_work.html", H + "field_work", order=1),
        Panel("core/home/_admin_counts.html", H + "admin_counts", order=20),
        Panel("core/home/_audit.html", H + "latest_audit", order=20),
        Panel("core/home/_places.html", H + "places", order=30),
        Panel("core/home/_staff.html", H + "staff", order=30),
        Panel("core/home/_area.html", H + "my_area", order=40),
        Panel("core/home/_units.html", H + "units", order=50),
        Panel("core/home/_newest_accounts.html", H + "newest_accounts", order=50),
    ]
    jobs = [
        Job("ranan.core.tasks.purge_expired_tokens", timedelta(hours=1)),
        Job("ranan.core.tasks.purge_old_login_attempts", timedelta(minutes=15)),
        Job("ranan.core.tasks.deliver_messages", timedelta(minutes=1)),
    ]
    # The platform's roles; the order ranks the home page of an account with several.
    # The auditor and the security administrator see no domain data (三员分立).
    roles = [RoleDef(role.value, role.label, ROLE_ORG_KINDS[role], data=role not in SOLE_ROLES,
                     rank=rank)
             for rank, role in enumerate([
                 Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR, Role.TASK_FORCE, Role.REGULATOR,
                 Role.ENTERPRISE_ADMIN,
                 Role.STATION_MANAGER, Role.INSPECTOR, Role.GRID_WORKER, Role.COURIER])]
    capabilities = {
        # Domain data of one's own area (everyone but the auditor).
        "core.data": DATA_ROLES,
        # Organisations, the area tree, the outbox, ordinary accounts.
        "core.admin": {Role.ADMIN},
        # The accounts pages: the system administrator manages ordinary accounts, the
        # security administrator every account, the privileged ones alone (三员分立; the
        # rule is services.check_account_change, which no superuser bypasses).
        "core.accounts": {Role.ADMIN, Role.SECURITY_ADMIN},
        # The audit log: the auditor alone, not a superuser by being one (三员分立).
        "core.audit": Grant(frozenset({Role.AUDITOR})),
        # What the home page shows besides the figures.
        "core.home_units": {Role.REGULATOR, Role.TASK_FORCE, Role.GRID_WORKER},
        "core.home_staff": {Role.STATION_MANAGER, Role.ENTERPRISE_ADMIN},
        "core.home_places": {Role.COURIER, Role.INSPECTOR},
        # Exports with full phone and ID numbers (issue 16): the roles that work with them
        # ask (customers.personal_data), a station manager or enterprise administrator of the
        # requester's organisation (or its parent company) approves, never the requester.
        "core.personal_export": Grant(frozenset({Role.COURIER, Role.INSPECTOR,
                                                 Role.STATION_MANAGER, Role.ENTERPRISE_ADMIN})),
        "core.personal_export_approve": Grant(frozenset({Role.STATION_MANAGER,
                                                         Role.ENTERPRISE_ADMIN})),
    }

    def ready(self) -> None:
        # Receivers: the login/failed-login audit (signals), revocation on credential changes.
        from ranan.core import credentials, signals  # noqa: F401
