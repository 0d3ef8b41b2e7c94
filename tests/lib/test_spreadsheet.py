"""Untrusted files: every hostile or broken one is refused with a reason, never a crash."""

import io
import zipfile

import pytest

from ranan.lib import spreadsheet
from ranan.lib.spreadsheet import SpreadsheetError, open_sheet
from tests.customers.conftest import xlsx

CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
WORKBOOK = (b'<?xml version="1.0"?><workbook '
            b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            b'<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def fake_xlsx(sheet: bytes, extra: dict | None = None) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def read(fileobj):
    return list(open_sheet(fileobj).rows)


def test_an_openpyxl_file_reads_back():
    rows = read(xlsx([["名称", "电话"], ["张三 & <李>", 13800001234], [None, "x"]]))
    assert rows == [["名称", "电话"], ["张三 & <李>", 13800001234], [None, "x"]]


def test_an_empty_file_is_refused():
    with pytest.raises(SpreadsheetError, match="empty"):
        read(io.BytesIO(b""))


def test_a_file_that_is_not_a_spreadsheet_is_refused():
    png = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(SpreadsheetError, match="not a spreadsheet"):
        read(png)
    with pytest.raises(SpreadsheetError, match="not a spreadsheet"):
        read(io.BytesIO(b"PK\x03\x04 this is not really a zip"))


def test_an_old_xls_is_refused_with_advice():
    with pytest.raises(SpreadsheetError, match="xlsx"):
        read(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512))


def test_a_200_mb_file_is_refused_before_reading(monkeypatch):
    class Huge(io.BytesIO):
        def seek(self, offset, whence=0):
            return 200 * 1024 * 1024 if whence == io.SEEK_END else super().seek(offset, whence)

        def tell(self):
            return 200 * 1024 * 1024

    with pytest.raises(SpreadsheetError, match="200 MB"):
        open_sheet(Huge(b"PK\x03\x04"))


def test_a_zip_bomb_is_refused():
    bomb = b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>' + b"0" * (
        30 * 1024 * 1024) + b"</t></is></c></row></sheetData></worksheet>"
    with pytest.raises(SpreadsheetError, match="zip bomb"):
        read(fake_xlsx(bomb))


def test_an_xml_entity_bomb_is_refused():
    billion_laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                      b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                      b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t>'
                      b"</is></c></row></sheetData></worksheet>")
    with pytest.raises(SpreadsheetError, match="entit"):
        read(fake_xlsx(billion_laughs))


def test_macros_are_refused():
    sheet = b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    with pytest.raises(SpreadsheetError, match="macros"):
        read(fake_xlsx(sheet, {"xl/vbaProject.bin": b"\x00" * 100}))


def test_a_formula_is_refused_with_its_cell():
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["名称", "地址"])
    book.active.append(["张三", "=HYPERLINK(\"http://evil\",\"x\")"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with pytest.raises(SpreadsheetError) as exc:
        read(buffer)
    assert (exc.value.row, exc.value.column) == (2, "B")


def test_rows_survive_a_chunk_border(monkeypatch):
    monkeypatch.setattr(spreadsheet, "CHUNK", 37)  # cut every cell somewhere
    rows = [["名称", "地址"]] + [[f"户{i}", f"村{i}号"] for i in range(50)]
    assert read(xlsx(rows)) == rows


def test_csv_in_utf8_and_in_gbk():
    text = "名称,电话\n张三,13800001234\n"
    assert read(io.BytesIO(text.encode("utf-8-sig"))) == [["名称", "电话"], ["张三", "13800001234"]]
    assert read(io.BytesIO(text.encode("gbk"))) == [["名称", "电话"], ["张三", "13800001234"]]


def test_a_sheet_with_namespace_prefixes_and_no_cell_references_takes_the_general_path():
    sheet = ('<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>名称</x:t></x:is></x:c>'
             '<x:c t="inlineStr"><x:is><x:t>地址</x:t></x:is></x:c></x:row>'
             '<x:row><x:c t="inlineStr"><x:is><x:t>张三</x:t></x:is></x:c><x:c><x:v>42</x:v></x:c>'
             "</x:row></x:sheetData></x:worksheet>").encode()
    assert read(fake_xlsx(sheet)) == [["名称", "地址"], ["张三", 42]]


def test_shared_strings_booleans_and_skipped_rows():
    sheet = (b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>1</v></c><c r="C1" t="b">'
             b'<v>1</v></c></row><row r="3"><c r="B3" t="s"><v>0</v></c></row>'
             b"</sheetData></worksheet>")
    strings = (b'<sst><si><t>b &amp; c</t></si><si><r><t>rich </t></r><r><t>text</t></r>'
               b"<rPh><t>ignored</t></rPh></si></sst>")
    rows = read(fake_xlsx(sheet, {"xl/sharedStrings.xml": strings}))
    assert rows == [["rich text", None, True], [], [None, "b & c"]]
