"""Issue 15 items 2 and 3 in Chromium at a phone's size, as the gas butler (inspector) of
翠东社区:

- the unreached list is cards that fit the phone (no sideways scrolling, every action on
  screen), its "last tried" header shows no raw placeholder; a shut-off opens a
  confirmation asking for a note and the photo of the sealed valve; recorded by mistake, it
  is voided by its author from the household's supply page with a reason, and the household
  goes back on the list;
- the visit form is prefilled from the device register ("as on record"); a household on
  record with a rubber hose and no alarm, checked with a metal hose and an alarm, shows them
  on record afterwards and no longer lists them as missing devices.
"""

from __future__ import annotations

import pytest

from tests.browser.test_inspections import COMMUNITY, PHONE, answer_everything_safe, sign, small_png

pytestmark = pytest.mark.browser

RUBBER_HOSE, NO_ALARM = 1, 128  # customers.choices.Missing


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def on_screen(page, locator):
    """The element lies within the phone's width (not cut off on the right)."""
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def phone_page(new_page, login, username="butler"):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(page, username)
    return page


def test_the_unreached_list_on_a_phone_confirms_a_shut_off_and_its_author_voids_it(
        new_page, login, artifacts, api, tmp_path):
    phone = phone_page(new_page, login)
    phone.goto(f"/inspections/unreached/?jurisdiction={COMMUNITY}")
    cards = phone.locator("[data-testid=unreached-card]")
    assert cards.count() > 0
    no_sideways_scroll(phone)
    body = phone.locator("body").inner_text()
    assert "%(" not in body and "%(N)S" not in body.upper()
    on_screen(phone, cards.first.locator("a.btn").first)
    phone.screenshot(path=artifacts / "inspector-unreached-phone.png")

    phone.goto(f"/inspections/unreached/?jurisdiction={COMMUNITY}&tier=shut_off")
    before = int(phone.locator("[data-testid=count-shut_off]").inner_text())
    shut_before = int(phone.locator("[data-testid=count-shut]").inner_text())
    card = phone.locator("[data-testid=unreached-card][data-tier=shut_off]").first
    customer = card.get_attribute("data-customer")
    opener = card.locator("[data-testid=shut-off-open]")
    on_screen(phone, opener)
    # One tap opens the confirmation; nothing is recorded yet.
    opener.click()
    form = card.locator("[data-testid=shut-off-form]")
    assert form.is_visible()
    confirm = form.locator("[data-testid=shut-off-confirm]")
    on_screen(phone, confirm)
    # Without a note and a photo the form does not go (the server refuses it too: unit tests).
    assert form.evaluate("f => f.checkValidity()") is False
    confirm.click()
    assert int(phone.locator("[data-testid=count-shut_off]").inner_text()) == before
    form.locator("textarea[name=note]").fill("三次到访不遇，关阀停气")
    assert form.evaluate("f => f.checkValidity()") is False  # the photo is still missing
    form.locator("input[name=photo]").set_input_files(small_png(tmp_path / "valve.png"))
    card.scroll_into_view_if_needed()
    phone.screenshot(path=artifacts / "inspector-shut-off-confirm-phone.png")
    with phone.expect_navigation():
        confirm.click()
    assert int(phone.locator("[data-testid=count-shut_off]").inner_text()) == before - 1
    assert int(phone.locator("[data-testid=count-shut]").inner_text()) == shut_before + 1
    assert api(f"customers/{customer}/")["status"] == "shut_off"

    # Recorded by mistake: the author voids it from the household's supply page.
    phone.goto(f"/inspections/supply/{customer}/")
    row = phone.locator("[data-testid=supply-history] tr[data-kind=shut_off]").first
    photo = row.locator("[data-testid=measure-photo] img")
    assert phone.evaluate("img => img.naturalWidth", photo.element_handle()) == 320
    row.locator("[data-testid=void] summary").click()
    void = row.locator("[data-testid=void-form]")
    void.locator("input[name=reason]").fill("关错了户，应为隔壁")
    with phone.expect_navigation():
        void.locator("button[type=submit]").click()
    row = phone.locator("[data-testid=supply-history] tr[data-kind=shut_off]").first
    assert row.get_attribute("data-voided") == "1"
    assert "关错了户" in row.locator("[data-testid=void-record]").inner_text()
    assert row.locator("[data-testid=void-form]").count() == 0
    phone.screenshot(path=artifacts / "inspector-shut-off-voided-phone.png", full_page=True)
    assert api(f"customers/{customer}/")["status"] == "active"

    # Back on the list, as it was.
    phone.goto(f"/inspections/unreached/?jurisdiction={COMMUNITY}&tier=shut_off")
    assert int(phone.locator("[data-testid=count-shut_off]").inner_text()) == before
    assert int(phone.locator("[data-testid=count-shut]").inner_text()) == shut_before
    assert phone.locator(f"[data-testid=unreached-card][data-customer='{customer}']").count() == 1

    # Someone else cannot void it (nor anything): the grid worker sees no void form.
    other = phone_page(new_page, login, "kongpu_grid")
    other.goto(f"/inspections/supply/{customer}/")
    assert other.locator("[data-testid=void-form]").count() == 0


def test_a_household_checked_with_a_metal_hose_and_an_alarm_has_them_on_record(
        new_page, login, artifacts, api):
    rows = api(f"customers/?jurisdiction={COMMUNITY}&missing=rubber_hose,no_alarm"
               "&status=active&page_size=50")["results"]
    assert rows, "the demo has households on record with a rubber hose and no alarm"
    customer = rows[-1]["id"]
    phone = phone_page(new_page, login)
    phone.goto(f"/customers/{customer}/")
    missing = phone.locator("[data-testid=missing]")
    assert missing.locator(f"[data-missing='{RUBBER_HOSE}']").count() == 1
    assert missing.locator(f"[data-missing='{NO_ALARM}']").count() == 1
    phone.screenshot(path=artifacts / "inspector-register-before-phone.png", full_page=True)

    phone.goto(f"/inspections/visit/{customer}/")
    phone.locator("[data-testid=outcome-inspected]").click()
    hose = phone.locator("#item-hose_type")
    # Prefilled from the register: the rubber hose on record, marked "as on record".
    assert hose.locator("[data-testid=prefilled]").count() == 1
    assert hose.locator("input[value=rubber]").is_checked()
    assert phone.locator("#item-alarm [data-testid=prefilled]").count() == 0
    hose.scroll_into_view_if_needed()
    phone.screenshot(path=artifacts / "inspector-visit-prefilled-phone.png")
    no_sideways_scroll(phone)
    # The inspector sees a metal hose and a working alarm: everything passes.
    answer_everything_safe(phone)
    assert hose.locator("input[value=metal]").is_checked()
    assert phone.locator("#a-alarm-pass").is_checked()
    sign(phone)
    with phone.expect_navigation():
        phone.locator("[data-testid=submit-visit]").click()
    assert phone.locator("[data-testid=outcome]").get_attribute("data-outcome") == "inspected"

    devices = api(f"customers/{customer}/devices/")
    devices = devices["results"] if isinstance(devices, dict) else devices
    now = [d for d in devices if not d.get("removed_on")]
    assert any(d["kind"] == "hose" and d["material"] == "metal" for d in now), now
    assert any(d["kind"] == "alarm" for d in now), now
    assert not any(d["kind"] == "hose" and d["material"] == "rubber" for d in now), now
    phone.goto(f"/customers/{customer}/")
    missing = phone.locator("[data-testid=missing]")
    assert missing.locator(f"[data-missing='{RUBBER_HOSE}']").count() == 0
    assert missing.locator(f"[data-missing='{NO_ALARM}']").count() == 0
    no_sideways_scroll(phone)
    phone.screenshot(path=artifacts / "inspector-register-after-phone.png", full_page=True)
