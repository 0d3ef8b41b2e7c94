"""POST /api/v1/cylinders/scan and the cylinder's chain over the API."""

import uuid

import pytest

from ranan.cylinders.models import CylinderEvent


def post(client, **body):
    body.setdefault("client_id", str(uuid.uuid4()))
    return client.post("/api/v1/cylinders/scan", body, format="json")


def test_a_fill_over_the_api_and_the_chain(fleet, api):
    client = api.as_(fleet.station_manager)
    answer = post(client, code=fleet.good.code, action="fill", net_weight_kg="14.9")
    assert answer.status_code == 200 and answer.json()["verdict"] == "allow"
    events = client.get(f"/api/v1/cylinders/{fleet.good.code}/events/").json()
    assert [e["kind"] for e in events] == ["registered", "filled"]
    assert events[1]["net_weight_kg"] == "14.90"


def test_a_refusal_is_a_verdict_not_an_error(fleet, api):
    answer = post(api.as_(fleet.station_manager), code=fleet.overdue.code, action="fill")
    assert answer.status_code == 200
    assert answer.json()["verdict"] == "refuse"
    assert answer.json()["reasons"][0]["code"] == "overdue_inspection"


def test_the_same_client_id_with_another_request_is_a_409(fleet, api):
    client = api.as_(fleet.station_manager)
    client_id = str(uuid.uuid4())
    assert post(client, code=fleet.good.code, action="fill", client_id=client_id).status_code == 200
    again = post(client, code=fleet.good.code, action="fill", client_id=client_id)
    assert again.status_code == 200 and again.json()["verdict"] == "allow"
    conflict = post(client, code=fleet.scrap.code, action="fill", client_id=client_id)
    assert conflict.status_code == 409 and conflict.json()["errors"][0]["field"] == "client_id"
    assert CylinderEvent.objects.filter(kind="filled").count() == 1


@pytest.mark.parametrize("body, field", [
    ({"action": "fill"}, "code"),
    ({"code": "X", "action": "paint"}, "action"),
    ({"code": "X", "action": "fill", "client_id": "not-a-uuid"}, "client_id"),
    ({"code": "X", "action": "fill", "net_weight_kg": "500"}, "net_weight_kg"),
])
def test_malformed_scans_name_the_field(fleet, api, body, field):
    body.setdefault("client_id", str(uuid.uuid4()))
    response = api.as_(fleet.station_manager).post("/api/v1/cylinders/scan", body, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == field


def test_a_cylinder_out_of_scope_is_404(fleet, api):
    assert api.as_(fleet.regulator_b).get(f"/api/v1/cylinders/{fleet.good.code}/").status_code == 404
    assert api.as_(fleet.regulator_a).get(f"/api/v1/cylinders/{fleet.good.code}/").status_code == 200
    assert api.as_(fleet.auditor).post("/api/v1/cylinders/scan", {}, format="json").status_code == 403


def test_a_customer_out_of_scope_cannot_be_delivered_to(fleet, api):
    from ranan.customers import services as customer_services

    stranger = customer_services.customer_create(
        actor=None, name="外人", address="乙小区", jurisdiction=fleet.grid_b1, supply="pipeline",
        gas_company=fleet.gas_company, meter_number="M-77")
    client = api.as_(fleet.courier_a1)
    response = post(client, code=fleet.good.code, action="deliver", customer=stranger.pk)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "customer"
