"""Every page as every role (issue 15 item 7): log in as one demo account of each role and
kind of organisation, follow every same-site link breadth first, and fail on a link that
answers 403 (a menu, a link or a button leading to a page the account may not see), a 5xx,
a JavaScript error, or a page wider than the screen its users hold (a phone for the field
roles, a desktop for the offices).

The crawl is bounded: at most PAGE_CAP pages rendered per account, PER_FAMILY of a family
(/dashboard/records/...), and at most PER_PATTERN URLs per path pattern (digits and codes
folded: /customers/12/ and /customers/13/ are one pattern, as are a list's ?page= variants);
the links found beyond the caps are still asked for their status over HTTP (LINK_CAP per
account), without rendering. Downloads (.xlsx, .pdf,
labels) are asked for their status only. What was visited is printed (pytest -s) and written
to tests/browser/artifacts/crawl-<username>.txt.
"""

from __future__ import annotations

import re
import time
from collections import deque
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

PAGE_CAP = 40  # pages rendered per account
LINK_CAP = 70  # further links asked for their status per account
PER_PATTERN = 3  # URLs per path pattern (ids folded, query strings ignored)
PER_FAMILY = 6  # pages rendered per family (the path's first two segments: /dashboard/records/)
# Roles that work from a phone: their pages must fit 390 px.
FIELD_ROLES = {"courier", "inspector", "grid_worker", "property_manager"}
# Never followed: leaving the session, the language switch, Django's own admin, the API's
# machine pages (the footer's API docs is a third-party page checked for its status).
SKIP = re.compile(r"^/(logout|i18n|language|admin|api/)|^/static/|^/media/")
STATUS_ONLY = re.compile(r"^/api/docs/")
# A file, not a page: asked for its status only.
DOWNLOAD = re.compile(r"(\.(xlsx|pdf|csv|zip|png|jpg|svg)$)|(/(labels?|export|download|pdf|"
                      r"xlsx|photo|qr)(/|$))|([?&](format|export)=)")


def _pattern(path: str) -> str:
    """/customers/123/visits/ and /customers/456/visits/ are one pattern."""
    return re.sub(r"/[^/]*\d[^/]*(?=/|$)", "/{id}", path)


def _accounts(demo_server, api) -> list[dict]:
    """One demo account of each (role, kind of organisation), the first in the demo's list."""
    kinds = {}
    page = "organisations/?page_size=500"
    while page:
        data = api(page)
        kinds.update({o["name"]: o["kind"] for o in data["results"]})
        page = data.get("next") and data["next"].split("/api/v1/", 1)[1]
    chosen: dict[tuple, dict] = {}
    for account in demo_server.accounts.values():
        key = (account["role"], kinds.get(account["organisation"]))
        chosen.setdefault(key, account)
    return list(chosen.values())


class Crawl:
    def __init__(self, page, base: str, viewport: dict):
        self.page, self.base, self.viewport = page, base.rstrip("/"), viewport
        self.seen: set[str] = set()
        self.patterns: dict[str, int] = {}
        self.queue: deque[tuple[str, str]] = deque()
        self.visited: list[str] = []
        self.failures: list[str] = []
        self.console: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console.append(m.text))
        page.on("pageerror", lambda e: self.console.append(str(e)))

    def add(self, href: str, source: str) -> None:
        url = urldefrag(urljoin(self.base + source, href))[0]
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or f"{parsed.scheme}://{parsed.netloc}" != \
                self.base:
            return
        local = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if local in self.seen or (SKIP.search(parsed.path) and not
                                  STATUS_ONLY.search(parsed.path)):
            return
        pattern = _pattern(parsed.path)
        if self.patterns.get(pattern, 0) >= PER_PATTERN:
            return
        self.patterns[pattern] = self.patterns.get(pattern, 0) + 1
        self.seen.add(local)
        self.queue.append((local, source))

    def status(self, local: str, source: str) -> None:
        """Ask for a URL's status without rendering it (a download, a link beyond the cap)."""
        response = self.page.context.request.get(self.base + local, max_redirects=5)
        self.visited.append(f"{response.status} {local} (status only, from {source})")
        self._judge(response.status, local, source)
        response.dispose()

    def _judge(self, status: int, local: str, source: str) -> None:
        if status == 403:
            self.failures.append(f"403 {local} (linked from {source})")
        elif status >= 500:
            self.failures.append(f"{status} {local} (linked from {source})")

    def render(self, local: str, source: str) -> None:
        self.console.clear()
        try:
            response = self.page.goto(local, wait_until="load")
        except Exception as error:  # a download starts instead of a page
            if "Download is starting" in str(error) or "ERR_ABORTED" in str(error):
                self.status(local, source)
                return
            raise
        status = response.status if response else 0
        self.visited.append(f"{status} {local} (from {source})")
        self._judge(status, local, source)
        if status >= 400:
            return
        self.page.wait_for_timeout(50)  # a chart's first drawing, htmx's first swap
        width = self.page.evaluate("document.documentElement.scrollWidth")
        if width > self.viewport["width"] + 1:
            self.failures.append(f"{local} is {width} px wide on a "
                                 f"{self.viewport['width']} px screen")
        for text in self.console:
            self.failures.append(f"JavaScript error on {local}: {text}")
        current = urlparse(self.page.url)
        here = current.path + (f"?{current.query}" if current.query else "")
        for href in self.page.eval_on_selector_all(
                "a[href]", "links => links.map(a => a.getAttribute('href'))"):
            if href and not href.startswith(("#", "javascript:", "mailto:", "tel:")):
                self.add(href, here)

    def run(self) -> None:
        """Breadth first; the render budget spread over the site's families of pages (the
        33 lists behind the figures are one family), the rest asked for its status."""
        self.add("/", "/")
        rendered = checked = 0
        families: dict[str, int] = {}
        while self.queue:
            local, source = self.queue.popleft()
            path = urlparse(local).path
            family = "/".join(_pattern(path).split("/")[:3])
            if DOWNLOAD.search(local) or STATUS_ONLY.search(path):
                self.status(local, source)
            elif rendered < PAGE_CAP and families.get(family, 0) < PER_FAMILY:
                rendered += 1
                families[family] = families.get(family, 0) + 1
                self.render(local, source)
            elif checked < LINK_CAP:
                checked += 1
                self.status(local, source)


def test_every_page_as_every_role(new_page, login, demo_server, api, artifacts):
    accounts = _accounts(demo_server, api)
    roles = {a["role"] for a in accounts}
    assert {"courier", "inspector", "grid_worker", "station_manager", "enterprise_admin",
            "regulator", "task_force", "auditor", "admin", "property_manager"} <= roles
    failures: list[str] = []
    started = time.monotonic()
    for account in accounts:
        viewport = PHONE if account["role"] in FIELD_ROLES else DESKTOP
        page = new_page(viewport=viewport)
        login(page, account["username"])
        crawl = Crawl(page, demo_server.url, viewport)
        begun = time.monotonic()
        crawl.run()
        report = "\n".join(crawl.visited)
        (artifacts / f"crawl-{account['username']}.txt").write_text(report + "\n",
                                                                       encoding="utf-8")
        print(f"\n== {account['username']} ({account['role']}, {viewport['width']} px): "
              f"{len(crawl.visited)} URLs in {time.monotonic() - begun:.0f} s\n{report}")
        failures += [f"{account['username']}: {f}" for f in crawl.failures]
        page.close()
    print(f"\ncrawl: {len(accounts)} accounts in {time.monotonic() - started:.0f} s")
    assert not failures, "\n".join(failures)


def _nav(page) -> list[str]:
    return page.locator("[data-testid=nav] a.nav-link").evaluate_all(
        "links => links.map(a => a.dataset.testid.slice(4))")


def test_a_pipeline_company_sees_no_lpg_menus_nor_figures(new_page, login, artifacts):
    page = login(new_page(viewport=DESKTOP), "ningbo_gas")
    nav = _nav(page)
    assert "customer-list" in nav and "inspection-home" in nav
    assert "cylinder-home" not in nav and "delivery-home" not in nav, nav
    figures = page.locator("[data-testid=home-figures] [data-kpi]").evaluate_all(
        "cells => cells.map(c => c.dataset.kpi)")
    assert figures and not {"cylinders_overdue", "deliveries_checked_rate"} & set(figures)
    page.screenshot(path=str(artifacts / "menus-pipeline-home.png"), full_page=True)
    page.goto("/dashboard/")
    sections = page.locator("[data-section]").evaluate_all(
        "s => s.map(e => e.dataset.section)")
    assert sections and not {"cylinder", "delivery"} & set(sections), sections
    page.screenshot(path=str(artifacts / "menus-pipeline-dashboard.png"), full_page=True)
    # An LPG company's administrator sees both, in the menu and on the dashboard.
    other = login(new_page(viewport=DESKTOP), "lpg_admin")
    assert {"cylinder-home", "delivery-home"} <= set(_nav(other))
    other.goto("/dashboard/")
    assert {"cylinder", "delivery"} <= set(other.locator("[data-section]").evaluate_all(
        "s => s.map(e => e.dataset.section)"))


@pytest.mark.parametrize("username", ["courier01", "butler", "dechen_grid"])
def test_a_field_role_opens_every_menu_entry_on_its_phone(new_page, login, artifacts, username):
    page = login(new_page(viewport=PHONE), username)
    page.locator(".navbar-toggler").click()
    page.locator("#navbar-menu.collapse.show").wait_for()  # the unfolding has ended
    page.screenshot(path=str(artifacts / f"menus-{username}-phone.png"))
    hrefs = page.locator("[data-testid=nav] a.nav-link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    assert hrefs
    for href in hrefs:
        response = page.goto(href)
        assert response.status == 200, (href, response.status)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, (href, width)
