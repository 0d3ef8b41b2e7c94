"""Issue 14 items 6 and 9 in Chromium. The gas butler of 翠东社区, on a phone, finds the visits
booked with residents for today on his work list (the demo books two), opens one, and books
another visit for a large hazard on the day after tomorrow, which the day's list of visits
then shows. On a desktop, the dashboard of 江北区 shows rectification by hazard category,
and a number of it opens the hazards it counts, as many as it says."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DISTRICT = "330205"  # 江北区


def shanghai_today() -> datetime.date:
    return datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()


def test_a_booked_visit_on_the_work_list_and_booking_another(new_page, login, artifacts):
    phone = new_page(viewport=PHONE)
    login(phone, "butler")
    phone.goto("/inspections/")
    visits = phone.locator("[data-testid=booked-visit]")
    assert visits.count() == 2
    assert phone.locator("[data-testid=booked-time]").first.inner_text() == "15:00"
    phone.screenshot(path=artifacts / "work-list-booked-phone.png")
    visits.first.click()
    phone.wait_for_url("**/hazards/*/")
    assert phone.locator("[data-testid=appointment]").count() == 1
    phone.click("[data-testid=book-visit]")
    day = shanghai_today() + datetime.timedelta(days=2)
    phone.fill("#id_day", day.isoformat())
    phone.fill("#id_time", "06:30")  # before the working hours: refused on the time
    phone.click("[data-testid=do-book]")
    assert phone.locator("[data-field=time]").count() == 1
    phone.fill("#id_time", "09:30")
    phone.fill("#id_note", "带金属波纹管")
    phone.screenshot(path=artifacts / "appointment-form-phone.png", full_page=True)
    phone.click("[data-testid=do-book]")
    phone.wait_for_url("**/hazards/*/")
    assert phone.locator("[data-testid=appointment]").count() == 2
    phone.goto(f"/hazards/appointments/?day={day.isoformat()}")
    cards = phone.locator("[data-testid=appointment-card]")
    assert cards.count() == 1 and "09:30" in cards.first.inner_text()
    phone.screenshot(path=artifacts / "appointments-phone.png", full_page=True)


def test_rectification_by_category_on_the_dashboard(page, login, artifacts):
    login(page, "admin")
    page.goto(f"/dashboard/?jurisdiction={DISTRICT}")
    table = page.locator("[data-testid=by-category] [data-testid=category-table]")
    assert table.count() == 1
    table.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "dashboard-by-category.png", full_page=True)
    cell = table.locator("tr[data-category]:not([data-category='']) a[data-kpi=hazards_closed]"
                         ).first
    n = int(cell.get_attribute("data-n"))
    cell.click()
    page.wait_for_url("**/hazards/by-category/records/**")
    assert int(page.locator("[data-testid=count]").get_attribute("data-count")) == n
    page.screenshot(path=artifacts / "by-category-records.png")
