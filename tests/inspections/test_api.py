"""The inspections API: visits in JSON (base64 images) and multipart, retries, 404 out of
area, 403 for the wrong role, errors naming the field; plans, unreached, measures, KPIs."""

import base64
import datetime
import json
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ranan.core.kpis import catalogue
from ranan.inspections import services
from ranan.inspections.models import Visit
from tests.inspections.conftest import all_pass, png


def data_url(content: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(content).decode()


def body(customer, **kw):
    answers = all_pass(services.current_checklist("pipeline_household"))
    answers["indoor_pipe"] = "fail"
    out = {"customer": customer.pk, "kind": "periodic", "outcome": "inspected",
           "client_id": str(uuid.uuid4()), "answers": answers,
           "photos": [{"item": "indoor_pipe", "data": data_url(png())}],
           "signature": data_url(png(40, 20))}
    out.update(kw)
    return out


def test_a_visit_in_json_and_its_retry(homes, api):
    client = api.as_(homes.inspector)
    payload = body(homes.homes[0])
    created = client.post("/api/v1/visits/", payload, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["failed_count"] == 1 and data["findings"][0]["category"] == "corrosion"
    assert data["photos"][0]["item"] == "indoor_pipe"
    again = client.post("/api/v1/visits/", payload, format="json")
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert Visit.objects.count() == 1
    listed = client.get("/api/v1/visits/?outcome=inspected").json()
    assert [v["id"] for v in listed["results"]] == [data["id"]]
    assert client.get(f"/api/v1/visits/{data['id']}/").status_code == 200


def test_a_visit_in_multipart(homes, api):
    """A phone's form post: answers as JSON text, the photos and the signature as files."""
    client = api.as_(homes.inspector)
    answers = all_pass(services.current_checklist("pipeline_household"))
    answers["indoor_pipe"] = "fail"
    form = {"customer": homes.homes[1].pk, "kind": "periodic", "outcome": "inspected",
            "client_id": str(uuid.uuid4()), "answers": json.dumps(answers),
            "photos": [SimpleUploadedFile("a.png", png(), "image/png")],
            "photo_items": ["indoor_pipe"],
            "signature": SimpleUploadedFile("s.png", png(), "image/png")}
    created = client.post("/api/v1/visits/", form, format="multipart")
    assert created.status_code == 201, created.json()
    assert created.json()["photos"][0]["item"] == "indoor_pipe"
    form["answers"] = "{not json"
    form["client_id"] = str(uuid.uuid4())
    form["photos"] = [SimpleUploadedFile("a.png", png(), "image/png")]
    form["signature"] = SimpleUploadedFile("s.png", png(), "image/png")
    bad = client.post("/api/v1/visits/", form, format="multipart")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "answers"


def test_errors_name_the_field(homes, api):
    client = api.as_(homes.inspector)
    missing = body(homes.homes[0])
    del missing["answers"]["leak_test"]
    answer = client.post("/api/v1/visits/", missing, format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "answers.leak_test"
    not_image = body(homes.homes[0], photos=[{"item": "indoor_pipe",
                                              "data": data_url(b"hello world")}])
    assert client.post("/api/v1/visits/", not_image, format="json").json()["errors"][0][
        "field"] == "photos.0"
    bad_base64 = body(homes.homes[0], signature="data:image/png;base64,@@@")
    assert client.post("/api/v1/visits/", bad_base64, format="json").json()["errors"][0][
        "field"] == "signature"
    future = body(homes.homes[0], started_at=(timezone.now() + datetime.timedelta(days=1))
                  .isoformat())
    assert client.post("/api/v1/visits/", future, format="json").json()["errors"][0][
        "field"] == "started_at"
    refused_with_answers = body(homes.homes[0], outcome="refused")
    assert client.post("/api/v1/visits/", refused_with_answers, format="json").json()[
        "errors"][0]["field"] == "answers"
    no_kind = body(homes.homes[0], kind="")
    assert client.post("/api/v1/visits/", no_kind, format="json").json()["errors"][0][
        "field"] == "kind"
    assert not Visit.objects.exists()


def test_out_of_area_is_400_naming_the_field_and_the_wrong_role_403(homes, api):
    client = api.as_(homes.inspector)
    outside = client.post("/api/v1/visits/", body(homes.lpg_home), format="json")
    assert outside.status_code == 400 and outside.json()["errors"][0]["field"] == "customer"
    assert not Visit.objects.exists()
    regulator = api.as_(homes.regulator_b)
    assert regulator.post("/api/v1/visits/", body(homes.homes[0]),
                          format="json").status_code == 403
    auditor = api.as_(homes.auditor)
    assert auditor.get("/api/v1/visits/").status_code == 403
    conflict_id = str(uuid.uuid4())
    inspector = api.as_(homes.inspector)
    inspector.post("/api/v1/visits/", body(homes.homes[0], client_id=conflict_id,
                                           outcome="not_home", answers={}, photos=[],
                                           signature=""), format="json")
    conflict = inspector.post("/api/v1/visits/", body(homes.homes[1], client_id=conflict_id,
                                                      outcome="not_home", answers={},
                                                      photos=[], signature=""), format="json")
    assert conflict.status_code == 409


def test_plans_unreached_measures_and_kpis(homes, api):
    admin = api.as_(homes.gas_admin)
    today = timezone.localdate()
    created = admin.post("/api/v1/plans/", {"jurisdiction": f"#{homes.district_b.pk}",
                                            "title": "Q4", "start": today.isoformat(),
                                            "end": (today + datetime.timedelta(days=30))
                                            .isoformat()}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["targets"] == 5
    bad = admin.post("/api/v1/plans/", {"jurisdiction": "999999999999", "title": "x",
                                        "start": today.isoformat(), "end": today.isoformat()},
                     format="json")
    assert bad.json()["errors"][0]["field"] == "jurisdiction"
    inspector = api.as_(homes.inspector)
    for _ in range(3):
        inspector.post("/api/v1/visits/", body(homes.homes[0], outcome="not_home", answers={},
                                               photos=[], signature=""), format="json")
    work = inspector.get("/api/v1/work-list/").json()["results"]
    assert len(work) == 5 and work[-1]["tier"] == "shut_off"
    unreached = api.as_(homes.gas_admin).get(
        f"/api/v1/unreached/?jurisdiction=%23{homes.community_b1.pk}&tier=shut_off").json()
    assert unreached["count"] == 1 and unreached["results"][0]["visits"]["not_home"] == 3
    assert api.as_(homes.gas_admin).get("/api/v1/unreached/?jurisdiction=%23"
                                        f"{homes.community_b1.pk}&tier=nope").status_code == 400
    assert api.as_(homes.gas_admin).get("/api/v1/unreached/").status_code == 400
    shut = inspector.post("/api/v1/measures/", {"customer": homes.homes[0].pk,
                                                "kind": "shut_off", "note": "社区关阀",
                                                "photo": base64.b64encode(png()).decode()},
                          format="json")
    assert shut.status_code == 201
    out_of_area = api.as_(homes.regulator_a).post("/api/v1/measures/", {
        "customer": homes.homes[0].pk, "kind": "shut_off"}, format="json")
    assert out_of_area.status_code == 400
    assert out_of_area.json()["errors"][0]["field"] == "customer"
    plan = api.as_(homes.gas_admin).get(f"/api/v1/plans/{created.json()['id']}/").json()
    assert plan["total"]["shut"] == 1 and plan["total"]["targets"] == 5
    answer = api.as_(homes.gas_admin).get(
        f"/api/v1/inspection-kpis/?jurisdiction=%23{homes.district_b.pk}").json()
    kpis = {k["name"]: k for k in answer["kpis"]}
    assert {k.section for k in catalogue() if k.name in kpis} == {"inspection", "unreached"}
    assert kpis["entry_success"]["denominator"] == 1
    assert kpis["unreached_shut"]["value"] == 1
    same = api.as_(homes.gas_admin).get("/api/v1/kpis/", {
        "jurisdiction": f"#{homes.district_b.pk}", "kpi": list(kpis)}).json()
    assert same == answer
    checklists = inspector.get("/api/v1/checklists/").json()
    assert {c["key"] for c in checklists} == {"lpg-household", "pipeline-household",
                                              "non-residential"}
