from django.utils.translation import gettext_lazy as _

from ranan.core import contract
from ranan.core.choices import OrgKind, Role
from ranan.core.contract import Demo, Nav, Panel

# Station pages: those who run the station and those who supervise it (read-only).
OVERSEE = {Role.STATION_MANAGER, Role.ENTERPRISE_ADMIN, Role.REGULATOR, Role.TASK_FORCE,
           Role.ADMIN}
ORDER = {Role.COURIER, Role.STATION_MANAGER}


class DeliveryConfig(contract.RananApp):
    name = "ranan.delivery"
    verbose_name = _("Delivery")

    kpis = "ranan.delivery.kpis"
    # LPG: its menu entry and figures concern every kind of organisation but a pipeline gas
    # company (and the property managers, who hold none of its capabilities).
    org_kinds = frozenset(OrgKind.values) - {OrgKind.PIPELINE_GAS}
    navigation = [Nav("delivery-home", _("Delivery"), order=40, capability="delivery.read")]
    # A courier's home starts with the day's round (the figures come after, order 10).
    home_panels = [Panel("delivery/_home_panel.html", "ranan.delivery.views.home_panel",
                         order=1)]
    # Cylinder types come from the cylinders' demo, delivery checks from the inspections'.
    demo = Demo("ranan.delivery.demo.extend", after=("cylinders", "inspections", "hazards"))
    # A household's held orders go out as soon as its supply is restored.
    hooks = {"inspections.supply_restored": ["ranan.delivery.services.on_supply_restored"]}
    capabilities = {
        "delivery.read": OVERSEE | ORDER,
        "delivery.order": ORDER,
        "delivery.manage": {Role.STATION_MANAGER},
        # The station's reference data: prices, service hours, village delivery cycles.
        "delivery.reference": {Role.STATION_MANAGER},
        "delivery.oversee": OVERSEE,
    }
