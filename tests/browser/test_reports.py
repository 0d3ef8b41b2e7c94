"""Dashboards and the weekly briefing in Chromium (issue 8).

The regulator of 江北区 opens the dashboard for the last 90 days (the demo's visits and
hazards all fall in it), drills from the district to 孔浦街道 and on to 翠东社区, opens the
list behind the community's overdue-hazards card (as many rows as the card says, each a
link to its hazard), waits for the weekly chart, then generates last week's briefing of the
district and downloads its PDF; page 1 is turned into a PNG (pdftoppm) that must show ink
and the red masthead. And the big screen (dark, figures, charts), the dashboard on a phone
and in English: every page is saved as a screenshot in tests/browser/artifacts/."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import zoneinfo
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
BIG = {"width": 1920, "height": 1080}
DISTRICT, TOWNSHIP, COMMUNITY = "江北区", "孔浦街道", "翠东社区"
DISTRICT_CODE = "330205"
PERIOD_DAYS = 90  # the "last 90 days" preset: it holds all the demo's visits and hazards
HAZARD_LINK = re.compile(r"/hazards/\d+/$")
# As in conftest: CI (RANAN_REQUIRE_BROWSER=1) fails instead of skipping when a tool is missing.
REQUIRE_BROWSER = os.environ.get("RANAN_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def shanghai_today() -> datetime.date:
    return datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()


def period() -> tuple[str, str]:
    today = shanghai_today()
    return (today - datetime.timedelta(days=PERIOD_DAYS - 1)).isoformat(), today.isoformat()


def dashboard_url(code: str = DISTRICT_CODE) -> str:
    start, end = period()
    return f"/dashboard/?jurisdiction={code}&from={start}&to={end}"


def trail(page) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid=trail] li").all_inner_texts()]


def title(page) -> str:
    return page.locator("[data-testid=dashboard-title]").inner_text()


def wait_until_drawn(page, selector: str) -> None:
    """Until the ECharts chart in `selector` has drawn and stopped moving (its animation
    lasts about a second: a screenshot before its end shows bars halfway up)."""
    page.wait_for_function("""selector => {
        const el = document.querySelector(selector);
        if (!el || !el.querySelector("svg path")) return false;
        const html = el.innerHTML, now = performance.now();
        const seen = (window.__drawn = window.__drawn || {});
        if (!seen[selector] || seen[selector].html !== html) {
            seen[selector] = {html, since: now};
            return false;
        }
        return now - seen[selector].since > 300;
    }""", arg=selector, polling=100)


def chart_data(page, selector: str) -> list:
    """The values of the first series of the ECharts chart in `selector`."""
    return page.evaluate("""selector => echarts.getInstanceByDom(document.querySelector(selector))
        .getOption().series[0].data""", selector)


def wait_for_charts(page) -> None:
    """The trend chart has fetched its 12 weeks and drawn them; the ranking chart is drawn."""
    page.wait_for_selector("#trend-chart[data-weeks='12']", state="attached")
    wait_until_drawn(page, "#trend-chart")
    wait_until_drawn(page, "#ranking-chart")


def no_horizontal_scroll(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide on a {width} px screen"


def open_child(page, name: str) -> str:
    """Click a child of the ranking table; return the child's hazards_overdue figure there."""
    row = page.locator(f"[data-testid=child-row][data-child='{name}']")
    assert row.count() == 1, f"no row for {name} in {page.url}"
    overdue = row.locator("a[data-kpi=hazards_overdue]").get_attribute("data-numerator")
    with page.expect_navigation():
        row.locator("[data-testid=child-link]").click()
    return overdue


def ink_of(png) -> tuple[float, int]:
    """(share of pixels that are not near-white, number of strongly red pixels)."""
    from PIL import Image

    with Image.open(png) as picture:
        raw = picture.convert("RGB").tobytes()
    pixels = list(zip(raw[0::3], raw[1::3], raw[2::3], strict=True))
    dark = sum(1 for r, g, b in pixels if min(r, g, b) < 200)
    red = sum(1 for r, g, b in pixels if r > 150 and g < 80 and b < 80)
    return dark / len(pixels), red


def test_a_regulator_drills_down_to_overdue_hazards_and_downloads_the_briefing(
        new_page, login, artifacts):
    page = new_page()
    login(page, "jiangbei_reg")

    # 1. The dashboard opens on the account's own area, the last 30 days.
    page.goto("/dashboard/")
    assert title(page).startswith(DISTRICT)
    assert trail(page) == [DISTRICT]
    start = datetime.date.fromisoformat(page.locator("#p-from").input_value())
    end = datetime.date.fromisoformat(page.locator("#p-to").input_value())
    assert (end - start).days == 29 and end == shanghai_today()

    # The last 90 days, from the period form's preset.
    with page.expect_navigation():
        page.locator("[data-testid=period-form] a", has_text="90").click()
    start = datetime.date.fromisoformat(page.locator("#p-from").input_value())
    assert (end - start).days == PERIOD_DAYS - 1
    assert page.locator("[data-testid=kpi-card]").count() >= 20
    assert {TOWNSHIP} <= set(page.locator("[data-testid=child-row]").evaluate_all(
        "rows => rows.map(r => r.dataset.child)"))
    wait_for_charts(page)
    page.screenshot(path=artifacts / "dashboard-district.png", full_page=True)

    # 2. District → sub-district → community, the period kept all the way down.
    open_child(page, TOWNSHIP)
    assert title(page).startswith(TOWNSHIP)
    assert trail(page) == [DISTRICT, TOWNSHIP]
    assert page.locator("#p-from").input_value() == start.isoformat()
    community_overdue = open_child(page, COMMUNITY)
    assert title(page).startswith(COMMUNITY)
    assert trail(page) == [DISTRICT, TOWNSHIP, COMMUNITY]
    assert page.locator("#p-from").input_value() == start.isoformat()
    # The trail leads back up.
    assert page.locator("[data-testid=trail] a", has_text=TOWNSHIP).get_attribute(
        "href").startswith("/dashboard/?jurisdiction=")

    # The weekly chart fetched its 12 weeks.
    wait_for_charts(page)
    assert page.locator("#trend-chart").get_attribute("data-weeks") == "12"
    page.screenshot(path=artifacts / "dashboard-community.png", full_page=True)

    # 3. The overdue-hazards card: the same figure as the community's row one level up.
    card = page.locator("[data-testid=kpi-card][data-kpi=hazards_overdue]")
    n = int(card.get_attribute("data-numerator"))
    assert n > 0, "the demo has overdue hazards in 翠东社区 within the last 90 days"
    assert str(n) == community_overdue
    assert card.locator("[data-testid=kpi-value]").inner_text().strip() == str(n)
    with page.expect_navigation():
        card.click()
    assert "/dashboard/records/hazards_overdue/" in page.url
    assert COMMUNITY in page.locator("[data-testid=records-title]").inner_text()
    assert trail(page) == [DISTRICT, TOWNSHIP, COMMUNITY]
    assert int(page.locator("[data-testid=count]").get_attribute("data-count")) == n
    rows = page.locator("[data-testid=record-row]")
    assert rows.count() == min(n, 50)
    links = rows.locator("td:first-child a").evaluate_all("links => links.map(a => a.pathname)")
    assert len(links) == rows.count() and all(HAZARD_LINK.search(h) for h in links), links
    page.screenshot(path=artifacts / "records-hazards-overdue.png", full_page=True)

    # A row leads to an overdue hazard of the community.
    with page.expect_navigation():
        rows.first.locator("td:first-child a").click()
    state = page.locator("[data-testid=hazard-state]").get_attribute("data-state")
    assert state in {"open", "rectifying", "rejected"}, state
    deadline = page.locator("[data-testid=hazard-deadline]").get_attribute("data-deadline")
    assert datetime.date.fromisoformat(deadline) < shanghai_today()
    page.go_back()
    page.wait_for_load_state()

    # 4. The weekly briefing of the district for last week.
    with page.expect_navigation():
        page.locator(".page-header a.btn[href^='/dashboard/?']").click()  # back to it
    with page.expect_navigation():
        page.locator("[data-testid=briefings-link]").click()
    assert page.url.rstrip("/").endswith("/dashboard/briefings")
    form = page.locator("[data-testid=briefing-form]")
    today = shanghai_today()
    last_monday = today - datetime.timedelta(days=today.weekday() + 7)
    assert form.locator("input[name=week_start]").input_value() == last_monday.isoformat()
    picker = form.locator("select[name=jurisdiction]")
    district_id = picker.locator("option").evaluate_all(
        f"""options => options.find(o => o.textContent.trim() === "{DISTRICT}").value""")
    picker.select_option(district_id)
    page.screenshot(path=artifacts / "briefing-list.png", full_page=True)
    with page.expect_navigation():
        form.locator("[data-testid=generate]").click()
    if page.locator("[data-testid=existing]").count():  # already written for that week
        with page.expect_navigation():
            page.locator("[data-testid=existing] a").click()
    assert re.search(r"/dashboard/briefings/\d+/$", page.url), page.url
    assert page.locator("[data-testid=headline] tr[data-kpi]").count() > 0
    assert page.locator("[data-testid=children] tr[data-child]").count() > 0
    page.screenshot(path=artifacts / "briefing-detail.png", full_page=True)

    with page.expect_download() as download_info:
        page.locator("[data-testid=download-pdf]").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"briefing-{DISTRICT_CODE}-")
    assert download.suggested_filename.endswith(f"-{last_monday:%Y%m%d}.pdf")
    pdf = artifacts / "briefing.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"

    # 5. Page 1 as a picture: ink on it, and the red masthead.
    if not shutil.which("pdftoppm"):
        reason = ("pdftoppm (poppler-utils) is missing: the briefing PDF was downloaded to "
                  f"{pdf} but its page 1 is not rendered and looked at")
        if REQUIRE_BROWSER:
            pytest.fail(f"RANAN_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    prefix = artifacts / "briefing-page"
    for old in artifacts.glob("briefing-page*.png"):
        old.unlink()
    done = subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf),
                           str(prefix)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    pngs = sorted(artifacts.glob("briefing-page*.png"))
    assert len(pngs) == 1, pngs
    png = pngs[0].rename(artifacts / "briefing-page1.png")
    ink, red = ink_of(png)
    assert ink > 0.02, f"page 1 of the briefing is nearly blank ({ink:.1%} ink): {png}"
    assert red > 500, f"no red masthead on page 1 of the briefing ({red} red pixels): {png}"


def test_the_big_screen_the_phone_and_the_english_dashboard(new_page, login, artifacts):
    # The control room's screen: dark, the figures, two bar charts.
    start, end = period()
    screen = new_page(viewport=BIG)
    login(screen, "jiangbei_reg")
    screen.goto(f"/dashboard/big-screen/?jurisdiction={DISTRICT_CODE}&from={start}&to={end}")
    assert screen.locator("[data-testid=big-title]").inner_text().startswith(DISTRICT)
    background = screen.evaluate("getComputedStyle(document.body).backgroundColor")
    rgb = [int(v) for v in re.findall(r"\d+", background)[:3]]
    assert sum(rgb) / 3 < 60, f"the big screen is not dark: {background}"
    figures = screen.locator("[data-testid=big-figure]")
    assert figures.count() == 12
    values = [v.strip() for v in figures.locator(".value").all_inner_texts()]
    assert all(values), values
    assert int(screen.locator("[data-testid=big-figure][data-kpi=hazards_overdue] .value"
                              ).inner_text()) > 0
    assert screen.locator("meta[http-equiv=refresh]").get_attribute("content") == "60"
    for chart in ("#coverage-chart", "#overdue-chart"):
        wait_until_drawn(screen, chart)
        box = screen.locator(f"{chart} svg").bounding_box()
        assert box["width"] > 300 and box["height"] > 150, (chart, box)
    # One bar per child: 江北区 has one, 孔浦街道, so its bars are the district's figures.
    coverage = screen.locator("[data-testid=big-figure][data-kpi=inspection_coverage] .value")
    assert chart_data(screen, "#coverage-chart") == [float(coverage.inner_text().rstrip("%"))]
    overdue = screen.locator("[data-testid=big-figure][data-kpi=hazards_overdue] .value")
    assert chart_data(screen, "#overdue-chart") == [int(overdue.inner_text())]
    # The child (孔浦街道) is named under the bars.
    assert screen.locator("#coverage-chart svg text", has_text=TOWNSHIP).count() >= 1
    # The clock ticks (the server writes minutes, the script seconds).
    screen.wait_for_function("""() => /\\d\\d:\\d\\d:\\d\\d$/.test(
        document.querySelector("[data-testid=clock]").textContent)""")
    no_horizontal_scroll(screen, BIG["width"])
    screen.screenshot(path=artifacts / "big-screen.png")

    # The dashboard on a phone: two cards a row, nothing wider than the screen.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(phone, "jiangbei_reg")
    phone.goto(dashboard_url())
    wait_for_charts(phone)
    cards = phone.locator("[data-testid=kpi-card]")
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"]
    assert first["width"] < PHONE["width"] / 2
    no_horizontal_scroll(phone, PHONE["width"])
    phone.screenshot(path=artifacts / "dashboard-phone.png", full_page=True)

    # In English, through the language switch: the same page, the same figures.
    desk = new_page()
    login(desk, "jiangbei_reg")
    desk.goto(dashboard_url())
    assert desk.locator("html").get_attribute("lang").startswith("zh")
    chinese = desk.locator("[data-testid=kpi-card][data-kpi=hazards_overdue]").get_attribute(
        "data-numerator")
    with desk.expect_navigation():
        desk.locator("[data-testid=language-form] select").select_option("en")
    assert desk.locator("html").get_attribute("lang") == "en"
    assert "/dashboard/" in desk.url and f"jurisdiction={DISTRICT_CODE}" in desk.url
    assert "Dashboard" in title(desk)
    assert desk.locator("[data-testid=kpi-card][data-kpi=hazards_overdue]").get_attribute(
        "data-numerator") == chinese
    labels = desk.locator("[data-testid=kpi-card] .subheader").all_inner_texts()
    untranslated = [label for label in labels if re.search(r"[\u4e00-\u9fff]", label)]
    assert not untranslated, f"Chinese KPI labels on the English dashboard: {untranslated}"
    wait_for_charts(desk)
    desk.screenshot(path=artifacts / "dashboard-en.png", full_page=True)


# --- The weekly briefing as the task force's document (issue 14, item 8) ---------------------

PROVINCE = "西藏自治区"
SHOTS = Path("/tmp/shots")
BRIEFING_TEXT = {
    "title": "健全责任机制 深化宣传教育",
    "lead": "强化警示教育，持续深化液化气安全宣传培训。",
    "note": "拉萨市专班本周督办达孜区入户安检。",
    "reported_to": "自治区分管副主席、自治区政府副秘书长",
    "copied_to": "自治区纪委监委\n各市（地）人民政府",
    "drafter": "次仁卓玛",
}


def shot(page, artifacts, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"briefing_{name}.png", full_page=True)
    page.screenshot(path=artifacts / f"briefing-{name}.png", full_page=True)


def test_the_task_force_edits_and_issues_briefing_54_and_downloads_it(new_page, login, artifacts):
    page = new_page()
    login(page, "taskforce")

    # 1. The numbering continues from 54: the task force's paper issues ended at 53.
    page.goto("/dashboard/briefings/")
    with page.expect_navigation():
        page.locator("[data-testid=numbering-link]").click()
    form = page.locator("[data-testid=numbering-form]")
    picker = form.locator("select[name=jurisdiction]")
    province_id = picker.locator("option").evaluate_all(
        f"""options => options.find(o => o.textContent.trim() === "{PROVINCE}").value""")
    picker.select_option(province_id)
    form.locator("input[name=first_number]").fill("0")  # refused, next to its field
    with page.expect_navigation():
        form.locator("[data-testid=save-numbering]").click()
    assert page.locator("[data-field=first_number]").count() == 1
    form = page.locator("[data-testid=numbering-form]")
    form.locator("select[name=jurisdiction]").select_option(province_id)
    form.locator("input[name=first_number]").fill("54")
    form.locator("input[name=issuer]").fill("西藏自治区城镇燃气安全专项整治工作专班")
    with page.expect_navigation():
        form.locator("[data-testid=save-numbering]").click()
    row = page.locator(f"[data-testid=numbering] tr[data-jurisdiction='{province_id}']")
    assert row.locator("[data-testid=next-number]").inner_text().strip() == "54"
    shot(page, artifacts, "numbering")

    # 2. Last week's briefing of the province: a draft, no number yet.
    with page.expect_navigation():
        page.locator("[data-testid=report-nav] a[href='/dashboard/briefings/']").click()
    form = page.locator("[data-testid=briefing-form]")
    form.locator("select[name=jurisdiction]").select_option(province_id)
    with page.expect_navigation():
        form.locator("[data-testid=generate]").click()
    assert re.search(r"/dashboard/briefings/\d+/$", page.url), page.url
    assert page.locator("[data-testid=briefing-state]").get_attribute("data-state") == "draft"

    # 3. Its text: title, lead, a note on a child area, recipients, drafter.
    edit = page.locator("[data-testid=briefing-edit]")
    edit.locator("input[name=title]").fill(BRIEFING_TEXT["title"])
    edit.locator("textarea[name=lead]").fill(BRIEFING_TEXT["lead"])
    notes = edit.locator("textarea[name^=note_]")
    assert notes.count() >= 1
    notes.first.fill(BRIEFING_TEXT["note"])
    edit.locator("textarea[name=reported_to]").fill(BRIEFING_TEXT["reported_to"])
    edit.locator("textarea[name=copied_to]").fill(BRIEFING_TEXT["copied_to"])
    edit.locator("input[name=drafter]").fill(BRIEFING_TEXT["drafter"])
    with page.expect_navigation():
        edit.locator("[data-testid=save-briefing]").click()
    assert page.locator("[data-testid=briefing-title]").inner_text() == BRIEFING_TEXT["title"]
    assert BRIEFING_TEXT["note"] in page.locator("[data-testid=area-note]").first.inner_text()
    assert "自治区纪委监委、各市（地）人民政府" in page.locator("[data-testid=copied-to]").inner_text()
    assert "54" in page.locator("[data-testid=issue-briefing]").inner_text()
    shot(page, artifacts, "draft")

    # 4. Issue it: without the box ticked, refused with the reason; then 第54期, frozen.
    with page.expect_navigation():
        page.locator("[data-testid=issue-briefing]").click()
    assert page.locator("[data-testid=briefing-error]").count() == 1
    page.locator("[data-testid=confirm-issue]").check()
    with page.expect_navigation():
        page.locator("[data-testid=issue-briefing]").click()
    assert page.locator("[data-testid=briefing-state]").get_attribute("data-state") == "issued"
    assert "54" in page.locator("[data-testid=briefing-number]").inner_text()
    assert page.locator("[data-testid=briefing-edit]").count() == 0
    assert page.locator("[data-testid=drafter]").inner_text().endswith(BRIEFING_TEXT["drafter"])
    shot(page, artifacts, "issued")

    # 5. The PDF: the number in its name, the task force's text in it.
    with page.expect_download() as download_info:
        page.locator("[data-testid=download-pdf]").click()
    download = download_info.value
    assert download.suggested_filename.startswith("briefing-540000-054-"), \
        download.suggested_filename
    pdf = artifacts / "briefing-54.pdf"
    download.save_as(pdf)
    if not shutil.which("pdftotext"):
        reason = f"pdftotext (poppler-utils) is missing: {pdf} is not read back"
        if REQUIRE_BROWSER:
            pytest.fail(f"RANAN_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\n", "")
    for words in (BRIEFING_TEXT["title"], BRIEFING_TEXT["lead"], BRIEFING_TEXT["note"],
                  "自治区分管副主席", "自治区政府副秘书长", "自治区纪委监委", "各市（地）人民政府",
                  BRIEFING_TEXT["drafter"], "西藏自治区城镇燃气安全专项整治工作专班", "抄报", "抄送",
                  "拟稿人"):
        assert words in text, words
    if shutil.which("pdftoppm"):
        prefix = SHOTS / "briefing_pdf"
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf),
                        str(prefix)], capture_output=True, timeout=60, check=True)


# --- The briefing agrees with itself and with the KPI API (issue 15, items 6 and 10) ---------


def api_kpis(page, code: str, start, end, names) -> dict[str, dict]:
    query = "&".join([f"jurisdiction={code}", f"from={start}", f"to={end}",
                      *(f"kpi={n}" for n in names)])
    answer = page.request.get(f"/api/v1/kpis/?{query}")
    assert answer.ok, answer.text()
    return {r["name"]: r for r in answer.json()["kpis"]}


def open_last_weeks_briefing(page) -> None:
    page.goto("/dashboard/briefings/")
    if not page.locator("html").get_attribute("lang").startswith("zh"):
        # The account's language is kept: another test may have left it in English.
        with page.expect_navigation():
            page.locator("[data-testid=language-form] select").select_option("zh-hans")
    form = page.locator("[data-testid=briefing-form]")
    picker = form.locator("select[name=jurisdiction]")
    district_id = picker.locator("option").evaluate_all(
        f"""options => options.find(o => o.textContent.trim() === "{DISTRICT}").value""")
    picker.select_option(district_id)
    with page.expect_navigation():
        form.locator("[data-testid=generate]").click()
    if page.locator("[data-testid=existing]").count():  # already written for that week
        with page.expect_navigation():
            page.locator("[data-testid=existing] a").click()
    assert re.search(r"/dashboard/briefings/\d+/$", page.url), page.url


def test_the_briefing_agrees_with_the_kpi_api_and_its_charts_scale(new_page, login, artifacts):
    from django.utils import translation

    from ranan.reports import briefing
    from tests.reports.test_briefing_pdf import change, fmt, lines, pdf_text

    page = new_page()  # an office: DESKTOP
    login(page, "jiangbei_reg")
    open_last_weeks_briefing(page)
    doc = page.locator("[data-testid=briefing-document]")
    code = doc.get_attribute("data-jurisdiction")
    monday = datetime.date.fromisoformat(doc.get_attribute("data-week-start"))
    as_of = datetime.date.fromisoformat(doc.get_attribute("data-as-of"))
    sunday, before = monday + datetime.timedelta(days=6), monday - datetime.timedelta(days=7)
    now = api_kpis(page, code, monday, sunday, briefing.HEADLINE)
    previous = api_kpis(page, code, before, before + datetime.timedelta(days=6),
                        briefing.HEADLINE)
    to_date = api_kpis(page, code, briefing.SINCE, as_of, briefing.TO_DATE)

    # The page: each headline figure once, its previous week filled in, as the API says.
    rows = page.locator("[data-testid=headline] tr[data-kpi]")
    names = rows.evaluate_all("rows => rows.map(r => r.dataset.kpi)")
    assert names == briefing.HEADLINE
    for name in names:
        row = page.locator(f"[data-testid=headline] tr[data-kpi={name}]")
        cells = [row.locator(f"[data-cell={c}]").inner_text().strip()
                 for c in ("now", "previous", "change")]
        assert cells == [fmt(now[name]), fmt(previous[name]),
                         change(now[name], previous[name])], name
    assert page.locator("[data-testid=open-now]").inner_text() == fmt(to_date["hazards_open"])
    assert page.locator("[data-testid=overdue-now]").inner_text() == fmt(
        to_date["hazards_overdue"])
    assert int(to_date["hazards_overdue"]["value"]) > 0, "the demo has overdue hazards"
    steps = page.locator("[data-testid=steps] tr[data-step] td.fw-bold").all_inner_texts()
    assert steps == [fmt(to_date[n]) for n in briefing.STEPS]
    page.screenshot(path=artifacts / "briefing-agrees.png", full_page=True)

    # The PDF: the same numbers, read back from its text.
    with page.expect_download() as download_info:
        page.locator("[data-testid=download-pdf]").click()
    pdf = artifacts / "briefing-agrees.pdf"
    download_info.value.save_as(pdf)
    text = lines(pdf_text(pdf.read_bytes()))
    with translation.override("zh-hans"):
        for name in briefing.HEADLINE:
            row = " ".join(filter(None, [briefing.label(name), fmt(now[name]),
                                         fmt(previous[name]),
                                         change(now[name], previous[name])]))
            assert text.count(row) == 1, f"{name}: no line {row!r} in the PDF"
        for name in ("hazards_open", "hazards_overdue"):
            row = f"{briefing.to_date_label(name, as_of)} {fmt(to_date[name])}"
            assert text.count(row) == 1, f"no line {row!r} in the PDF"
    # The chart's bars carry their values; its axis ends near the highest, not at 100 %.
    coverage = round(now["inspection_coverage"]["value"] * 100, 1)
    assert any(line.endswith(f"{coverage:.1f}%") for line in text), "no labelled bar"
    if shutil.which("pdftoppm"):
        for old in artifacts.glob("briefing-agrees-page*.png"):
            old.unlink()
        done = subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf),
                               str(artifacts / "briefing-agrees-page")], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr

    # The dashboard's charts: ECharts says 加载中 in Chinese, its axes scale to the values,
    # the ranking's bars are labelled.
    held = []  # the weekly figures are held back while the loading text is read
    charts = page.locator(".row:has(#trend-chart)").last
    page.route("**/api/v1/kpis/timeseries*", lambda route: held.append(route))
    page.goto(dashboard_url())
    page.wait_for_selector("#trend-chart svg text:has-text('加载中')")
    assert page.locator("#trend-chart svg text", has_text="loading").count() == 0
    charts.screenshot(path=artifacts / "dashboard-loading-zh.png")
    for route in held:
        route.continue_()
    page.unroute("**/api/v1/kpis/timeseries*")
    wait_for_charts(page)
    top = page.evaluate("""() => echarts.getInstanceByDom(document.getElementById(
        "ranking-chart")).getModel().getComponent("xAxis").axis.scale.getExtent()[1]""")
    values = [v for v in chart_data(page, "#ranking-chart") if v is not None]
    assert max(values) <= top < 100 or max(values) > 80, (values, top)
    assert page.locator("#ranking-chart svg text", has_text="%").count() >= len(values)
    charts.screenshot(path=artifacts / "dashboard-charts-zh.png")

    # In English: "Loading…", and no Chinese in the headers of the drill-down lists (the
    # names of places and the records' own text are data).
    held.clear()
    page.route("**/api/v1/kpis/timeseries*", lambda route: held.append(route))
    with page.expect_navigation():
        page.locator("[data-testid=language-form] select").select_option("en")
    page.wait_for_selector("#trend-chart svg text:has-text('Loading')")
    charts.screenshot(path=artifacts / "dashboard-loading-en.png")
    for route in held:
        route.continue_()
    page.unroute("**/api/v1/kpis/timeseries*")
    wait_for_charts(page)
    hrefs = sorted({h for h in page.locator("[data-testid=kpi-card] a, a[data-kpi]").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))") if h and "/records/" in h})
    assert len(hrefs) >= 20, hrefs
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for href in hrefs[:40]:
        page.goto(href)
        heads = page.locator("thead th, .subheader").all_inner_texts()
        heads += [page.locator("[data-testid=records-title]").inner_text().split(" · ")[0]]
        assert not [h for h in heads if cjk.search(h)], (href, heads)
    page.screenshot(path=artifacts / "records-en.png", full_page=True)
