"""Issue 16 item 5: names are data, never markup or formulas, in every report file.

A village named =HYPERLINK(…) is a text cell (not a formula, not starting with "=") in the
briefing's and the monthly statement's .xlsx; a jurisdiction named with reportlab markup
(an unbalanced <font>, an <img> pointing at a file of the server) gives a 200 PDF that
prints the name as it is and embeds no image."""

import io
import shutil
import subprocess

import openpyxl
import pytest

from ranan.core.models import Jurisdiction
from ranan.reports.services import briefing_create, briefing_issue
from tests.reports.test_briefing import MONDAY, build_week
from tests.reports.test_statement import MONTH, month  # noqa: F401 - the statement's fixture

FORMULA = '=HYPERLINK("http://x","y")'
IMG = '<img src="/etc/passwd"/>'
FONT = "<font size=80>x"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def rename(node, name):
    Jurisdiction.objects.filter(pk=node.pk).update(name=name)


def cells(book):
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row
            if c.value is not None]


def assert_text_not_formula(book, name):
    found = [c for c in cells(book) if isinstance(c.value, str) and name in c.value]
    assert found, f"{name} not in the workbook"
    for c in found:
        assert c.data_type != "f" and not c.value.startswith("="), (c.coordinate, c.value)
    assert not [c for c in cells(book) if c.data_type == "f"]


def pdf_text(data: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is not installed: apt-get install poppler-utils")
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_the_briefing_workbook_writes_a_formula_name_as_text(cast, client):
    week = build_week(cast)
    rename(week.village_a1, FORMULA)
    issue = briefing_create(actor=week.regulator_a, node=week.township, week_start=MONDAY)
    client.force_login(week.regulator_a)
    answer = client.get(f"/dashboard/briefings/{issue.pk}.xlsx")
    assert answer.status_code == 200
    assert_text_not_formula(openpyxl.load_workbook(io.BytesIO(answer.content)), FORMULA)


def test_the_briefing_pdf_prints_markup_as_text_and_embeds_nothing(cast, client):
    week = build_week(cast)
    rename(week.village_a1, IMG)
    rename(week.village_a2, FONT)
    issue = briefing_create(actor=week.regulator_a, node=week.township, week_start=MONDAY)
    issue = briefing_issue(actor=week.regulator_a, briefing=issue)
    client.force_login(week.regulator_a)
    answer = client.get(f"/dashboard/briefings/{issue.pk}.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    pdf = answer.content
    assert b"/Subtype /Image" not in pdf and b"root:" not in pdf
    text = "".join(pdf_text(pdf).split())  # names wrap in the table's narrow cells
    assert "".join(IMG.split()) in text and "".join(FONT.split()) in text
    assert not [c for c in cells(openpyxl.load_workbook(io.BytesIO(client.get(
        f"/dashboard/briefings/{issue.pk}.xlsx").content))) if c.data_type == "f"]


def test_the_monthly_statement_writes_a_formula_name_as_text(month, client):  # noqa: F811
    rename(month.village_a1, FORMULA)
    client.force_login(month.lpg_admin)
    answer = client.get("/dashboard/statements/statement.xlsx",
                        {"jurisdiction": month.township.pk, "month": f"{MONTH:%Y-%m}"})
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert_text_not_formula(book, FORMULA)
    assert book.active.cell(6, 1).value == "'" + FORMULA
