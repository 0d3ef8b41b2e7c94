"""Tibetan that renders (issue 15 item 9), in Chromium on a machine with no Tibetan font
(Debian's Chromium here has none: fc-list shows no Tibetan face): a phone asking for Tibetan
gets the public cylinder page in Tibetan, drawn with the bundled Noto Serif Tibetan, at the
address with or without the trailing slash. The favicon is there too (item 10)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

LOADED = """async () => {
  await document.fonts.ready;
  return [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'Ranan Tibetan')
    .map(f => f.status);
}"""
# The font the browser drew a Tibetan element with: the width of a line in the page's font
# against the same line in a font that surely lacks Tibetan (boxes are all one width).
WIDTHS = """(selector) => {
  const el = document.querySelector(selector);
  const probe = document.createElement('span');
  probe.textContent = el.textContent;
  probe.style.fontFamily = 'monospace';
  document.body.appendChild(probe);
  const own = document.createElement('span');
  own.textContent = el.textContent;
  own.lang = 'bo';
  document.body.appendChild(own);
  const widths = [own.getBoundingClientRect().width, probe.getBoundingClientRect().width,
                  getComputedStyle(el).fontFamily];
  own.remove();
  probe.remove();
  return widths;
}"""


@pytest.fixture(scope="module")
def code(api):
    return api("cylinders/?page_size=1")["results"][0]["code"]


def test_a_phone_asking_for_tibetan_gets_tibetan_glyphs(new_page, code, artifacts):
    page = new_page(viewport=PHONE, locale="bo-CN")
    response = page.goto(f"/c/{code}/")
    assert response.status == 200 and response.headers["content-language"] == "bo"
    assert page.locator("html").get_attribute("lang") == "bo"
    assert page.evaluate(LOADED) == ["loaded"]
    assert page.evaluate("() => document.fonts.check('16px \"Ranan Tibetan\"', 'ཞིབ་བཤེར')")
    page.screenshot(path=artifacts / "tibetan-public-phone.png", full_page=True)
    own, boxes, family = page.evaluate(WIDTHS, "h1 ~ .card, [data-testid=status], [data-testid=warning]")
    assert "Ranan Tibetan" in family and own != boxes
    # No sideways scrolling on the phone.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_chinese_phone_gets_chinese_and_a_readable_tibetan_link(new_page, code, artifacts):
    page = new_page(viewport=PHONE)
    response = page.goto(f"/c/{code}")
    assert response.headers["content-language"] == "zh-hans"
    link = page.locator("[data-testid=lang-bo]")
    assert link.get_attribute("lang") == "bo"
    assert page.evaluate(LOADED) == ["loaded"]  # fetched for the link's text alone
    page.screenshot(path=artifacts / "tibetan-public-zh-link.png", full_page=True)
    with page.expect_navigation():
        link.click()
    assert page.locator("html").get_attribute("lang") == "bo"
    page.screenshot(path=artifacts / "tibetan-public-chosen.png", full_page=True)


def test_the_pages_have_a_favicon(new_page, login):
    page = new_page()
    login(page, "station")
    icons = page.locator("head link[rel=icon]")
    assert icons.count() == 2
    for href in [icons.nth(i).get_attribute("href") for i in range(2)]:
        answer = page.request.get(href)
        assert answer.ok and answer.headers["content-type"].startswith("image/")
    answer = page.request.get("/favicon.ico")
    assert answer.ok and answer.headers["content-type"].startswith("image/")
