"""The inspection lists' FilterSets: checklists (all, key, audience), visits (customer,
outcome, from, to), plans (current); a bad value is a 400 naming the parameter."""

import pytest


@pytest.mark.parametrize("url, params, field", [
    ("/api/v1/visits/", {"outcome": "asleep"}, "outcome"),
    ("/api/v1/visits/", {"from": "2026-02-30"}, "from"),
    ("/api/v1/visits/", {"to": "soon"}, "to"),
    ("/api/v1/visits/", {"customer": "abc"}, "customer"),
    ("/api/v1/checklists/", {"all": "maybe"}, "all"),
    ("/api/v1/checklists/", {"audience": "cats"}, "audience"),
    ("/api/v1/plans/", {"current": "x"}, "current"),
])
def test_bad_values_name_the_parameter(cast, api, url, params, field):
    answer = api.as_(cast.regulator_a).get(url, params)
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {field}


def test_checklists_current_or_all(cast, api):
    client = api.as_(cast.inspector)
    current = client.get("/api/v1/checklists/").json()
    every = client.get("/api/v1/checklists/", {"all": "true"}).json()
    assert current and len(every) >= len(current)
    assert all(c["published"] for c in current)
    one = client.get("/api/v1/checklists/", {"audience": current[0]["audience"]}).json()
    assert {c["audience"] for c in one} == {current[0]["audience"]}


def test_schema_lists_the_parameters(cast, api):
    schema = api.as_(cast.admin).get("/api/schema/", {"format": "json"}).json()["paths"]
    names = {p["name"] for p in schema["/api/v1/visits/"]["get"]["parameters"]}
    assert {"customer", "outcome", "from", "to"} <= names
    assert {"all", "key", "audience"} <= {
        p["name"] for p in schema["/api/v1/checklists/"]["get"]["parameters"]}
