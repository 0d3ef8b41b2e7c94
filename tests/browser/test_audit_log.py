"""The audit log in Chromium at a desk (issue 15 item 5): the auditor opens it from the menu,
picks a record type and an action from lists (no typing `hazards.hazard`), reads each change
in words as before → after, exports the filtered log to .xlsx, and finds the export in the
log. The administrator has no link to it and is refused at its address."""

from __future__ import annotations

import pytest

from ranan.lib.spreadsheet import open_sheet

pytestmark = pytest.mark.browser


def test_the_auditor_reads_filters_and_exports_the_log(new_page, login, artifacts):
    page = new_page()
    login(page, "auditor")
    with page.expect_navigation():
        page.locator("[data-testid=nav-audit-list]").click()
    assert page.locator("[data-testid=audit-entry]").count() > 0
    # Pickers: the record type and the account are chosen from lists.
    assert page.locator("select#id_model option[value='hazards.hazard']").count() == 1
    assert page.locator("select#id_account option[value='butler']").count() == 1
    assert page.locator("input#id_since[type=date]").count() == 1
    page.select_option("#id_model", "hazards.hazard")
    page.select_option("#id_action", "create")
    with page.expect_navigation():
        page.locator("[data-testid=audit-filter-submit]").click()
    entries = page.locator("[data-testid=audit-entry]")
    assert entries.count() > 0
    assert set(entries.evaluate_all("rows => rows.map(r => r.dataset.model)")) == {
        "hazards.hazard"}
    first = entries.first
    # In words: the record type is not the code, the values are not a Python dict.
    model_text = first.locator("[data-testid=audit-model]").inner_text()
    assert model_text and "hazards." not in model_text
    first.locator("details summary").click()  # a creation's many fields start folded
    diff = first.locator("[data-testid=audit-diff]")
    assert diff.locator("tr[data-field=state]").count() == 1
    category = diff.locator("tr[data-field=category_id] [data-testid=audit-after]").inner_text()
    assert category not in ("", "—") and not category.isdigit()  # the category's name
    table = page.locator("[data-testid=audit-table]").inner_text()
    assert "{'" not in table and "_id" not in table
    # The hazards a visit opened are in the log, by their visitor.
    actors = entries.evaluate_all(
        "rows => rows.map(r => r.querySelector('[data-testid=audit-actor]').innerText)")
    assert any(a.startswith(("butler", "courier")) for a in actors), actors
    page.screenshot(path=artifacts / "audit-log-hazards.png", full_page=False)

    # A change reads as before → after: the auditor's own language choice (a write like any
    # other, audited), to English and back.
    for language in ("en", "zh-hans"):
        with page.expect_navigation():
            page.select_option("[data-testid=language-form] select", language)
    page.select_option("#id_account", "auditor")
    page.select_option("#id_model", "core.account")
    page.select_option("#id_action", "update")
    with page.expect_navigation():
        page.locator("[data-testid=audit-filter-submit]").click()
    updates = page.locator("[data-testid=audit-entry][data-action=update]")
    assert updates.count() >= 2
    back = updates.first.locator("tr[data-field=language]")
    assert back.locator("[data-testid=audit-before]").inner_text() == "English"
    assert back.locator("[data-testid=audit-after]").inner_text() == "简体中文"
    page.screenshot(path=artifacts / "audit-log-updates.png", full_page=False)

    # Export what the filter shows, and find the export in the log.
    page.goto("/audit/?model=hazards.hazard&action=create")
    with page.expect_download() as download_info:
        page.locator("[data-testid=audit-export]").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = artifacts / "audit-export.xlsx"
    download.save_as(path)
    with open(path, "rb") as handle:
        rows = list(open_sheet(handle, path.name).rows)
    assert len(rows) > 1
    assert rows[1][3] == model_text  # the record type in words, as on the page
    page.goto("/audit/?action=export&model=core.auditentry")
    exports = page.locator("[data-testid=audit-entry][data-action=export]")
    assert exports.count() == 1
    details = exports.first.locator("[data-testid=audit-details]").inner_text()
    assert model_text in details and "hazards.hazard" not in details  # its filter in words
    page.screenshot(path=artifacts / "audit-log-export-entry.png", full_page=False)


def test_the_administrator_has_no_link_to_the_log_and_is_refused(new_page, login):
    page = new_page()
    login(page, "admin")
    assert page.locator("a[href^='/audit/']").count() == 0
    response = page.goto("/audit/")
    assert response.status == 403
    response = page.goto("/audit/export/")
    assert response.status == 403
