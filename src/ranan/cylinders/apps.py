from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from ranan.core import contract
from ranan.core.choices import OrgKind, Role
from ranan.core.contract import DATA_ROLES, Demo, Job, Nav


class CylindersConfig(contract.RananApp):
    name = "ranan.cylinders"
    verbose_name = _("Cylinders")

    kpis = "ranan.cylinders.kpis"
    # LPG: its menu entry and figures concern every kind of organisation but a pipeline gas
    # company (and the property managers, who hold none of its capabilities).
    org_kinds = frozenset(OrgKind.values) - {OrgKind.PIPELINE_GAS}
    navigation = [Nav("cylinder-home", _("Cylinders"), order=30, capability="cylinders.read")]
    # Demo cylinders are delivered to demo customers.
    demo = Demo("ranan.cylinders.demo.extend", after=("customers",))
    jobs = [Job("ranan.cylinders.tasks.mark_recalls_task", timedelta(days=1))]
    capabilities = {
        "cylinders.read": DATA_ROLES,
        # The interlock's actions: a courier never fills.
        "cylinders.fill": {Role.STATION_MANAGER},
        "cylinders.dispatch": {Role.STATION_MANAGER},
        "cylinders.deliver": {Role.STATION_MANAGER, Role.COURIER},
        "cylinders.collect": {Role.STATION_MANAGER, Role.COURIER},
        # The scan page: whoever takes one of the actions above.
        "cylinders.scan": {Role.STATION_MANAGER, Role.COURIER},
        # A station's own cylinders: registering, labels, the recall and inspection steps.
        "cylinders.register": {Role.STATION_MANAGER},
        # The stock import (an administrator names the station).
        "cylinders.import": {Role.ADMIN, Role.STATION_MANAGER},
        # Cylinder types are a province's rules (or national, a superuser's).
        "cylinders.types": {Role.ADMIN},
    }
