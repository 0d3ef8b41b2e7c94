from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from ranan.core import contract
from ranan.core.choices import Role
from ranan.core.contract import DATA_ROLES, Demo, Grant, Job, Nav


class CustomersConfig(contract.RananApp):
    name = "ranan.customers"
    verbose_name = _("Customers")

    kpis = "ranan.customers.kpis"
    navigation = [Nav("customer-list", _("Customers"), order=20, capability="customers.read")]
    demo = Demo("ranan.customers.demo.extend")
    jobs = [Job("ranan.customers.tasks.refresh_missing_devices_task", timedelta(days=1))]
    capabilities = {
        "customers.read": DATA_ROLES,
        "customers.edit": {Role.ADMIN, Role.ENTERPRISE_ADMIN, Role.STATION_MANAGER, Role.COURIER,
                           Role.INSPECTOR, Role.GRID_WORKER},
        "customers.import": {Role.ADMIN, Role.ENTERPRISE_ADMIN, Role.STATION_MANAGER,
                             Role.GRID_WORKER},
        # The customer's own courier or inspector and the station manager work with full phone
        # and ID numbers (issue 3); everyone else, superusers included, sees them masked.
        "customers.personal_data": Grant(frozenset({Role.COURIER, Role.INSPECTOR,
                                                    Role.STATION_MANAGER})),
    }
