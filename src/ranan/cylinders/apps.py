from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from ranan.core.choices import DATA_ROLES, Role
from ranan.core.contract import Demo, Job, Nav, RananApp


class CylindersConfig(RananApp):
    name = "ranan.cylinders"
    label = "cylinders"
    verbose_name = _("Cylinders")
    default = True

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
        # Registering cylinders, labels, stock import.
        "cylinders.register": {Role.STATION_MANAGER},
        "cylinders.import": {Role.ADMIN, Role.STATION_MANAGER},
    }
