"""The station's and market supervision's cylinder pages, the labels and registration API:
what each role sees, what it may change, and bad input."""

import datetime
import io
import uuid

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from ranan.core.models import AuditEntry
from ranan.cylinders import services
from ranan.cylinders.choices import State
from ranan.cylinders.models import Cylinder, CylinderEvent, IssuedCode, LabelBatch, Scan
from tests.cylinders.conftest import other_station


def browser(account):
    client = Client()
    client.force_login(account)
    return client


def scan(cast, cylinder, action, **kw):
    return services.cylinder_scan(actor=cast.station_manager, code=cylinder.code, action=action,
                                  client_id=uuid.uuid4(), **kw)


def test_the_station_home_shows_stock_by_state_and_type(fleet):
    scan(fleet, fleet.good, "fill")
    page = browser(fleet.station_manager).get("/cylinders/")
    assert page.status_code == 200
    stock = page.context["cells"]
    assert stock[(State.FULL_AT_STATION, fleet.type15.pk)] == 1
    assert stock[(State.EMPTY_AT_STATION, None)] == 2
    assert stock[(None, None)] == 3
    summary = page.context["summary"]
    assert len(summary) == 1
    assert summary[0]["overdue"] == 1 and summary[0]["past_scrap"] == 1


def test_market_supervision_sees_every_station_of_its_area_and_no_other(fleet):
    station_b, manager_b = other_station(fleet)
    services.cylinder_register(actor=manager_b, station=station_b, type=fleet.type15,
                               made_on=timezone.localdate())
    scan(fleet, fleet.overdue, "fill")  # a refusal today
    page = browser(fleet.regulator_a).get("/cylinders/")
    rows = {r["station"].name: r for r in page.context["summary"]}
    assert set(rows) == {"甲液化气站"}
    assert rows["甲液化气站"]["refusals_today"] == 1
    assert rows["甲液化气站"]["circulating"] == 3
    # The other district's regulator sees station B only.
    rows_b = {r["station"].name for r in browser(fleet.regulator_b).get("/cylinders/")
              .context["summary"]}
    assert rows_b == {"乙液化气站"}
    # A station of another area cannot be opened by parameter: not found, like no station.
    assert browser(fleet.regulator_a).get(f"/cylinders/?station={station_b.pk}").status_code == 404


def test_the_chain_page_and_its_scope(fleet):
    scan(fleet, fleet.good, "fill", net_weight_kg="14.8", filling_line="L2")
    page = browser(fleet.station_manager).get(f"/cylinders/c/{fleet.good.code}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "14.80 kg" in body and "L2" in body
    station_b, manager_b = other_station(fleet)
    assert browser(manager_b).get(f"/cylinders/c/{fleet.good.code}/").status_code == 404
    assert browser(fleet.regulator_b).get(f"/cylinders/c/{fleet.good.code}/").status_code == 404
    # The regulator of the area reads it, with no record form.
    regulator_page = browser(fleet.regulator_a).get(f"/cylinders/c/{fleet.good.code}/")
    assert regulator_page.status_code == 200 and regulator_page.context["form"] is None


def test_recording_a_step_from_the_page_and_a_refused_step(fleet):
    client = browser(fleet.station_manager)
    url = f"/cylinders/c/{fleet.overdue.code}/"
    answer = client.post(url, {"record": "send_to_inspection", "on": "", "note": ""})
    assert answer.status_code == 302
    assert Cylinder.objects.get(pk=fleet.overdue.pk).state == State.AT_INSPECTION
    refused = client.post(url, {"record": "send_to_inspection", "on": "", "note": ""})
    assert refused.status_code == 200 and "record" in refused.context["form"].errors
    # A regulator's POST records nothing.
    browser(fleet.regulator_a).post(url, {"record": "lost"})
    assert Cylinder.objects.get(pk=fleet.overdue.pk).state == State.AT_INSPECTION


def test_the_scan_page_allows_refuses_and_does_not_record_twice(fleet):
    client = browser(fleet.station_manager)
    client_id = str(uuid.uuid4())
    form = {"code": fleet.good.code.lower(), "action": "fill", "client_id": client_id,
            "net_weight_kg": "14.9", "filling_line": "L1"}
    page = client.post("/cylinders/scan/", form)
    assert page.context["answer"]["verdict"] == "allow"
    again = client.post("/cylinders/scan/", form)  # the same form sent twice (a double tap)
    assert again.context["answer"]["verdict"] == "allow"
    assert CylinderEvent.objects.filter(cylinder=fleet.good, kind="filled").count() == 1
    refused = client.post("/cylinders/scan/", {"code": fleet.overdue.code, "action": "fill",
                                               "client_id": str(uuid.uuid4())})
    assert refused.context["answer"]["verdict"] == "refuse"
    assert 'data-reason="overdue_inspection"' in refused.content.decode()
    dispatched = client.post("/cylinders/scan/", {
        "code": fleet.good.code, "action": "dispatch", "courier": fleet.courier_a1.pk,
        "client_id": str(uuid.uuid4())})
    assert dispatched.context["answer"]["verdict"] == "allow"
    assert Cylinder.objects.get(pk=fleet.good.pk).courier_id == fleet.courier_a1.pk


def test_the_scan_page_bad_input(fleet):
    client = browser(fleet.station_manager)
    missing = client.post("/cylinders/scan/", {"action": "fill", "client_id": str(uuid.uuid4())})
    assert "code" in missing.context["form"].errors
    bad_customer = client.post("/cylinders/scan/", {
        "code": fleet.good.code, "action": "deliver", "customer": 999999,
        "client_id": str(uuid.uuid4())})
    assert "customer" in bad_customer.context["form"].errors
    assert not Scan.objects.exists()
    assert browser(fleet.regulator_a).get("/cylinders/scan/").status_code == 403


def test_register_page_with_a_printed_code(fleet):
    client = browser(fleet.station_manager)
    batch = services.label_batch_create(actor=fleet.station_manager, station=fleet.station,
                                        count=2, grid="3x8")
    code = batch.codes.first().code
    answer = client.post("/cylinders/register/", {
        "type": fleet.type15.pk, "code": code, "made_on": "2024-05-01", "manufacturer": "某厂",
        "serial": "S-1"})
    assert answer.status_code == 302 and answer["Location"].endswith(f"/cylinders/c/{code}/")
    wrong = client.post("/cylinders/register/", {"type": fleet.type15.pk, "code": code[:-1] + (
        "0" if code[-1] != "0" else "1"), "made_on": "2024-05-01"})
    assert "code" in wrong.context["form"].errors
    contradict = client.post("/cylinders/register/", {
        "type": fleet.type15.pk, "made_on": "2024-05-01", "last_inspected_on": "2023-01-01"})
    assert "last_inspected_on" in contradict.context["form"].errors
    assert browser(fleet.courier_a1).get("/cylinders/register/").status_code == 403


def test_labels_page_issues_codes_and_serves_the_pdf(fleet):
    client = browser(fleet.station_manager)
    answer = client.post("/cylinders/labels/", {"count": 5, "grid": "4x10"})
    assert answer.status_code == 302
    batch = LabelBatch.objects.get()
    pdf = client.get(f"/cylinders/labels/{batch.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000
    bad = client.post("/cylinders/labels/", {"count": 0, "grid": "4x10"})
    assert "count" in bad.context["form"].errors
    _station_b, manager_b = other_station(fleet)
    assert browser(manager_b).get(f"/cylinders/labels/{batch.pk}.pdf").status_code == 404
    assert browser(fleet.courier_a1).get("/cylinders/labels/").status_code == 403
    assert IssuedCode.objects.count() == 5


def test_the_qr_code_holds_the_public_address(fleet, settings):
    from ranan.cylinders import labels

    settings.PUBLIC_URL = "https://gas.example.cn"
    assert labels.qr_content("https://gas.example.cn", "ABCDEFGHJK1") == (
        "HTTPS://GAS.EXAMPLE.CN/C/ABCDEFGHJK1")
    assert labels.qr_content("https://x.cn/ranan", "ABCDEFGHJK1") == (
        "https://x.cn/ranan/c/ABCDEFGHJK1")
    # The upper-case address opens the public page too.
    assert Client().get(f"/C/{fleet.good.code}").status_code == 200


def test_recall_page_and_export(fleet):
    Cylinder.objects.filter(pk=fleet.overdue.pk).update(state=State.AT_CUSTOMER,
                                                        customer=fleet.customer)
    client = browser(fleet.station_manager)
    page = client.get("/cylinders/recall/")
    codes = [c.code for c in page.context["rows"]]
    assert fleet.overdue.code in codes and fleet.scrap.code in codes
    assert fleet.good.code not in codes
    assert "卓玛" in page.content.decode()
    export = client.get("/cylinders/recall.xlsx?days=30")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + len(codes)
    held = [r for r in rows if r[0] == fleet.overdue.code][0]
    # Issue 16: masked for every role (the customer's page unmasks, with a reason).
    assert held[7] == "卓玛" and held[9] == "138****8888"
    assert AuditEntry.objects.filter(action="export").count() == 1
    # A regulator's export masks the phone.
    regulator = browser(fleet.regulator_a).get("/cylinders/recall.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(regulator.content)).active
                .iter_rows(values_only=True))
    assert [r for r in rows if r[0] == fleet.overdue.code][0][9] != "13800008888"
    assert client.get("/cylinders/recall/?days=abc").status_code == 200  # default 30


def test_refusals_and_fillings_pages(fleet):
    scan(fleet, fleet.overdue, "fill")
    scan(fleet, fleet.good, "fill", net_weight_kg="15")
    client = browser(fleet.regulator_a)
    refusals = client.get("/cylinders/refusals/")
    assert [s.code for s in refusals.context["rows"]] == [fleet.overdue.code]
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert list(client.get(f"/cylinders/refusals/?day={yesterday}").context["rows"]) == []
    fillings = client.get(f"/cylinders/fillings/?station={fleet.station.pk}")
    assert [e.cylinder_id for e in fillings.context["rows"]] == [fleet.good.pk]
    assert browser(fleet.regulator_b).get("/cylinders/fillings/").context["rows"].__len__() == 0


@pytest.mark.parametrize("account", ["auditor"])
def test_accounts_without_a_data_role_see_no_cylinder_page(fleet, account):
    client = browser(getattr(fleet, account))
    for url in ("/cylinders/", "/cylinders/recall/", "/cylinders/refusals/",
                "/cylinders/fillings/", f"/cylinders/c/{fleet.good.code}/"):
        assert client.get(url).status_code == 403, url


def test_register_and_labels_over_the_api(fleet, api):
    client = api.as_(fleet.station_manager)
    created = client.post("/api/v1/cylinders/", {"type": fleet.type15.pk,
                                                 "made_on": "2023-04-01"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["next_inspection_due"] == "2027-04-01"
    bad = client.post("/api/v1/cylinders/", {"type": fleet.type15.pk, "made_on": "2023-04-01",
                                             "last_inspected_on": "2020-01-01"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "last_inspected_on"
    missing = client.post("/api/v1/cylinders/", {"type": fleet.type15.pk}, format="json")
    assert missing.json()["errors"][0]["field"] == "made_on"
    refused = api.as_(fleet.courier_a1).post("/api/v1/cylinders/", {
        "type": fleet.type15.pk, "made_on": "2023-04-01"}, format="json")
    assert refused.status_code == 403
    client = api.as_(fleet.station_manager)
    pdf = client.post("/api/v1/cylinders/labels", {"count": 3, "grid": "2x5"}, format="json")
    assert pdf.status_code == 201 and pdf.content.startswith(b"%PDF"), pdf.content[:300]
    batch = client.get(f"/api/v1/cylinders/labels/{pdf['X-Label-Batch']}").json()
    assert len(batch["codes"]) == 3
    too_many = client.post("/api/v1/cylinders/labels", {"count": 5000}, format="json")
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["field"] == "count"
    assert api.as_(fleet.regulator_a).post("/api/v1/cylinders/labels", {"count": 1},
                                           format="json").status_code == 403
