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
