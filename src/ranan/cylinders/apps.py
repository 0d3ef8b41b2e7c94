from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CylindersConfig(AppConfig):
    name = "ranan.cylinders"
    label = "cylinders"
    verbose_name = _("Cylinders")

    def ready(self) -> None:
        from ranan.core import demo
        from ranan.cylinders import demo as cylinders_demo

        # After the customers' extender: demo cylinders are delivered to demo customers.
        if cylinders_demo.extend not in demo.EXTENDERS:
            demo.EXTENDERS.append(cylinders_demo.extend)
        from datetime import timedelta

        from ranan.core.tasks import PERIODIC_JOBS
        from ranan.cylinders.tasks import mark_recalls_task

        if all(job is not mark_recalls_task for job, _interval in PERIODIC_JOBS):
            PERIODIC_JOBS.append((mark_recalls_task, timedelta(days=1)))
