"""The courier's load and home in Chromium (issue 15 items 1, 8, 10 and 11).

At a phone's size courier01's home starts with today's round across both its villages, the
figures after it; its round shows its load (the demo's station loaded all but one cylinder).
At the door a full cylinder still at the station is refused with what to do. At a desk the
station loads the round: the full cylinder goes out to the courier, an overdue one is refused
with its reason; the cylinders' sub-menu highlights the page it is on and the scan page finds
a customer by name. Back at the door the same cylinder is delivered."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from tests.browser.test_inspections import answer_everything_safe, sign

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
STATION = "虎峰液化气站"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local_now() -> datetime.datetime:
    """The station's clock (the demo server runs on the real clock)."""
    return datetime.datetime.now(SHANGHAI)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def an_overdue_cylinder(api) -> str:
    today = local_now().date().isoformat()
    rows = api("cylinders/?overdue=true&page_size=500")["results"]
    overdue = [r["code"] for r in rows if r["station"] == STATION and "15" in r["type"]
               and r["next_inspection_due"] < today and r["state"] in ("empty", "full")]
    assert overdue, "the demo has overdue cylinders at the station"
    return overdue[0]


def a_full_cylinder_at_the_station(api) -> str:
    today = local_now().date().isoformat()
    rows = api("cylinders/?state=full&page_size=500")["results"]
    good = [r["code"] for r in rows if "15" in r["type"] and r["station"] == STATION
            and r["next_inspection_due"] >= today and r["scrap_on"] > today]
    assert good, "the demo has full cylinders at the station"
    return good[-1]


def an_open_stop_of_one_cylinder(phone):
    """The first open stop of today's round for one 15 kg cylinder, household supplied."""
    for stop in phone.locator("[data-testid=round-today] [data-testid=stop]").all():
        if stop.get_attribute("data-state") not in ("new", "scheduled", "out"):
            continue
        if stop.locator("[data-testid=stop-shut-off], [data-testid=badge-refusals]").count():
            continue
        text = stop.locator("[data-testid=stop-cylinders]").inner_text()
        if text.startswith("1 ×") and "15" in text:
            return stop
    raise AssertionError("courier01 has an open stop of one 15 kg cylinder today")


def fill_the_door_form(phone, code):
    phone.locator("[data-testid=full-code]").nth(0).fill(code)
    phone.locator("[data-testid=check-done]").click()
    answer_everything_safe(phone)
    sign(phone)
    phone.locator("[data-testid=payment-cash]").click()
    with phone.expect_navigation():
        phone.locator("[data-testid=submit-delivery]").click()


def test_the_courier_home_its_load_and_the_station_loading_the_round(
        new_page, login, artifacts, api):
    # 1. Home on the phone: today's round first, across both villages; figures after.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(phone, "courier01")
    panel = phone.locator("[data-testid=home-round]")
    assert panel.count() == 1
    villages = panel.locator("[data-testid=home-village]")
    assert villages.count() == 2
    assert all(int(v.get_attribute("data-stops")) >= 1 for v in villages.all())
    assert panel.locator("[data-testid=home-stop]").count() >= 2
    top = panel.bounding_box()["y"]
    for other in ("[data-testid=kpi-card]", "[data-testid=places]"):
        if phone.locator(other).count():
            assert top < phone.locator(other).first.bounding_box()["y"], other
    no_sideways_scroll(phone)
    phone.screenshot(path=artifacts / "courier-home-round-phone.png", full_page=True)

    # 2. The round shows the load: the station loaded all but one.
    with phone.expect_navigation():
        panel.locator("[data-testid=home-open-round]").click()
    load = phone.locator("[data-testid=round-today] [data-testid=my-load]")
    assert load.count() == 1
    carried = int(load.get_attribute("data-carried"))
    assert carried >= 1 and int(load.get_attribute("data-missing")) >= 1
    assert load.locator("[data-testid=load-missing]").count() == 1
    no_sideways_scroll(phone)
    phone.screenshot(path=artifacts / "courier-my-load-phone.png", full_page=True)
    round_id = phone.locator("[data-testid=round-today]").get_attribute("data-round")

    # 3. At the door, a full cylinder never loaded: refused, saying what to do.
    stop = an_open_stop_of_one_cylinder(phone)
    order_id = stop.get_attribute("data-order")
    with phone.expect_navigation():
        stop.locator("[data-testid=deliver]").click()
    full = a_full_cylinder_at_the_station(api)
    fill_the_door_form(phone, full)
    refused = phone.locator("[data-field='full_codes.0']")
    assert refused.count() >= 1, phone.locator("[data-testid=form-errors]").all_inner_texts()
    refused.first.scroll_into_view_if_needed()
    no_sideways_scroll(phone)
    phone.screenshot(path=artifacts / "courier-door-not-loaded-phone.png")

    # 4. At a desk the station loads the round: the full one goes out, an overdue one not.
    desk = new_page()
    login(desk, "station")
    desk.goto(f"/delivery/rounds/{round_id}/")
    assert desk.locator("[data-testid=delivery-nav] .btn-primary").count() == 1
    overdue = an_overdue_cylinder(api)
    desk.locator("[data-testid=load-form] textarea[name=codes]").fill(f"{full}\n{overdue}\n")
    with desk.expect_navigation():
        desk.locator("[data-testid=load-submit]").click()
    answer = desk.locator("[data-testid=load-answer]")
    assert (answer.get_attribute("data-loaded"), answer.get_attribute("data-refused")) == (
        "1", "1")
    assert desk.locator(f"[data-testid=load-result][data-code='{full}']").get_attribute(
        "data-verdict") == "allow"
    bad = desk.locator(f"[data-testid=load-result][data-code='{overdue}']")
    assert bad.get_attribute("data-verdict") == "refuse"
    assert bad.locator("[data-reason]").count() >= 1
    held = desk.locator("[data-testid=load-held]")
    assert full in held.inner_text()
    desk.screenshot(path=artifacts / "station-load-round-desktop.png", full_page=True)

    # The cylinders' sub-menu highlights the page it is on; the scan page finds a customer.
    desk.goto("/cylinders/refusals/")
    current = desk.locator("[data-testid=cylinder-nav] a.btn-primary")
    assert current.count() == 1 and current.get_attribute("data-testid") == "nav-refusals"
    desk.screenshot(path=artifacts / "station-cylinder-nav-refusals-desktop.png")
    desk.goto("/cylinders/scan/?action=deliver")
    assert desk.locator("[data-testid=cylinder-nav] a.btn-primary").get_attribute(
        "data-testid") == "nav-scan"
    villager = api(f"orders/{order_id}/")["customer_name"]
    desk.locator("[data-testid=customer-search] input[name=customer_q]").fill(villager)
    with desk.expect_navigation():
        desk.locator("[data-testid=customer-search] button[type=submit]").click()
    results = desk.locator("[data-testid=customer-result]")
    assert results.count() >= 1
    desk.screenshot(path=artifacts / "station-scan-customer-results-desktop.png", full_page=True)
    assert "****" in results.first.inner_text()  # the phone masked
    with desk.expect_navigation():
        results.first.click()
    assert desk.locator("[data-testid=chosen-customer]").count() == 1
    assert desk.locator("[data-testid=scan-form] input[name=customer]").input_value()
    assert desk.locator("[data-testid=scan-form] select[name=action]").input_value() == "deliver"
    desk.screenshot(path=artifacts / "station-scan-customer-search-desktop.png", full_page=True)

    # 5. Back at the door, the same cylinder goes through; the load counts it delivered.
    phone.goto(f"/delivery/orders/{order_id}/deliver/")
    fill_the_door_form(phone, full)
    assert phone.url.rstrip("/").endswith("/delivery"), (
        phone.locator("[data-testid=form-errors]").all_inner_texts())
    done = phone.locator(f"[data-testid=stop][data-order='{order_id}']")
    assert done.get_attribute("data-state") == "delivered"
    after = phone.locator("[data-testid=round-today] [data-testid=my-load]")
    assert int(after.get_attribute("data-carried")) == carried  # one loaded, one delivered
    phone.screenshot(path=artifacts / "courier-my-load-after-phone.png", full_page=True)
    assert datetime.date.fromisoformat(api(f"orders/{order_id}/")["scheduled_date"]) <= (
        local_now().date())
