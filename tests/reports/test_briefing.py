"""The weekly briefing: numbering 第1期/第2期 per jurisdiction (taken when a draft is issued),
the week's rules (a Monday, an ended week), duplicates, scoping (404) and roles (403), figures
equal to the records and kept as they were, the PDF (Chinese text extracted back) and the
workbook (read back), the pages, and concurrent numbering on PostgreSQL. The draft's text, the
issuing and the numbering setting: test_briefing_drafts.py."""

import datetime
import io
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from ranan.core import services as core_services
from ranan.core.choices import OrgKind, Role
from ranan.core.models import Jurisdiction
from ranan.customers import services as customer_services
from ranan.customers.choices import Supply
from ranan.customers.models import Customer
from ranan.hazards import services as hazard_services
from ranan.hazards.models import Hazard
from ranan.inspections import services as inspection_services
from ranan.inspections.choices import Outcome
from ranan.reports import briefing
from ranan.reports.models import Briefing
from ranan.reports.services import BriefingExists, briefing_create, briefing_issue, parse_week
from tests.cast import PASSWORD
from tests.conftest import FROZEN_AT
from tests.inspections.conftest import all_pass, visit

TODAY = FROZEN_AT.date()  # the frozen clock's day (tests/conftest.py)
MONDAY = briefing.last_week(TODAY)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build_week(cast):
    """Township T: village A1 with three LPG households, A2 with two. Last week: A1's home 0
    inspected with a failed alarm (a hazard), A2's home 3 inspected; the week before: home 1
    inspected. An old hazard in A2, overdue and at step 2; a task force of the province."""
    make = customer_services.customer_create
    homes = [make(actor=None, name=f"户{n}", address=f"村{n}号",
                  jurisdiction=cast.village_a1 if n < 3 else cast.village_a2,
                  supply=Supply.LPG, lpg_station=cast.station) for n in range(5)]
    Customer.objects.update(created_at=timezone.now() - datetime.timedelta(days=400))
    for h in homes:
        h.refresh_from_db()
    answers = all_pass(inspection_services.current_checklist("lpg_household"))
    answers["alarm"] = "fail"
    visit(cast.courier_a1, homes[0], Outcome.INSPECTED, when=at(MONDAY + datetime.timedelta(2)),
          answers=answers, kind="delivery")
    visit(cast.courier_a2, homes[3], Outcome.INSPECTED, when=at(MONDAY + datetime.timedelta(3)),
          kind="delivery")
    visit(cast.courier_a1, homes[1], Outcome.INSPECTED, when=at(MONDAY - datetime.timedelta(5)),
          kind="delivery")
    old = hazard_services.hazard_create(
        actor=cast.courier_a2, customer=homes[4], category="hose", description="老化",
        source="inspection", found_at=timezone.now() - datetime.timedelta(days=60))
    Hazard.objects.filter(pk=old.pk).update(escalation=2)
    task_org = core_services.organisation_create(actor=None, name="测试省燃气专班",
                                                 kind=OrgKind.TASK_FORCE,
                                                 jurisdictions=[cast.province])
    cast.task_force = core_services.account_create(
        actor=None, username="task_force", password=PASSWORD, organisation=task_org,
        roles=[Role.TASK_FORCE], area=[cast.province], check_password=False)
    cast.homes, cast.old_hazard = homes, old
    return cast


@pytest.fixture
def week(cast):
    return build_week(cast)


# --- The service ----------------------------------------------------------------------------


def test_issues_are_numbered_per_jurisdiction(week):
    first = briefing_create(actor=week.regulator_a, node=week.township, week_start=MONDAY)
    second = briefing_create(actor=week.task_force, node=week.township,
                             week_start=MONDAY - datetime.timedelta(days=7))
    other = briefing_create(actor=week.task_force, node=week.district_a, week_start=MONDAY)
    # Drafts have no number yet: each takes the next one of its jurisdiction when issued,
    # in the order they are issued.
    assert (first.number, second.number, other.number) == (None, None, None)
    first = briefing_issue(actor=week.regulator_a, briefing=first)
    second = briefing_issue(actor=week.task_force, briefing=second)
    other = briefing_issue(actor=week.task_force, briefing=other)
    assert (first.number, second.number, other.number) == (1, 2, 1)
    with translation.override("en"):
        assert "issue 2" in briefing.title(second.number)


def test_any_day_of_the_week_means_its_monday(week):
    issue = briefing_create(actor=week.regulator_a, node=week.township,
                            week_start=MONDAY + datetime.timedelta(days=3))
    assert issue.week_start == MONDAY and issue.week_end == MONDAY + datetime.timedelta(days=6)
    assert parse_week(f"{MONDAY.isocalendar()[0]}-W{MONDAY.isocalendar()[1]:02d}") == MONDAY


@pytest.mark.parametrize("value", ["", "2026-13-40", "last week", None])
def test_a_missing_or_malformed_week_names_the_field(week, value):
    with pytest.raises(ValidationError) as exc:
        briefing_create(actor=week.regulator_a, node=week.township, week_start=value)
    assert "week_start" in exc.value.message_dict
    assert not Briefing.objects.exists()


def test_a_week_not_ended_or_in_the_future_is_refused(week):
    for day, word in ((TODAY, "not ended"), (TODAY + datetime.timedelta(days=8), "future")):
        with pytest.raises(ValidationError) as exc:
            briefing_create(actor=week.regulator_a, node=week.township, week_start=day)
        assert word in exc.value.message_dict["week_start"][0]
    assert not Briefing.objects.exists()


def test_a_second_issue_of_the_same_week_is_refused_naming_the_first(week):
    first = briefing_create(actor=week.regulator_a, node=week.township, week_start=MONDAY)
    with pytest.raises(BriefingExists) as exc:
        briefing_create(actor=week.task_force, node=week.township,
                        week_start=MONDAY + datetime.timedelta(days=6))
    assert exc.value.briefing == first
    assert "A draft already covers" in exc.value.message_dict["week_start"][0]
    briefing_issue(actor=week.regulator_a, briefing=first)
    with pytest.raises(BriefingExists) as exc:
        briefing_create(actor=week.task_force, node=week.township, week_start=MONDAY)
    assert "Issue 1" in exc.value.message_dict["week_start"][0]
    assert Briefing.objects.count() == 1


def test_a_jurisdiction_outside_the_area_is_not_found(week):
    with pytest.raises(Jurisdiction.DoesNotExist):
        briefing_create(actor=week.regulator_b, node=week.township, week_start=MONDAY)


@pytest.mark.parametrize("who", ["courier_a1", "inspector", "station_manager", "gas_admin",
                                 "auditor"])
def test_other_roles_do_not_write_briefings(week, who):
    with pytest.raises(PermissionDenied):
        briefing_create(actor=getattr(week, who), node=week.township, week_start=MONDAY)


def test_the_figures_equal_the_records(week):
    issue = briefing_create(actor=week.regulator_a, node=week.township, week_start=MONDAY)
    snap = issue.snapshot
    h = snap["headline"]
    assert (h["households_reached"]["value"], h["inspection_coverage"]["denominator"]) == (2, 5)
    assert h["hazards_found"]["value"] == 1
    assert snap["previous"]["households_reached"]["value"] == 1
    children = {c["name"]: c["kpis"] for c in snap["children"]}
    assert set(children) == {"一村", "二村"}
    assert children["一村"]["households_reached"]["value"] == 1
    assert children["一村"]["inspection_coverage"]["denominator"] == 3
    assert children["二村"]["inspection_coverage"]["value"] == 0.5
    # Every hazard of the area whenever found, as of the day of generation: the week's new
    # one and the old one, overdue at step 2; the previous week is computed, not left out.
    now = snap["to_date"]
    assert (now["hazards_open"]["value"], now["hazards_overdue"]["value"]) == (2, 1)
    assert now["hazards_overdue_step_2"]["value"] == 1
    assert set(snap["previous"]) == set(snap["headline"]) == set(briefing.HEADLINE)
    assert {c["name"]: c["to_date"]["hazards_overdue"]["value"]
            for c in snap["children"]} == {"一村": 0, "二村": 1}
    assert [r["id"] for r in snap["hazards"]["overdue_list"]] == [week.old_hazard.pk]
    assert snap["campaigns"] is None and snap["training"] is None
    with translation.override("en"):
        text = briefing.texts(snap)
    assert "2 households were inspected" in text["headline"]
    assert "up 20.0 percentage points" in text["headline"]  # 1/5 → 2/5
    assert text["children"] == "Highest inspection coverage: 二村 (50.0%). Lowest: 一村 (33.3%)."
    assert "left out" in text["campaigns"] and "left out" in text["training"]


def test_a_period_without_data_says_no_data(week):
    empty = core_services.jurisdiction_create(actor=None, name="空乡", level="township",
                                              parent=week.district_a)
    issue = briefing_create(actor=week.regulator_a, node=empty, week_start=MONDAY)
    s = briefing.sections(issue)
    assert {r["name"]: r["value"] for r in s["headline"]}["inspection_coverage"] == "—"
    assert briefing.pdf(issue).startswith(b"%PDF")
    assert briefing.xlsx(issue)[:2] == b"PK"


def _pdf_text(data: bytes) -> str:
    if not shutil.which("pdftotext"):
        # Not a skip: a run without poppler-utils would pass without reading the PDF at all
        # (the README names the package; .ci/run installs it).
        pytest.fail("pdftotext (poppler-utils) is not installed: apt-get install poppler-utils")
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_the_pdf_carries_the_title_and_chinese_names(week):
    issue = briefing_create(actor=week.regulator_a, node=week.township, week_start=MONDAY)
    issue = briefing_issue(actor=week.regulator_a, briefing=issue)
    with translation.override("zh-hans"):
        text = _pdf_text(briefing.pdf(issue))
        title = briefing.title(issue.number)
    # The title in the page's language (燃气安全专班工作简报 第 1 期 once the Chinese
    # catalogue holds it); the names of the places are Chinese whatever the language.
    assert title.split()[0] in text.replace("\n", " ")
    assert "一村" in text and "二村" in text
    if "简报" in title:
        assert "简报" in text


def test_the_workbook_holds_the_same_figures_one_sheet_per_section(week):
    import openpyxl

    issue = briefing_create(actor=week.regulator_a, node=week.township, week_start=MONDAY)
    with translation.override("en"):
        book = openpyxl.load_workbook(io.BytesIO(briefing.xlsx(issue)))
    assert book.sheetnames == ["Headline", "By jurisdiction", "Hazards",
                               "Campaigns and training"]
    head = book["Headline"]
    rows = {head.cell(r, 6).value: head.cell(r, 2).value for r in range(7, head.max_row + 1)}
    assert rows["households_reached"] == 2 and rows["inspection_coverage"] == 0.4
    by = book["By jurisdiction"]
    assert [by.cell(r, 1).value for r in (4, 5)] == ["一村", "二村"]
    assert by.cell(5, 3).value == 0.5
    hz = book["Hazards"]
    assert [hz.cell(r, 2).value for r in (3, 4)] == [2, 1]  # open, overdue now
    assert [hz.cell(r, 2).value for r in range(9, 14)] == [0, 0, 1, 0, 0]  # steps 4 .. 0


def test_a_later_download_shows_the_figures_as_generated(week):
    import openpyxl

    issue = briefing_create(actor=week.regulator_a, node=week.township, week_start=MONDAY)
    # A late record of the same week.
    visit(week.courier_a1, week.homes[2], Outcome.INSPECTED,
          when=at(MONDAY + datetime.timedelta(4)), kind="delivery")
    issue.refresh_from_db()
    book = openpyxl.load_workbook(io.BytesIO(briefing.xlsx(issue)))
    head = book.worksheets[0]
    rows = {head.cell(r, 6).value: head.cell(r, 2).value for r in range(7, head.max_row + 1)}
    assert rows["households_reached"] == 2


# --- Pages ----------------------------------------------------------------------------------


def test_the_list_page_offers_last_week_and_generates(week, client):
    client.force_login(week.regulator_a)
    page = client.get("/dashboard/briefings/")
    assert page.status_code == 200
    assert f'value="{MONDAY.isoformat()}"' in page.content.decode()
    answer = client.post("/dashboard/briefings/", {"jurisdiction": week.township.pk,
                                                   "week_start": MONDAY.isoformat()})
    issue = Briefing.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/dashboard/briefings/{issue.pk}/"
    detail = client.get(answer["Location"])
    assert detail.status_code == 200 and "一村" in detail.content.decode()
    pdf = client.get(f"/dashboard/briefings/{issue.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/dashboard/briefings/{issue.pk}.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    again = client.post("/dashboard/briefings/", {"jurisdiction": week.township.pk,
                                                  "week_start": MONDAY.isoformat()})
    assert again.status_code == 400 and 'data-testid="existing"' in again.content.decode()


def test_the_page_names_the_field_of_a_bad_week(week, client):
    client.force_login(week.regulator_a)
    for value in ("", "2026-02-30", (TODAY + datetime.timedelta(days=10)).isoformat()):
        answer = client.post("/dashboard/briefings/", {"jurisdiction": week.township.pk,
                                                       "week_start": value})
        assert answer.status_code == 400
        assert 'data-field="week_start"' in answer.content.decode()
    assert not Briefing.objects.exists()


def test_pages_answer_404_outside_the_area_and_403_to_the_wrong_role(week, client):
    issue = briefing_create(actor=week.regulator_a, node=week.township, week_start=MONDAY)
    client.force_login(week.regulator_b)
    # A jurisdiction of the form out of the area: like an unknown one, next to its field.
    outside = client.post("/dashboard/briefings/", {"jurisdiction": week.township.pk,
                                                    "week_start": MONDAY})
    assert outside.status_code == 400 and 'data-field="jurisdiction"' in outside.content.decode()
    assert Briefing.objects.count() == 1
    for url in (f"/dashboard/briefings/{issue.pk}/", f"/dashboard/briefings/{issue.pk}.pdf",
                f"/dashboard/briefings/{issue.pk}.xlsx"):
        assert client.get(url).status_code == 404
    assert 'data-briefing' not in client.get("/dashboard/briefings/").content.decode()
    # A courier of the area reads the issue but does not generate one.
    client.force_login(week.courier_a1)
    listing = client.get("/dashboard/briefings/")
    assert listing.status_code == 200 and 'data-testid="briefing-form"' not in \
        listing.content.decode()
    assert client.post("/dashboard/briefings/", {"jurisdiction": week.village_a1.pk,
                                                 "week_start": MONDAY}).status_code == 403
    client.force_login(week.auditor)
    assert client.get("/dashboard/briefings/").status_code == 403


# --- Concurrency ----------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real concurrent test needs "
                    "PostgreSQL (SQLite serialises writers)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_drafts_issued_at_once_get_two_numbers(settings, tmp_path):
    import threading

    from django.db import connections

    from tests.cast import Cast

    settings.MEDIA_ROOT = tmp_path
    world = build_week(Cast())
    drafts = [briefing_create(actor=world.regulator_a, node=world.township, week_start=day)
              for day in (MONDAY, MONDAY - datetime.timedelta(days=7))]
    # Two drafts issued at once, and the first one a second time.
    targets = [drafts[0], drafts[1], drafts[0]]
    barrier = threading.Barrier(len(targets))
    results = []

    def issue(draft):
        try:
            barrier.wait()
            results.append(briefing_issue(actor=world.regulator_a, briefing=draft).number)
        except ValidationError as exc:
            assert "state" in exc.message_dict
            results.append("issued")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(d,)) for d in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results, key=str) == [1, 2, "issued"], results
    assert sorted(Briefing.objects.values_list("number", flat=True)) == [1, 2]


# --- API ------------------------------------------------------------------------------------


def test_the_api_generates_lists_and_downloads(week, api):
    client = api.as_(week.regulator_a)
    made = client.post("/api/v1/briefings/", {"jurisdiction": week.township.code,
                                              "week_start": MONDAY.isoformat()}, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["number"] is None and body["state"] == "draft"
    assert body["week_start"] == MONDAY.isoformat()
    assert body["snapshot"]["headline"]["households_reached"]["value"] == 2
    again = client.post("/api/v1/briefings/", {"jurisdiction": week.township.code,
                                               "week_start": MONDAY.isoformat()}, format="json")
    assert again.status_code == 409 and again.json()["existing"] == body["id"]
    future = client.post("/api/v1/briefings/", {"jurisdiction": week.township.code,
                                                "week_start": "2999-01-04"}, format="json")
    assert future.status_code == 400 and future.json()["errors"][0]["field"] == "week_start"
    listed = client.get("/api/v1/briefings/").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    assert client.get(body["pdf"]).content.startswith(b"%PDF")
    assert client.get(body["xlsx"]).content[:2] == b"PK"
    other = api.as_(week.regulator_b)
    assert other.get(body["pdf"]).status_code == 404
    assert other.get("/api/v1/briefings/").json()["results"] == []
    outside = other.post("/api/v1/briefings/", {"jurisdiction": week.township.code,
                                                "week_start": MONDAY.isoformat()}, format="json")
    assert outside.status_code == 400 and outside.json()["errors"][0]["field"] == "jurisdiction"
    assert api.as_(week.courier_a1).post("/api/v1/briefings/", {
        "jurisdiction": week.village_a1.code, "week_start": MONDAY.isoformat()},
        format="json").status_code == 403
    assert api.as_(week.auditor).get("/api/v1/briefings/").status_code == 403
