from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from ranan.core import contract
from ranan.core.choices import OrgKind, Role
from ranan.core.contract import DATA_ROLES, Demo, Grant, Job, Nav, Panel, RoleDef

# A property management company's staff (物业, issue 14 item 7): scoped to the estates of its
# account's area; narrow, so it holds only the capabilities below that name it.
PROPERTY_MANAGER = "property_manager"


class HazardsConfig(contract.RananApp):
    name = "ranan.hazards"
    verbose_name = _("Hazards")

    kpis = "ranan.hazards.kpis"
    navigation = [Nav("hazard-list", _("Hazards"), order=60, capability="hazards.read"),
                  Nav("estate-home", _("My estates"), order=65, capability="hazards.estates")]
    home_panels = [Panel("hazards/property/_home.html",
                         "ranan.hazards.views_property.home_panel", order=5)]
    customer_panels = [Panel("hazards/_customer_hazards.html",
                             "ranan.hazards.views.customer_panel", order=40)]
    # The demo visits' findings become hazards (after the demo property manager, who is told).
    demo = Demo("ranan.hazards.demo_property.extend", after=("inspections",))
    jobs = [Job("ranan.hazards.tasks.escalate_task", timedelta(days=1))]
    # One hazard per finding of a submitted visit, in the visit's transaction.
    hooks = {"inspections.findings": ["ranan.hazards.services.take_over_findings"],
             # Supply is not restored while the household has hazards not fixed.
             "inspections.restore_blockers": ["ranan.hazards.supply.open_hazards"],
             # The visits booked with residents, on the inspectors' work list of the day.
             "inspections.work_list": ["ranan.hazards.selectors.booked_visits"]}
    roles = [RoleDef(PROPERTY_MANAGER, _("Property manager"),
                     frozenset({OrgKind.PROPERTY_MANAGER}), narrow=True)]
    capabilities = {
        "hazards.read": DATA_ROLES,
        "hazards.work": {Role.INSPECTOR, Role.COURIER, Role.STATION_MANAGER, Role.GRID_WORKER,
                         Role.ENTERPRISE_ADMIN, Role.REGULATOR, Role.TASK_FORCE, Role.ADMIN},
        # Verifying, rejecting and closing someone else's fix (issue 16): never a courier,
        # and never the hazard's finder or fixer (services.hazard_transition).
        "hazards.verify": {Role.INSPECTOR, Role.STATION_MANAGER, Role.GRID_WORKER,
                           Role.ENTERPRISE_ADMIN, Role.REGULATOR, Role.TASK_FORCE, Role.ADMIN},
        # Declaring a hazard not fixable (converted to another measure): an inspector, a
        # gas company's administrator or those who supervise, never the one who reported it.
        "hazards.convert": {Role.INSPECTOR, Role.ENTERPRISE_ADMIN, Role.REGULATOR,
                            Role.TASK_FORCE, Role.ADMIN},
        # Those who follow an area: the supervision list, the area summary.
        "hazards.supervise": {Role.REGULATOR, Role.TASK_FORCE, Role.ADMIN},
        "hazards.catalogue": {Role.ADMIN},
        # Booking a visit agreed with the resident for a fix (and marking it done or
        # cancelled): those who organise fixes at households.
        "hazards.appoint": {Role.INSPECTOR, Role.STATION_MANAGER, Role.ENTERPRISE_ADMIN,
                            Role.GRID_WORKER, Role.ADMIN},
        # A property manager's estates: their hazards, unreached households and messages.
        # Not a superuser's by being one: a superuser manages no estate.
        "hazards.estates": Grant(frozenset({PROPERTY_MANAGER})),
        # Reporting LPG used in a high-rise building of one's estates (that category only).
        "hazards.high_rise": Grant(frozenset({PROPERTY_MANAGER})),
    }
