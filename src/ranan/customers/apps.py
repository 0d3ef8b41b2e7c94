from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "ranan.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from ranan.core import demo
        from ranan.core.context_processors import NAVIGATION
        from ranan.customers import demo as customers_demo
        from ranan.customers.permissions import can_list_customers

        entry = ("customer-list", _("Customers"), can_list_customers)
        if entry[0] not in [e[0] for e in NAVIGATION]:
            NAVIGATION.insert(1, entry)
        if customers_demo.extend not in demo.EXTENDERS:
            demo.EXTENDERS.append(customers_demo.extend)
        from datetime import timedelta

        from ranan.core.tasks import PERIODIC_JOBS
        from ranan.customers.tasks import refresh_missing_devices_task

        if all(job is not refresh_missing_devices_task for job, _interval in PERIODIC_JOBS):
            PERIODIC_JOBS.append((refresh_missing_devices_task, timedelta(days=1)))
