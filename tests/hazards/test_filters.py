"""The hazard list's FilterSet: a bad value is a 400 naming the parameter; the schema lists
the parameters of docs/api.md."""

import pytest


@pytest.mark.parametrize("params, field", [
    ({"state": "lost"}, "state"), ({"grade": "huge"}, "grade"), ({"overdue": "maybe"}, "overdue"),
    ({"escalation": "9"}, "escalation"), ({"escalation": "x"}, "escalation"),
    ({"category": "no-such"}, "category"), ({"jurisdiction": "000000"}, "jurisdiction"),
    ({"mine": "perhaps"}, "mine"),
])
def test_bad_values_name_the_parameter(cast, api, params, field):
    answer = api.as_(cast.regulator_a).get("/api/v1/hazards/", params)
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {field}


def test_good_values_answer(cast, api):
    client = api.as_(cast.regulator_a)
    assert client.get("/api/v1/hazards/", {"state": "open,rectifying", "grade": "major",
                                           "overdue": "true", "escalation": "0",
                                           "jurisdiction": "990101"}).status_code == 200


def test_schema_lists_the_parameters(cast, api):
    schema = api.as_(cast.admin).get("/api/schema/", {"format": "json"}).json()["paths"]
    names = {p["name"] for p in schema["/api/v1/hazards/"]["get"]["parameters"]}
    assert {"state", "grade", "category", "overdue", "jurisdiction", "escalation", "mine",
            "q"} <= names
    assert {"is_active", "default_grade"} <= {
        p["name"] for p in schema["/api/v1/hazard-categories/"]["get"]["parameters"]}
