"""The hazard loop in Chromium (issue 6). The gas butler of 翠东社区, on a phone, records a
hazard from a customer's page, starts rectifying it, is refused a fix without a photo, then
enters the customer's fix with one; the sub-district's grid worker verifies and closes it on
a desktop. And the ladder: an overdue hazard of 江北区 not yet on the supervision list
reaches it once the escalation job runs with the clock moved forward (the demo server is a
separate process: the job runs as `ranan manage escalate --days-ahead N` on its database),
and the district's regulator sees it there."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
COMMUNITY = "330205003009"  # 翠东社区
DISTRICT = "330205"  # 江北区
ESCALATING = "open,rectifying,rejected"


def small_png(path: Path) -> Path:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (320, 240), (230, 235, 240))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((60, 40, 260, 200), outline=(60, 60, 60), width=6)  # the heater
    draw.line((160, 200, 160, 240), fill=(180, 180, 190), width=10)    # a new metal hose
    out = io.BytesIO()
    picture.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def shanghai_today() -> datetime.date:
    return datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()


def state_of(page) -> str:
    return page.locator("[data-testid=hazard-state]").get_attribute("data-state")


def run_escalation(server, days_ahead: int) -> str:
    """The daily job on the demo server's database, as if `days_ahead` days had passed."""
    env = dict(os.environ)
    env.update({"DJANGO_SETTINGS_MODULE": "ranan.settings", "RANAN_VAR_DIR": str(server.var_dir),
                "DATABASE_URL": f"sqlite:///{server.var_dir / 'browser.sqlite3'}"})
    ranan = Path(sys.executable).with_name("ranan")
    command = [str(ranan)] if ranan.exists() else [sys.executable, "-m", "ranan.cli"]
    done = subprocess.run([*command, "manage", "escalate", "--days-ahead", str(days_ahead)],
                          env=env, cwd=server.var_dir, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def supervised_ids(page) -> set[str]:
    """The hazards on every page of the supervision list."""
    ids: set[str] = set()
    page.goto(f"/hazards/supervision/?jurisdiction={DISTRICT}")
    while True:
        rows = page.locator("[data-testid=supervision] tbody tr[data-hazard]")
        ids.update(r.get_attribute("data-hazard") for r in rows.all())
        following = page.locator(".pagination a", has_text="›")
        if following.count() == 0:
            return ids
        with page.expect_navigation():
            following.first.click()


def test_a_hazard_is_recorded_fixed_with_a_photo_verified_by_another_and_closed(
        new_page, login, artifacts, tmp_path):
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(phone, "butler")
    phone.goto("/hazards/")
    assert phone.locator("[data-testid=hazard-card]").count() > 0, "the butler has hazards"
    assert phone.locator("[data-testid=mine-toggle] [aria-current]").count() == 1
    phone.screenshot(path=artifacts / "hazard-list-phone.png")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # 1. From a customer's page of 翠东社区: record a hazard.
    phone.goto(f"/customers/?jurisdiction={COMMUNITY}")
    with phone.expect_navigation():
        phone.locator("[data-testid=customers] tbody tr a").first.click()
    customer_url = phone.url
    with phone.expect_navigation():
        phone.locator("[data-testid=record-hazard]").click()
    form = phone.locator("[data-testid=hazard-form]")
    assert 'capture="environment"' in form.inner_html()
    form.locator("select[name=category]").select_option("ventilation")
    # The category's default grade is shown, the deadline follows it (general: 7 days).
    assert form.locator("[data-default-grade]").inner_text().strip() != "—"
    expected = (shanghai_today() + datetime.timedelta(days=7)).isoformat()
    assert form.locator("input[name=deadline]").input_value() == expected
    form.locator("select[name=category]").select_option("closed_room")  # major: 1 day
    assert form.locator("input[name=deadline]").input_value() == (
        shanghai_today() + datetime.timedelta(days=1)).isoformat()
    form.locator("select[name=grade]").select_option("general")
    assert form.locator("input[name=deadline]").input_value() == expected
    form.locator("textarea[name=description]").fill("热水器装在封闭阳台内，无排风")
    form.locator("[data-testid=photo]").set_input_files(small_png(tmp_path / "before.png"))
    phone.screenshot(path=artifacts / "hazard-new-phone.png", full_page=True)
    with phone.expect_navigation():
        phone.locator("[data-testid=submit-hazard]").click()
    assert state_of(phone) == "open", phone.locator("[data-field]").all_inner_texts()
    hazard_url = phone.url
    assert phone.locator("[data-testid=hazard-deadline]").get_attribute(
        "data-deadline") == expected
    assert phone.locator("[data-testid=event-photo]").count() == 1

    # 2. The customer agrees: rectifying.
    with phone.expect_navigation():
        phone.locator("[data-testid=do-rectifying]").click()
    assert state_of(phone) == "rectifying"
    phone.screenshot(path=artifacts / "hazard-rectifying-phone.png", full_page=True)

    # 3. A fix without a photo is refused, the message next to the photo input.
    fix = phone.locator("[data-testid=form-fix]")
    fix.locator("textarea").fill("已加装强排风扇，热水器移至室外")
    with phone.expect_navigation():
        fix.locator("[data-testid=do-fixed]").click()
    assert state_of(phone) == "rectifying"
    # The page scrolls the message into view (smoothly: wait until it stands still).
    phone.wait_for_function("""() => new Promise(done => {
        const y = window.scrollY;
        requestAnimationFrame(() => requestAnimationFrame(() => {
            const box = document.querySelector("[data-first-error]").getBoundingClientRect();
            done(window.scrollY === y && box.top >= 0 && box.bottom <= window.innerHeight);
        }));
    })""")
    assert phone.locator("[data-testid=form-fix] [data-field=photos]").is_visible()
    assert phone.locator("[data-testid=form-fix] textarea").input_value() == (
        "已加装强排风扇，热水器移至室外")
    phone.screenshot(path=artifacts / "hazard-fix-refused-phone.png")

    # 4. With the photo of the fix.
    phone.locator("[data-testid=fix-photo]").set_input_files(small_png(tmp_path / "fix.png"))
    with phone.expect_navigation():
        phone.locator("[data-testid=do-fixed]").click()
    assert state_of(phone) == "fixed"
    # The fixer is told someone else verifies; no verify button for them.
    assert phone.locator("[data-testid=verify-not-yours]").is_visible()
    assert phone.locator("[data-testid=do-verified]").count() == 0
    photos = phone.locator("[data-testid=event-photo]")
    assert photos.count() == 2
    photos.last.scroll_into_view_if_needed()
    assert phone.evaluate("img => img.naturalWidth", photos.last.element_handle()) == 320
    phone.screenshot(path=artifacts / "hazard-fixed-phone.png", full_page=True)

    # 5. The grid worker of the sub-district verifies and closes it.
    desk = new_page()
    login(desk, "kongpu_grid")
    desk.goto(hazard_url)
    assert state_of(desk) == "fixed"
    # On a desktop the actions stand beside the facts, not under them.
    facts = desk.locator("[data-testid=hazard-facts]").bounding_box()
    actions = desk.locator("[data-testid=hazard-actions]").bounding_box()
    assert actions["x"] > facts["x"] + facts["width"] and actions["y"] < facts["y"] + 50
    desk.screenshot(path=artifacts / "hazard-verify.png", full_page=True)
    with desk.expect_navigation():
        desk.locator("[data-testid=do-verified]").click()
    assert state_of(desk) == "verified"
    with desk.expect_navigation():
        desk.locator("[data-testid=do-closed]").click()
    assert state_of(desk) == "closed"
    steps = [e.get_attribute("data-to") for e in desk.locator(
        "[data-testid=event]:not([data-kind=escalation])").all()]
    assert steps == ["open", "rectifying", "fixed", "verified", "closed"]
    assert desk.locator("[data-testid=no-action]").is_visible()
    desk.screenshot(path=artifacts / "hazard-closed.png", full_page=True)

    # The customer's page lists it as closed.
    desk.goto(customer_url)
    hazard_id = hazard_url.rstrip("/").rsplit("/", 1)[1]
    row = desk.locator(f"[data-testid=customer-hazards] tr[data-hazard='{hazard_id}']")
    assert row.locator("[data-state]").get_attribute("data-state") == "closed"
    desk.screenshot(path=artifacts / "hazard-customer-panel.png", full_page=True)


def test_an_overdue_hazard_reaches_the_supervision_list_when_the_clock_moves(
        new_page, login, artifacts, demo_server):
    page = new_page()
    login(page, "jiangbei_reg")
    # An overdue (or soon due) hazard of the district below step 3: reminded or noticed.
    candidate = None
    for query in ("escalation=1", "escalation=2", "escalation=0"):
        page.goto(f"/hazards/?jurisdiction={DISTRICT}&mine=false&state={ESCALATING}&{query}")
        rows = page.locator("[data-testid=hazards] tbody tr[data-hazard]")
        if rows.count():
            candidate = rows.first.get_attribute("data-hazard")
            break
    assert candidate, "the demo has open hazards in 江北区 below the supervision step"
    page.screenshot(path=artifacts / "hazard-list.png")
    page.goto(f"/hazards/{candidate}/")
    deadline = datetime.date.fromisoformat(
        page.locator("[data-testid=hazard-deadline]").get_attribute("data-deadline"))
    assert candidate not in supervised_ids(page)

    # A week past its deadline (one day more, for a date line crossed on the way).
    days_ahead = max(1, (deadline - shanghai_today()).days + 8)
    output = run_escalation(demo_server, days_ahead)
    assert "step 3" in output

    assert candidate in supervised_ids(page)
    page.goto(f"/hazards/supervision/?jurisdiction={DISTRICT}")
    page.screenshot(path=artifacts / "hazard-supervision.png", full_page=True)
    page.goto(f"/hazards/{candidate}/")
    assert int(page.locator("[data-testid=hazard-step]").get_attribute("data-step")) >= 3
    assert page.locator("[data-testid=event][data-step='3']").count() == 1
    page.screenshot(path=artifacts / "hazard-escalated.png", full_page=True)
    notice = page.request.get(f"/hazards/{candidate}/notice.pdf?basis=测试依据")
    assert notice.ok and notice.headers["content-type"] == "application/pdf"

    # The district's counts, by category and grade, with the KPIs.
    page.goto(f"/hazards/summary/?jurisdiction={DISTRICT}")
    total = page.locator("[data-testid=grade-table] tr.total td.total [data-testid=cell]")
    n = int(total.get_attribute("data-n"))
    with page.expect_navigation():
        total.click()
    assert int(page.locator("[data-testid=count]").get_attribute("data-count")) == n
    page.goto(f"/hazards/summary/?jurisdiction={DISTRICT}")
    page.screenshot(path=artifacts / "hazard-summary.png", full_page=True)
