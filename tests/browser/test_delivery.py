"""Orders and home delivery in Chromium (issue 7). At a phone's size the courier of 桑珠林村
enters an order of two cylinders for a villager who asked in the WeChat group; the station
manager plans the round at a desk (the distance before and after, the route drawn); the
station fills two empty cylinders and dispatches them to the courier on the scan page; at the
door the courier first types an overdue cylinder (refused, the reason next to the code, nothing
recorded), then the two cylinders, does the safety check and takes the payment; the public page
of a delivered cylinder shows it is at a customer, no longer at the station, with its filling
of today. The station's other pages at a desk: the day, the rounds of the week, the report."""

from __future__ import annotations

import datetime
import json
import urllib.error
import urllib.request
import uuid
import zoneinfo

import pytest

from tests.browser.test_inspections import (  # noqa: E402
    answer_everything_safe,
    sign,
    valve_photo,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
VILLAGE = "540104100201"  # 桑珠林村, courier01's
STATION = "虎峰液化气站"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local_now() -> datetime.datetime:
    """The station's clock (the machine running the tests may be on UTC)."""
    return datetime.datetime.now(SHANGHAI)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


# The checklist and the signature are the visit form's: the same helpers drive both.


def cylinders_to_hand_over(api, count=2):
    """Empty 15 kg cylinders of the station, within their inspection period: the station
    fills them for the courier."""
    today = local_now().date().isoformat()
    rows = api("cylinders/?state=empty&page_size=500")["results"]
    good = [r["code"] for r in rows if "15" in r["type"] and r["station"] == STATION
            and r["next_inspection_due"] >= today and r["scrap_on"] > today]
    assert len(good) >= count, "the demo has empty cylinders at the station"
    return good[-count:]


def an_overdue_cylinder(api):
    today = local_now().date().isoformat()
    rows = api("cylinders/?overdue=true&page_size=500")["results"]
    overdue = [r["code"] for r in rows if r["station"] == STATION and "15" in r["type"]
               and r["next_inspection_due"] < today]
    assert overdue, "the demo has overdue cylinders"
    return overdue[0]


def scan(page, code, action, courier=None):
    form = page.locator("[data-testid=scan-form]")
    form.locator("input[name=code]").fill(code)
    form.locator("select[name=action]").select_option(action)
    if action == "fill":
        form.locator("input[name=net_weight_kg]").fill("14.9")
    if courier:
        options = form.locator("select[name=courier] option").all()
        value = [o.get_attribute("value") for o in options if f"({courier})" in o.inner_text()]
        form.locator("select[name=courier]").select_option(value[0])
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    verdict = page.locator("[data-testid=verdict]")
    assert verdict.get_attribute("data-verdict") == "allow", verdict.inner_text()


def test_a_courier_order_planned_delivered_with_two_scans_and_a_check(
        new_page, login, artifacts, api):
    villagers = api(f"customers/?jurisdiction={VILLAGE}&supply=lpg&page_size=50")["results"]
    villager = villagers[6]

    # 1. The courier enters the order on the phone, an hour after the villager asked.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(phone, "courier01")
    phone.goto("/delivery/")
    assert phone.locator("[data-testid=round-today]").count() == 1
    phone.screenshot(path=artifacts / "delivery-round-phone.png", full_page=True)
    no_sideways_scroll(phone)
    with phone.expect_navigation():
        phone.locator("[data-testid=new-order]").click()
    phone.locator("input[name=q]").fill(villager["name"])
    with phone.expect_navigation():
        phone.locator("[data-testid=customer-search] button[type=submit]").click()
    result = phone.locator(f"[data-testid=search-result][data-customer='{villager['id']}']")
    assert result.count() == 1, phone.locator("[data-testid=search-results]").inner_text()
    phone.screenshot(path=artifacts / "delivery-search-phone.png", full_page=True)
    with phone.expect_navigation():
        result.click()
    form = phone.locator("[data-testid=order-form]")
    assert "15" in form.locator("select[name=cylinder_type] option:checked").inner_text()
    form.locator("input[name=quantity]").fill("2")
    form.locator("label.urgent-switch").click()
    asked = local_now() - datetime.timedelta(hours=1)
    form.locator("input[name=received_at]").fill(asked.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=note]").fill("微信群里说的，放厨房门口")
    if phone.locator("[data-testid=real-name]").count():
        form.locator("input[name=buyer_name]").fill(villager["name"])
        form.locator("input[name=buyer_id_number]").fill("54010419800101001X")
    phone.screenshot(path=artifacts / "delivery-order-form-phone.png", full_page=True)
    no_sideways_scroll(phone)
    with phone.expect_navigation():
        form.locator("[data-testid=submit-order]").click()
    answer = phone.locator("[data-testid=answer]")
    assert answer.count() == 1, phone.locator("main, .page-body").first.inner_text()[:500]
    day = answer.get_attribute("data-date")
    assert answer.get_attribute("data-priority") == "0"  # urgent: served first
    order_id = phone.url.rstrip("/").rsplit("/", 1)[1]
    phone.screenshot(path=artifacts / "delivery-order-answer-phone.png", full_page=True)

    # 2. The station manager plans that round at a desk.
    desk = new_page()
    login(desk, "station")
    desk.goto(f"/delivery/rounds/?date={day}")
    desk.screenshot(path=artifacts / "delivery-rounds.png", full_page=True)
    desk.goto(f"/delivery/orders/{order_id}/")
    with desk.expect_navigation():
        desk.locator("[data-testid=order-round] a").click()
    assert desk.locator(f"[data-testid=stop-row][data-order='{order_id}']").count() == 1
    assert desk.locator("[data-testid=route-map]").get_attribute("data-planned") in ("0", "1")
    with desk.expect_navigation():
        desk.locator("[data-testid=plan]").click()
    before = float(desk.locator("[data-testid=km-before] [data-km]").inner_text())
    after = float(desk.locator("[data-testid=km-after] [data-km]").inner_text())
    assert 0 < after <= before
    svg = desk.locator("[data-testid=route-map]")
    assert svg.get_attribute("data-planned") == "1"
    assert svg.locator("[data-testid=map-station]").count() == 1
    assert svg.locator("[data-testid=map-stop]").count() >= 1
    assert desk.locator(f"[data-testid=stop-row][data-order='{order_id}']").get_attribute(
        "data-sequence")
    desk.screenshot(path=artifacts / "delivery-round-planned.png", full_page=True)

    # 3. The station fills two empty cylinders and dispatches them to the courier.
    codes = cylinders_to_hand_over(api)
    desk.goto("/cylinders/scan/")
    for code in codes:
        scan(desk, code, "fill")
        scan(desk, code, "dispatch", courier="courier01")

    # 4. At the door: an overdue cylinder first (refused), then the two, the check, cash.
    phone.goto("/delivery/")
    stop = phone.locator(f"[data-testid=stop][data-order='{order_id}']")
    assert stop.count() == 1
    assert stop.locator("[data-testid=badge-urgent]").count() == 1
    with phone.expect_navigation():
        stop.locator("[data-testid=deliver]").click()
    boxes = phone.locator("[data-testid=full-code]")
    assert boxes.count() == 2
    overdue = an_overdue_cylinder(api)
    boxes.nth(0).fill(codes[0].lower())
    boxes.nth(1).fill(overdue)
    # "Refused the check" hides the checklist and asks for a confirmation.
    phone.locator("[data-testid=check-refused]").click()
    assert phone.locator("[data-testid=confirm-refused]").is_visible()
    assert not phone.locator("[data-testid=checklist]").is_visible()
    phone.locator("[data-testid=check]").scroll_into_view_if_needed()
    phone.screenshot(path=artifacts / "delivery-check-refused-phone.png")
    phone.locator("[data-testid=check-done]").click()
    assert not phone.locator("[data-testid=confirm-refused]").is_visible()
    answer_everything_safe(phone)
    sign(phone)
    phone.locator("[data-testid=payment-cash]").click()
    phone.screenshot(path=artifacts / "delivery-deliver-form-phone.png", full_page=True)
    with phone.expect_navigation():
        phone.locator("[data-testid=submit-delivery]").click()
    # Refused next to the second code, a line per reason; the first one passed.
    refused = phone.locator("[data-field='full_codes.1']")
    assert refused.count() >= 1, phone.locator("[data-testid=form-errors]").all_inner_texts()
    assert any("检验" in text for text in refused.all_inner_texts())
    assert phone.locator("[data-field='full_codes.0']").count() == 0
    phone.screenshot(path=artifacts / "delivery-interlock-refused-phone.png")
    phone.screenshot(path=artifacts / "delivery-interlock-refused-phone-full.png",
                     full_page=True)
    # The answers and the signature are kept; the code is corrected.
    assert phone.locator("[data-testid=full-code]").nth(1).input_value() == overdue
    phone.locator("[data-testid=full-code]").nth(1).fill(codes[1])
    assert phone.locator("input[name=signature]").input_value().startswith("data:image/png")
    with phone.expect_navigation():
        phone.locator("[data-testid=submit-delivery]").click()
    assert phone.url.rstrip("/").endswith("/delivery"), (
        phone.locator("[data-testid=form-errors]").all_inner_texts())
    done = phone.locator(f"[data-testid=stop][data-order='{order_id}']")
    assert done.get_attribute("data-state") == "delivered"
    phone.screenshot(path=artifacts / "delivery-round-after-phone.png", full_page=True)

    # 5. The public page of a delivered cylinder: at a customer, filled today at the station.
    public = new_page(viewport={"width": 360, "height": 740})
    response = public.goto(f"/c/{codes[0]}")
    assert response.status == 200
    assert "在用户处" in public.locator("[data-testid=status]").inner_text()
    fillings = public.locator("[data-testid=fillings] li").all_inner_texts()
    assert fillings[0] == f"{local_now().date().isoformat()} · {STATION}"
    public.screenshot(path=artifacts / "delivery-cylinder-public.png", full_page=True)

    # The order, its check, at a desk.
    desk.goto(f"/delivery/orders/{order_id}/")
    assert desk.locator("[data-testid=state]").get_attribute("data-state") == "delivered"
    assert desk.locator("[data-testid=order-check] a").count() == 1
    desk.screenshot(path=artifacts / "delivery-order-delivered.png", full_page=True)


def test_the_station_pages_at_a_desk(new_page, login, artifacts):
    page = new_page()
    login(page, "station")
    with page.expect_navigation():
        page.locator("[data-testid=nav] a[href='/delivery/']").click()
    assert page.url.rstrip("/").endswith("/delivery/station")
    assert page.locator("[data-testid=by-village] tbody tr").count() > 0
    assert page.locator("[data-testid=load] tbody tr[data-round]").count() > 0
    page.screenshot(path=artifacts / "delivery-station.png", full_page=True)
    page.goto("/delivery/rounds/")
    assert page.locator("[data-testid=round-row]").count() > 0
    page.screenshot(path=artifacts / "delivery-rounds-week.png", full_page=True)
    first = page.locator("[data-testid=round-row] a").first
    with page.expect_navigation():
        first.click()
    assert page.locator("[data-testid=route-map]").count() == 1
    page.screenshot(path=artifacts / "delivery-round.png", full_page=True)
    start = (local_now().date() - datetime.timedelta(days=60)).isoformat()
    page.goto(f"/delivery/report/?from={start}")
    assert int(page.locator("[data-testid=deliveries]").inner_text()) > 0
    assert page.locator("[data-testid=checked]").inner_text().endswith("%")
    page.screenshot(path=artifacts / "delivery-report.png", full_page=True)
    # The regulator reads the same pages, with no button that writes.
    regulator = new_page()
    login(regulator, "dazi_msa")
    regulator.goto("/delivery/rounds/")
    with regulator.expect_navigation():
        regulator.locator("[data-testid=round-row] a").first.click()
    assert regulator.locator("[data-testid=plan]").count() == 0


def api_as(demo_server, username):
    """call(method, path, body=None) -> (status, JSON) under /api/v1/ as `username`."""
    body = json.dumps({"username": username,
                       "password": demo_server.password(username)}).encode()
    request = urllib.request.Request(f"{demo_server.url}/api/v1/auth/token", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        token = json.load(response)["token"]

    def call(method, path, data=None):
        request = urllib.request.Request(
            f"{demo_server.url}/api/v1/{path.lstrip('/')}", method=method,
            data=json.dumps(data).encode() if data is not None else None,
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    return call


def urgent_order(demo_server, villager) -> dict:
    """courier01 takes an urgent order of one 15 kg cylinder for `villager` (today's round)."""
    courier = api_as(demo_server, "courier01")
    types = courier("GET", "cylinder-types/")[1]["results"]
    type15 = next(t["id"] for t in types if "15" in t["name"])
    status, taken = courier("POST", "orders/", {
        "customer": villager["id"], "cylinder_type": type15, "quantity": 1, "urgent": True,
        "client_id": str(uuid.uuid4()), "buyer_name": villager["name"],
        "buyer_id_number": "54010419800101001X"})
    assert status == 201, taken
    return taken


def test_a_shut_off_household_gets_no_gas_and_the_courier_sees_what_it_carries(
        new_page, login, artifacts, api, demo_server):
    """Issue 14 items 1 and 10: the courier has an order for a household of its village; the
    station shuts the household's valve off (三次到访不遇); at the door the courier's page says
    已停气 with why and since when and offers no delivery; a new order for it is refused with
    the reason; the courier's cylinders page lists what the station dispatched to it."""
    villagers = api(f"customers/?jurisdiction={VILLAGE}&supply=lpg&page_size=50")["results"]
    villager = [v for v in villagers if v.get("status", "active") == "active"][9]
    taken = urgent_order(demo_server, villager)
    station = api_as(demo_server, "station")
    status, measure = station("POST", "measures/", {
        "customer": villager["id"], "kind": "shut_off", "note": "三次到访不遇，关阀停气",
        "photo": valve_photo()})
    assert status == 201, measure

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(phone, "courier01")
    phone.goto("/delivery/")
    stop = phone.locator(f"[data-testid=stop][data-order='{taken['id']}']")
    assert stop.count() == 1
    assert "已停气" in stop.locator("[data-testid=stop-shut-off]").inner_text()
    with phone.expect_navigation():
        stop.locator("[data-testid=deliver]").click()
    banner = phone.locator("[data-testid=supply-stop]")
    assert "已停气" in banner.inner_text() and "三次到访不遇" in banner.inner_text()
    assert local_now().date().isoformat() in banner.inner_text()
    assert phone.locator("[data-testid=deliver-form]").count() == 0
    phone.screenshot(path=artifacts / "delivery-door-shut-off-phone.png", full_page=True)
    no_sideways_scroll(phone)
    with phone.expect_navigation():
        phone.locator("[data-testid=submit-fail-shut-off]").click()
    assert phone.url.rstrip("/").endswith("/delivery")

    # A new order for it: the banner first, and the order refused with the reason.
    phone.goto(f"/delivery/orders/new/?customer={villager['id']}")
    assert phone.locator("[data-testid=supply-stop]").count() == 1
    with phone.expect_navigation():
        phone.locator("[data-testid=submit-order]").click()
    errors = phone.locator("[data-testid=form-errors]")
    assert "已停气" in errors.inner_text() or "shut off" in errors.inner_text()
    phone.screenshot(path=artifacts / "delivery-order-refused-shut-off-phone.png",
                     full_page=True)

    # The courier's cylinders: the station dispatches two, the page lists them.
    codes = cylinders_to_hand_over(api)
    desk = new_page()
    login(desk, "station")
    desk.goto("/cylinders/scan/")
    for code in codes:
        scan(desk, code, "fill")
        scan(desk, code, "dispatch", courier="courier01")
    phone.goto("/cylinders/")
    assert phone.url.rstrip("/").endswith("/cylinders/mine")
    held = phone.locator("[data-testid=held]").inner_text()
    assert all(code in held for code in codes)
    assert int(phone.locator("[data-testid=carried]").inner_text()) >= 2
    assert int(phone.locator("[data-testid=dispatched]").inner_text()) >= 2
    phone.screenshot(path=artifacts / "cylinders-mine-phone.png", full_page=True)
    no_sideways_scroll(phone)
