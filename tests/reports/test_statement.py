"""The monthly statement: its figures equal the records of the month (per child jurisdiction
and in total), enterprise staff see their own company's records only, the .xlsx keeps its
fixed layout, bad input names the field, out of area is 404, the wrong role 403."""

import datetime
import io
import uuid

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from ranan.core import services as core_services
from ranan.core.choices import OrgKind, Role
from ranan.customers import services as customer_services
from ranan.customers.choices import Supply
from ranan.customers.models import Customer
from ranan.cylinders import services as cylinder_services
from ranan.hazards import services as hazard_services
from ranan.hazards.models import Hazard
from ranan.inspections import services as inspection_services
from ranan.inspections.choices import Outcome
from ranan.reports import statement
from tests.cast import PASSWORD
from tests.conftest import FROZEN_AT
from tests.cylinders.conftest import build_fleet
from tests.inspections.conftest import all_pass, visit

TODAY = FROZEN_AT.date()  # the frozen clock's day (tests/conftest.py)
MONTH = TODAY.replace(day=1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def recently():
    return timezone.now() - datetime.timedelta(minutes=5)


@pytest.fixture
def month(cast):
    """This month: in village A1 two LPG homes inspected (one twice, one with a failed
    alarm, a hazard), one not at home; in A2 one home inspected; devices installed: a metal
    hose and an alarm in A1, a self-closing valve and a regulator with cut-off in A2, a
    rubber hose (not counted) and a metal hose installed last year (not counted); an old
    hazard closed this month; one refusal by the interlock. District B: a pipeline home of
    the cast's gas company and one of another company, each inspected."""
    cast = build_fleet(cast)
    make = customer_services.customer_create
    a1 = [make(actor=None, name=f"甲{n}", address=f"一村{n}号", jurisdiction=cast.village_a1,
               supply=Supply.LPG, lpg_station=cast.station) for n in range(3)]
    a2 = make(actor=None, name="乙0", address="二村1号", jurisdiction=cast.village_a2,
              supply=Supply.LPG, lpg_station=cast.station)
    other_company = core_services.organisation_create(
        actor=None, name="丙管道燃气公司", kind=OrgKind.PIPELINE_GAS,
        jurisdictions=[cast.district_b])
    b_own = make(actor=None, name="丁0", address="乙小区1号", jurisdiction=cast.grid_b1,
                 supply=Supply.PIPELINE, gas_company=cast.gas_company)
    b_other = make(actor=None, name="丁1", address="乙小区2号", jurisdiction=cast.grid_b1,
                   supply=Supply.PIPELINE, gas_company=other_company)
    Customer.objects.update(created_at=timezone.now() - datetime.timedelta(days=400))
    for c in (*a1, a2, b_own, b_other):
        c.refresh_from_db()
    answers = all_pass(inspection_services.current_checklist("lpg_household"))
    answers["alarm"] = "fail"
    visit(cast.courier_a1, a1[0], Outcome.INSPECTED, when=recently(), answers=answers,
          kind="delivery")
    visit(cast.courier_a1, a1[0], Outcome.INSPECTED, when=recently(), kind="delivery")
    visit(cast.courier_a1, a1[1], Outcome.INSPECTED, when=recently(), kind="delivery")
    visit(cast.courier_a1, a1[2], Outcome.NOT_HOME, when=recently(), kind="delivery")
    visit(cast.courier_a2, a2, Outcome.INSPECTED, when=recently(), kind="delivery")
    visit(cast.inspector, b_own, Outcome.INSPECTED, when=recently())
    other_inspector = core_services.account_create(
        actor=None, username="inspector_c", password=PASSWORD, organisation=other_company,
        roles=[Role.INSPECTOR], area=[cast.community_b1], check_password=False)
    visit(other_inspector, b_other, Outcome.INSPECTED, when=recently())
    add = customer_services.device_add
    add(actor=None, customer=a1[0], kind="hose", material="metal", installed_on=TODAY)
    add(actor=None, customer=a1[1], kind="alarm", installed_on=TODAY)
    add(actor=None, customer=a1[2], kind="hose", material="rubber", installed_on=TODAY)
    add(actor=None, customer=a1[2], kind="hose", material="metal",
        installed_on=TODAY - datetime.timedelta(days=400))
    add(actor=None, customer=a2, kind="valve", self_closing=True, installed_on=TODAY)
    add(actor=None, customer=a2, kind="regulator", has_cutoff=True, installed_on=TODAY)
    old = hazard_services.hazard_create(
        actor=cast.courier_a2, customer=a2, category="hose", description="老化",
        source="inspection", found_at=timezone.now() - datetime.timedelta(days=70))
    Hazard.objects.filter(pk=old.pk).update(state="closed", closed_at=recently())
    cylinder_services.cylinder_scan(actor=cast.station_manager, code=cast.overdue.code,
                                    action="fill", client_id=uuid.uuid4())
    return cast


def test_the_figures_equal_the_records_of_the_month(month):
    data = statement.statement(month.regulator_a, month.township, MONTH)
    rows = {r["name"]: r for r in data["rows"]}
    assert list(rows) == ["一村", "二村"]
    one, two = rows["一村"], rows["二村"]
    assert (one["inspections"], one["households"]) == (3, 2)
    assert (one["hazards_found"], one["hazards_fixed"]) == (1, 0)
    assert (one["metal_hose"], one["alarm"], one["self_closing_valve"]) == (1, 1, 0)
    assert (two["inspections"], two["households"], two["hazards_fixed"]) == (1, 1, 1)
    assert (two["self_closing_valve"], two["regulator_cutoff"]) == (1, 1)
    total = data["total"]
    assert (total["inspections"], total["households"], total["hazards_found"],
            total["hazards_fixed"], total["metal_hose"]) == (4, 3, 1, 1, 1)
    # The station serves the district, above the township's children: its refusal is the
    # district's.
    assert total["refusals"] == 0
    district = statement.statement(month.regulator_a, month.district_a, MONTH)
    assert [r["name"] for r in district["rows"]] == ["甲区 (itself)", "甲乡"]
    assert district["total"]["refusals"] == 1 and district["rows"][0]["refusals"] == 1
    assert district["rows"][1]["inspections"] == 4


def test_an_earlier_month_has_none_of_these_records(month):
    earlier = (MONTH - datetime.timedelta(days=1)).replace(day=1)
    data = statement.statement(month.regulator_a, month.township, earlier)
    assert all(v == 0 for v in data["total"].values())


def test_enterprise_staff_see_their_own_company_only(month):
    own = statement.statement(month.gas_admin, month.district_b, MONTH)
    area = statement.statement(month.regulator_b, month.district_b, MONTH)
    assert own["company"] == "乙管道燃气公司"
    assert (own["total"]["inspections"], area["total"]["inspections"]) == (1, 2)
    lpg = statement.statement(month.lpg_admin, month.township, MONTH)
    assert lpg["total"]["inspections"] == 4


def test_the_workbook_keeps_its_fixed_layout(month):
    with translation.override("en"):
        data = statement.statement(month.regulator_a, month.township, MONTH)
        sheet = openpyxl.load_workbook(io.BytesIO(statement.xlsx(data))).active
    assert sheet["A1"].value == "Monthly gas safety statement"
    assert (sheet["A2"].value, sheet["B2"].value) == ("Company", "All gas companies of the area")
    assert sheet["B3"].value == f"{MONTH:%Y-%m}"
    assert sheet["B4"].value.endswith("甲乡")
    header = [sheet.cell(5, c).value for c in range(1, 11)]
    assert header == ["Jurisdiction", "Inspections done", "Households reached",
                      "Hazards found", "Hazards fixed (closed)", "Metal hoses installed",
                      "Self-closing valves installed", "Regulators with cut-off installed",
                      "Gas alarms installed", "Cylinders refused by the interlock"]
    assert [sheet.cell(6, c).value for c in range(1, 11)] == ["一村", 3, 2, 1, 0, 1, 0, 0, 1, 0]
    assert [sheet.cell(7, c).value for c in range(1, 11)] == ["二村", 1, 1, 0, 1, 0, 1, 1, 0, 0]
    assert [sheet.cell(8, c).value for c in range(1, 11)] == ["Total", 4, 3, 1, 1, 1, 1, 1, 1, 0]


@pytest.mark.parametrize("value, code", [("", "required"), ("2026-13", "invalid"),
                                         ("soon", "invalid")])
def test_a_bad_month_names_the_field(value, code):
    with pytest.raises(ValidationError) as exc:
        statement.parse_month(value)
    assert "month" in exc.value.message_dict and exc.value.error_dict["month"][0].code == code


def test_a_month_not_begun_is_refused():
    nxt = (MONTH + datetime.timedelta(days=32)).replace(day=1)
    with pytest.raises(ValidationError) as exc:
        statement.parse_month(f"{nxt:%Y-%m}")
    assert "has not begun" in exc.value.message_dict["month"][0]


def test_the_page_and_the_download(month, client):
    client.force_login(month.lpg_admin)
    page = client.get("/dashboard/statements/")
    assert page.status_code == 200 and 'data-testid="statement-form"' in page.content.decode()
    query = {"jurisdiction": month.township.pk, "month": f"{MONTH:%Y-%m}"}
    shown = client.get("/dashboard/statements/", query)
    assert shown.status_code == 200
    assert 'data-testid="total"' in shown.content.decode()
    download = client.get("/dashboard/statements/statement.xlsx", query)
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    assert sheet["B2"].value == "甲燃气公司" and sheet.cell(8, 2).value == 4
    bad = client.get("/dashboard/statements/", {"jurisdiction": month.township.pk,
                                                "month": "2026-13"})
    assert bad.status_code == 400 and 'data-field="month"' in bad.content.decode()


def test_pages_answer_404_outside_the_area_and_403_to_the_wrong_role(month, client):
    client.force_login(month.regulator_b)
    query = {"jurisdiction": month.township.pk, "month": f"{MONTH:%Y-%m}"}
    assert client.get("/dashboard/statements/", query).status_code == 404
    assert client.get("/dashboard/statements/statement.xlsx", query).status_code == 404
    for who in ("courier_a1", "inspector", "auditor"):
        client.force_login(getattr(month, who))
        assert client.get("/dashboard/statements/").status_code == 403
