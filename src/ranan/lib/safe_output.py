"""Values written into the files Ranan makes, in one place (issue 16 item 5).

PDF: reportlab's `Paragraph` reads its text as markup (<font>, <a>, <br/>, <img src=…>): a
name holding a tag would change the document, fail to parse (the briefing's PDF answered 500
on every download) or embed a file of the server (`<img src="/etc/passwd"/>`). Every value
goes through `markup()`, which escapes &, < and >, so it comes out as its text; only the
tags Ranan writes itself (<b>, <br/>) stay tags.

XLSX: a text starting with =, +, -, @, a tab or a carriage return (or the full-width ＝＋－＠
that Excel and WPS also accept) is a formula to the writer (=HYPERLINK(…) became a live
link) or once someone edits the cell in Excel or LibreOffice. Every workbook is made by
`workbook()`: strings are never turned into formulas, links or numbers, and each of its
worksheets writes such a text with a leading apostrophe (`cell_text`), so it stays text even
when the cell is edited.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}


def markup(value) -> str:
    """`value` as the text of a reportlab Paragraph: markup in it comes out as text."""
    return escape("" if value is None else str(value))


def cell_text(value: str) -> str:
    """`value` for an .xlsx cell: a leading apostrophe when it starts like a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


class SafeWorksheet(Worksheet):
    """Every text written (write, write_string, write_row, write_column, merge_range all end
    in `_write_string`) is quoted by `cell_text`."""

    def _write_string(self, row, col, string, cell_format=None):
        return super()._write_string(row, col, cell_text(string), cell_format)


class SafeWorkbook(xlsxwriter.Workbook):
    worksheet_class = SafeWorksheet

    def __init__(self, filename=None, options=None):
        super().__init__(filename, {**(options or {}), **WORKBOOK_OPTIONS})


def workbook(filename=None, options: dict | None = None) -> SafeWorkbook:
    """An xlsxwriter workbook whose cells are never formulas made from data."""
    return SafeWorkbook(filename, options)
