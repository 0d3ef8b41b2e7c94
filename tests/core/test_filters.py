"""Core lists' FilterSets: the audit log's parameters and the jurisdiction list's `parent` are
in the schema; bad values are a 400 naming the parameter."""

import pytest


@pytest.mark.parametrize("params, field", [
    ({"action": "explode"}, "action"), ({"since": "yesterday"}, "since"),
    ({"until": "2026-13-01T00:00"}, "until"),
])
def test_bad_audit_filters(cast, api, params, field):
    answer = api.as_(cast.auditor).get("/api/v1/audit/", params)
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {field}


def test_audit_filters_filter(cast, api):
    client = api.as_(cast.auditor)
    every = client.get("/api/v1/audit/").json()["count"]
    accounts = client.get("/api/v1/audit/", {"model": "core.account", "action": "create"})
    assert 0 < accounts.json()["count"] <= every
    assert client.get("/api/v1/audit/", {"since": "2999-01-01T00:00:00+08:00"}).json()[
        "count"] == 0


def test_schema_lists_the_parameters(cast, api):
    schema = api.as_(cast.admin).get("/api/schema/", {"format": "json"}).json()["paths"]
    assert {"account", "model", "action", "since", "until"} <= {
        p["name"] for p in schema["/api/v1/audit/"]["get"]["parameters"]}
    assert "parent" in {p["name"] for p in schema["/api/v1/jurisdictions/"]["get"]["parameters"]}
