"""The dashboard, the records behind its figures, the big screen: every figure equals the count
of its drill-down list; scoping; bad parameters."""

import datetime
import io
import json
import re

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone, translation

from ranan.core import kpis


def login(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def period():
    today = timezone.localdate()
    return (today - datetime.timedelta(days=29)).isoformat(), today.isoformat()


def test_the_dashboard_shows_every_kpi_and_its_figure_equals_its_records(world):
    client = login(world.regulator_a)
    start, end = period()
    page = client.get(f"/dashboard/?jurisdiction=990101&from={start}&to={end}")
    assert page.status_code == 200
    html = page.content.decode()
    cards = dict(re.findall(r'data-testid="kpi-card" data-kpi="(\w+)" data-numerator="(\d+)"', html))
    assert set(kpis.BY_NAME) <= set(cards)
    assert cards["hazards_found"] == "1" and cards["interlock_refusals"] == "1"
    for name, numerator in cards.items():
        listing = client.get(f"/dashboard/records/{name}/?jurisdiction=990101&from={start}"
                             f"&to={end}")
        count = re.search(r'data-testid="count" data-count="(\d+)"', listing.content.decode())
        assert count and count.group(1) == numerator, name


def test_the_ranking_drills_down_to_the_child_and_its_records(world):
    client = login(world.regulator_a)
    start, end = period()
    html = client.get(f"/dashboard/?jurisdiction=990101&from={start}&to={end}").content.decode()
    assert 'data-child="甲乡"' in html  # the district's one township
    township = client.get(f"/dashboard/?jurisdiction=990101100&from={start}&to={end}")
    body = township.content.decode()
    assert 'data-child="一村"' in body and 'data-child="二村"' in body
    # the village's figures in the township's table equal the lists behind them
    row = body[body.index('data-child="一村"'):body.index('data-child="二村"')]
    for name, numerator in re.findall(r'data-kpi="(\w+)" data-numerator="(\d+)"', row):
        listing = client.get(f"/dashboard/records/{name}/?jurisdiction=990101100201"
                             f"&from={start}&to={end}").content.decode()
        assert f'data-count="{numerator}"' in listing, name


def test_the_denominator_list_and_the_spreadsheet(world):
    client = login(world.regulator_a)
    start, end = period()
    base = client.get(f"/dashboard/records/metal_hose_coverage/?jurisdiction=990101&from={start}"
                      f"&to={end}&part=base").content.decode()
    assert 'data-count="6"' in base
    xlsx = client.get(f"/dashboard/records/metal_hose_coverage/?jurisdiction=990101&from={start}"
                      f"&to={end}&part=base&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 2 + 6


def test_scoping_and_roles(world):
    start, end = period()
    other = login(world.regulator_b)
    assert other.get(f"/dashboard/?jurisdiction=990101&from={start}&to={end}").status_code == 404
    assert other.get("/dashboard/records/hazards_found/?jurisdiction=990101").status_code == 404
    assert other.get("/dashboard/big-screen/?jurisdiction=990101").status_code == 404
    # Its own area is the default and shows nothing of district A.
    html = other.get("/dashboard/").content.decode()
    assert "乙区" in html and 'data-kpi="hazards_found" data-numerator="0"' in html
    auditor = login(world.auditor)
    assert auditor.get("/dashboard/").status_code == 403
    assert Client().get("/dashboard/").status_code == 302  # to the login page
    assert login(world.regulator_a).get("/dashboard/records/nope/").status_code == 404


def test_a_courier_sees_only_the_village(world):
    client = login(world.courier_a1)
    html = client.get("/dashboard/").content.decode()
    assert "一村" in html
    assert client.get("/dashboard/?jurisdiction=990101").status_code == 404


@pytest.mark.parametrize("query, field", [
    ("from=2026-13-01", "from"), ("from=2026-01-10&to=2026-01-01", "from"),
    ("from=2999-01-01", "from")])
def test_bad_periods_say_which_parameter(world, query, field):
    client = login(world.regulator_a)
    page = client.get(f"/dashboard/?jurisdiction=990101&{query}")
    assert page.status_code == 200
    assert f'data-field="{field}"' in page.content.decode()


def test_an_empty_period_says_no_data(world):
    client = login(world.regulator_a)
    html = client.get("/dashboard/?jurisdiction=990101&from=2001-01-01&to=2001-01-31"
                      ).content.decode()
    assert "暂无数据" in html  # "no data": pages speak Chinese unless asked otherwise
    assert 'data-kpi="hazards_found" data-numerator="0"' in html


def test_the_big_screen(world):
    client = login(world.regulator_a)
    page = client.get("/dashboard/big-screen/?jurisdiction=990101&refresh=30")
    html = page.content.decode()
    assert page.status_code == 200 and 'content="30"' in html
    assert 'data-kpi="inspection_coverage"' in html
    data = json.loads(re.search(r'id="big-data" type="application/json">(.*?)</script>', html)
                      .group(1))
    assert data == [{"name": "甲乡", "coverage": pytest.approx(2 / 6), "overdue": 0}]


def test_the_timeseries_and_breakdown_api(world, api):
    client = api.as_(world.regulator_a)
    today = timezone.localdate()
    series = client.get(f"/api/v1/kpis/timeseries?jurisdiction=990101&to={today}&weeks=4"
                        "&kpi=hazards_found").json()
    assert len(series["weeks"]) == 4
    assert sum(w["kpis"][0]["value"] for w in series["weeks"]) == 1
    assert series["weeks"][-1]["to"] == today.isoformat()
    assert client.get("/api/v1/kpis/timeseries?jurisdiction=990101&weeks=0").json()[
        "errors"][0]["field"] == "weeks"
    down = client.get("/api/v1/kpis/breakdown?jurisdiction=990101100&kpi=households_reached"
                      ).json()
    assert [(c["name"], c["kpis"][0]["value"]) for c in down["children"]] == [
        ("一村", 2), ("二村", 0)]
    assert client.get("/api/v1/kpis/breakdown?jurisdiction=990102").status_code == 404
    assert client.get("/api/v1/kpis/breakdown?jurisdiction=990101&kpi=nope").json()[
        "errors"][0]["field"] == "kpi"


def test_an_account_with_two_villages_switches_between_them(world):
    world.courier_a1.area.add(world.village_a2)
    client = login(world.courier_a1)
    html = client.get("/dashboard/").content.decode()
    assert 'data-testid="my-areas"' in html and "二村" in html
    assert client.get(f"/dashboard/?jurisdiction={world.village_a2.code}").status_code == 200


def test_every_data_role_home_shows_its_area_figures(world):
    for account, area in ((world.regulator_a, "甲区"), (world.courier_a1, "一村"),
                          (world.station_manager, "甲区")):
        html = login(account).get("/").content.decode()
        assert 'data-testid="home-figures"' in html and area in html, account
        assert 'data-kpi="inspection_coverage"' in html
    assert 'data-testid="home-figures"' not in login(world.auditor).get("/").content.decode()


def test_each_unit_reads_as_people_read_it():
    from ranan.reports.templatetags.kpi import kpi_value

    with translation.override("en"):
        assert kpi_value({"value": 0.875, "unit": "ratio"}) == "87.5%"
        assert kpi_value({"value": 3.04, "unit": "hours"}) == "3.0 h"
        assert kpi_value({"value": 2.46, "unit": "days"}) == "2.5 d"
        assert kpi_value({"value": 26.58, "unit": "per_100"}) == "26.6"
        assert kpi_value({"value": 1204, "unit": "count"}) == "1,204"
        assert kpi_value({"value": None, "unit": "days"}) == "no data"


def test_a_courier_of_two_villages_sees_the_figures_of_both_at_home(world):
    world.courier_a1.area.add(world.village_a2)
    html = login(world.courier_a1).get("/").content.decode()
    assert html.count('data-testid="home-figures"') == 2
    for village in (world.village_a1, world.village_a2):
        assert f'data-area="{village.code}"' in html and village.name in html
        assert f"jurisdiction={village.code}" in html


def test_an_area_inside_another_of_the_accounts_is_not_shown_twice(world):
    world.regulator_a.area.add(world.village_a2)  # already inside the district
    html = login(world.regulator_a).get("/").content.decode()
    assert html.count('data-testid="home-figures"') == 1
