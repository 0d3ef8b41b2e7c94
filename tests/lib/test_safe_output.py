"""Issue 16 item 5: the one helper every report file is written through."""

import io

import openpyxl
import pytest
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

from ranan.lib import safe_output
from ranan.lib.safe_output import FORMULA_PREFIXES, cell_text, markup

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1+1",
           "＋1", "－1", "＠A1", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("options", [{"in_memory": True}, {"constant_memory": True}])
def test_every_write_call_quotes_a_formula_start(options, tmp_path):
    path = tmp_path / "out.xlsx"
    book = safe_output.workbook(str(path), options)
    sheet = book.add_worksheet()
    for r, value in enumerate(HOSTILE):
        sheet.write(r, 0, value)
        sheet.write_string(r, 1, value)
        sheet.write_row(r, 2, [value, "plain", 3])
    sheet.write_column(len(HOSTILE), 0, HOSTILE)
    sheet.write(len(HOSTILE) * 2 + 1, 0, "http://example.com/x")
    book.close()
    written = [c for row in openpyxl.load_workbook(path).active.iter_rows() for c in row
               if c.value is not None]
    assert written and not [c for c in written if c.data_type == "f" or c.hyperlink]
    for c in written:
        if isinstance(c.value, str) and c.value.lstrip("'") in HOSTILE:
            assert c.value.startswith("'") and not c.value.startswith(FORMULA_PREFIXES)
    assert {c.value for c in written} >= {"plain", 3, "http://example.com/x"}


def test_cell_text_leaves_ordinary_text_alone():
    assert cell_text("张三") == "张三" and cell_text("138****1234") == "138****1234"
    assert cell_text("=1") == "'=1" and cell_text("'=1") == "'=1"


def test_markup_comes_out_as_text_in_a_paragraph():
    name = '<font size=80>x <img src="/etc/passwd"/> <a href="http://x">y</a> & <b>'
    assert markup(name) == ('&lt;font size=80&gt;x &lt;img src="/etc/passwd"/&gt; '
                            '&lt;a href="http://x"&gt;y&lt;/a&gt; &amp; &lt;b&gt;')
    out = io.BytesIO()
    SimpleDocTemplate(out).build([Paragraph(markup(name), getSampleStyleSheet()["Normal"])])
    assert b"/Subtype /Image" not in out.getvalue()
    with pytest.raises((OSError, ValueError)):  # what escaping prevents: reportlab opens the file
        SimpleDocTemplate(io.BytesIO()).build([Paragraph(name, getSampleStyleSheet()["Normal"])])
    assert markup(None) == "" and markup(3) == "3"
