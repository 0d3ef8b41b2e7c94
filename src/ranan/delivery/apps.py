from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "ranan.delivery"
    label = "delivery"
    verbose_name = _("Delivery")

    def ready(self) -> None:
        from ranan.core import demo
        from ranan.delivery import demo as delivery_demo

        # After the cylinders' and inspections' extenders (types, delivery checks).
        if delivery_demo.extend not in demo.EXTENDERS:
            demo.EXTENDERS.append(delivery_demo.extend)
