"""The cylinder interlock in Chromium (issue 4): a station manager prints a sheet of QR
labels, registers a cylinder under one of the printed codes, types the code into the scan
page (as a person reads it off the label: lower case, with spaces), fills it, dispatches it
to a courier; the public page of that cylinder, opened without login, shows the filling.
Then a refusal: an overdue demo cylinder is refused with its reason."""

from __future__ import annotations

import datetime

import pytest

pytestmark = pytest.mark.browser

STATION = "虎峰液化气站"


def test_labels_register_fill_dispatch_and_the_public_page(new_page, login, artifacts):
    page = new_page()
    login(page, "station")

    # 1. Labels: three new codes on a 3 × 8 sheet.
    page.goto("/cylinders/")
    with page.expect_navigation():
        page.locator("[data-testid=cylinder-nav] a[href='/cylinders/labels/']").click()
    form = page.locator("[data-testid=label-form]")
    form.locator("input[name=count]").fill("3")
    form.locator("select[name=grid]").select_option("3x8")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    codes = page.locator("[data-testid=new-codes] li").all_inner_texts()
    assert len(codes) == 3
    pdf_link = page.locator("[data-testid=batches] a.btn-primary").get_attribute("href")
    pdf = page.request.get(pdf_link)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    page.screenshot(path=artifacts / "cylinder-labels.png", full_page=True)
    code = codes[0]

    # 2. Register a cylinder under the first printed code.
    page.goto("/cylinders/register/")
    form = page.locator("[data-testid=register-form]")
    form.locator("select[name=type]").select_option(index=1)
    form.locator("input[name=code]").fill(code)
    form.locator("input[name=manufacturer]").fill("西藏某燃气设备公司")
    form.locator("input[name=made_on]").fill((datetime.date.today() - datetime.timedelta(
        days=400)).isoformat())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.rstrip("/").endswith(f"/cylinders/c/{code}")
    assert page.locator("[data-testid=timeline] [data-kind=registered]").count() == 1

    # 3. Scan: typed as read off the label, lower case with spaces; fill.
    typed = f"{code[:4]} {code[4:8]} {code[8:]}".lower()
    page.goto("/cylinders/scan/")
    form = page.locator("[data-testid=scan-form]")
    form.locator("input[name=code]").fill(typed)
    form.locator("select[name=action]").select_option("fill")
    form.locator("input[name=net_weight_kg]").fill("14.9")
    form.locator("input[name=filling_line]").fill("L1")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    verdict = page.locator("[data-testid=verdict]")
    assert verdict.get_attribute("data-verdict") == "allow", verdict.inner_text()
    page.screenshot(path=artifacts / "cylinder-scan-fill.png", full_page=True)

    # 4. Dispatch to courier01 (the form keeps the line; the action changes).
    form = page.locator("[data-testid=scan-form]")
    form.locator("input[name=code]").fill(code)
    form.locator("select[name=action]").select_option("dispatch")
    options = form.locator("select[name=courier] option").all()
    courier = [o.get_attribute("value") for o in options if "(courier01)" in o.inner_text()]
    form.locator("select[name=courier]").select_option(courier[0])
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator("[data-testid=verdict]").get_attribute("data-verdict") == "allow"

    # The chain shows registered, filled, dispatched.
    page.goto(f"/cylinders/c/{code}/")
    kinds = [k.get_attribute("data-kind") for k in
             page.locator("[data-testid=timeline] strong[data-kind]").all()]
    assert kinds == ["dispatched", "filled", "registered"]
    page.screenshot(path=artifacts / "cylinder-chain.png", full_page=True)

    # 5. The public page, no login, on a phone: the filling of today at the station.
    public = new_page(viewport={"width": 360, "height": 740})
    response = public.goto(f"/c/{code}")
    assert response.status == 200
    fillings = public.locator("[data-testid=fillings] li").all_inner_texts()
    assert fillings == [f"{datetime.date.today().isoformat()} · {STATION}"]
    assert public.locator("[data-testid=warning]").count() == 0
    public.screenshot(path=artifacts / "cylinder-public.png", full_page=True)
    with public.expect_navigation():
        public.locator("a[hreflang=bo]").click()
    assert "ཞིབ་བཤེར" in public.locator("body").inner_text()
    public.screenshot(path=artifacts / "cylinder-public-bo.png", full_page=True)


def test_an_overdue_cylinder_is_refused_with_its_reason(new_page, login, artifacts):
    page = new_page()
    login(page, "station")
    page.goto("/cylinders/recall/")
    overdue = [row for row in page.locator("[data-testid=recall] tbody tr").all()
               if row.locator("td.text-danger").count()]
    assert overdue, "the demo has overdue cylinders on the recall list"
    code = overdue[0].locator("td a.font-monospace").inner_text()
    page.goto("/cylinders/scan/")
    form = page.locator("[data-testid=scan-form]")
    form.locator("input[name=code]").fill(code)
    form.locator("select[name=action]").select_option("fill")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    verdict = page.locator("[data-testid=verdict]")
    assert verdict.get_attribute("data-verdict") == "refuse"
    reasons = {r.get_attribute("data-reason") for r in verdict.locator("[data-reason]").all()}
    assert reasons & {"overdue_inspection", "past_scrap_date", "wrong_state"}
    page.screenshot(path=artifacts / "cylinder-scan-refused.png", full_page=True)
