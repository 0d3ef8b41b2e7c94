"""The same client_id with another visit of the same household (another outcome, kind or
notes) is a 409 (issue 16 item 13): it used to answer the first visit."""

from __future__ import annotations

import uuid

from ranan.inspections.models import Visit
from tests.inspections.test_api import body


def test_a_visit_s_client_id_with_another_visit_is_a_409(homes, api):
    client = api.as_(homes.inspector)
    key = str(uuid.uuid4())
    sent = body(homes.homes[0], client_id=key, outcome="not_home", answers={}, photos=[],
                signature="", notes="敲门无人")
    assert client.post("/api/v1/visits/", sent, format="json").status_code == 201
    assert client.post("/api/v1/visits/", sent, format="json").status_code == 200
    for change in ({"outcome": "refused"}, {"notes": "另一次"}, {"kind": "recheck"}):
        conflict = client.post("/api/v1/visits/", {**sent, **change}, format="json")
        assert conflict.status_code == 409, (change, conflict.content)
        assert conflict.json()["errors"][0]["field"] == "client_id"
    assert Visit.objects.filter(client_id=key).count() == 1
    assert Visit.objects.get(client_id=key).outcome == "not_home"
