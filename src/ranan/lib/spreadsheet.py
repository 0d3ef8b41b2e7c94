"""Reading untrusted spreadsheets (.xlsx and .csv) row by row, in bounded memory.

Why not a general library: an .xlsx is a zip of XML, and the things that must be refused
(zip bombs, XML entity bombs, macros, formulas) are cheapest to refuse before any XML is
parsed. The sheet itself is read with a streaming scanner over the decompressed bytes
(regular expressions in C over 1 MiB chunks), which keeps a million-row sheet under a few
MiB of working memory and runs at the speed of zlib. No DTD is ever processed, so entity
expansion cannot happen; a file that declares one is refused anyway.

Every refusal is a `SpreadsheetError` with a message for the person who uploaded the file.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 100 * 1024 * 1024          # a 1,000,000-row customer sheet is ~60 MiB
MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024
MAX_RATIO = 150                              # real sheets compress ~5-20x; bombs 1000x+
CHUNK = 1024 * 1024


class SpreadsheetError(ValueError):
    """The file cannot be read; the message says why, for a person."""

    def __init__(self, message, row=None, column=None):
        super().__init__(message)
        self.row = row
        self.column = column


@dataclass
class Sheet:
    kind: str  # "xlsx" or "csv"
    rows: Iterator[list]  # each row: list of cell values (str, float, bool or None)


def open_sheet(fileobj, name: str = "") -> Sheet:
    """Detect the format from the content (not the name) and return a row iterator."""
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if size == 0:
        raise SpreadsheetError(_("The file is empty."))
    if size > MAX_FILE_BYTES:
        raise SpreadsheetError(_("The file is %(size)d MB; the limit is %(limit)d MB. Split it.") % {
            "size": size // (1024 * 1024), "limit": MAX_FILE_BYTES // (1024 * 1024)})
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return Sheet("xlsx", _xlsx_rows(fileobj))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_("This is an old .xls (or encrypted) workbook: save it as .xlsx."))
    if b"\x00" in fileobj.read(4096):
        raise SpreadsheetError(_("This is not a spreadsheet (.xlsx or .csv)."))
    fileobj.seek(0)
    return Sheet("csv", _csv_rows(fileobj))


# --- CSV -----------------------------------------------------------------------------------


def _csv_rows(fileobj) -> Iterator[list]:
    sample = fileobj.read(64 * 1024)
    fileobj.seek(0)
    encoding = "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut in the middle of a character at the end of the sample is not a reason.
        if exc.start < len(sample) - 4:
            encoding = "gb18030"  # what Excel in China saves "CSV" as
    text = codecs.getreader(encoding)(fileobj, "strict")
    try:
        yield from csv.reader(text)
    except UnicodeDecodeError:
        raise SpreadsheetError(_("The CSV file is neither UTF-8 nor GBK text.")) from None
    except csv.Error as exc:
        raise SpreadsheetError(_("The CSV file is malformed: %(reason)s") % {"reason": exc}) from None


# --- XLSX ----------------------------------------------------------------------------------

_CELL = re.compile(
    rb"<(?:\w+:)?c(?P<attrs>(?:\s[^>]*?)?)(?:/>|>(?P<body>.*?)</(?:\w+:)?c>)|<(?P<rowend>/)(?:\w+:)?row>",
    re.S)
_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_TYPE = re.compile(rb'\st="(\w+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _xml_text(raw: bytes) -> str:
    value = raw.decode("utf-8")
    return html.unescape(value) if "&" in value else value


def _check_zip(archive: zipfile.ZipFile) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 10 * 1024 * 1024 and ratio > MAX_RATIO:
            raise SpreadsheetError(_("The file expands %(ratio)d times when opened: refused as a "
                                     "possible zip bomb.") % {"ratio": ratio})
        if info.filename.lower().endswith("vbaproject.bin"):
            raise SpreadsheetError(_("The workbook contains macros: save it as a plain .xlsx."))
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError(_("The file is too large once opened: refused as a possible zip bomb."))


def _read_limited(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """Decompress in chunks, refusing XML that declares a DTD or entities."""
    produced = 0
    with archive.open(name) as stream:
        first = True
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                return
            produced += len(chunk)
            if produced > MAX_UNCOMPRESSED_BYTES:
                raise SpreadsheetError(_("The file is too large once opened: refused as a possible "
                                         "zip bomb."))
            if first and _DTD.search(chunk[:4096]):
                raise SpreadsheetError(_("The file declares XML entities: refused (possible entity "
                                         "bomb)."))
            first = False
            yield chunk


def _first_sheet_name(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    try:
        workbook = b"".join(_read_limited(archive, "xl/workbook.xml"))
        rels = b"".join(_read_limited(archive, "xl/_rels/workbook.xml.rels"))
    except KeyError:
        raise SpreadsheetError(_("This is not a spreadsheet (.xlsx or .csv).")) from None
    sheet = re.search(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", workbook) or re.search(
        rb"<(?:\w+:)?sheet\b[^>]*?\bid=\"([^\"]+)\"", workbook)
    if sheet:
        rel = re.search(rb'<Relationship\b[^>]*\bId="' + re.escape(sheet.group(1)) +
                        rb'"[^>]*\bTarget="([^"]+)"', rels) or re.search(
            rb'<Relationship\b[^>]*\bTarget="([^"]+)"[^>]*\bId="' + re.escape(sheet.group(1)) + rb'"',
            rels)
        if rel:
            target = rel.group(1).decode()
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if target in names:
                return target
    if "xl/worksheets/sheet1.xml" in names:
        return "xl/worksheets/sheet1.xml"
    raise SpreadsheetError(_("The workbook has no worksheet."))


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    data = b"".join(_read_limited(archive, "xl/sharedStrings.xml"))
    strings = []
    for item in re.finditer(rb"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", data, re.S):
        body = item.group(1)
        # Rich text has several runs; phonetic hints (<rPh>) are not part of the value.
        body = re.sub(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", b"", body, flags=re.S)
        strings.append("".join(_xml_text(t) for t in _TEXT.findall(body)))
    return strings


def _xlsx_rows(fileobj) -> Iterator[list]:
    try:
        archive = zipfile.ZipFile(fileobj)
    except zipfile.BadZipFile:
        raise SpreadsheetError(_("This is not a spreadsheet (.xlsx or .csv).")) from None
    with archive:
        _check_zip(archive)
        sheet_name = _first_sheet_name(archive)
        strings = _shared_strings(archive)
        chunks = _read_limited(archive, sheet_name)
        first = next(chunks, b"")
        # Every producer we know (Excel, WPS, LibreOffice, openpyxl, xlsxwriter) writes
        # `<c r="A1"` cells without a namespace prefix: take the fast path for those.
        fast = b'<c r="' in first or b"<sheetData/>" in first
        chunks = _chain([first], chunks)
        yield from (_fast_rows(chunks, strings) if fast else _general_rows(chunks, strings))


def _chain(head, rest):
    yield from head
    yield from rest


_FAST_ROW = re.compile(r'<row\b([^>]*?)(?:/>|>(.*?)</row>)', re.S)
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
# One cell: its column letters, its attributes, then the value in the common shapes
# (<v>…</v> or an inline <is><t>…</t></is>), else the whole body for the careful path.
_FAST_CELL = re.compile(
    r'<c r="([A-Z]{1,3})\d+"([^>]*?)(?:/>|>(?:<v>([^<]*)</v>|<is><t>([^<]*)</t></is>|(.*?))</c>)',
    re.S)
_COLUMNS = {}
for _first in [""] + [chr(c) for c in range(65, 91)]:
    for _second in range(65, 91):
        _COLUMNS[_first + chr(_second)] = _column_index((_first + chr(_second)).encode())


def _fast_rows(chunks, strings: list[str]) -> Iterator[list]:
    """Decode to text once per chunk; one regex pass for rows, one findall per row."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    expected = 1
    tail = ""
    strings_count = len(strings)
    for chunk in chunks:
        data = tail + decoder.decode(chunk)
        cut = data.rfind("</row>")
        if cut < 0:
            tail = data
            if len(tail) > 16 * CHUNK:
                raise SpreadsheetError(_("The worksheet XML is malformed."))
            continue
        cut += 6
        tail = data[cut:]
        for row_match in _FAST_ROW.finditer(data, 0, cut):
            number_match = _ROW_NUMBER.search(row_match.group(1))
            number = int(number_match.group(1)) if number_match else expected
            while expected < number:
                yield []
                expected += 1
            body = row_match.group(2)
            expected = number + 1
            if not body:
                yield []
                continue
            row: list = []
            for letters, attrs, value, inline, other in _FAST_CELL.findall(body):
                index = _COLUMNS.get(letters)
                if index is None:
                    index = _column_index(letters.encode())
                if index != len(row):
                    row.extend([None] * (index - len(row)))
                if inline:
                    row.append(html.unescape(inline) if "&" in inline else inline)
                elif value:
                    if 't="s"' in attrs:
                        position = int(value)
                        row.append(strings[position] if 0 <= position < strings_count else None)
                    elif 't="' not in attrs or 't="n"' in attrs:
                        real = float(value)
                        row.append(int(real) if real.is_integer() and abs(real) < 1e15
                                   else real)
                    else:
                        row.append(_cell_value(attrs.encode(), f"<v>{value}</v>".encode(), strings))
                elif other:
                    if "<f" in other and _FORMULA.search(other.encode()):
                        raise SpreadsheetError(
                            _("Cell %(cell)s holds a formula: paste values only.") % {
                                "cell": f"{letters}{number}"}, row=number, column=letters)
                    row.append(_cell_value(attrs.encode(), other.encode(), strings))
                else:
                    row.append(None)
            yield row
    if tail.strip() and _FAST_ROW.search(tail):
        raise SpreadsheetError(_("The worksheet XML is malformed."))


def _general_rows(chunks, strings: list[str]) -> Iterator[list]:
    state = _RowState()
    tail = b""
    for chunk in chunks:
        data = tail + chunk
        end = yield from state.scan(data, strings, final=False)
        tail = data[end:]
        if len(tail) > 16 * CHUNK:
            raise SpreadsheetError(_("The worksheet XML is malformed."))
    yield from state.scan(tail, strings, final=True)
    if state.row:
        yield _as_list(state.row)


class _RowState:
    """Where the scanner is in the sheet, across chunk borders."""

    def __init__(self):
        self.row: dict[int, object] = {}
        self.row_number = 1
        self.column = 0

    def scan(self, data: bytes, strings: list[str], final: bool):
        end = 0
        for match in _CELL.finditer(data):
            if not final and match.end() == len(data):
                break  # may be cut by the chunk border: keep it for the next round
            end = match.end()
            if match.group("rowend"):
                yield _as_list(self.row)
                self.row = {}
                self.row_number += 1
                self.column = 0
                continue
            attrs = match.group("attrs") or b""
            body = match.group("body") or b""
            ref = _REF.search(attrs)
            if ref:
                self.column = _column_index(ref.group(1))
                cell_row = int(ref.group(2))
                while self.row_number < cell_row and not self.row:
                    yield []  # rows absent from the XML are empty rows
                    self.row_number += 1
            if _FORMULA.search(body):
                letters = ref.group(1).decode() if ref else _letters(self.column)
                raise SpreadsheetError(
                    _("Cell %(cell)s holds a formula: paste values only.") % {
                        "cell": f"{letters}{self.row_number}"}, row=self.row_number, column=letters)
            self.row[self.column] = _cell_value(attrs, body, strings)
            self.column += 1
        return end


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _as_list(row: dict[int, object]) -> list:
    if not row:
        return []
    out: list[object] = [None] * (max(row) + 1)
    for index, value in row.items():
        out[index] = value
    return out


def _cell_value(attrs: bytes, body: bytes, strings: list[str]):
    kind_match = _TYPE.search(attrs)
    kind = kind_match.group(1) if kind_match else b"n"
    if kind == b"inlineStr":
        return "".join(_xml_text(t) for t in _TEXT.findall(body))
    value = _VALUE.search(body)
    if value is None:
        return None
    raw = value.group(1)
    if kind == b"s":
        index = int(raw)
        return strings[index] if 0 <= index < len(strings) else None
    if kind in (b"str", b"e", b"d"):
        return _xml_text(raw)
    if kind == b"b":
        return raw == b"1"
    try:
        number = float(raw)
    except ValueError:
        return _xml_text(raw)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


# --- Reading in a second process -------------------------------------------------------------

PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # below this, a second process costs more than it saves
_BATCH_ROWS = 2000


def rows_in_background(fileobj, name: str = "") -> Iterator[list]:
    """The rows of `fileobj`, decompressed and scanned by a forked child process while the
    caller validates and writes the previous batch: on a 2-core machine the importer's two
    halves (reading ~18 µs a row, checking and writing the rest) then overlap.

    Falls back to reading in-process for small files or where fork is unavailable. Errors in
    the child arrive as the same SpreadsheetError, raised at the same row."""
    import multiprocessing

    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if size < PARALLEL_MIN_BYTES or "fork" not in multiprocessing.get_all_start_methods():
        yield from open_sheet(fileobj, name).rows
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send_rows, args=(fileobj, name, sender), daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise SpreadsheetError(_("The file could not be read.")) from None
            if kind == "rows":
                yield from payload
            elif kind == "error":
                message, row, column = payload
                raise SpreadsheetError(message, row=row, column=column)
            else:
                return
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(timeout=5)


def _send_rows(fileobj, name, sender) -> None:
    """In the child: read, send batches; never touch the database (the parent owns it)."""
    try:
        batch = []
        for row in open_sheet(fileobj, name).rows:
            batch.append(row)
            if len(batch) >= _BATCH_ROWS:
                sender.send(("rows", batch))
                batch = []
        sender.send(("rows", batch))
        sender.send(("end", None))
    except SpreadsheetError as exc:
        sender.send(("error", (str(exc), exc.row, exc.column)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as a refusal
        sender.send(("error", (_("The file could not be read: %(reason)s") % {"reason": exc},
                               None, None)))
    finally:
        sender.close()


# --- What an import reports ------------------------------------------------------------------

MAX_ERRORS = 10000


@dataclass
class ImportErrors:
    """What an import reports: rows read, created, whether it was a dry run, and the errors,
    each naming its row and column; past MAX_ERRORS only counted (a file of a million bad
    rows must not answer a million messages)."""

    created: int = 0
    rows: int = 0
    dry_run: bool = False
    errors: list[dict] = field(default_factory=list)
    truncated_errors: int = 0

    def error(self, row, column, message) -> None:
        if len(self.errors) >= MAX_ERRORS:
            self.truncated_errors += 1
            return
        self.errors.append({"row": row, "column": column, "message": str(message)})

    def as_dict(self) -> dict:
        """The result's own figures (its dataclass fields), then the errors."""
        import dataclasses

        return self.with_errors({f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                                 if f.name not in ("errors", "truncated_errors")})

    def with_errors(self, data: dict) -> dict:
        data["errors"] = self.errors
        if self.truncated_errors:
            data["more_errors"] = self.truncated_errors
        return data


def map_columns(header: list, result: ImportErrors, key_of) -> tuple[list, set]:
    """(keys, seen): each header cell's column key by `key_of(name)`, None for a blank cell;
    an unknown column or one given twice is recorded as an error of row 1."""
    from ranan.lib import normalise

    keys: list = []
    seen: set = set()
    for cell in header:
        name = normalise.text(cell)
        if not name:
            keys.append(None)
            continue
        key = key_of(name)
        if key is None:
            result.error(1, name, _("Unknown column “%(name)s”: use the template's headers.") % {
                "name": name})
        elif key in seen:
            result.error(1, name, _("The column “%(name)s” appears twice.") % {"name": name})
        seen.add(key)
        keys.append(key)
    return keys, seen


def header_keys(rows, result: ImportErrors, map_header):
    """(keys, header): the file's first row, mapped to the columns' keys by `map_header(header,
    result)`; keys None (the error recorded) when the file is empty or its header is wrong."""
    header = next(rows, None)
    if header is None:
        result.error(1, None, _("The file is empty."))
        return None, None
    keys = map_header(header, result)
    return (None if result.errors else keys), header


class Rollback(Exception):
    """Raised inside an import's transaction to undo every row it wrote (a dry run, or a file
    with errors: all or nothing)."""


def write_import_template(path_or_file, *, sheet: str, columns, note: str,
                          note_width: int = 12):
    """An import template: Chinese headers (each column's `header`, `width`), and a sheet of
    notes, one row per column (`header`, `required`, `note`) and a closing `note`."""
    import xlsxwriter

    book = xlsxwriter.Workbook(path_or_file, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#FDE7D9", "border": 1})
    first = book.add_worksheet(sheet)
    for index, column in enumerate(columns):
        first.write_string(0, index, column.header, head)
        first.set_column(index, index, column.width)
    first.freeze_panes(1, 0)
    notes = book.add_worksheet("填写说明")
    notes.write_row(0, 0, ["列名", "必填", "说明"], head)
    for index, column in enumerate(columns, start=1):
        notes.write_row(index, 0, [column.header, "是" if column.required else "", column.note])
    notes.write(len(columns) + 2, 0, note)
    notes.set_column(0, 0, note_width)
    notes.set_column(2, 2, 60)
    book.close()
