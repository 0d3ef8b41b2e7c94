"""The cylinder lists' FilterSets: a bad value is a 400 naming the parameter; the schema
lists them; the filtering stays the selector's."""

import pytest


@pytest.mark.parametrize("url, params, field", [
    ("/api/v1/cylinders/", {"state": "melted"}, "state"),
    ("/api/v1/cylinders/", {"station": "abc"}, "station"),
    ("/api/v1/cylinders/", {"type": "1.5"}, "type"),
    ("/api/v1/cylinders/", {"overdue": "maybe"}, "overdue"),
    ("/api/v1/cylinders/", {"due_within": "9999"}, "due_within"),
    ("/api/v1/cylinders/recall/", {"days": "-1"}, "days"),
])
def test_bad_values_name_the_parameter(fleet, api, url, params, field):
    answer = api.as_(fleet.station_manager).get(url, params)
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {field}


def test_filters_still_filter(fleet, api):
    client = api.as_(fleet.station_manager)
    assert client.get("/api/v1/cylinders/", {"overdue": "yes"}).json()["count"] == 2
    assert client.get("/api/v1/cylinders/", {"q": fleet.good.code}).json()["count"] == 1
    assert client.get("/api/v1/cylinders/", {"type": fleet.type15.pk}).json()["count"] >= 3


def test_schema_lists_the_parameters(cast, api):
    schema = api.as_(cast.admin).get("/api/schema/", {"format": "json"}).json()["paths"]
    names = {p["name"] for p in schema["/api/v1/cylinders/"]["get"]["parameters"]}
    assert {"station", "state", "type", "overdue", "due_within", "q"} <= names
    assert "days" in {p["name"] for p in schema["/api/v1/cylinders/recall/"]["get"]["parameters"]}
    assert {"province", "national", "q"} <= {
        p["name"] for p in schema["/api/v1/cylinder-types/"]["get"]["parameters"]}
