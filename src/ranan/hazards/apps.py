from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from ranan.core import contract
from ranan.core.choices import Role
from ranan.core.contract import DATA_ROLES, Demo, Job, Nav, Panel


class HazardsConfig(contract.RananApp):
    name = "ranan.hazards"
    verbose_name = _("Hazards")

    kpis = "ranan.hazards.kpis"
    navigation = [Nav("hazard-list", _("Hazards"), order=60, capability="hazards.read")]
    customer_panels = [Panel("hazards/_customer_hazards.html",
                             "ranan.hazards.views.customer_panel", order=40)]
    # The demo visits' findings become hazards.
    demo = Demo("ranan.hazards.demo.extend", after=("inspections",))
    jobs = [Job("ranan.hazards.tasks.escalate_task", timedelta(days=1))]
    # One hazard per finding of a submitted visit, in the visit's transaction.
    hooks = {"inspections.findings": ["ranan.hazards.services.take_over_findings"]}
    capabilities = {
        "hazards.read": DATA_ROLES,
        "hazards.work": {Role.INSPECTOR, Role.COURIER, Role.STATION_MANAGER, Role.GRID_WORKER,
                         Role.ENTERPRISE_ADMIN, Role.REGULATOR, Role.TASK_FORCE, Role.ADMIN},
        # Those who follow an area: the supervision list, the area summary.
        "hazards.supervise": {Role.REGULATOR, Role.TASK_FORCE, Role.ADMIN},
        "hazards.catalogue": {Role.ADMIN},
    }
