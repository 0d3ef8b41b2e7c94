"""The hazards API: list filters, create (404 out of area, errors naming the field),
transitions with photos and client_id, the notice PDF, the KPIs, the supervision list."""

import base64
import uuid

from ranan.core.kpis import catalogue
from ranan.hazards import selectors, services
from ranan.hazards.models import Hazard
from tests.hazards.conftest import days, png


def data_url(content):
    return "data:image/png;base64," + base64.b64encode(content).decode()


def test_create_list_and_the_whole_loop(homes, api):
    inspector = api.as_(homes.inspector)
    created = inspector.post("/api/v1/hazards/", {
        "customer": homes.homes[0].pk, "category": "water_heater", "source": "inspection",
        "description": "直排式热水器", "photos": [data_url(png())]}, format="json")
    assert created.status_code == 201, created.json()
    hazard = created.json()
    assert hazard["grade"] == "major" and hazard["deadline"] == days(1).isoformat()
    step = inspector.post(f"/api/v1/hazards/{hazard['id']}/transitions",
                          {"to": "rectifying", "client_id": str(uuid.uuid4())}, format="json")
    assert step.status_code == 200 and step.json()["state"] == "rectifying"
    no_evidence = inspector.post(f"/api/v1/hazards/{hazard['id']}/transitions",
                                 {"to": "fixed", "note": "已更换"}, format="json")
    assert no_evidence.status_code == 400
    assert no_evidence.json()["errors"][0]["field"] == "photos"
    fixed = inspector.post(f"/api/v1/hazards/{hazard['id']}/transitions",
                           {"to": "fixed", "note": "更换为强排式", "photos": [data_url(png())]},
                           format="json")
    assert fixed.json()["state"] == "fixed"
    own = inspector.post(f"/api/v1/hazards/{hazard['id']}/transitions", {"to": "verified"},
                         format="json")
    assert own.status_code == 400 and own.json()["errors"][0]["field"] == "actor"
    other = api.as_(homes.gas_admin)
    assert other.post(f"/api/v1/hazards/{hazard['id']}/transitions", {"to": "verified"},
                      format="json").json()["state"] == "verified"
    assert other.post(f"/api/v1/hazards/{hazard['id']}/transitions", {"to": "closed"},
                      format="json").json()["state"] == "closed"
    detail = other.get(f"/api/v1/hazards/{hazard['id']}/").json()
    assert [e["to_state"] for e in detail["events"]] == [
        "open", "rectifying", "fixed", "verified", "closed"]
    assert len(detail["events"][2]["photos"]) == 1
    listed = other.get("/api/v1/hazards/?state=closed&category=water_heater").json()
    assert [h["id"] for h in listed["results"]] == [hazard["id"]]


def test_bad_input_and_scope(homes, api):
    inspector = api.as_(homes.inspector)
    outside = inspector.post("/api/v1/hazards/", {
        "customer": homes.lpg_home.pk, "category": "hose", "source": "inspection",
        "description": "x"}, format="json")
    assert outside.status_code == 400 and outside.json()["errors"][0]["field"] == "customer"
    unknown = inspector.post("/api/v1/hazards/", {
        "customer": homes.homes[0].pk, "category": "ghosts", "source": "inspection",
        "description": "x"}, format="json")
    assert unknown.json()["errors"][0]["field"] == "category"
    past = inspector.post("/api/v1/hazards/", {
        "customer": homes.homes[0].pk, "category": "hose", "source": "inspection",
        "description": "x", "deadline": days(-2).isoformat()}, format="json")
    assert past.json()["errors"][0]["field"] == "deadline"
    assert not Hazard.objects.exists()
    assert inspector.get("/api/v1/hazards/?state=lost").status_code == 400
    assert inspector.get("/api/v1/hazards/?escalation=9").status_code == 400
    assert api.as_(homes.auditor).get("/api/v1/hazards/").status_code == 403


def test_filters_notice_kpis_and_supervision(hazard, api):
    h = hazard.hazard
    Hazard.objects.filter(pk=h.pk).update(deadline=days(-8))
    services.escalate()
    client = api.as_(hazard.regulator_b)
    assert [x["id"] for x in client.get("/api/v1/hazards/?overdue=true").json()["results"]] == [h.pk]
    assert client.get("/api/v1/hazards/?escalation=3").json()["count"] == 1
    assert [x.pk for x in selectors.supervision_list(hazard.regulator_b)] == [h.pk]
    assert list(selectors.supervision_list(hazard.regulator_a)) == []
    pdf = client.get(f"/api/v1/hazards/{h.pk}/notice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The alias of /api/v1/kpis/: the hazard and escalation KPIs, the same answer's shape.
    answer = client.get(f"/api/v1/hazards/kpis/?jurisdiction=%23{hazard.district_b.pk}").json()
    kpis = {k["name"]: k for k in answer["kpis"]}
    assert {k.section for k in catalogue() if k.name in kpis} == {"hazard", "escalation"}
    assert kpis["hazards_found"]["value"] == 1
    assert kpis["hazards_overdue_step_3"]["value"] == 1
    assert kpis["rectification_rate"]["value"] == 0
    same = client.get("/api/v1/kpis/", {"jurisdiction": f"#{hazard.district_b.pk}",
                                        "from": answer["from"], "to": answer["to"],
                                        "kpi": list(kpis)}).json()
    assert same == answer
    assert api.as_(hazard.regulator_a).get(f"/api/v1/hazards/{h.pk}/").status_code == 404
