from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from ranan.core.choices import DATA_ROLES, Role
from ranan.core.contract import Job, Nav, Panel, RananApp


class ReportsConfig(RananApp):
    name = "ranan.reports"
    label = "reports"
    verbose_name = _("Reports")
    default = True

    # Right after Home: the figures are what regulators open first.
    navigation = [Nav("dashboard", _("Dashboard"), order=10, capability="reports.read")]
    home_panels = [Panel("reports/_home_panel.html", "ranan.reports.views.home_panel", order=10)]
    jobs = [Job("ranan.reports.tasks.warm_figures", timedelta(hours=1))]
    capabilities = {
        "reports.read": DATA_ROLES,
        # Task forces write the weekly briefing; departments write their own.
        "reports.briefing": {Role.REGULATOR, Role.TASK_FORCE, Role.ADMIN},
        # Who sends or receives the gas companies' monthly statement.
        "reports.statement": {Role.STATION_MANAGER, Role.ENTERPRISE_ADMIN, Role.REGULATOR,
                              Role.TASK_FORCE, Role.ADMIN},
    }
