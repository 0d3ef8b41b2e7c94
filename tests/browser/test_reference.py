"""Reference data pages in Chromium (issue 13 item 5): the station's manager opens its prices,
service hours and village delivery cycles from the delivery sub-navigation at a desk and adds
a price; the administrator opens the cylinder types. A regulator sees none of those links."""

from __future__ import annotations

import datetime

import pytest

pytestmark = pytest.mark.browser


def test_the_station_keeps_its_reference_data(new_page, login, artifacts):
    page = new_page()
    login(page, "station")
    page.goto("/delivery/station/")
    with page.expect_navigation():
        page.locator("[data-testid=nav-prices]").click()
    assert page.locator("[data-testid=prices] tbody tr").count() > 0
    page.screenshot(path=artifacts / "delivery-prices.png", full_page=True)
    with page.expect_navigation():
        page.locator("[data-testid=price-new]").click()
    page.screenshot(path=artifacts / "delivery-price-form.png", full_page=True)
    first_day = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
    page.fill("#id_price", "-5")
    page.fill("#id_valid_from", first_day)
    with page.expect_navigation():
        page.locator("form button.btn-primary[type=submit]").click()
    assert page.locator(".invalid-feedback, .text-danger").count() > 0  # named on the field
    page.fill("#id_price", "150")
    with page.expect_navigation():
        page.locator("form button.btn-primary[type=submit]").click()
    assert page.url.rstrip("/").endswith("/delivery/station/prices")
    assert "150.00" in page.locator("[data-testid=prices]").inner_text()
    with page.expect_navigation():
        page.locator("[data-testid=nav-hours]").click()
    assert page.locator("#id_opens").count() == 1
    page.screenshot(path=artifacts / "delivery-hours.png", full_page=True)
    page.goto("/delivery/station/villages/")
    assert page.locator("[data-testid=cycles] tbody tr").count() > 0
    page.screenshot(path=artifacts / "delivery-cycles.png", full_page=True)
    with page.expect_navigation():
        page.locator("[data-testid=cycle-new]").click()
    page.screenshot(path=artifacts / "delivery-cycle-form.png", full_page=True)


def test_the_admin_keeps_cylinder_types_and_a_regulator_sees_no_link(new_page, login,
                                                                      artifacts):
    page = new_page()
    login(page, "admin")
    page.goto("/cylinders/recall/")
    with page.expect_navigation():
        page.locator("[data-testid=nav-types]").click()
    assert page.locator("[data-testid=types] tbody tr").count() > 0
    page.screenshot(path=artifacts / "cylinder-types.png", full_page=True)
    with page.expect_navigation():
        page.locator("[data-testid=type-new]").click()
    page.screenshot(path=artifacts / "cylinder-type-form.png", full_page=True)
    regulator = new_page()
    login(regulator, "dazi_msa")
    regulator.goto("/delivery/station/")
    assert regulator.locator("[data-testid=nav-prices]").count() == 0
    regulator.goto("/cylinders/recall/")
    assert regulator.locator("[data-testid=nav-types]").count() == 0
