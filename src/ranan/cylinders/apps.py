from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CylindersConfig(AppConfig):
    name = "ranan.cylinders"
    label = "cylinders"
    verbose_name = _("Cylinders")

    def ready(self) -> None:
        from ranan.core import demo
        from ranan.core.context_processors import NAVIGATION
        from ranan.core.permissions import has_data_role
        from ranan.cylinders import demo as cylinders_demo

        if "cylinder-home" not in [e[0] for e in NAVIGATION]:
            NAVIGATION.insert(2, ("cylinder-home", _("Cylinders"), has_data_role))

        # After the customers' extender: demo cylinders are delivered to demo customers.
        if cylinders_demo.extend not in demo.EXTENDERS:
            demo.EXTENDERS.append(cylinders_demo.extend)
        from datetime import timedelta

        from ranan.core.tasks import PERIODIC_JOBS
        from ranan.cylinders.tasks import mark_recalls_task

        if all(job is not mark_recalls_task for job, _interval in PERIODIC_JOBS):
            PERIODIC_JOBS.append((mark_recalls_task, timedelta(days=1)))
