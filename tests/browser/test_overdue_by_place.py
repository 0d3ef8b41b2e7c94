"""Overdue cylinders by place in Chromium, at desktop size (issue 15 item 4).

The market-supervision regulator of 达孜区 ranks the townships by overdue cylinders: the
townships' figures and the row of the district itself (the cylinders at 虎峰液化气站, which
serves the whole district, and with its couriers) add up to the district's card. It drills
into the township with the most, opens the list behind its figure (as many rows as the figure,
each saying the village where the cylinder is), then the list behind the district's own row
(the station). The regulator of another district is answered 404 for that list."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

NAME = "cylinders_overdue"
DISTRICT, DISTRICT_CODE, STATION = "达孜区", "540104", "虎峰液化气站"


def numerator(locator) -> int:
    return int(locator.get_attribute("data-numerator"))


def where_column(page) -> list[str]:
    """The "where" cell of each row of the records list (the third column)."""
    return [t.strip() for t in page.locator(
        "[data-testid=record-row] td:nth-child(3)").all_inner_texts()]


def test_a_regulator_drills_overdue_cylinders_down_to_where_they_are(new_page, login,
                                                                       artifacts):
    page = new_page()
    login(page, "dazi_msa")
    page.goto(f"/dashboard/?jurisdiction={DISTRICT_CODE}&rank={NAME}")
    card = numerator(page.locator(f"[data-testid=kpi-card][data-kpi={NAME}]"))
    assert card > 0, "the demo has overdue cylinders in circulation"

    # 1. The ranking: six townships and the district itself add up to the card.
    rows = page.locator("[data-testid=child-row]")
    assert rows.count() == 6
    townships = {rows.nth(i).get_attribute("data-child"):
                 numerator(rows.nth(i).locator(f"a[data-kpi={NAME}]"))
                 for i in range(rows.count())}
    here = page.locator("[data-testid=here-row]")
    assert here.count() == 1 and DISTRICT in here.inner_text()
    own = numerator(here.locator(f"a[data-kpi={NAME}]"))
    assert sum(townships.values()) + own == card
    assert sum(1 for n in townships.values() if n) >= 3, townships
    page.locator("[data-testid=ranking]").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "overdue-by-place-district.png", full_page=True)
    page.locator("[data-testid=ranking]").screenshot(
        path=artifacts / "overdue-by-place-ranking.png")

    # 2. The township with the most: its card says the same as its row one level up.
    name = max(townships, key=townships.get)
    with page.expect_navigation():
        page.locator(f"[data-testid=child-row][data-child='{name}'] "
                     "[data-testid=child-link]").click()
    township_card = page.locator(f"[data-testid=kpi-card][data-kpi={NAME}]")
    assert numerator(township_card) == townships[name]

    # 3. The list behind it: as many rows, each a cylinder at a household of the township.
    with page.expect_navigation():
        township_card.click()
    count = page.locator("[data-testid=count]")
    assert int(count.get_attribute("data-count")) == townships[name]
    wheres = where_column(page)
    assert len(wheres) == townships[name]
    assert all(w.startswith(name) and len(w) > len(name) for w in wheres), wheres
    links = page.locator("[data-testid=record-row] td:first-child a")
    assert all(re.search(r"/cylinders/c/[^/]+/$", h)
               for h in links.evaluate_all("links => links.map(a => a.href)"))
    page.screenshot(path=artifacts / "overdue-by-place-township-list.png", full_page=True)

    # 4. Back on the district: the row of the district itself opens the station's.
    page.goto(f"/dashboard/?jurisdiction={DISTRICT_CODE}&rank={NAME}")
    with page.expect_navigation():
        page.locator(f"[data-testid=here-row] a[data-kpi={NAME}]").click()
    assert "at=here" in page.url
    assert int(page.locator("[data-testid=count]").get_attribute("data-count")) == own
    assert page.locator("[data-testid=here-note]").count() == 1
    wheres = where_column(page)
    assert wheres and all(STATION in w for w in wheres), wheres  # the station, its couriers
    page.screenshot(path=artifacts / "overdue-by-place-district-itself.png", full_page=True)

    # 5. The regulator of another district cannot open that list.
    other = new_page()
    login(other, "jiangbei_reg")
    answer = other.goto(f"/dashboard/records/{NAME}/?jurisdiction={DISTRICT_CODE}&at=here")
    assert answer.status == 404
