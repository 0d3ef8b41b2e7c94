"""The delivery lists' FilterSets: the parameters filter, a bad value is a 400 naming it, and
the schema documents them."""

import pytest

from tests.delivery.conftest import order


def errors(response):
    assert response.status_code == 400, response.content
    return {e["field"] for e in response.json()["errors"]}


def test_order_filters(shop, api):
    made = order(shop)
    manager = api.as_(shop.station_manager)
    assert manager.get("/api/v1/orders/", {"state": made.state}).json()["count"] == 1
    assert manager.get("/api/v1/orders/", {"state": "delivered"}).json()["count"] == 0
    day = made.scheduled_date.isoformat()
    assert manager.get("/api/v1/orders/", {"date": day}).json()["count"] == 1
    assert manager.get("/api/v1/orders/", {"round": made.round_id}).json()["count"] == 1


@pytest.mark.parametrize("params, field", [
    ({"state": "lost"}, "state"), ({"date": "2026-13-01"}, "date"), ({"round": "abc"}, "round"),
])
def test_bad_order_filters(shop, api, params, field):
    assert errors(api.as_(shop.station_manager).get("/api/v1/orders/", params)) == {field}


@pytest.mark.parametrize("url, params, field", [
    ("/api/v1/rounds/", {"date": "yesterday"}, "date"),
    ("/api/v1/prices/", {"on": "2026-02-30"}, "on"),
    ("/api/v1/prices/", {"station": "x"}, "station"),
    ("/api/v1/village-cycles/", {"weekly": "maybe"}, "weekly"),
])
def test_bad_reference_filters(shop, api, url, params, field):
    assert errors(api.as_(shop.station_manager).get(url, params)) == {field}


def test_schema_lists_the_parameters(cast, api):
    schema = api.as_(cast.admin).get("/api/schema/", {"format": "json"}).json()

    def names(path):
        return {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}

    assert {"state", "date", "round"} <= names("/api/v1/orders/")
    assert {"date"} <= names("/api/v1/rounds/")
    assert {"station", "cylinder_type", "on"} <= names("/api/v1/prices/")
    assert {"station", "village", "weekly"} <= names("/api/v1/village-cycles/")
