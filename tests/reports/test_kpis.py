# ruff: noqa: F811  (the fixtures are re-exported from conftest for older imports)
"""The KPI catalogue: every KPI computed through the owning app's selectors, each figure equal
to a count of the records behind it; the API's answers and bad input; scoping."""

import datetime

import pytest
from django.db.models import F
from django.utils import timezone

from ranan.core import kpis
from ranan.hazards import services as hazard_services
from tests.reports.conftest import _media, world  # noqa: F401, F811  (re-exported)


def figures(world, **kw):
    today = timezone.localdate()
    rows = kpis.compute(world.regulator_a, world.district_a.path,
                        today - datetime.timedelta(days=29), today, **kw)
    return {r["name"]: r for r in rows}


def test_every_kpi_of_the_issue_is_in_the_catalogue(world):
    names = {"inspection_coverage", "entry_success", "households_reached", "hazards_found",
             "hazards_open", "hazards_closed", "rectification_rate", "on_time_rate",
             "hazards_overdue", "metal_hose_coverage", "self_closing_valve_coverage",
             "regulator_cutoff_coverage", "alarm_coverage", "cylinders_overdue",
             "interlock_refusals", "deliveries_checked_rate", "delivery_wait_median_hours",
             "unreached_revisit", "unreached_shut_off", "valves_shut"}
    assert names <= set(kpis.BY_NAME)
    assert set(figures(world)) == set(kpis.BY_NAME)


def test_the_figures_equal_their_records(world):
    f = figures(world)
    # Households: villager (build_shop), 卓玛 (build_fleet), 户0-3: six active LPG households.
    assert f["inspection_coverage"]["denominator"] == 6
    assert f["inspection_coverage"]["numerator"] == 2  # 户0 and 户3 (the delivery's check)
    assert (f["entry_success"]["numerator"], f["entry_success"]["denominator"]) == (2, 4)
    assert f["hazards_found"]["value"] == 1 and f["hazards_open"]["value"] == 1
    assert f["rectification_rate"]["value"] == 0
    # Home 0's metal hose and alarm on record, and home 3's confirmed by the check at its
    # delivery (a passing answer writes the device register back, issue 15 item 3).
    assert (f["metal_hose_coverage"]["numerator"], f["metal_hose_coverage"]["denominator"]) == (
        2, 6)
    assert f["alarm_coverage"]["numerator"] == 2
    assert f["cylinders_overdue"]["value"] == 2  # the fleet's overdue and past-scrap ones
    assert f["interlock_refusals"]["value"] == 1
    assert f["deliveries_checked_rate"]["value"] == 1.0
    assert f["unreached_revisit"]["value"] == 1 and f["unreached_shut_off"]["value"] == 1
    assert f["valves_shut"]["value"] == 0
    hazard = hazard_services.Hazard.objects.get()
    assert f["hazards_found"]["value"] == hazard_services.Hazard.objects.filter(
        pk=hazard.pk).count()


def test_another_area_sees_zeros(world):
    today = timezone.localdate()
    rows = {r["name"]: r for r in kpis.compute(world.regulator_b, world.district_b.path,
                                               today - datetime.timedelta(days=29), today)}
    assert rows["hazards_found"]["value"] == 0 and rows["interlock_refusals"]["value"] == 0
    assert rows["inspection_coverage"]["denominator"] == 0


def test_the_api(world, api):
    client = api.as_(world.regulator_a)
    answer = client.get(f"/api/v1/kpis/?jurisdiction=%23{world.district_a.pk}"
                        "&kpi=hazards_found&kpi=entry_success")
    assert answer.status_code == 200, answer.json()
    rows = answer.json()["kpis"]
    assert [r["name"] for r in rows] == ["entry_success", "hazards_found"]
    assert rows[0]["numerator"] == 2 and rows[0]["label"]
    assert client.get("/api/v1/kpis/").status_code == 200  # the account's own area
    assert client.get(f"/api/v1/kpis/?jurisdiction=%23{world.district_a.pk}&kpi=nope"
                      ).json()["errors"][0]["field"] == "kpi"
    assert client.get(f"/api/v1/kpis/?jurisdiction=%23{world.district_a.pk}&from=2026-13-01"
                      ).json()["errors"][0]["field"] == "from"
    other = api.as_(world.regulator_b).get(f"/api/v1/kpis/?jurisdiction=%23{world.district_a.pk}")
    assert other.status_code == 404  # not in the account's area
    assert api.as_(world.auditor).get("/api/v1/kpis/?jurisdiction=540000").status_code == 403


def test_a_percentile_is_the_same_on_both_databases(world):
    """The median and the 90th percentile of a duration: PostgreSQL's percentile_cont, or
    the same interpolation in Python on SQLite (days to close of five hazards: 1, 2, 3, 4, 10
    → median 3, 90th percentile 4 + 0.6 × 6 = 7.6)."""
    from ranan.hazards.models import Hazard

    for n in range(4):
        hazard_services.hazard_create(actor=world.station_manager, customer=world.homes[n],
                                      category="hose", description=f"软管{n}",
                                      source="inspection")
    now = timezone.now()
    for hazard, days in zip(Hazard.objects.order_by("pk"), (1, 2, 3, 4, 10), strict=True):
        Hazard.objects.filter(pk=hazard.pk).update(
            found_at=now - datetime.timedelta(days=days), closed_at=now)
    hazards = Hazard.objects.all()
    assert kpis.duration_percentile("found_at", "closed_at", 86400)(hazards) == \
        pytest.approx(3.0)
    assert kpis.duration_percentile("found_at", "closed_at", 86400, 0.9)(hazards) == \
        pytest.approx(7.6)
    by_home = kpis.duration_percentile("found_at", "closed_at", 86400)(
        hazards, F("customer__name"))
    assert by_home["户0"] == pytest.approx(1.5)  # H1 (1 day) and 软管0 (2 days)
