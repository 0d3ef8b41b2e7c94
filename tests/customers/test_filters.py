"""The customer list's FilterSet: the parameters docs/api.md names, a bad value is a 400
naming the parameter, comma-separated and repeated values still work."""

import pytest

from tests.factories import HouseholdFactory


@pytest.mark.parametrize("params, field", [
    ({"kind": "castle"}, "kind"), ({"supply": "coal"}, "supply"), ({"flag": "rich"}, "flag"),
    ({"missing": "moat"}, "missing"), ({"status": "gone"}, "status"),
    ({"jurisdiction": "000000"}, "jurisdiction"),
])
def test_bad_values_name_the_parameter(cast, api, params, field):
    answer = api.as_(cast.admin).get("/api/v1/customers/", params)
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {field}


def test_several_values(cast, api):
    HouseholdFactory(name="甲", jurisdiction=cast.village_a1, lpg_station=cast.station,
                     elderly_alone=True)
    HouseholdFactory(name="乙", jurisdiction=cast.village_a1, lpg_station=cast.station,
                     disabled=True)
    client = api.as_(cast.admin)
    assert client.get("/api/v1/customers/", {"status": "active,shut_off"}).json()["count"] == 2
    assert client.get("/api/v1/customers/?flag=elderly_alone&flag=disabled").json()[
        "count"] == 0
    assert client.get("/api/v1/customers/", {"flag": "disabled"}).json()["count"] == 1


def test_schema_lists_the_parameters(cast, api):
    schema = api.as_(cast.admin).get("/api/schema/", {"format": "json"}).json()["paths"]
    names = {p["name"] for p in schema["/api/v1/customers/"]["get"]["parameters"]}
    assert {"jurisdiction", "kind", "supply", "flag", "missing", "status", "q"} <= names
