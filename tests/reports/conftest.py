"""The reports' fixtures: a small known world (four households of one village with known
visits, devices, a hazard, an interlock refusal and a delivery)."""

import datetime
import uuid

import pytest
from django.utils import timezone

from ranan.customers import services as customer_services
from ranan.customers.choices import Supply
from ranan.customers.models import Customer
from ranan.cylinders import services as cylinder_services
from ranan.inspections import services as inspection_services
from ranan.inspections.choices import Outcome
from tests.cast import With
from tests.delivery.conftest import build_shop, order, ready_cylinder
from tests.inspections.conftest import all_pass, png, visit


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(cast):
    cast = build_shop(cast)
    registered = timezone.now() - datetime.timedelta(days=400)
    homes = [customer_services.customer_create(
        actor=None, name=f"户{n}", address=f"一村{n}号", jurisdiction=cast.village_a1,
        supply=Supply.LPG, lpg_station=cast.station) for n in range(4)]
    Customer.objects.update(created_at=registered)
    for h in homes:
        h.refresh_from_db()
    customer_services.device_add(actor=None, customer=homes[0], kind="hose", material="metal")
    customer_services.device_add(actor=None, customer=homes[1], kind="hose", material="rubber")
    customer_services.device_add(actor=None, customer=homes[0], kind="alarm")
    cast = With(cast, homes=homes)
    # Visits: home 0 inspected (one failed item → a hazard), home 1 not at home twice,
    # home 2 refused the inspection (a refused inspection is on the shut-off list at once; a
    # refused check at the door only the second time).
    answers = all_pass(inspection_services.current_checklist("lpg_household"))
    answers["alarm"] = "fail"
    visit(cast.courier_a1, homes[0], Outcome.INSPECTED, answers=answers, kind="delivery")
    visit(cast.courier_a1, homes[1], Outcome.NOT_HOME, kind="delivery")
    visit(cast.courier_a1, homes[1], Outcome.NOT_HOME, kind="delivery")
    visit(cast.courier_a1, homes[2], Outcome.REFUSED, kind="periodic")
    # A refusal by the interlock (an overdue cylinder).
    cylinder_services.cylinder_scan(actor=cast.station_manager, code=cast.overdue.code,
                                    action="fill", client_id=uuid.uuid4())
    # A delivered order with its check.
    o = order(cast, customer=homes[3], buyer_name="户3")
    full = ready_cylinder(cast)
    from ranan.delivery import services as delivery_services

    delivery_services.order_deliver(
        actor=cast.courier_a1, order=o, full_codes=[full.code], client_id=uuid.uuid4(),
        check={"answers": all_pass(inspection_services.current_checklist("lpg_household")),
               "signature": png()})
    return cast
