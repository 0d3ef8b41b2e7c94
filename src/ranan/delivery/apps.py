from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "ranan.delivery"
    label = "delivery"
    verbose_name = _("Delivery")

    def ready(self) -> None:
        from ranan.core import demo
        from ranan.core.context_processors import NAVIGATION
        from ranan.delivery import demo as delivery_demo
        from ranan.delivery.views import can_see_delivery

        names = [e[0] for e in NAVIGATION]
        if "delivery-home" not in names:
            # Right after the cylinders it moves (or the customers).
            after = next((names.index(n) + 1 for n in ("cylinder-home", "customer-list")
                          if n in names), len(names))
            NAVIGATION.insert(after, ("delivery-home", _("Delivery"), can_see_delivery))

        # After the cylinders' and inspections' extenders (types, delivery checks).
        if delivery_demo.extend not in demo.EXTENDERS:
            demo.EXTENDERS.append(delivery_demo.extend)
