"""Issue 16, item 11, in Chromium: under the Content-Security-Policy (no inline script, no
eval) the pages still work and the browser reports no violation: the language switch submits
itself (common.js, data-autosubmit), the home page, the dashboard draws its charts, a hazard
opens, the supply page asks its confirmation (common.js, data-confirm) and a dismissed one
sends nothing, and the API's documentation (signed in) renders."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_inspections import COMMUNITY, small_png
from tests.browser.test_reports import DISTRICT_CODE, dashboard_url, wait_for_charts

pytestmark = pytest.mark.browser

HAZARD_LINK = re.compile(r"/hazards/\d+/$")


def watch(page) -> list[str]:
    """The page's CSP violations and script errors, as the browser reports them."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}")
            if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"error: {e}"))
    return problems


def test_the_language_switch_submits_itself(new_page):
    page = new_page()
    problems = watch(page)
    response = page.goto("/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    with page.expect_navigation():
        page.select_option("[data-testid=language-form] select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert problems == []


def test_the_regulators_pages_and_charts_run_under_the_policy(new_page, login):
    page = new_page()
    problems = watch(page)
    login(page, "jiangbei_reg")
    page.goto(dashboard_url(DISTRICT_CODE))
    wait_for_charts(page)
    page.goto(f"/hazards/?jurisdiction={DISTRICT_CODE}&mine=false")
    links = [h for h in page.locator("a[href]").evaluate_all("els => els.map(e => e.pathname)")
             if HAZARD_LINK.search(h)]
    assert links, "the demo's district has hazards"
    page.goto(links[0])
    assert page.locator("[data-testid]").count() > 0
    assert problems == []


def test_the_supply_page_asks_before_a_shut_off(new_page, login, api, tmp_path):
    page = new_page()
    problems = watch(page)
    login(page, "butler")
    homes = api(f"customers/?jurisdiction={COMMUNITY}&status=active&page_size=50")["results"]
    for home in homes:
        page.goto(f"/inspections/supply/{home['id']}/")
        if page.locator("[data-testid=shut-off-form]").count():
            break
    else:
        pytest.fail("no household of the community can be shut off")
    form = page.locator("[data-testid=shut-off-form]")
    form.locator("input[name=note]").fill("CSP test: dismissed")
    form.locator("input[type=file]").set_input_files(small_png(tmp_path / "valve.png"))
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    form.locator("button[type=submit]").click()
    page.wait_for_timeout(500)
    assert len(asked) == 1 and asked[0] == form.get_attribute("data-confirm")
    assert posts == []  # dismissed: nothing sent, nothing recorded
    assert problems == []


def test_the_api_documentation_renders_for_a_signed_in_account(new_page, login):
    page = new_page()
    problems = watch(page)
    login(page, "butler")
    page.goto("/api/docs/")
    page.wait_for_selector("#swagger-ui .information-container, #swagger-ui .info")
    assert problems == []
