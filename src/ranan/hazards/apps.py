from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "ranan.hazards"
    label = "hazards"
    verbose_name = _("Hazards")

    def ready(self) -> None:
        from datetime import timedelta

        from ranan.core import demo
        from ranan.core.context_processors import NAVIGATION
        from ranan.core.permissions import has_data_role
        from ranan.core.tasks import PERIODIC_JOBS
        from ranan.customers.views import CUSTOMER_PANELS
        from ranan.hazards import demo as hazards_demo
        from ranan.hazards.services import take_over_findings
        from ranan.hazards.tasks import escalate_task
        from ranan.hazards.views import customer_panel
        from ranan.inspections.services import FINDING_HOOKS

        # After the inspections' extender: the demo visits' findings become hazards.
        if hazards_demo.extend not in demo.EXTENDERS:
            demo.EXTENDERS.append(hazards_demo.extend)
        if take_over_findings not in FINDING_HOOKS:
            FINDING_HOOKS.append(take_over_findings)
        if all(job is not escalate_task for job, _interval in PERIODIC_JOBS):
            PERIODIC_JOBS.append((escalate_task, timedelta(days=1)))
        names = [e[0] for e in NAVIGATION]
        if "hazard-list" not in names:
            # Right after the inspections that find them (or the customers).
            after = next((names.index(n) + 1 for n in ("inspection-home", "customer-list")
                          if n in names), len(names))
            NAVIGATION.insert(after, ("hazard-list", _("Hazards"), has_data_role))
        panel = ("hazards/_customer_hazards.html", customer_panel)
        if panel not in CUSTOMER_PANELS:
            CUSTOMER_PANELS.append(panel)
