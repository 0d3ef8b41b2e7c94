from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from ranan.core import contract
from ranan.core.choices import Role
from ranan.core.contract import DATA_ROLES, Job, Nav, Panel


class ReportsConfig(contract.RananApp):
    name = "ranan.reports"
    verbose_name = _("Reports")

    # Right after Home: the figures are what regulators open first.
    navigation = [Nav("dashboard", _("Dashboard"), order=10, capability="reports.read")]
    home_panels = [Panel("reports/_home_panel.html", "ranan.reports.views.home_panel", order=10)]
    jobs = [Job("ranan.reports.tasks.warm_figures", timedelta(hours=1))]
    # The catalogue reads the counts kept in reports.Figure where they hold.
    hooks = {"core.kpi_counts": ["ranan.reports.figures.kpi_counts"]}
    capabilities = {
        "reports.read": DATA_ROLES,
        # Task forces write the weekly briefing; departments write their own.
        "reports.briefing": {Role.REGULATOR, Role.TASK_FORCE, Role.ADMIN},
        # Who sends or receives the gas companies' monthly statement.
        "reports.statement": {Role.STATION_MANAGER, Role.ENTERPRISE_ADMIN, Role.REGULATOR,
                              Role.TASK_FORCE, Role.ADMIN},
    }
