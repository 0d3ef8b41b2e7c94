from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from ranan.core import contract
from ranan.core.choices import Role
from ranan.core.contract import DATA_ROLES, Demo, Grant, Job, Nav, Panel


class InspectionsConfig(contract.RananApp):
    name = "ranan.inspections"
    verbose_name = _("Inspections")

    kpis = "ranan.inspections.kpis"
    navigation = [Nav("inspection-home", _("Inspections"), order=50,
                      capability="inspections.read"),
                  Nav("referral-list", _("Referrals"), order=55,
                      capability="inspections.referrals")]
    # Referrals left unanswered by their department climb their ladder.
    jobs = [Job("ranan.inspections.tasks.escalate_referrals_task", timedelta(days=1))]
    customer_panels = [Panel("inspections/_customer_visits.html",
                             "ranan.inspections.views.customer_panel", order=30)]
    # The visits are to demo customers; the couriers' delivery checks to demo cylinders' homes.
    demo = Demo("ranan.inspections.demo.extend", after=("customers", "cylinders"))
    capabilities = {
        "inspections.read": DATA_ROLES,
        "inspections.visit": {Role.INSPECTOR, Role.COURIER, Role.STATION_MANAGER,
                              Role.GRID_WORKER},
        "inspections.measure": {Role.GRID_WORKER, Role.INSPECTOR, Role.STATION_MANAGER,
                                Role.ENTERPRISE_ADMIN, Role.REGULATOR, Role.TASK_FORCE},
        # Restoring supply after a shut-off: the gas company's people, who open the valve.
        "inspections.restore": {Role.INSPECTOR, Role.STATION_MANAGER, Role.ENTERPRISE_ADMIN},
        # The referrals for enforcement of an area: the departments answer those sent to
        # them; the task force and the community follow them.
        "inspections.referrals": {Role.REGULATOR, Role.TASK_FORCE, Role.GRID_WORKER, Role.ADMIN},
        # Answering one: only the department it names (a superuser answers for no one).
        "inspections.referral": Grant(frozenset({Role.REGULATOR})),
        "inspections.plan": {Role.ENTERPRISE_ADMIN, Role.GRID_WORKER, Role.REGULATOR,
                             Role.TASK_FORCE, Role.ADMIN, Role.STATION_MANAGER},
        # The inspection cycle of an area.
        "inspections.cycle": {Role.ADMIN, Role.TASK_FORCE, Role.REGULATOR},
        # Checklists (versioned): the platform's administrators keep them.
        "inspections.checklist": {Role.ADMIN},
    }
