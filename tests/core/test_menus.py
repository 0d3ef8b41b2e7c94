"""Menus fit the role (issue 15 item 7): an entry shows to the accounts holding its capability
whose organisation is of a kind it concerns (a pipeline gas company sees no cylinders nor
deliveries, in the menu or among the figures), no link leads to a 403, and the demo's pages,
followed from the home page as every account, answer neither 403 nor 5xx (the fast
complement, without a browser, of tests/browser/test_crawl.py)."""

from __future__ import annotations

import datetime
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.urls import reverse

from ranan.core import contract, kpis
from ranan.core.choices import OrgKind
from ranan.core.contract import Nav
from ranan.core.permissions import can, may_open

LPG_APPS = ("cylinder-home", "delivery-home")


def nav_names(client) -> list[str]:
    html = client.get("/").content.decode()
    return re.findall(r'data-testid="nav-([\w-]+)"', html)


# --- The declarations -------------------------------------------------------------------------


def test_the_lpg_apps_concern_every_kind_but_a_pipeline_company():
    entries = {n.url_name: n for n in contract.navigation()}
    for name in LPG_APPS:
        kinds = entries[name].org_kinds
        assert kinds is not None and OrgKind.PIPELINE_GAS not in kinds, name
        assert {OrgKind.LPG_STATION, OrgKind.LPG_COMPANY, OrgKind.REGULATOR,
                OrgKind.TASK_FORCE, OrgKind.TOWNSHIP_OFFICE} <= kinds, name
    # Everything else concerns every kind.
    assert all(n.org_kinds is None for n in entries.values() if n.url_name not in LPG_APPS)
    lpg = {k.name for k in kpis.catalogue() if k.org_kinds is not None}
    assert lpg == {k.name for k in kpis.catalogue() if k.section in ("cylinder", "delivery")}
    assert {"cylinders_overdue", "interlock_refusals", "deliveries_checked_rate"} <= lpg


def test_an_entry_shows_by_capability_and_kind(cast):
    station_only = Nav("home", "x", order=0, org_kinds=frozenset({OrgKind.LPG_STATION}))
    assert station_only.shows_to(cast.courier_a1)
    assert not station_only.shows_to(cast.inspector)  # a pipeline company's
    needs = Nav("home", "x", order=0, capability="cylinders.fill")
    assert needs.shows_to(cast.station_manager) and not needs.shows_to(cast.courier_a1)
    assert not needs.shows_to(cast.auditor)
    both = Nav("home", "x", order=0, capability="customers.read",
               org_kinds=frozenset({OrgKind.PIPELINE_GAS}))
    assert both.shows_to(cast.gas_admin) and not both.shows_to(cast.lpg_admin)
    assert not both.shows_to(cast.auditor)  # a pipeline kind is not enough without the grant


def test_a_superuser_and_an_account_without_organisation_see_every_kind(cast, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x-Strong-1")
    lpg = Nav("home", "x", order=0, org_kinds=frozenset({OrgKind.LPG_STATION}))
    assert lpg.shows_to(root)
    assert contract.concerns(root, frozenset())
    cast.admin.organisation = None
    assert contract.concerns(cast.admin, frozenset({OrgKind.LPG_STATION}))


def test_an_app_declares_the_kinds_its_entries_inherit(monkeypatch):
    app = next(a for a in contract.ranan_apps() if a.label == "customers")
    monkeypatch.setattr(type(app), "org_kinds", frozenset({OrgKind.REGULATOR}))
    monkeypatch.setattr(type(app), "navigation", [
        Nav("customer-list", "c", order=20, capability="customers.read"),
        Nav("customer-create", "n", order=21, org_kinds=frozenset({OrgKind.TASK_FORCE}))])
    contract.clear()
    try:
        entries = [n for n in contract.navigation() if n.url_name.startswith("customer-")]
        assert {n.url_name: n.org_kinds for n in entries} == {
            "customer-list": frozenset({OrgKind.REGULATOR}),
            "customer-create": frozenset({OrgKind.TASK_FORCE})}  # its own kinds win
    finally:
        monkeypatch.undo()
        contract.clear()


# --- The menus as each account sees them -------------------------------------------------------


@pytest.mark.parametrize("who, present, absent", [
    ("courier_a1", ["cylinder-home", "delivery-home", "customer-list"],
     ["organisation-list", "audit-list", "referral-list"]),
    ("station_manager", ["cylinder-home", "delivery-home", "dashboard"], ["audit-list"]),
    ("lpg_admin", ["cylinder-home", "delivery-home"], ["audit-list"]),
    ("gas_admin", ["customer-list", "inspection-home", "dashboard"],
     ["cylinder-home", "delivery-home", "audit-list"]),
    ("inspector", ["customer-list", "inspection-home"],
     ["cylinder-home", "delivery-home", "referral-list"]),
    ("regulator_a", ["cylinder-home", "delivery-home", "referral-list"], ["account-list"]),
    ("auditor", ["audit-list"], ["customer-list", "cylinder-home", "dashboard"]),
    ("admin", ["cylinder-home", "delivery-home", "account-list"], ["audit-list"]),
])
def test_the_menu_fits_the_role_and_the_kind(cast, client, who, present, absent):
    client.force_login(getattr(cast, who))
    names = nav_names(client)
    assert names[0] == "home"
    assert set(present) <= set(names), names
    assert not set(absent) & set(names), names


@pytest.mark.parametrize("who", ["courier_a1", "station_manager", "lpg_admin", "gas_admin",
                                 "inspector", "regulator_a", "regulator_b", "auditor", "admin",
                                 "admin_a"])
def test_no_menu_entry_answers_403(cast, client, who):
    client.force_login(getattr(cast, who))
    html = client.get("/").content.decode()
    hrefs = re.findall(r'<a class="nav-link" href="([^"]+)"', html)
    assert hrefs
    for href in hrefs:
        status = client.get(href).status_code
        assert status in (200, 302), (who, href, status)


def test_a_pipeline_company_is_shown_no_lpg_figures(cast, client):
    client.force_login(cast.gas_admin)
    names = {k.name for k in kpis.for_user(cast.gas_admin)}
    assert not names & {"cylinders_overdue", "interlock_refusals", "deliveries_checked_rate"}
    html = client.get(reverse("dashboard")).content.decode()
    shown = set(re.findall(r'data-kpi="(\w+)"', html))
    assert shown and not shown & {"cylinders_overdue", "interlock_refusals"}, shown
    assert 'data-section="cylinder"' not in html and 'data-section="delivery"' not in html
    # The API's catalogue follows the same rule; a KPI asked for by name is answered.
    rows = client.get("/api/v1/kpis/").json()["kpis"]
    assert {r["name"] for r in rows} == names
    rows = client.get("/api/v1/kpis/?kpi=cylinders_overdue").json()["kpis"]
    assert [r["name"] for r in rows] == ["cylinders_overdue"]
    # An LPG company's people and the regulator see them.
    for who in (cast.lpg_admin, cast.regulator_b):
        assert {"cylinders_overdue", "deliveries_checked_rate"} <= {
            k.name for k in kpis.for_user(who)}
    today = datetime.date(2026, 12, 4)
    figures = kpis.compute(cast.gas_admin, cast.district_b.path, today, today)
    assert {r["name"] for r in figures} == names


def test_may_open_reads_the_capability_a_page_declares(cast):
    order = "/delivery/orders/1/"  # @requires("delivery.read")
    assert may_open(cast.courier_a1, order)
    assert not may_open(cast.inspector, order)
    assert not may_open(cast.auditor, reverse("customer-list"))
    assert may_open(cast.auditor, reverse("audit-list"))
    assert may_open(cast.inspector, "/no/such/page/")  # a 404 is not hidden
    assert not may_open(cast.inspector, None)


# --- The demo, crawled as every account ------------------------------------------------------

PAGE_CAP = 60  # pages per account
PER_PATTERN = 3  # URLs per path pattern (ids folded)
SKIP = re.compile(r"^/(logout|i18n|language|admin|api/|static/|media/)")
DOWNLOAD = re.compile(r"[?&](format|export)=|\.(xlsx|pdf|csv|png)$|/(labels?|pdf|xlsx|qr)(/|$)")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and not href.startswith(("#", "javascript:", "mailto:", "tel:")):
            self.hrefs.append(href)


def _crawl(client, start: str = "/") -> tuple[list[str], list[str]]:
    seen, patterns = {start}, {}
    queue: deque[tuple[str, str]] = deque([(start, start)])
    visited, failures = [], []
    while queue and len(visited) < PAGE_CAP:
        url, source = queue.popleft()
        response = client.get(url)
        visited.append(f"{response.status_code} {url}")
        if response.status_code == 403 or response.status_code >= 500:
            failures.append(f"{response.status_code} {url} (linked from {source})")
        if response.status_code != 200 or DOWNLOAD.search(url) or \
                "html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode(errors="replace"))
        for href in parser.hrefs:
            parts = urlsplit(urldefrag(urljoin(url, href))[0])
            if parts.netloc not in ("", "testserver") or SKIP.search(parts.path):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            pattern = re.sub(r"/[^/]*\d[^/]*(?=/|$)", "/{id}", parts.path)
            if local in seen or patterns.get(pattern, 0) >= PER_PATTERN:
                continue
            patterns[pattern] = patterns.get(pattern, 0) + 1
            seen.add(local)
            queue.append((local, url))
    return visited, failures


@pytest.fixture
def demo_world(db, settings, tmp_path):
    from ranan.core import demo

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RANAN_STORED_FIGURES = True
    return demo.load()


def test_no_link_of_the_demo_answers_403_or_5xx(demo_world, client, django_user_model):
    """Every demo account of each role and kind of organisation, from its home page."""
    chosen: dict[tuple, object] = {}
    for account in django_user_model.objects.select_related("organisation").order_by("pk"):
        for role in sorted(account.roles):
            kind = account.organisation.kind if account.organisation else None
            chosen.setdefault((role, kind), account)
    assert {role for role, _kind in chosen} >= {"courier", "inspector", "grid_worker",
                                                 "station_manager", "enterprise_admin",
                                                 "regulator", "task_force", "auditor", "admin",
                                                 "security_admin",
                                                 "property_manager"}
    failures = []
    for account in chosen.values():
        client.force_login(account)
        visited, failed = _crawl(client)
        assert len(visited) > 3 or not can(account, "core.data"), (account.username, visited)
        failures += [f"{account.username}: {f}" for f in failed]
        client.logout()
    assert not failures, "\n".join(failures)
