"""The same client_id with another order or another delivery is a 409, and so is the loser of
a race that sent another request with it (issue 16 item 13): it used to answer the first
record whatever was asked."""

from __future__ import annotations

import base64
import uuid

import pytest
from django.db import connection

from ranan.delivery import services
from ranan.delivery.models import Order
from ranan.inspections.services import current_checklist
from tests.delivery.conftest import ready_cylinder
from tests.delivery.test_api import body
from tests.inspections.conftest import all_pass, png


def _conflict(response):
    assert response.status_code == 409, response.content
    assert response.json()["errors"][0]["field"] == "client_id"
    assert response.json()["errors"][0]["code"] == "conflict"


def test_an_order_s_client_id_with_another_order_is_a_409(shop, api):
    courier = api.as_(shop.courier_a1)
    sent = body(shop)
    first = courier.post("/api/v1/orders/", sent, format="json")
    assert first.status_code == 201
    again = courier.post("/api/v1/orders/", sent, format="json")
    assert again.status_code in (200, 201) and again.json()["id"] == first.json()["id"]
    for change in ({"quantity": 2}, {"urgent": True}, {"note": "放门口"}, {"channel": "phone"}):
        _conflict(courier.post("/api/v1/orders/", {**sent, **change}, format="json"))
    assert Order.objects.count() == 1


def test_the_loser_of_a_race_with_another_order_gets_a_409(shop, api, monkeypatch):
    """The look-up before the write saw nothing (the winner had not committed yet): the unique
    index refuses the loser's row, and the loser is told 409, not 500 nor the winner's order."""
    courier = api.as_(shop.courier_a1)
    sent = body(shop)
    assert courier.post("/api/v1/orders/", sent, format="json").status_code == 201
    real = services.replay
    calls = []

    def late(*args, **kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(services, "replay", late)
    _conflict(courier.post("/api/v1/orders/", {**sent, "quantity": 3}, format="json"))
    calls.clear()
    same = courier.post("/api/v1/orders/", sent, format="json")
    assert same.status_code in (200, 201) and Order.objects.count() == 1


def test_a_delivery_s_client_id_with_another_payment_is_a_409(shop, api):
    courier = api.as_(shop.courier_a1)
    order = courier.post("/api/v1/orders/", body(shop), format="json").json()
    full = ready_cylinder(shop)
    check = {"answers": all_pass(current_checklist("lpg_household")),
             "signature": "data:image/png;base64," + base64.b64encode(png()).decode()}
    sent = {"full_codes": [full.code], "check": check, "payment": "cash",
            "client_id": str(uuid.uuid4())}
    url = f"/api/v1/orders/{order['id']}/deliver"
    assert courier.post(url, sent, format="json").status_code == 200
    assert courier.post(url, sent, format="json").status_code == 200  # the retry
    _conflict(courier.post(url, {**sent, "payment": "mobile", "payment_ref": "WX1"},
                           format="json"))
    assert Order.objects.get(pk=order["id"]).payment == "cash"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real concurrent test needs "
                    "PostgreSQL (SQLite serialises writers)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_orders_racing_with_one_client_id_one_is_written_the_other_is_409(settings,
                                                                              tmp_path):
    """Through the API, on two connections at once: one order, one 201; the other request
    (another quantity) a 409 - never a 500 nor a second order."""
    import threading

    from django.db import connections
    from rest_framework.test import APIClient

    from tests.cast import Cast
    from tests.delivery.conftest import build_shop

    settings.MEDIA_ROOT = tmp_path
    world = build_shop(Cast())
    key = str(uuid.uuid4())
    barrier = threading.Barrier(4)
    results = []

    def go(quantity):
        try:
            client = APIClient()
            client.force_authenticate(world.courier_a1)
            barrier.wait()
            answer = client.post("/api/v1/orders/", body(world, client_id=key, quantity=quantity),
                                 format="json")
            results.append((quantity, answer.status_code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(q,)) for q in (1, 2, 1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Order.objects.filter(client_id=key).count() == 1
    winner = Order.objects.get(client_id=key).quantity
    assert len(results) == 4, results
    # The same request as the winner's: its order (200, or 201 when it raced in unseen).
    assert all(code in (200, 201) for q, code in results if q == winner), results
    assert all(code == 409 for q, code in results if q != winner), results
