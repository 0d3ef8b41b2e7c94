from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "ranan.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from ranan.core.context_processors import NAVIGATION
        from ranan.core.permissions import has_data_role
        from ranan.customers.views import CUSTOMER_PANELS
        from ranan.inspections.views import customer_panel

        names = [e[0] for e in NAVIGATION]
        if "inspection-home" not in names:
            # Right after the cylinders (or the customers), before the administration.
            after = next((names.index(n) + 1 for n in ("cylinder-home", "customer-list")
                          if n in names), len(names))
            NAVIGATION.insert(after, ("inspection-home", _("Inspections"), has_data_role))
        panel = ("inspections/_customer_visits.html", customer_panel)
        if panel not in CUSTOMER_PANELS:
            CUSTOMER_PANELS.append(panel)
        from ranan.core import demo
        from ranan.inspections import demo as inspections_demo

        # After the customers' extender: the visits are to demo customers.
        if inspections_demo.extend not in demo.EXTENDERS:
            demo.EXTENDERS.append(inspections_demo.extend)
