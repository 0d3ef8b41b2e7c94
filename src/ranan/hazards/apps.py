from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "ranan.hazards"
    label = "hazards"
    verbose_name = _("Hazards")

    def ready(self) -> None:
        from datetime import timedelta

        from ranan.core import demo
        from ranan.core.tasks import PERIODIC_JOBS
        from ranan.hazards import demo as hazards_demo
        from ranan.hazards.services import take_over_findings
        from ranan.hazards.tasks import escalate_task
        from ranan.inspections.services import FINDING_HOOKS

        # After the inspections' extender: the demo visits' findings become hazards.
        if hazards_demo.extend not in demo.EXTENDERS:
            demo.EXTENDERS.append(hazards_demo.extend)
        if take_over_findings not in FINDING_HOOKS:
            FINDING_HOOKS.append(take_over_findings)
        if all(job is not escalate_task for job, _interval in PERIODIC_JOBS):
            PERIODIC_JOBS.append((escalate_task, timedelta(days=1)))
