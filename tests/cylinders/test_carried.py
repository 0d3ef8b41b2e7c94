"""Couriers see the cylinders they hold and the day's load (issue 14 item 10); the interlock
refuses a delivery to a household that may not be supplied (issue 14 item 1)."""

import datetime
import uuid

import pytest
from django.test import Client

from ranan.customers.models import Customer
from ranan.cylinders import services
from ranan.cylinders.models import Cylinder, Scan

SINCE = datetime.date(2026, 11, 20)


def scan(actor, code, action, **kw):
    return services.cylinder_scan(actor=actor, code=code, action=action,
                                  client_id=uuid.uuid4(), **kw)


def dispatched(fleet, cylinder=None, courier=None):
    cylinder = cylinder or fleet.good
    assert scan(fleet.station_manager, cylinder.code, "fill")["verdict"] == "allow"
    answer = scan(fleet.station_manager, cylinder.code, "dispatch",
                  courier=courier or fleet.courier_a1)
    assert answer["verdict"] == "allow", answer
    return cylinder


# --- The interlock -----------------------------------------------------------------------------


@pytest.mark.parametrize("status,code", [("shut_off", "supply_shut_off"),
                                         ("converted_pipe", "customer_converted"),
                                         ("converted_electric", "customer_converted"),
                                         ("moved_out", "customer_moved_out")])
def test_the_interlock_refuses_to_deliver_to_a_household_not_supplied(fleet, status, code):
    cylinder = dispatched(fleet)
    Customer.objects.filter(pk=fleet.customer.pk).update(status=status, status_date=SINCE)
    fleet.customer.refresh_from_db()
    answer = scan(fleet.courier_a1, cylinder.code, "deliver", customer=fleet.customer)
    assert answer["verdict"] == "refuse"
    refused = [r for r in answer["reasons"] if r["code"] == code]
    assert refused and "2026-11-20" in refused[0]["message"]
    assert Cylinder.objects.get(pk=cylinder.pk).state == "with_courier"
    assert Scan.objects.filter(verdict="refuse", code=cylinder.code).exists()
    # Supply restored: the same cylinder goes through.
    Customer.objects.filter(pk=fleet.customer.pk).update(status="active")
    fleet.customer.refresh_from_db()
    assert scan(fleet.courier_a1, cylinder.code, "deliver",
                customer=fleet.customer)["verdict"] == "allow"


def test_the_scan_api_answers_the_reason_code(fleet, api):
    cylinder = dispatched(fleet)
    Customer.objects.filter(pk=fleet.customer.pk).update(status="shut_off", status_date=SINCE)
    answer = api.as_(fleet.courier_a1).post("/api/v1/cylinders/scan", {
        "code": cylinder.code, "action": "deliver", "client_id": str(uuid.uuid4()),
        "customer": fleet.customer.pk}, format="json").json()
    assert answer["verdict"] == "refuse"
    assert "supply_shut_off" in [r["code"] for r in answer["reasons"]]


# --- The courier's cylinders -------------------------------------------------------------------


def test_the_courier_lists_the_cylinders_it_carries(fleet, api):
    cylinder = dispatched(fleet)
    rows = api.as_(fleet.courier_a1).get("/api/v1/cylinders/").json()["results"]
    assert [r["code"] for r in rows] == [cylinder.code]
    assert api.as_(fleet.courier_a1).get(f"/api/v1/cylinders/{cylinder.code}/").status_code == 200
    # Another courier of the station carries none of them.
    assert api.as_(fleet.courier_a2).get("/api/v1/cylinders/").json()["results"] == []
    assert api.as_(fleet.courier_a2).get(
        f"/api/v1/cylinders/{cylinder.code}/").status_code == 404


def test_carried_answers_the_cylinders_and_the_days_load(fleet, api):
    first = dispatched(fleet)
    second = dispatched(fleet, services.cylinder_register(
        actor=fleet.station_manager, station=fleet.station, type=fleet.type15,
        made_on=fleet.good.made_on))
    assert scan(fleet.courier_a1, second.code, "deliver",
                customer=fleet.customer)["verdict"] == "allow"
    assert scan(fleet.courier_a1, second.code, "collect")["verdict"] == "allow"
    body = api.as_(fleet.courier_a1).get("/api/v1/cylinders/carried/").json()
    assert [c["code"] for c in body["cylinders"]] == [first.code]
    assert body["cylinders"][0]["courier"] == fleet.courier_a1.pk
    load = body["load"]
    assert len(load) == 1
    assert {k: load[0][k] for k in ("carried", "dispatched", "delivered", "collected")} == {
        "carried": 1, "dispatched": 2, "delivered": 1, "collected": 1}
    # Another day: nothing loaded, still carried.
    other = api.as_(fleet.courier_a1).get("/api/v1/cylinders/carried/",
                                          {"day": "2026-12-01"}).json()["load"]
    assert other[0]["carried"] == 1 and other[0]["dispatched"] == 0
    bad = api.as_(fleet.courier_a1).get("/api/v1/cylinders/carried/", {"day": "2026-13-01"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "day"
    # The station sees every courier's; the second courier none; a regulator may not ask.
    station = api.as_(fleet.station_manager).get("/api/v1/cylinders/carried/").json()
    assert [c["code"] for c in station["cylinders"]] == [first.code]
    assert api.as_(fleet.courier_a2).get("/api/v1/cylinders/carried/").json()["cylinders"] == []
    assert api.as_(fleet.regulator_a).get("/api/v1/cylinders/carried/").status_code == 403


def test_the_my_cylinders_page(fleet):
    cylinder = dispatched(fleet)
    client = Client()
    client.force_login(fleet.courier_a1)
    assert client.get("/cylinders/").url == "/cylinders/mine/"
    page = client.get("/cylinders/mine/")
    html = page.content.decode()
    assert page.status_code == 200 and cylinder.code in html
    assert 'data-testid="carried">1<' in html and 'data-testid="dispatched">1<' in html
    client.force_login(fleet.courier_a2)
    assert cylinder.code not in client.get("/cylinders/mine/").content.decode()
    client.force_login(fleet.station_manager)
    assert cylinder.code in client.get("/cylinders/mine/").content.decode()
    assert b'data-testid="nav-mine"' in client.get("/cylinders/").content
    client.force_login(fleet.regulator_a)
    assert client.get("/cylinders/mine/").status_code == 403
    assert b'data-testid="nav-mine"' not in client.get("/cylinders/").content
