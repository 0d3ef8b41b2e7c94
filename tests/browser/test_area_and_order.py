"""Issue 15 item 10, in Chromium against the demo: area filters are pickers (a regulator at
a desk), grids come 第一 … 第四 (the inspector's phone), the demo's ladder climbed over days,
the rectification notice orders a date ahead and names its issuing unit, and the customer
import page in English has English options."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

GRIDS = ["第一网格", "第二网格", "第三网格", "第四网格"]
CJK = re.compile("[\u4e00-\u9fff]")


def test_the_hazard_list_filters_by_a_picked_area(new_page, login, artifacts):
    page = new_page(viewport=DESKTOP)
    login(page, "jiangbei_reg")
    page.goto("/hazards/")
    picker = page.locator("select[name=jurisdiction][data-testid=area-picker]")
    assert page.locator("input[name=jurisdiction]").count() == 0
    names = [t.strip("\u3000 ") for t in picker.locator("option").all_inner_texts()]
    assert names[1:4] == ["江北区", "孔浦街道", "翠东社区"]  # after the blank "my area"
    assert [n for n in names if n.endswith("网格")] == GRIDS
    option = picker.locator("option", has_text="第二网格")
    value = option.get_attribute("value")
    picker.select_option(value)
    with page.expect_navigation():
        page.locator("form:has([data-testid=area-picker]) button[type=submit]").first.click()
    assert f"jurisdiction={value.replace('#', '%23')}" in page.url
    assert page.locator("select[name=jurisdiction] option:checked").inner_text().strip() == "第二网格"
    page.screenshot(path=artifacts / "area-picker-hazards.png", full_page=False)


def test_the_inspectors_grid_links_come_as_counted(new_page, login, artifacts):
    page = new_page(viewport=PHONE)
    login(page, "butler")
    page.goto("/inspections/unreached/")
    links = [t.strip() for t in page.locator("a.btn-ghost-primary").all_inner_texts()]
    assert links == GRIDS
    page.screenshot(path=artifacts / "grid-links-phone.png", full_page=False)


def _step_four_hazard(page) -> str:
    page.goto("/hazards/?escalation=4")
    pk = page.locator("tr[data-hazard]").first.get_attribute("data-hazard")
    assert pk and pk.isdigit(), "the demo has hazards at step 4"
    return f"/hazards/{pk}/"


def test_the_demo_ladder_climbed_over_days(new_page, login, artifacts):
    page = new_page(viewport=DESKTOP)
    login(page, "admin")
    page.goto(_step_four_hazard(page))
    days = {}
    for event in page.locator("[data-testid=event][data-kind=escalation]").all():
        when = event.locator(".text-nowrap").inner_text().strip()
        days[int(event.get_attribute("data-step"))] = datetime.date.fromisoformat(when[:10])
    assert sorted(days) == [1, 2, 3, 4]
    assert days[1] < days[2] < days[3] < days[4]
    page.screenshot(path=artifacts / "hazard-ladder-days.png", full_page=True)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils)")
def test_the_notice_orders_a_date_ahead_and_names_its_unit(new_page, login, tmp_path):
    page = new_page(viewport=DESKTOP)
    login(page, "admin")
    href = _step_four_hazard(page)
    answer = page.request.get(f"{href}notice.pdf")
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    path = tmp_path / "notice.pdf"
    path.write_bytes(answer.body())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.replace(" ", "")
    due = re.search(r"请于(\d{4})年(\d{2})月(\d{2})日前完成整改", text)
    assert due, text
    assert datetime.date(*map(int, due.groups())) > datetime.date.today()
    assert "原定整改期限" in text
    assert re.search(r"发出单位：[^_\s（]+（盖章）", text), text


def test_the_customer_import_page_in_english(new_page, login, demo_server, artifacts):
    page = new_page(viewport=DESKTOP)
    page.context.add_cookies([{"name": "django_language", "value": "en",
                               "url": demo_server.url}])
    login(page, "lpg_admin")
    page.goto("/customers/import/")
    assert page.locator("html").get_attribute("lang") == "en"
    options = page.locator("select[name=on_duplicate] option").all_inner_texts()
    assert len(options) == 3 and not any(CJK.search(o) for o in options), options
    form = page.locator("[data-testid=import-form]").inner_text()
    assert not CJK.search(form), form
    page.screenshot(path=artifacts / "customer-import-en.png", full_page=False)
