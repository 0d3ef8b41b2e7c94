"""The pages as each role sees them in Chromium: home, navigation, area scoping, language,
login lockout. Screenshots go to tests/browser/artifacts/ for a human to look at."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

# conftest.py skips every test here, with the reason, when /usr/bin/chromium is missing.
pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HTML_LANG_TO_DJANGO = {"zh-CN": "zh-hans", "en": "en"}


def expected_role_label(role: str, html_lang: str) -> str:
    """The role's label as the app translates it into the language the page is in."""
    from django.utils import translation

    from ranan.core.choices import Role

    with translation.override(HTML_LANG_TO_DJANGO[html_lang]):
        return str(Role(role).label)


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def nav_links(page) -> list[str]:
    return page.locator("[data-testid=nav] a.nav-link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")


# The core's own menu entries, in their order; each app adds its entry for every data role
# (not the auditor). Other apps' entries are left out of the comparison: they come and go.
CORE_LINKS = {"/", "/customers/", "/areas/", "/organisations/", "/accounts/", "/audit/"}
APP_LINKS = ["/cylinders/", "/inspections/"]


def area_names(account: dict) -> list[str]:
    return [name for name in account["area"].split(" / ") if name]


# username -> (nav hrefs, a block of the role's home page, texts that block must hold)
HOME_PAGES = {
    "courier01": (["/", "/customers/", "/areas/"], "[data-testid=places]", ["桑珠林村", "扎西岗村"]),
    "station": (["/", "/customers/", "/areas/"], "[data-testid=staff]",
                ["courier01", "courier15", "station"]),
    "dazi_msa": (["/", "/customers/", "/areas/"], "[data-testid=units]", ["德庆镇", "邦堆乡", "540104100"]),
    "auditor": (["/", "/audit/"], "[data-testid=audit-table]", []),
    "admin": (["/", "/customers/", "/areas/", "/organisations/", "/accounts/"],
              "[data-testid=count-accounts]", []),
    "butler": (["/", "/customers/", "/areas/"], "[data-testid=places]", ["翠东社区", "4"]),
}


@pytest.mark.parametrize("username", list(HOME_PAGES))
def test_home_page_per_role(page, login, demo_server, artifacts, username):
    account = demo_server.accounts[username]
    nav, block, texts = HOME_PAGES[username]
    login(page, username)

    assert page.url.rstrip("/") == demo_server.url
    assert html_lang(page) == "zh-CN", "the default UI language is Chinese"
    role = page.locator("[data-testid=role]")
    assert role.text_content().strip() == expected_role_label(account["role"], "zh-CN")
    links = nav_links(page)
    assert [link for link in links if link in CORE_LINKS] == nav
    for link in APP_LINKS:
        # Cylinders are LPG's: not in the menu of a pipeline gas company's people (butler's).
        shown = username != "auditor" and not (link == "/cylinders/" and username == "butler")
        assert (link in links) == shown, link
    assert ("/audit/" in nav) == (username == "auditor"), "only the auditor reaches the audit log"
    assert page.locator("[data-testid=nav] .nav-item.active a").get_attribute("href") == "/"
    assert account["organisation"] in page.locator("[data-testid=whoami]").inner_text()

    content = page.locator(block)
    assert content.is_visible()
    for text in texts:
        assert text in content.inner_text(), f"{text!r} missing from {block}"
    if username == "auditor":
        # Demo loading and every login so far were audited.
        assert content.locator("tbody tr").count() > 0
    else:
        area_card = page.locator(".card", has=page.locator("[data-testid=area-summary]"))
        badges = area_card.locator("a.badge").all_inner_texts()
        assert badges and sorted(badges) == sorted(area_names(account))
    if username == "admin":
        assert int(page.locator("[data-testid=count-accounts]").inner_text()) == len(
            demo_server.accounts)

    page.screenshot(path=artifacts / f"{username}-home.png", full_page=True)


def test_courier_home_on_a_phone(new_page, login, artifacts):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    login(page, "courier01")
    page.screenshot(path=artifacts / "courier01-home-phone.png", full_page=True)
    assert page.locator("[data-testid=places]").is_visible()
    assert page.locator("form[action='/logout/'] button").is_visible()
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_static_assets_load_and_style_the_page(page, login):
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
            if "/static/" in r.url and r.status >= 400 else None)
    login(page, "courier01")
    page.reload()
    assets = page.evaluate("""() => [
        ...[...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href),
        ...[...document.querySelectorAll('script[src]')].map(s => s.src)]""")
    assert len(assets) >= 3
    for url in assets:
        response = page.request.get(url)
        assert response.status == 200, url
    assert not failed
    # Tabler's stylesheet is applied: the navbar is a flex box, not a bare list.
    assert page.locator("header.navbar").evaluate("el => getComputedStyle(el).display") == "flex"


def test_phone_menu_folds_behind_the_toggler(new_page, login, artifacts):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    login(page, "courier01")
    nav = page.locator("[data-testid=nav]")
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    assert not nav.is_visible()
    toggler.click()
    page.locator("[data-testid=nav] a[href='/areas/']").wait_for(state="visible", timeout=5_000)
    page.locator("#navbar-menu.collapse.show").wait_for(timeout=5_000)  # the animation is over
    page.screenshot(path=artifacts / "courier01-home-phone-menu.png", full_page=True)


def test_courier_sees_only_his_villages(page, login, area_ids, artifacts):
    login(page, "courier01")
    for own in ("桑珠林村", "扎西岗村"):
        response = page.goto(f"/areas/{area_ids[own]}/")
        assert response.status == 200, own
        assert own in page.locator(".page-title").inner_text()
    # /areas/ lists exactly his two villages.
    page.goto("/areas/")
    rows = page.locator("[data-testid=jurisdictions] tbody tr td:first-child a").all_inner_texts()
    assert sorted(rows) == sorted(["桑珠林村", "扎西岗村"])

    for other in ("德庆村", "德庆镇", "达孜区"):  # a neighbour village, his township, district
        response = page.goto(f"/areas/{area_ids[other]}/")
        assert response.status == 404, other
        assert page.locator(".empty-title").inner_text() == "404"
        assert other not in page.content()
    page.screenshot(path=artifacts / "courier01-404.png", full_page=True)


def test_regulator_areas_stop_at_his_district(page, new_page, login, area_ids):
    # dazi_msa walks down from /areas/ to a village by clicking.
    login(page, "dazi_msa")
    page.goto("/areas/")
    for name in ("达孜区", "德庆镇", "桑珠林村"):
        page.locator("[data-testid=jurisdictions] a", has_text=name).first.click()
        page.wait_for_url(f"**/areas/{area_ids[name]}/")
        assert name in page.locator(".page-title").inner_text()
    breadcrumb = page.locator(".breadcrumb").inner_text()
    assert "达孜区" in breadcrumb and "德庆镇" in breadcrumb
    # Another township lists all its villages.
    response = page.goto(f"/areas/{area_ids['唐嘎乡']}/")
    assert response.status == 200
    villages = page.locator("[data-testid=jurisdictions] tbody a").all_inner_texts()
    assert sorted(villages) == sorted(["唐嘎村", "朗杰林村", "扎西岗村"])

    # jiangbei_reg (江北区) reaches none of it.
    other = new_page()
    login(other, "jiangbei_reg")
    other.goto("/areas/")
    roots = other.locator("[data-testid=jurisdictions] tbody a").all_inner_texts()
    assert roots == ["江北区"]
    for name in ("达孜区", "德庆镇", "桑珠林村", "扎西岗村"):
        response = other.goto(f"/areas/{area_ids[name]}/")
        assert response.status == 404, name


@pytest.mark.parametrize(("username", "allowed", "refused"), [
    ("courier01", ["/areas/", "/customers/"], ["/audit/", "/accounts/", "/organisations/",
                                               "/customers/import/"]),
    ("auditor", ["/audit/"], ["/areas/", "/accounts/", "/organisations/", "/customers/"]),
    ("admin", ["/areas/", "/accounts/", "/organisations/", "/customers/", "/customers/import/"],
     ["/audit/"]),
])
def test_role_only_pages(page, login, username, allowed, refused):
    login(page, username)
    for url in allowed:
        response = page.goto(url)
        assert response.status == 200, url
    if "/audit/" in allowed:
        page.goto("/audit/")
        assert page.locator("[data-testid=audit-table] tbody tr").count() > 0
    for url in refused:
        response = page.goto(url)
        assert response.status == 403, url
        assert page.locator(".empty-title").inner_text() == "403"


def test_language_switch_is_saved_on_the_account(page, new_page, login, artifacts):
    # dazi_housing is used by no other test, so its saved language affects nothing else.
    login(page, "dazi_housing")
    assert html_lang(page) == "zh-CN"

    with page.expect_navigation():
        page.select_option("[data-testid=language-form] select[name=language]", "en")
    assert html_lang(page) == "en"
    assert urlparse(page.url).path == "/", "back on the page the switch was made on"
    assert page.get_by_role("button", name="Log out").is_visible()
    assert page.locator("[data-testid=role]").text_content().strip() == "Regulator"
    page.screenshot(path=artifacts / "dazi_housing-home-en.png", full_page=True)

    page.reload()
    assert html_lang(page) == "en", "the choice survives a new page load"
    page.goto("/areas/")
    assert html_lang(page) == "en"

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    assert "/login/" in page.url

    # A fresh browser (no cookies, asking for Chinese) gets Chinese until the account logs in.
    fresh = new_page()
    fresh.goto("/login/")
    assert html_lang(fresh) == "zh-CN"
    login(fresh, "dazi_housing")
    assert html_lang(fresh) == "en", "the language is saved on the account, not in a cookie"
    fresh.goto("/areas/")
    assert html_lang(fresh) == "en"

    # Back to Chinese, and that sticks too.
    with fresh.expect_navigation():
        fresh.select_option("[data-testid=language-form] select[name=language]", "zh-hans")
    assert html_lang(fresh) == "zh-CN"
    fresh.reload()
    assert html_lang(fresh) == "zh-CN"


def test_login_lockout(new_page, lockout_server, attempt_login, artifacts):
    """On its own server: failing here locks accounts other tests use."""
    page = new_page(lockout_server)
    statuses = []
    for attempt in range(1, 6):
        response = attempt_login(page, "kongpu_grid", f"wrong-password-{attempt}")
        statuses.append(response.status)
        if attempt < 5:
            assert response.status == 200, f"attempt {attempt}"
            assert page.locator("[data-testid=locked-out]").count() == 0, f"attempt {attempt}"
            assert page.locator(".alert-danger").is_visible(), "a wrong password is reported"

    # The 6th try, with the right password, is refused: the account is locked.
    response = attempt_login(page, "kongpu_grid", lockout_server.password("kongpu_grid"))
    assert response.status == 429, statuses
    assert page.locator("[data-testid=locked-out]").is_visible()
    assert page.locator("[data-testid=role]").count() == 0
    page.screenshot(path=artifacts / "kongpu_grid-locked-out.png", full_page=True)

    # Still refused on a new page load, and the home page still wants a login.
    page.goto("/")
    assert "/login/" in page.url

    # The account is locked in the API as well.
    api = page.request.post("/api/v1/auth/token", data={
        "username": "kongpu_grid", "password": lockout_server.password("kongpu_grid")})
    assert api.status == 429
    assert api.json()["errors"][0]["code"] == "locked_out"

    # Not the address (issue 16): a colleague behind the same address (an office's NAT) still
    # logs in, on the page and in the API.
    response = attempt_login(page, "courier15", lockout_server.password("courier15"))
    assert response.status == 302
    assert page.locator("[data-testid=locked-out]").count() == 0
    api = page.request.post("/api/v1/auth/token", data={
        "username": "courier14", "password": lockout_server.password("courier14")})
    assert api.status == 200
