"""Issue 14's loop in Chromium, as its users would close it. A villager of 桑珠林村 has an
urgent order on courier01's round and a rubber hose on record as a hazard. The station
manager shuts the valve off (三次到访不遇); at the door the courier's phone says 已停气 with why
and since when and offers no delivery. Supply cannot be restored before an inspection since
the shut-off, nor while the hazard is open: the station inspects the household, fixes the
hazard with a photo, restores supply (the record names the visit). The station fills and
dispatches a cylinder; the courier delivers the same order with the check. Then the
household is referred for enforcement to 达孜区住房和城乡建设局, whose account accepts and
closes the referral with its outcome. (The task force's briefing 第54期 is in
test_reports.py.)"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.browser.test_delivery import (
    PHONE,
    VILLAGE,
    api_as,
    cylinders_to_hand_over,
    local_now,
    no_sideways_scroll,
    scan,
    urgent_order,
)
from tests.browser.test_inspections import answer_everything_safe, sign

pytestmark = pytest.mark.browser
DEPARTMENT = "达孜区住房和城乡建设局"


def small_png(path: Path) -> Path:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (160, 120), (90, 140, 90)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def test_shut_off_refused_at_the_door_inspected_fixed_restored_delivered_referred(
        new_page, login, artifacts, api, demo_server, tmp_path):
    villagers = api(f"customers/?jurisdiction={VILLAGE}&supply=lpg&page_size=50")["results"]
    open_orders = {o["customer"] for o in api("orders/?page_size=500")["results"]
                   if o["state"] in ("new", "scheduled", "out", "held")}
    open_hazards = {h.get("customer") for h in api(
        "hazards/?state=open,rectifying,rejected&page_size=500")["results"]}
    villager = [v for v in villagers if v.get("status", "active") == "active"
                and v["id"] not in open_orders and v["id"] not in open_hazards][-3]
    taken = urgent_order(demo_server, villager)
    station = api_as(demo_server, "station")
    status, hazard = station("POST", "hazards/", {
        "customer": villager["id"], "category": "hose", "source": "delivery",
        "description": "橡胶软管老化开裂"})
    assert status == 201, hazard

    # 1. The station manager shuts the valve off from the household's supply page.
    desk = new_page()
    login(desk, "station")
    supply_url = f"/inspections/supply/{villager['id']}/"
    desk.goto(supply_url)
    form = desk.locator("[data-testid=shut-off-form]")
    form.locator("input[name=note]").fill("三次到访不遇，关阀停气")
    form.locator("input[name=photo]").set_input_files(small_png(tmp_path / "valve.png"))
    desk.once("dialog", lambda dialog: dialog.accept())
    with desk.expect_navigation():
        form.locator("button[type=submit]").click()
    shut = desk.locator("[data-testid=supply-status]").inner_text()
    assert "已停气" in shut and "三次到访不遇" in shut, shut
    assert desk.locator("[data-testid=restore-needs-visit]").is_visible()
    desk.screenshot(path=artifacts / "loop-supply-shut.png", full_page=True)

    # 2. At the door: 已停气 with why and since when, no delivery form.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(phone, "courier01")
    phone.goto("/delivery/")
    stop = phone.locator(f"[data-testid=stop][data-order='{taken['id']}']")
    assert "已停气" in stop.locator("[data-testid=stop-shut-off]").inner_text()
    with phone.expect_navigation():
        stop.locator("[data-testid=deliver]").click()
    banner = phone.locator("[data-testid=supply-stop]").inner_text()
    assert "已停气" in banner and "三次到访不遇" in banner
    assert local_now().date().isoformat() in banner
    assert phone.locator("[data-testid=deliver-form]").count() == 0
    phone.screenshot(path=artifacts / "loop-door-refused-phone.png", full_page=True)
    no_sideways_scroll(phone)

    # 3. The station inspects the household (everything safe, signed).
    with desk.expect_navigation():
        desk.locator("[data-testid=restore-card] a").click()
    desk.locator("[data-testid=outcome-inspected]").click()
    answer_everything_safe(desk)
    sign(desk)
    with desk.expect_navigation():
        desk.locator("[data-testid=submit-visit]").click()
    assert desk.locator("[data-testid=outcome]").get_attribute("data-outcome") == "inspected", (
        desk.locator("[data-testid=form-errors]").all_inner_texts())

    # 4. A restore while the hazard is open is refused, naming it.
    desk.goto(supply_url)
    with desk.expect_navigation():
        desk.locator("[data-testid=restore-form] button[type=submit]").click()
    refused = desk.locator("[data-testid=supply-errors]").inner_text()
    assert f"#{hazard['id']}" in refused, refused
    desk.screenshot(path=artifacts / "loop-restore-refused.png", full_page=True)

    # 5. The hazard fixed, with its photo.
    desk.goto(f"/hazards/{hazard['id']}/")
    with desk.expect_navigation():
        desk.locator("[data-testid=do-rectifying]").click()
    fix = desk.locator("[data-testid=form-fix]")
    fix.locator("textarea").fill("已更换为金属波纹管")
    desk.locator("[data-testid=fix-photo]").set_input_files(small_png(tmp_path / "fix.png"))
    with desk.expect_navigation():
        desk.locator("[data-testid=do-fixed]").click()
    assert desk.locator("[data-testid=hazard-state]").get_attribute("data-state") == "fixed"

    # 6. Supply restored, resting on today's visit.
    desk.goto(supply_url)
    note = desk.locator("[data-testid=restore-form] input[name=note]")
    note.fill("复查合格，恢复供气")
    with desk.expect_navigation():
        desk.locator("[data-testid=restore-form] button[type=submit]").click()
    assert "已停气" not in desk.locator("[data-testid=supply-status]").inner_text()
    history = desk.locator("[data-testid=supply-history] tr[data-kind=restored]")
    assert history.count() == 1 and "复查合格" in history.inner_text()
    desk.screenshot(path=artifacts / "loop-supply-restored.png", full_page=True)

    # 7. The next delivery goes through: a cylinder filled and dispatched, delivered with
    # the check.
    code = cylinders_to_hand_over(api, count=1)[0]
    desk.goto("/cylinders/scan/")
    scan(desk, code, "fill")
    scan(desk, code, "dispatch", courier="courier01")
    phone.goto("/delivery/")
    stop = phone.locator(f"[data-testid=stop][data-order='{taken['id']}']")
    assert stop.locator("[data-testid=stop-shut-off]").count() == 0
    with phone.expect_navigation():
        stop.locator("[data-testid=deliver]").click()
    phone.locator("[data-testid=full-code]").first.fill(code)
    phone.locator("[data-testid=check-done]").click()
    answer_everything_safe(phone)
    sign(phone)
    phone.locator("[data-testid=payment-cash]").click()
    with phone.expect_navigation():
        phone.locator("[data-testid=submit-delivery]").click()
    assert phone.url.rstrip("/").endswith("/delivery"), (
        phone.locator("[data-testid=form-errors]").all_inner_texts())
    done = phone.locator(f"[data-testid=stop][data-order='{taken['id']}']")
    assert done.get_attribute("data-state") == "delivered"

    # 8. Referred for enforcement to the district's housing department...
    desk.goto(supply_url)
    refer = desk.locator("[data-testid=referral-form]")
    options = refer.locator("select[name=organisation] option").all()
    value = next(o.get_attribute("value") for o in options if DEPARTMENT in o.inner_text())
    refer.locator("select[name=organisation]").select_option(value)
    refer.locator("input[name=note]").fill("私接三通，拒不整改")
    with desk.expect_navigation():
        refer.locator("button[type=submit]").click()
    assert desk.locator("[data-testid=supply-history] tr[data-kind=enforcement]").count() == 1

    # ... whose account accepts it and closes it with the outcome.
    housing = new_page()
    login(housing, "dazi_housing")
    housing.goto("/inspections/referrals/?mine=1")
    row = housing.locator("[data-testid=referral-list] tr[data-referral]", has_text=villager[
        "name"])
    assert row.count() == 1
    housing.screenshot(path=artifacts / "loop-referrals.png", full_page=True)
    with housing.expect_navigation():
        row.locator("a").first.click()
    with housing.expect_navigation():
        housing.locator("[data-testid=accept-form] button").click()
    close = housing.locator("[data-testid=close-form]")
    close.locator("select[name=outcome]").select_option("order")
    close.locator("textarea[name=outcome_note]").fill("下达责令限期整改通知书（达住建燃〔2026〕12号）")
    with housing.expect_navigation():
        close.locator("button[type=submit]").click()
    assert housing.locator("[data-testid=referral-state]").inner_text().strip() in (
        "已办结", "Closed with an outcome")
    assert "12号" in housing.locator("[data-testid=referral-outcome]").inner_text()
    housing.screenshot(path=artifacts / "loop-referral-closed.png", full_page=True)
