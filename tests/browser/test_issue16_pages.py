"""Issue 16's new pages as their users see them: login step 2 and the second factor's set-up
at phone size, the customer page's "show full number" form, the courier's call links, the
400 page.

The second-factor pages need the dengbao3 profile (a required second factor for privileged
roles): they run on a server of their own, started with RANAN_SECURITY_PROFILE=dengbao3.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import struct
import time

import pytest

from tests.browser.conftest import PHONE, _start_demo_server, _stop


def _totp(secret: str) -> str:
    """The authenticator app's current code for a base32 secret (RFC 6238, SHA-1, 30 s)."""
    secret = secret.strip().upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 15
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways: {width} px"


def _log_in(page, username, password):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form:has(#id_username) button[type=submit]")


@pytest.fixture(scope="module")
def dengbao3_server(tmp_path_factory):
    from tests.browser.conftest import SKIP_REASON, _no_browser
    if SKIP_REASON:
        _no_browser()
    before = os.environ.get("RANAN_SECURITY_PROFILE")
    os.environ["RANAN_SECURITY_PROFILE"] = "dengbao3"
    try:
        server = _start_demo_server(tmp_path_factory.mktemp("ranan-dengbao3"))
    finally:
        if before is None:
            os.environ.pop("RANAN_SECURITY_PROFILE", None)
        else:
            os.environ["RANAN_SECURITY_PROFILE"] = before
    yield server
    _stop(server.process)


def _assert_no_way_out_but_logout(page):
    """Before the second factor the menu, "My account" and the API docs only lead back to
    this step (the API docs answer 403): the page offers none of them."""
    assert page.locator("[data-testid=nav] a").count() == 0
    assert page.locator("[data-testid=my-account]").count() == 0
    assert page.locator("[data-testid=api-docs-link]").count() == 0
    assert page.locator(".navbar-toggler").count() == 0


def test_second_factor_pages_at_phone_size(new_page, dengbao3_server, artifacts):
    """A regulator on a phone: enrol (QR code and secret), the recovery codes, then the
    next login's step 2 - each without sideways scrolling and without links that lead back
    or to a 403."""
    server = dengbao3_server
    page = new_page(server, viewport=PHONE)
    _log_in(page, "jiangbei_reg", server.password("jiangbei_reg"))

    assert "/account/security/enrol/" in page.url
    assert page.locator("[data-testid=otp-qr] svg").is_visible()
    _no_sideways_scroll(page)
    _assert_no_way_out_but_logout(page)
    page.screenshot(path=artifacts / "issue16-enrol-phone.png", full_page=True)

    secret = page.inner_text("[data-testid=otp-secret]")
    page.fill("[data-testid=otp-enrol] input[name=code]", _totp(secret))
    with page.expect_navigation():
        page.click("[data-testid=otp-enrol] button[type=submit]")
    assert page.locator("[data-testid=recovery-code]").count() >= 8
    _no_sideways_scroll(page)
    # Verified now: the menu is back.
    assert page.locator("[data-testid=my-account]").count() == 1
    with page.expect_navigation():
        page.click("[data-testid=recovery-done]")

    page.context.clear_cookies()
    _log_in(page, "jiangbei_reg", server.password("jiangbei_reg"))
    assert "/login/verify/" in page.url
    assert page.locator("[data-testid=otp-verify] input[name=code]").is_visible()
    _no_sideways_scroll(page)
    _assert_no_way_out_but_logout(page)
    page.screenshot(path=artifacts / "issue16-verify-phone.png", full_page=True)

    page.fill("[data-testid=otp-verify] input[name=code]", "000000")
    with page.expect_navigation():
        page.click("[data-testid=otp-verify] button[type=submit]")
    assert page.locator("[data-testid=otp-verify] .invalid-feedback, "
                        "[data-testid=otp-verify] [data-field=code]").count() >= 1
    _no_sideways_scroll(page)


def _first_customer(page) -> str:
    page.goto("/customers/")
    for link in page.locator("a[href^='/customers/']").all():
        href = link.get_attribute("href") or ""
        if re.fullmatch(r"/customers/\d+/", href):
            return href
    raise AssertionError("the station manager's customer list has no customer link")


def test_unmask_needs_a_reason_then_the_device_form_still_saves(new_page, login, artifacts):
    """The "show full number" form requires a reason (in the browser and on the server); once
    the numbers are shown (the page answered from .../unmask/), recording a device saves the
    device instead of posting to the unmask address (which asked for a reason again)."""
    page = new_page(viewport=PHONE)
    login(page, "station")
    customer = _first_customer(page)
    page.goto(customer)
    _no_sideways_scroll(page)
    assert "*" in page.inner_text("[data-testid=phone]")
    assert page.locator("[data-testid=call]").count() == 0

    page.click("[data-testid=unmask]")
    reason = page.locator("[data-testid=unmask-form] [name=reason]")
    assert reason.get_attribute("required") is not None
    page.click("[data-testid=unmask-form] button[type=submit]")
    assert page.url.endswith(customer)  # the browser kept the empty form from being sent
    # Without the browser's check the server refuses it, naming the field.
    reason.evaluate("e => e.removeAttribute('required')")
    with page.expect_navigation():
        page.click("[data-testid=unmask-form] button[type=submit]")
    assert page.locator("[data-testid=unmask-form] [data-field=reason]").count() == 1
    _no_sideways_scroll(page)

    page.fill("[data-testid=unmask-form] [name=reason]", "回访核实联系人")
    with page.expect_navigation():
        page.click("[data-testid=unmask-form] button[type=submit]")
    assert page.locator("[data-testid=unmasked]").count() == 1
    assert "*" not in page.inner_text("[data-testid=phone]")
    assert page.locator("[data-testid=call]").get_attribute("href").startswith("tel:")
    _no_sideways_scroll(page)
    page.screenshot(path=artifacts / "issue16-unmasked-phone.png", full_page=True)

    devices = page.locator("[data-testid=devices] tbody tr").count()
    page.select_option("[data-testid=device-form] select[name=kind]", index=1)
    with page.expect_navigation():
        page.click("[data-testid=device-form] button[type=submit]")
    assert page.url.endswith(customer), page.url
    assert page.locator("[data-field=reason]").count() == 0
    assert page.locator("[data-testid=devices] tbody tr").count() == devices + 1


def test_courier_call_links_at_phone_size(new_page, login):
    """The courier's stops: masked numbers with a working call link, no sideways scroll."""
    page = new_page(viewport=PHONE)
    login(page, "courier01")
    page.goto("/delivery/")
    _no_sideways_scroll(page)
    calls = page.locator("[data-testid=call]")
    assert calls.count() >= 1
    assert re.fullmatch(r"tel:\+?\d+", calls.first.get_attribute("href"))
    assert "*" in calls.first.inner_text()


def test_bad_request_page_at_phone_size(new_page, login):
    """A control character in the search: the app's 400 page naming the field, in the
    layout (menu, a way home), not a bare error."""
    page = new_page(viewport=PHONE)
    login(page, "station")
    response = page.goto("/customers/?q=%00")
    assert response.status == 400
    assert page.locator("[data-testid=bad-request] [data-field=q]").count() == 1
    assert page.locator("[data-testid=my-account]").count() == 1
    _no_sideways_scroll(page)
