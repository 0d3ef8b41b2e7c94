"""The same client_id with another hazard, step, booking or high-rise report is a 409
(issue 16 item 13): it used to answer the first record whatever was asked."""

from __future__ import annotations

import uuid

import pytest

from ranan.hazards import services
from ranan.hazards.models import Appointment, Hazard, HazardEvent
from ranan.lib.idempotency import Conflict
from tests.hazards.test_api import data_url, png
from tests.hazards.test_appointments import book, large  # noqa: F401 (fixture)
from tests.hazards.test_property import REPORT_URL, estate  # noqa: F401 (fixture)
from tests.hazards.test_property import body as report_body


def _conflict(response):
    assert response.status_code == 409, response.content
    assert response.json()["errors"][0]["field"] == "client_id"


def test_a_hazard_s_client_id_with_another_hazard_is_a_409(homes, api):
    inspector = api.as_(homes.inspector)
    sent = {"customer": homes.homes[0].pk, "category": "water_heater", "source": "inspection",
            "description": "直排式热水器", "photos": [data_url(png())],
            "client_id": str(uuid.uuid4())}
    first = inspector.post("/api/v1/hazards/", sent, format="json")
    assert first.status_code == 201
    assert inspector.post("/api/v1/hazards/", sent, format="json").json()["id"] == first.json()["id"]
    _conflict(inspector.post("/api/v1/hazards/", {**sent, "description": "软管老化"}, format="json"))
    _conflict(inspector.post("/api/v1/hazards/", {**sent, "customer": homes.homes[1].pk},
                             format="json"))
    assert Hazard.objects.count() == 1


def test_a_step_s_client_id_with_another_note_is_a_409(homes, api):
    inspector = api.as_(homes.inspector)
    hazard = inspector.post("/api/v1/hazards/", {
        "customer": homes.homes[0].pk, "category": "water_heater", "source": "inspection",
        "description": "直排式热水器", "photos": [data_url(png())]}, format="json").json()
    url = f"/api/v1/hazards/{hazard['id']}/transitions"
    sent = {"to": "rectifying", "note": "已通知", "client_id": str(uuid.uuid4())}
    assert inspector.post(url, sent, format="json").status_code == 200
    assert inspector.post(url, sent, format="json").status_code == 200
    _conflict(inspector.post(url, {**sent, "note": "另一说明"}, format="json"))
    assert HazardEvent.objects.filter(client_id=sent["client_id"]).count() == 1


def test_a_booking_s_client_id_with_another_note_is_a_conflict(large):  # noqa: F811
    key = uuid.uuid4()
    first = book(large, client_id=key, note="带梯子")
    assert book(large, client_id=key, note="带梯子").pk == first.pk
    with pytest.raises(Conflict):
        book(large, client_id=key, note="另一次")
    assert Appointment.objects.count() == 1


def test_a_high_rise_report_s_client_id_with_another_flat_is_a_409(estate, api):  # noqa: F811
    client = api.as_(estate.manager)
    sent = report_body(estate, client_id=str(uuid.uuid4()))
    assert client.post(REPORT_URL, sent, format="json").status_code == 201
    assert client.post(REPORT_URL, sent, format="json").status_code == 201
    _conflict(client.post(REPORT_URL, {**sent, "room": "9909"}, format="json"))
    assert Hazard.objects.filter(client_id=sent["client_id"]).count() == 1


def test_services_keep_the_first_record(homes):
    key = uuid.uuid4()
    first = services.hazard_create(actor=homes.inspector, category="water_heater",
                                   description="直排式热水器", source="inspection",
                                   customer=homes.homes[0], client_id=key)
    again = services.hazard_create(actor=homes.inspector, category="water_heater",
                                   description=" 直排式热水器 ", source="inspection",
                                   customer=homes.homes[0], client_id=key)
    assert again.pk == first.pk
