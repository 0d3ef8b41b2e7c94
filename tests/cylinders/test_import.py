"""Import of existing cylinder stock: the register rules applied to a file, all or nothing,
every bad row reported by row and column; the page and the API."""

import datetime
import io
import random

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ranan.core import services as core_services
from ranan.core.choices import OrgKind
from ranan.core.models import AuditEntry
from ranan.cylinders import codes, importer
from ranan.cylinders.importer import import_cylinders
from ranan.cylinders.models import (
    Cylinder,
    CylinderEvent,
    CylinderType,
    IssuedCode,
    LabelBatch,
    add_years,
)
from tests.customers.conftest import xlsx

HEADERS = ["气瓶编码", "规格型号", "制造单位", "出厂编号", "制造日期", "上次检验日期",
           "检验后延长使用", "状态"]


def run(actor, rows, **kwargs):
    return import_cylinders(actor=actor, fileobj=xlsx(rows), filename="stock.xlsx", **kwargs)


def csv_file(text: str) -> io.BytesIO:
    handle = io.BytesIO(text.encode("utf-8-sig"))
    handle.name = "stock.csv"
    return handle


@pytest.fixture
def other_station(fleet):
    return core_services.organisation_create(
        actor=None, name="乙液化气站", kind=OrgKind.LPG_STATION, parent=fleet.lpg_company,
        jurisdictions=[fleet.district_a])


def issue(station, account, code):
    batch = LabelBatch.objects.create(station=station, count=1, grid="3x8", created_by=account)
    return IssuedCode.objects.create(code=code, batch=batch)


# --- The importer --------------------------------------------------------------------------


def test_a_good_file_registers_cylinders_with_their_events_and_dates(fleet):
    given, issued_here = codes.new_code(), codes.new_code()
    issue(fleet.station, fleet.station_manager, issued_here)
    before = Cylinder.objects.count()
    rows = [HEADERS,
            ["", "YSP35.5 15kg", "四川某钢瓶厂", "A001", "2019-03-01", "", "", ""],
            [given.lower(), "15", "四川某钢瓶厂", "A002", "2019/3/1", "2023.3.2", "是", "满瓶"],
            [issued_here, "15kg", "", 12345, datetime.date(2018, 6, 30), "", "否", "empty"]]
    result = run(fleet.station_manager, rows)
    assert result.errors == [], result.errors
    assert (result.created, result.rows, result.generated_codes) == (3, 3, 1)
    assert Cylinder.objects.count() == before + 3
    second = Cylinder.objects.get(code=given)
    assert second.type == fleet.type15 and second.station == fleet.station
    assert second.made_on == datetime.date(2019, 3, 1)
    assert second.last_inspected_on == datetime.date(2023, 3, 2) and second.life_extended
    assert second.state == "full" and second.serial == "A002"
    # Exactly what derive_dates() gives.
    assert second.next_inspection_due == datetime.date(2027, 3, 2)
    assert second.scrap_on == add_years(datetime.date(2019, 3, 1), 12)
    twin = Cylinder(type=fleet.type15, made_on=second.made_on, life_extended=True,
                    last_inspected_on=second.last_inspected_on)
    twin.derive_dates()
    assert (twin.next_inspection_due, twin.scrap_on) == (second.next_inspection_due,
                                                         second.scrap_on)
    third = Cylinder.objects.get(code=issued_here)
    assert third.made_on == datetime.date(2018, 6, 30) and third.serial == "12345"
    assert third.state == "empty" and third.scrap_on == datetime.date(2026, 6, 30)
    first = Cylinder.objects.get(serial="A001")
    assert codes.check_ok(first.code) and first.next_inspection_due == datetime.date(2023, 3, 1)
    new = Cylinder.objects.filter(code__in=[given, issued_here, first.code])
    events = CylinderEvent.objects.filter(cylinder__in=new)
    assert events.count() == 3
    assert {(e.kind, e.actor_id, e.station_id) for e in events} == {
        ("registered", fleet.station_manager.pk, fleet.station.pk)}
    assert all(abs(e.at - timezone.now()) < datetime.timedelta(minutes=5) for e in events)
    assert list(second.events.values_list("kind", flat=True)) == ["registered"]
    entry = AuditEntry.objects.get(model="cylinders.cylinder", details__created=3)
    assert entry.actor == fleet.station_manager and entry.details["station"] == fleet.station.pk


def test_free_text_with_backslashes_and_control_characters_round_trips(fleet):
    rows = [HEADERS, ["", "15", "某厂\\二分厂\t(旧)", "A\\1\r2\u200b", "2019-03-01", "", "", ""]]
    result = run(fleet.station_manager, rows)
    assert result.errors == [], result.errors
    cylinder = Cylinder.objects.get(serial__startswith="A\\1")
    assert cylinder.manufacturer == "某厂\\二分厂 (旧)" and cylinder.serial == "A\\1 2"


def test_a_csv_file_with_english_headers_and_several_batches(fleet, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    lines = ["Code,Type,Manufacturer,Factory serial,Manufactured on,Last periodic inspection,"
             "Life extended,State"]
    lines += [f",15kg,某厂,S{n},2020-0{n}-01,,," for n in range(1, 6)]
    result = import_cylinders(actor=fleet.station_manager, fileobj=csv_file("\n".join(lines)),
                              filename="stock.csv")
    assert result.errors == [] and result.created == 5
    made = Cylinder.objects.filter(serial__startswith="S", station=fleet.station)
    assert sorted(c.made_on.month for c in made) == [1, 2, 3, 4, 5]
    assert CylinderEvent.objects.filter(cylinder__in=made, kind="registered").count() == 5
    assert len({c.code for c in made}) == 5


def test_every_bad_row_is_reported_and_nothing_is_written(fleet, other_station):
    today = timezone.localdate()
    future = (today + datetime.timedelta(days=3)).isoformat()
    elsewhere = codes.new_code()
    issue(other_station, fleet.station_manager, elsewhere)
    good = codes.new_code()
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [HEADERS,
            ["", "15", "", "", "2019-03-01", "", "", ""],                       # 2 good
            ["", "15", "", "", "2019-13-45", "", "", ""],                       # 3 malformed
            ["", "15", "", "", future, "", "", ""],                             # 4 future
            ["", "15", "", "", "2019-03-01", "2018-01-01", "", ""],             # 5 before made
            ["", "YSP999", "", "", "2019-03-01", "", "", ""],                   # 6 unknown type
            [wrong_check, "15", "", "", "2019-03-01", "", "", ""],              # 7 check char
            [good, "15", "", "", "2019-03-01", "", "", ""],                     # 8 good
            [good, "15", "", "", "2019-03-01", "", "", ""],                     # 9 duplicate
            [fleet.good.code, "15", "", "", "2019-03-01", "", "", ""],          # 10 registered
            [elsewhere, "15", "", "", "2019-03-01", "", "", ""],                # 11 other station
            ["", "15", "", "", "2019-03-01", "", "", "在用户家"],                 # 12 bad state
            ["", "15", "", "", "2019-03-01", future, "也许", ""],                 # 13 two at once
            ["", "15", "", "", "", "", "", ""],                                 # 14 no date
            ["", "15", "", "", "2019-03-01", "", "是", ""]]                      # 15 extended?
    before = (Cylinder.objects.count(), CylinderEvent.objects.count(), AuditEntry.objects.count())
    result = run(fleet.station_manager, rows)
    assert (Cylinder.objects.count(), CylinderEvent.objects.count(),
            AuditEntry.objects.count()) == before
    assert result.created == 0 and result.rows == 14
    found = sorted((e["row"], e["column"]) for e in result.errors)
    assert found == [(3, "制造日期"), (4, "制造日期"), (5, "上次检验日期"), (6, "规格型号"),
                     (7, "气瓶编码"), (9, "气瓶编码"), (10, "气瓶编码"), (11, "气瓶编码"),
                     (12, "状态"), (13, "上次检验日期"), (13, "检验后延长使用"), (14, "制造日期"),
                     (15, "检验后延长使用")]
    by_row = {(e["row"], e["column"]): e["message"] for e in result.errors}
    assert "future" in by_row[(4, "制造日期")]
    assert "before manufacture" in by_row[(5, "上次检验日期")]
    assert "YSP999" in by_row[(6, "规格型号")]
    assert "check character" in by_row[(7, "气瓶编码")]
    assert "row 8" in by_row[(9, "气瓶编码")]
    assert "already registered" in by_row[(10, "气瓶编码")]
    assert "another station" in by_row[(11, "气瓶编码")]
    assert "空瓶" in by_row[(12, "状态")]


def test_missing_and_unknown_columns_are_named(fleet):
    result = run(fleet.station_manager, [["气瓶编码", "规格型号", "备注"], ["", "15", "x"]])
    messages = " ".join(e["message"] for e in result.errors)
    assert "备注" in messages and "制造日期" in messages
    assert all(e["row"] == 1 for e in result.errors)
    assert run(fleet.station_manager, [["规格型号", "规格", "制造日期"]]).errors[0]["column"] == "规格"


def test_an_empty_file_and_a_broken_file(fleet):
    assert run(fleet.station_manager, []).errors[0]["row"] == 1
    junk = io.BytesIO(b"PK\x03\x04garbage" * 10)
    junk.name = "x.xlsx"
    result = import_cylinders(actor=fleet.station_manager, fileobj=junk)
    assert result.errors and result.created == 0


def test_a_dry_run_counts_and_writes_nothing(fleet):
    before = (Cylinder.objects.count(), CylinderEvent.objects.count(), AuditEntry.objects.count())
    today = timezone.localdate()
    old = today.replace(year=today.year - 10).isoformat()
    rows = [HEADERS, ["", "15", "", "", "2019-03-01", "", "", ""],
            ["", "15", "", "", old, "", "", ""]]
    result = run(fleet.station_manager, rows, dry_run=True)
    assert result.errors == [] and result.dry_run
    assert (result.created, result.generated_codes, result.past_scrap) == (2, 2, 1)
    assert (Cylinder.objects.count(), CylinderEvent.objects.count(),
            AuditEntry.objects.count()) == before


def test_couriers_and_regulators_are_refused(fleet):
    rows = [HEADERS, ["", "15", "", "", "2019-03-01", "", "", ""]]
    for account in (fleet.courier_a1, fleet.regulator_a, fleet.lpg_admin):
        with pytest.raises(PermissionDenied):
            run(account, rows)


def test_a_station_manager_imports_only_into_their_own_station(fleet, other_station):
    rows = [HEADERS, ["", "15", "", "", "2019-03-01", "", "", ""]]
    before = Cylinder.objects.count()
    result = run(fleet.station_manager, rows, station=other_station.pk)
    assert [e["column"] for e in result.errors] == ["station"]
    assert Cylinder.objects.count() == before
    assert run(fleet.station_manager, rows, station=fleet.station).created == 1


def test_an_administrator_names_the_station(fleet, other_station):
    rows = [HEADERS, ["", "15", "", "", "2019-03-01", "", "", ""]]
    assert [e["column"] for e in run(fleet.admin, rows).errors] == ["station"]
    assert [e["column"] for e in run(fleet.admin, rows, station=fleet.gas_company.pk).errors] == [
        "station"]
    result = run(fleet.admin, rows, station=other_station.pk)
    assert result.errors == [] and Cylinder.objects.filter(station=other_station).count() == 1


def test_types_by_name_or_size_and_the_province_own_type(fleet):
    CylinderType.objects.create(name="YSP12 5kg", size_kg=5)
    regional = CylinderType.objects.create(name="藏区 5kg", size_kg=5, province=fleet.province,
                                           inspection_years=3)
    CylinderType.objects.create(name="YSP35.5 15kg B", size_kg=15)
    rows = [HEADERS, ["", "5", "", "", "2020-01-01", "", "", ""],
            ["", "ysp12 5KG", "", "", "2020-01-01", "", "", ""],
            ["", "15", "", "", "2020-01-01", "", "", ""]]
    result = run(fleet.station_manager, rows)
    assert [(e["row"], e["column"]) for e in result.errors] == [(4, "规格型号")]
    assert "YSP35.5 15kg B" in result.errors[0]["message"]
    result = run(fleet.station_manager, rows[:3])
    assert result.errors == []
    regional_one = Cylinder.objects.get(type=regional)
    assert regional_one.next_inspection_due == datetime.date(2023, 1, 1)


def test_the_fast_code_helpers_agree_with_codes_py():
    rng = random.Random(7)
    for _ in range(3000):
        code = codes.new_code()
        mutated = list(code)
        mutated[rng.randrange(11)] = rng.choice(codes.CHECK_ALPHABET + "IOLu-*é ")
        for text in (code, "".join(mutated), code[:-1], code + "0", code.lower()):
            assert importer.check_ok(text) == codes.check_ok(text), text
    made = importer.new_codes(2000)
    assert all(codes.check_ok(c) for c in made) and len(set(made)) == 2000


def test_a_code_in_the_file_wins_over_a_random_one_made_earlier(fleet, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 1)
    taken = codes.new_code()
    real = importer.new_codes
    made = iter([[taken]])
    monkeypatch.setattr(importer, "new_codes", lambda n: next(made, None) or real(n))
    rows = [HEADERS, ["", "15", "", "X1", "2019-03-01", "", "", ""],
            [taken, "15", "", "X2", "2019-03-01", "", "", ""]]
    result = run(fleet.station_manager, rows)
    assert result.errors == [] and result.created == 2
    assert Cylinder.objects.get(code=taken).serial == "X2"
    assert Cylinder.objects.get(serial="X1").code != taken


def test_a_random_code_never_repeats_a_registered_or_printed_one(fleet, other_station,
                                                                 monkeypatch):
    printed = codes.new_code()
    issue(other_station, fleet.station_manager, printed)
    real = importer.new_codes
    made = iter([[fleet.good.code, printed]])
    monkeypatch.setattr(importer, "new_codes", lambda n: next(made, None) or real(n))
    rows = [HEADERS, ["", "15", "", "R1", "2019-03-01", "", "", ""],
            ["", "15", "", "R2", "2019-03-01", "", "", ""]]
    result = run(fleet.station_manager, rows)
    assert result.errors == [] and result.generated_codes == 2
    new = set(Cylinder.objects.filter(serial__in=["R1", "R2"]).values_list("code", flat=True))
    assert len(new) == 2 and not new & {fleet.good.code, printed}


def test_a_code_registered_by_someone_else_meanwhile_fails_the_whole_import(fleet,
                                                                             monkeypatch):
    # As if the code had been registered between the look-up and the write.
    monkeypatch.setattr(importer, "_known", lambda codes_: (set(), {}))
    monkeypatch.setattr(importer, "BATCH", 1)
    before = Cylinder.objects.count()
    rows = [HEADERS, ["", "15", "", "", "2019-03-01", "", "", ""],
            [fleet.good.code, "15", "", "", "2019-03-01", "", "", ""],
            ["", "15", "", "", "2019-03-01", "", "", ""]]
    result = run(fleet.station_manager, rows)
    assert result.created == 0 and [e["column"] for e in result.errors] == ["气瓶编码"]
    assert "someone else" in result.errors[0]["message"]
    assert Cylinder.objects.count() == before


# --- The page ------------------------------------------------------------------------------


def test_the_import_page_for_a_station_manager(fleet, client):
    client.force_login(fleet.station_manager)
    page = client.get("/cylinders/import/")
    assert page.status_code == 200 and "station" not in page.context["form"].fields
    bad = xlsx([HEADERS, ["", "15", "", "", "2019-02-30", "", "", ""]])
    before = Cylinder.objects.count()
    page = client.post("/cylinders/import/", {"file": bad})
    assert page.context["result"].errors[0]["row"] == 2
    assert page.context["result"].errors[0]["column"] == "制造日期"
    assert 'data-testid="import-errors"' in page.content.decode()
    assert Cylinder.objects.count() == before
    dry = xlsx([HEADERS, ["", "15", "", "", "2019-02-28", "", "", ""]])
    page = client.post("/cylinders/import/", {"file": dry, "dry_run": "on"})
    assert page.context["result"].created == 1 and Cylinder.objects.count() == before
    good = xlsx([HEADERS, ["", "15", "", "", "2019-02-28", "", "", ""]])
    page = client.post("/cylinders/import/", {"file": good})
    assert page.context["result"].created == 1 and Cylinder.objects.count() == before + 1
    template = client.get("/cylinders/import/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    assert [c.value for c in book.active[1]] == HEADERS


def test_the_import_page_is_refused_to_a_courier(fleet, client):
    client.force_login(fleet.courier_a1)
    assert client.get("/cylinders/import/").status_code == 403
    assert client.get("/cylinders/import/template.xlsx").status_code == 403


def test_the_import_page_asks_an_administrator_for_the_station(fleet, client):
    client.force_login(fleet.admin)
    good = xlsx([HEADERS, ["", "15", "", "", "2019-02-28", "", "", ""]])
    page = client.post("/cylinders/import/", {"file": good})
    assert "station" in page.context["form"].errors
    good.seek(0)
    page = client.post("/cylinders/import/", {"file": good, "station": fleet.station.pk})
    assert page.context["result"].created == 1


# --- The API -------------------------------------------------------------------------------


def test_the_import_endpoint(fleet, api):
    client = api.as_(fleet.station_manager)
    url = "/api/v1/cylinders/import"
    bad = xlsx([HEADERS, ["", "YSP999", "", "", "2019-03-01", "", "", ""]])
    response = client.post(url, {"file": bad}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 2, "column": "规格型号",
                                          "message": response.json()["errors"][0]["message"]}]
    before = Cylinder.objects.count()
    good = xlsx([HEADERS, ["", "15", "", "", "2019-03-01", "", "", "满瓶"]])
    response = client.post(url, {"file": good, "dry_run": "true"}, format="multipart")
    assert response.status_code == 200 and response.json()["created"] == 1
    assert Cylinder.objects.count() == before
    good.seek(0)
    response = client.post(url, {"file": good}, format="multipart")
    assert response.status_code == 201
    assert response.json()["created"] == 1 and response.json()["station"] == fleet.station.pk
    assert Cylinder.objects.count() == before + 1
    nofile = client.post(url, {}, format="multipart")
    assert nofile.status_code == 400 and nofile.json()["errors"][0]["field"] == "file"
    good.seek(0)
    assert api.as_(fleet.courier_a1).post(url, {"file": good},
                                          format="multipart").status_code == 403
    good.seek(0)
    admin = api.as_(fleet.admin).post(url, {"file": good, "station": fleet.station.pk},
                                      format="multipart")
    assert admin.status_code == 201
