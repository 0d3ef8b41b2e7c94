"""The delivery API: an order answers its date and priority; errors name the field; a
courier of another village gets 404; completing a delivery; planning; the report."""

import base64
import uuid

from ranan.delivery.models import Round
from ranan.inspections.services import current_checklist
from tests.delivery.conftest import ready_cylinder
from tests.inspections.conftest import all_pass, png


def body(shop, **kw):
    out = {"customer": shop.villager.pk, "cylinder_type": shop.type15.pk, "quantity": 1,
           "channel": "courier", "client_id": str(uuid.uuid4()), "buyer_name": "次仁",
           "buyer_id_number": "11010519491231002X"}
    out.update(kw)
    return out


def test_order_deliver_plan_report(shop, api):
    courier = api.as_(shop.courier_a1)
    created = courier.post("/api/v1/orders/", body(shop), format="json")
    assert created.status_code == 201, created.json()
    order = created.json()
    assert order["scheduled_date"] and order["priority"] in (0, 1, 2, 3)
    assert order["unit_price"] == "135.00"
    zero = courier.post("/api/v1/orders/", body(shop, quantity=0), format="json")
    assert zero.status_code == 400 and zero.json()["errors"][0]["field"] == "quantity"
    # A customer of another village: an id of the body, answered like an unknown one.
    other = api.as_(shop.courier_a2).post("/api/v1/orders/", body(shop), format="json")
    assert other.status_code == 400 and other.json()["errors"][0]["field"] == "customer"
    full = ready_cylinder(shop)
    check = {"answers": all_pass(current_checklist("lpg_household")),
             "signature": "data:image/png;base64," + base64.b64encode(png()).decode()}
    courier = api.as_(shop.courier_a1)
    done = courier.post(f"/api/v1/orders/{order['id']}/deliver",
                        {"full_codes": [full.code], "check": check, "payment": "cash",
                         "client_id": str(uuid.uuid4())}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["state"] == "delivered" and done.json()["visit"]
    no_check = courier.post(f"/api/v1/orders/{order['id']}/deliver",
                            {"full_codes": [full.code], "client_id": str(uuid.uuid4())},
                            format="json")
    assert no_check.status_code == 400
    manager = api.as_(shop.station_manager)
    the_round = Round.objects.get()
    planned = manager.post(f"/api/v1/rounds/{the_round.pk}/plan")
    assert planned.status_code == 200
    assert manager.get("/api/v1/rounds/").json()["count"] == 1
    report = manager.get("/api/v1/delivery-report/").json()
    assert report["deliveries"] == 1
    assert report["deliveries_checked_rate"]["value"] == 1.0
    assert api.as_(shop.regulator_b).get("/api/v1/orders/").json()["count"] == 0
