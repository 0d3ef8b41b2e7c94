from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "ranan.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from ranan.core import demo
        from ranan.inspections import demo as inspections_demo

        # After the customers' extender: the visits are to demo customers.
        if inspections_demo.extend not in demo.EXTENDERS:
            demo.EXTENDERS.append(inspections_demo.extend)
