"""Issue 14 item 9: the rectification and on-time rates by hazard category add up to the area's
figures, and each number's drill-down lists exactly the hazards it counts."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from ranan.core import kpis as catalogue
from ranan.hazards import kpis, services
from ranan.hazards.choices import State
from ranan.hazards.models import Hazard
from tests.cast import With


@pytest.fixture
def found(homes):
    """Hose ×3 (one closed on time, one closed late), stove ×1 (closed on time), alarm ×1
    (open) in grid B1; one hose hazard in village A1 (another district)."""
    def make(category, home=None, actor=None):
        return services.hazard_create(actor=actor or homes.inspector,
                                      customer=home or homes.homes[0], category=category,
                                      description="x", source="inspection")

    now = timezone.now()
    hoses = [make("hose") for _ in range(3)]
    stove, alarm = make("stove"), make("alarm")
    elsewhere = make("hose", homes.lpg_home, homes.courier_a1)
    for h, late in ((hoses[0], False), (hoses[1], True), (stove, False)):
        fixed = now + datetime.timedelta(days=30 if late else 0)
        Hazard.objects.filter(pk=h.pk).update(state=State.CLOSED, fixed_at=fixed,
                                              closed_at=fixed)
    return With(homes, hoses=hoses, stove=stove, alarm=alarm, elsewhere=elsewhere)


def period():
    today = timezone.localdate()
    return today - datetime.timedelta(days=29), today


def test_the_categories_add_up_to_the_area(found):
    start, end = period()
    rows = kpis.by_category(found.admin, found.district_b.path, start, end)
    by_code = {r["category"].code: r["kpis"] for r in rows}
    assert set(by_code) == {"hose", "stove", "alarm"}
    hose = by_code["hose"]
    assert (hose["hazards_found"]["value"], hose["hazards_closed"]["value"]) == (3, 2)
    assert hose["rectification_rate"]["value"] == pytest.approx(2 / 3)
    assert (hose["on_time_rate"]["numerator"], hose["on_time_rate"]["denominator"]) == (1, 2)
    assert by_code["alarm"]["on_time_rate"]["value"] is None  # none closed
    totals = {r["name"]: r for r in catalogue.compute(found.admin, found.district_b.path,
                                                      start, end, kpis.BY_CATEGORY,
                                                      stored=False)}
    for name in kpis.BY_CATEGORY:
        for part in ("numerator", "denominator"):
            if totals[name][part] is None:
                continue
            assert sum(r["kpis"][name][part] for r in rows) == totals[name][part], (name, part)
    # The whole province counts the other district's hose too.
    province = {r["category"].code: r for r in kpis.by_category(
        found.admin, found.province.path, start, end)}
    assert province["hose"]["kpis"]["hazards_found"]["value"] == 4


def ids(answer):
    assert answer.status_code == 200
    return {h.pk for h in answer.context["page"].object_list}


def test_the_drill_down_lists_exactly_the_counted_hazards(found):
    client = Client()
    client.force_login(found.regulator_b)
    start, end = period()
    base = kpis.drill_params(found.district_b, start, end)
    url = "/hazards/by-category/records/?" + base
    closed = client.get(url + "&kpi=rectification_rate&category=hose")
    assert ids(closed) == {found.hoses[0].pk, found.hoses[1].pk}
    assert ids(client.get(url + "&kpi=rectification_rate&category=hose&part=base")) == {
        h.pk for h in found.hoses}
    assert ids(client.get(url + "&kpi=on_time_rate&category=hose")) == {found.hoses[0].pk}
    assert ids(client.get(url + "&kpi=hazards_found")) == {
        *(h.pk for h in found.hoses), found.stove.pk, found.alarm.pk}
    # The table's links are those drill-downs, with the same numbers.
    page = client.get("/hazards/by-category/?" + base)
    assert page.status_code == 200
    rows = {r["code"]: r for r in page.context["table"]["rows"]}
    link = rows["hose"]["kpis"]["on_time_rate"]["url"]
    assert ids(client.get(link)) == {found.hoses[0].pk}
    assert 'data-kpi="hazards_found" data-n="3"' in page.content.decode()


def test_bad_requests(found):
    client = Client()
    client.force_login(found.regulator_b)
    assert client.get("/hazards/by-category/records/?kpi=cylinders_overdue").status_code == 404
    assert client.get("/hazards/by-category/records/?kpi=hazards_found&category=nope"
                      ).status_code == 404
    assert client.get("/hazards/by-category/?jurisdiction=990101").status_code == 404  # not B
    bad = client.get("/hazards/by-category/?from=2026-13-01")
    assert bad.status_code == 400 and 'data-field="from"' in bad.content.decode()
    auditor = Client()
    auditor.force_login(found.auditor)
    assert auditor.get("/hazards/by-category/").status_code == 403


def test_the_api(found, api):
    client = api.as_(found.regulator_b)
    start, end = period()
    answer = client.get("/api/v1/hazards/by-category/", {"jurisdiction": "990102",
                                                         "from": start.isoformat()})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    hose = next(r for r in body["categories"] if r["category"] == "hose")
    rate = next(k for k in hose["kpis"] if k["name"] == "rectification_rate")
    assert (rate["numerator"], rate["denominator"]) == (2, 3)
    found_total = next(k for k in body["total"] if k["name"] == "hazards_found")
    assert found_total["value"] == 5
    records = client.get("/api/v1/hazards/by-category/records",
                         {"kpi": "rectification_rate", "category": "hose",
                          "jurisdiction": "990102"})
    assert records.status_code == 200, records.content
    assert {r["id"] for r in records.json()["results"]} == {found.hoses[0].pk,
                                                            found.hoses[1].pk}

    def fields(response):
        assert response.status_code == 400, response.content
        return {e["field"] for e in response.json()["errors"]}

    assert fields(client.get("/api/v1/hazards/by-category/records")) == {"kpi"}
    assert fields(client.get("/api/v1/hazards/by-category/records",
                             {"kpi": "hazards_found", "category": "nope"})) == {"category"}
    assert fields(client.get("/api/v1/hazards/by-category/records",
                             {"kpi": "hazards_found", "from": "soon"})) == {"from"}
    assert fields(client.get("/api/v1/hazards/by-category/", {"to": "x"})) == {"to"}
    assert client.get("/api/v1/hazards/by-category/",
                      {"jurisdiction": "990101"}).status_code == 404
    assert api.as_(found.auditor).get("/api/v1/hazards/by-category/").status_code == 403


def test_the_dashboard_shows_the_categories(found):
    client = Client()
    client.force_login(found.regulator_b)
    page = client.get("/dashboard/", {"jurisdiction": "990102"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="by-category"' in html
    rows = {r["code"]: r for r in page.context["categories"]["rows"]}
    assert rows["hose"]["kpis"]["hazards_closed"]["value"] == 2
    assert client.get(rows["hose"]["kpis"]["hazards_closed"]["url"]).status_code == 200
