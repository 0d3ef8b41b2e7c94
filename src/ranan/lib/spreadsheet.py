"""Reading untrusted spreadsheets (.xlsx and .csv) row by row, in bounded time and memory.

Why not a general library: an .xlsx is a zip of XML, and the things that must be refused
(zip bombs, XML entity bombs, macros, formulas) are cheapest to refuse before any XML is
parsed. The sheet itself is read with a streaming scanner over the decompressed text
(regular expressions in C over 1 MiB chunks), which keeps a million-row sheet under a few
MiB of working memory and runs at the speed of zlib. No DTD is ever processed and no XML
library parses the file, so entity expansion (and external entities) cannot happen: only
the five XML entities and character references are decoded; a file that declares a DTD or
an entity is refused anyway.

Linear time (issue 16): every pattern stops at the next opening of its own element, so a
cell, row or shared string that is never closed costs one scan to the next one instead of
a scan to the end of the file for each (a 2 KB sheet of 20,000 unclosed cells took 126 s);
an element left unclosed is refused as malformed. Every read is also bounded by the limits
below and by a wall-clock budget: past any of them the file is refused with a
`SpreadsheetError` whose `code` names the limit.

`read_rows` parses the whole file before it returns (into a spooled temporary file), so an
import opens its write transaction only once the file is known to be readable.

Every refusal is a `SpreadsheetError` with a message for the person who uploaded the file.
"""

from __future__ import annotations

import codecs
import csv
import functools
import html
import io
import marshal
import re
import tempfile
import time
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# --- Limits (issue 16) -------------------------------------------------------------------------
# Module constants, no settings: they bound what one upload may cost a worker. A real
# 1,000,000-row customer sheet (27 columns, ~60 MiB, ~36 s to read on the project's VM) passes
# every one of them.
MAX_FILE_BYTES = 100 * 1024 * 1024           # the upload itself
MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024  # all members of the zip together, declared
MAX_SHEET_BYTES = 1024 * 1024 * 1024          # the worksheet part, decompressed
MAX_PART_BYTES = 16 * 1024 * 1024             # workbook.xml and its relationships, decompressed
MAX_SHARED_STRINGS_BYTES = 512 * 1024 * 1024  # sharedStrings.xml, decompressed
MAX_SHARED_STRINGS = 5_000_000                # shared strings, counted
MAX_SHARED_TEXT_BYTES = 128 * 1024 * 1024     # their text kept in memory (UTF-8)
MAX_RATIO = 150                               # real sheets compress ~5-20x; bombs 1000x+
MAX_ROWS = 1_048_576                          # Excel's own limit
MAX_COLUMNS = 16_384                          # Excel's own limit (XFD): the length of a row
MAX_ROW_BYTES = 4 * 1024 * 1024               # one row's XML (or CSV line)
MAX_CELLS = 50_000_000                        # cells of the whole sheet, empty ones included
MAX_PARSE_SECONDS = 120                       # wall clock for reading the whole file
CHUNK = 1024 * 1024


class SpreadsheetError(ValueError):
    """The file cannot be read; the message says why, for a person; `code` names the reason
    for a program (``malformed``, ``too_many_cells``, ``too_slow``, …)."""

    def __init__(self, message, row=None, column=None, code="unreadable"):
        super().__init__(message)
        self.row = row
        self.column = column
        self.code = code


class _Budget:
    """What reading one file may still spend: time and cells."""

    def __init__(self, seconds: float | None = None):
        self.deadline = time.monotonic() + (MAX_PARSE_SECONDS if seconds is None else seconds)
        self.cells = 0

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise _too_slow()

    def add_cells(self, n: int) -> None:
        self.cells += n
        if self.cells > MAX_CELLS:
            raise SpreadsheetError(_("The file has more than %(limit)d cells: split it.") % {
                "limit": MAX_CELLS}, code="too_many_cells")


def _too_slow():
    return SpreadsheetError(_("Reading the file took longer than %(seconds)d seconds: refused. "
                              "Split it or save it again as a plain .xlsx.") % {
        "seconds": MAX_PARSE_SECONDS}, code="too_slow")


def _malformed(row=None):
    if row is not None:
        return SpreadsheetError(_("The worksheet XML is malformed at row %(row)d.") % {"row": row},
                                row=row, code="malformed")
    return SpreadsheetError(_("The worksheet XML is malformed."), code="malformed")


def _row_too_long(row=None):
    return SpreadsheetError(_("A row of the file is longer than %(limit)d cells or %(size)d MB.") % {
        "limit": MAX_COLUMNS, "size": MAX_ROW_BYTES // (1024 * 1024)}, row=row, code="row_too_long")


@dataclass
class Sheet:
    kind: str  # "xlsx" or "csv"
    rows: Iterator[list]  # each row: list of cell values (str, float, bool or None)


def open_sheet(fileobj, name: str = "", budget: _Budget | None = None) -> Sheet:
    """Detect the format from the content (not the name) and return a row iterator (lazy:
    errors arrive while iterating; `read_rows` reads it all first)."""
    budget = budget or _Budget()
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if size == 0:
        raise SpreadsheetError(_("The file is empty."), code="empty")
    if size > MAX_FILE_BYTES:
        raise SpreadsheetError(_("The file is %(size)d MB; the limit is %(limit)d MB. Split it.") % {
            "size": size // (1024 * 1024), "limit": MAX_FILE_BYTES // (1024 * 1024)},
            code="file_too_large")
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return Sheet("xlsx", _xlsx_rows(fileobj, budget))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_("This is an old .xls (or encrypted) workbook: save it as .xlsx."),
                               code="not_xlsx")
    if b"\x00" in fileobj.read(4096):
        raise SpreadsheetError(_("This is not a spreadsheet (.xlsx or .csv)."), code="not_a_sheet")
    fileobj.seek(0)
    return Sheet("csv", _csv_rows(fileobj, budget))


# --- CSV -----------------------------------------------------------------------------------


def _csv_lines(text, budget: _Budget) -> Iterator[str]:
    """The text's lines (ends kept), refusing one longer than MAX_ROW_BYTES before it is
    all in memory."""
    buffer = ""
    while True:
        chunk = text.read(CHUNK)
        budget.check()
        if not chunk:
            break
        buffer += chunk
        lines = buffer.split("\n")
        buffer = lines.pop()
        if len(buffer) > MAX_ROW_BYTES:
            raise _row_too_long()
        for line in lines:
            yield line + "\n"
    if buffer:
        yield buffer


def _csv_rows(fileobj, budget: _Budget) -> Iterator[list]:
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
    count = 0
    try:
        for row in csv.reader(_csv_lines(text, budget)):
            count += 1
            if len(row) > MAX_COLUMNS:
                raise _row_too_long(count)
            if count > MAX_ROWS:
                raise _too_many_rows()
            budget.add_cells(len(row))
            if not count % 4096:
                budget.check()
            yield row
    except UnicodeDecodeError:
        raise SpreadsheetError(_("The CSV file is neither UTF-8 nor GBK text."),
                               code="encoding") from None
    except csv.Error as exc:
        raise SpreadsheetError(_("The CSV file is malformed: %(reason)s") % {"reason": exc},
                               code="malformed") from None


def _too_many_rows():
    return SpreadsheetError(_("The file has more than %(limit)d rows: split it.") % {
        "limit": MAX_ROWS}, code="too_many_rows")


# --- XLSX ----------------------------------------------------------------------------------

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_FORMULA = re.compile(r"<(?:\w+:)?f[\s>/]")
_REF = re.compile(r'\sr="([A-Z]{1,3})\d{1,7}"')
_TYPE = re.compile(r'\st="(\w+)"')
_VALUE = re.compile(r"<(?:\w+:)?v(?:\s[^<>]*)?>([^<]*)</(?:\w+:)?v>")
_TEXT = re.compile(r"<(?:\w+:)?t(?:\s[^<>]*)?>([^<]*)</(?:\w+:)?t>")
# Phonetic hints (<rPh>) are not part of a shared string's value. The body stops at the next
# <rPh (opening or closing): linear even when the element is never closed.
_PHONETIC = re.compile(r"<(?:\w+:)?rPh\b[^<>]*>[^<]*+(?:<(?!/?(?:\w+:)?rPh\b)[^<]*+)*+"
                       r"</(?:\w+:)?rPh>")
_ROW_NUMBER = re.compile(r'\br="(\d{1,8})"')
_MAX_ZIP_ENTRIES = 10_000


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


_COLUMNS = {}
for _first in [""] + [chr(c) for c in range(65, 91)]:
    for _second in range(65, 91):
        _COLUMNS[_first + chr(_second)] = _column_index(_first + chr(_second))


def _xml_text(raw: str) -> str:
    # Only character references and the five XML entities mean anything here (html.unescape
    # also knows HTML's names, each a character or two): nothing is ever expanded further.
    return html.unescape(raw) if "&" in raw else raw


def _refused_bomb():
    return SpreadsheetError(_("The file is too large once opened: refused as a possible zip bomb."),
                            code="zip_bomb")


def _count_entries(fileobj) -> None:
    """Refuse a zip of very many members before `zipfile` builds an object for each."""
    try:
        # The end-of-directory record, read from the tail (zipfile's own reader of it).
        end = getattr(zipfile, "_EndRecData")(fileobj)  # noqa: B009 - private, typed nowhere
    except Exception:  # noqa: BLE001 - zipfile itself says what is wrong just after
        end = None
    finally:
        fileobj.seek(0)
    if end and end[getattr(zipfile, "_ECD_ENTRIES_TOTAL")] > _MAX_ZIP_ENTRIES:  # noqa: B009
        raise SpreadsheetError(_("This is not a spreadsheet (.xlsx or .csv)."), code="not_a_sheet")


def _check_zip(archive: zipfile.ZipFile) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 10 * 1024 * 1024 and ratio > MAX_RATIO:
            raise SpreadsheetError(_("The file expands %(ratio)d times when opened: refused as a "
                                     "possible zip bomb.") % {"ratio": ratio}, code="zip_bomb")
        if info.filename.lower().endswith("vbaproject.bin"):
            raise SpreadsheetError(_("The workbook contains macros: save it as a plain .xlsx."),
                                   code="macros")
        if info.flag_bits & 0x1:
            raise SpreadsheetError(_("The workbook is encrypted: save it without a password."),
                                   code="encrypted")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _refused_bomb()


def _read_limited(archive: zipfile.ZipFile, name: str, limit: int, budget: _Budget) -> Iterator[bytes]:
    """Decompress one member in chunks. Refused: a member whose declared size (ZipInfo) is
    over `limit`, one that produces more than it declared or than `limit` (a zip's sizes can
    lie), XML that declares a DTD or entities, and any time past the budget."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise _refused_bomb()
    produced = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(CHUNK)
                budget.check()
                if not chunk:
                    return
                produced += len(chunk)
                if produced > info.file_size or produced > limit:
                    raise _refused_bomb()
                if _DTD.search(chunk):
                    raise SpreadsheetError(_("The file declares XML entities: refused (possible "
                                             "entity bomb)."), code="xml_entities")
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            OSError) as exc:
        raise SpreadsheetError(_("The file is damaged: %(reason)s") % {"reason": exc},
                               code="damaged") from None


def _read_part(archive: zipfile.ZipFile, name: str, budget: _Budget) -> str:
    return b"".join(_read_limited(archive, name, MAX_PART_BYTES, budget)).decode("utf-8", "replace")


def _first_sheet_name(archive: zipfile.ZipFile, budget: _Budget) -> str:
    names = set(archive.namelist())
    try:
        workbook = _read_part(archive, "xl/workbook.xml", budget)
        rels = _read_part(archive, "xl/_rels/workbook.xml.rels", budget)
    except KeyError:
        raise SpreadsheetError(_("This is not a spreadsheet (.xlsx or .csv)."),
                               code="not_a_sheet") from None
    sheet = re.search(r'<(?:\w+:)?sheet\b[^<>]*?\br:id="([^"<>]+)"', workbook) or re.search(
        r'<(?:\w+:)?sheet\b[^<>]*?\bid="([^"<>]+)"', workbook)
    if sheet:
        rid = re.escape(sheet.group(1))
        rel = re.search(r'<Relationship\b[^<>]*?\bId="' + rid + r'"[^<>]*?\bTarget="([^"<>]+)"',
                        rels) or re.search(
            r'<Relationship\b[^<>]*?\bTarget="([^"<>]+)"[^<>]*?\bId="' + rid + '"', rels)
        if rel:
            target = rel.group(1)
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if target in names:
                return target
    if "xl/worksheets/sheet1.xml" in names:
        return "xl/worksheets/sheet1.xml"
    raise SpreadsheetError(_("The workbook has no worksheet."), code="no_worksheet")


class _SharedStrings:
    """The shared strings, compact: their UTF-8 text in one buffer and where each ends (a
    Python str per string costs ~60 bytes more; a 400 MB table took 1.2 GB that way)."""

    def __init__(self):
        self.text = bytearray()
        self.ends = array("Q")

    def __len__(self) -> int:
        return len(self.ends)

    def append(self, value: str) -> None:
        if len(self.ends) >= MAX_SHARED_STRINGS:
            raise SpreadsheetError(_("The file has more than %(limit)d different texts: split it.") % {
                "limit": MAX_SHARED_STRINGS}, code="too_many_strings")
        self.text += value.encode("utf-8")
        if len(self.text) > MAX_SHARED_TEXT_BYTES:
            raise SpreadsheetError(_("The file's texts are longer than %(limit)d MB: split it.") % {
                "limit": MAX_SHARED_TEXT_BYTES // (1024 * 1024)}, code="strings_too_large")
        self.ends.append(len(self.text))

    def get(self, index: int):
        if 0 <= index < len(self.ends):
            return self.text[self.ends[index - 1] if index else 0:self.ends[index]].decode("utf-8")
        return None


def _shared_strings(archive: zipfile.ZipFile, budget: _Budget) -> _SharedStrings:
    strings = _SharedStrings()
    if "xl/sharedStrings.xml" not in archive.NameToInfo:
        return strings
    chunks = _read_limited(archive, "xl/sharedStrings.xml", MAX_SHARED_STRINGS_BYTES, budget)
    for _prefix, _attrs, body in _elements(chunks, "si", budget):
        if not body:
            strings.append("")
            continue
        if "rPh" in body:
            body = _PHONETIC.sub("", body)
        strings.append("".join(_xml_text(t) for t in _TEXT.findall(body)))
    return strings


def _element_patterns(prefix: str, tag: str) -> tuple[re.Pattern[str], re.Pattern[str], str]:
    """(element, opening, closing tag) for `<prefix:tag …>…</prefix:tag>` or `<… />`. The body
    stops at the next opening or closing of the same tag, so an element never closed costs
    one scan to the next one (linear), and shows as an opening outside every element."""
    p = re.escape(prefix)
    body = rf"[^<]*+(?:<(?!/?{p}{tag}[\s/>])[^<]*+)*+"
    element = re.compile(rf"<{p}{tag}(?=[\s/>])([^<>]*?)(?:/>|>({body})</{p}{tag}>)")
    return element, re.compile(rf"<{p}{tag}[\s/>]"), f"</{prefix}{tag}>"


def _elements(chunks, tag: str, budget: _Budget) -> Iterator[tuple[str, str, str | None]]:
    """(prefix, attributes, body or None) of each `tag` element in the decompressed chunks,
    in one pass. An element opened and not closed is refused as malformed; one longer than
    MAX_ROW_BYTES too."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    finder = re.compile(rf"<(\w+:)?{tag}[\s/>]")
    element: re.Pattern[str] | None = None
    opening, close = finder, ""
    prefix = ""
    tail = ""
    chunks = iter(chunks)
    final = False
    while not final:
        chunk = next(chunks, None)
        final = chunk is None
        try:
            data = tail + decoder.decode(chunk or b"", final)
        except UnicodeDecodeError:
            raise _malformed() from None
        if element is None:
            found = finder.search(data)
            if found is None:
                tail = data[-64:]  # an opening may be cut by the chunk border
                continue
            prefix = found.group(1) or ""
            element, opening, close = _element_patterns(prefix, tag)
            data = data[found.start():]
        if final:
            cut = len(data)
        else:
            cut = data.rfind(close)
            if cut < 0:
                tail = data
                if len(tail) > MAX_ROW_BYTES + CHUNK:
                    raise _row_too_long()
                continue
            cut += len(close)
        position = 0
        for match in element.finditer(data, 0, cut):
            if opening.search(data, position, match.start()):
                raise _malformed()
            body = match.group(2)
            if body is not None and len(body) > MAX_ROW_BYTES:
                raise _row_too_long()
            yield prefix, match.group(1), body
            position = match.end()
        if opening.search(data, position, cut):
            raise _malformed()
        tail = data[cut:]


def _xlsx_rows(fileobj, budget: _Budget) -> Iterator[list]:
    _count_entries(fileobj)
    try:
        archive = zipfile.ZipFile(fileobj)
    except Exception:  # noqa: BLE001 - whatever a hostile directory makes zipfile raise
        raise SpreadsheetError(_("This is not a spreadsheet (.xlsx or .csv)."),
                               code="not_a_sheet") from None
    with archive:
        _check_zip(archive)
        sheet_name = _first_sheet_name(archive, budget)
        strings = _shared_strings(archive, budget)
        chunks = _read_limited(archive, sheet_name, MAX_SHEET_BYTES, budget)
        yield from _sheet_rows(chunks, strings, budget)


@functools.cache
def _cell_patterns(prefix: str):
    """One cell: its column letters (when `r` comes first, as every producer writes it), its
    attributes, then the value in the common shapes (<v>…</v> or an inline <is><t>…</t></is>),
    else the whole body (which stops at the next cell: linear) for the careful path."""
    p = re.escape(prefix)
    body = rf"[^<]*+(?:<(?!/?{p}c[\s/>])[^<]*+)*+"
    cell = re.compile(
        rf'<{p}c(?=[\s/>])(?: r="([A-Z]{{1,3}})\d{{1,7}}")?([^<>]*?)(?:/>|>(?:<{p}v>([^<]*+)</{p}v>|'
        rf"<{p}is><{p}t>([^<]*+)</{p}t></{p}is>|({body}))</{p}c>)")
    return cell, re.compile(rf"<{p}c[\s/>]")


def _sheet_rows(chunks, strings: _SharedStrings, budget: _Budget) -> Iterator[list]:
    """One regex pass for rows, one findall per row; rows absent from the XML are empty rows."""
    expected = 1
    for prefix, attrs, body in _elements(chunks, "row", budget):
        number_match = _ROW_NUMBER.search(attrs)
        # A row numbered before the one expected (out of order, twice) is taken as the next
        # one: the empty rows yielded for the gaps never exceed MAX_ROWS in all.
        number = max(int(number_match.group(1)), expected) if number_match else expected
        if number > MAX_ROWS:
            raise _too_many_rows()
        while expected < number:
            yield []
            expected += 1
        expected = number + 1
        if not number % 1024:
            budget.check()
        if not body:
            yield []
            continue
        row = _cells(body, prefix, number, strings)
        budget.add_cells(len(row))
        yield row


def _cells(body: str, prefix: str, number: int, strings: _SharedStrings) -> list:
    cell, opening = _cell_patterns(prefix)
    found = cell.findall(body)
    if len(found) != len(opening.findall(body)):
        raise _malformed(number)  # a cell opened and never closed
    row: list = []
    try:
        for letters, attrs, value, inline, other in found:
            if letters:
                index = _COLUMNS.get(letters, -1)
                if index < 0:
                    index = _column_index(letters)
            else:
                ref = _REF.search(attrs)
                index = _column_index(ref.group(1)) if ref else len(row)
            if index >= MAX_COLUMNS:
                raise _row_too_long(number)
            if index > len(row):
                row.extend([None] * (index - len(row)))
            if inline:
                row.append(html.unescape(inline) if "&" in inline else inline)
            elif value:
                if 't="s"' in attrs:
                    row.append(strings.get(int(value)))
                elif 't="' not in attrs or 't="n"' in attrs:
                    real = float(value)
                    row.append(int(real) if real.is_integer() and abs(real) < 1e15 else real)
                else:
                    row.append(_cell_value(attrs, f"<v>{value}</v>", strings))
            elif other:
                if "<" in other and _FORMULA.search(other):
                    letters = letters or _letters(index)
                    raise SpreadsheetError(
                        _("Cell %(cell)s holds a formula: paste values only.") % {
                            "cell": f"{letters}{number}"}, row=number, column=letters, code="formula")
                row.append(_cell_value(attrs, other, strings))
            else:
                row.append(None)
    except SpreadsheetError:
        raise
    except (ValueError, OverflowError):
        raise _malformed(number) from None
    return row


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell_value(attrs: str, body: str, strings: _SharedStrings):
    kind_match = _TYPE.search(attrs)
    kind = kind_match.group(1) if kind_match else "n"
    if kind == "inlineStr":
        return "".join(_xml_text(t) for t in _TEXT.findall(body))
    value = _VALUE.search(body)
    if value is None:
        return None
    raw = value.group(1)
    if kind == "s":
        return strings.get(int(raw))
    if kind in ("str", "e", "d"):
        return _xml_text(raw)
    if kind == "b":
        return raw == "1"
    try:
        number = float(raw)
    except ValueError:
        return _xml_text(raw)
    if number != number or number in (float("inf"), float("-inf")):
        return _xml_text(raw)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


# --- Reading the whole file before an import writes -----------------------------------------

PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # below this, a second process costs more than it saves
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024  # rows kept in memory before the spool goes to disk
_BATCH_ROWS = 2000


class SpooledRows(Iterator):
    """The rows of a file read to its end, played back from a temporary file (marshal
    batches of 2,000 rows: memory stays flat whatever the file's length)."""

    def __init__(self, spool):
        self._spool = spool
        self._rows = self._play()

    def _play(self):
        try:
            while True:
                try:
                    batch = marshal.load(self._spool)
                except EOFError:
                    return
                yield from batch
        finally:
            self._spool.close()

    def __next__(self):
        return next(self._rows)

    def close(self) -> None:
        self._rows.close()
        self._spool.close()


def _write_rows(rows, spool) -> None:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH_ROWS:
            marshal.dump(batch, spool)
            batch = []
    if batch:
        marshal.dump(batch, spool)


def read_rows(fileobj, name: str = "") -> SpooledRows:
    """Every row of `fileobj`, read to the end (within the limits and the time budget above)
    BEFORE this returns: an import opens its write transaction only after the file is known
    to be readable, and a slow or hostile file never holds the database's write lock.

    A file of PARALLEL_MIN_BYTES or more is read by a forked child process (its memory goes
    back to the system when it ends; past the time budget it is killed); errors arrive as
    the same SpreadsheetError, with their row, column and code."""
    import multiprocessing

    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if size >= PARALLEL_MIN_BYTES and "fork" in multiprocessing.get_all_start_methods():
        return _read_in_child(fileobj, name, multiprocessing.get_context("fork"))
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)
    try:
        _write_rows(open_sheet(fileobj, name).rows, spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return SpooledRows(spool)


def _read_in_child(fileobj, name, context) -> SpooledRows:
    spool = tempfile.TemporaryFile()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_spool_rows, args=(fileobj, name, spool, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(MAX_PARSE_SECONDS + 10):
            raise _too_slow()
        try:
            kind, payload = receiver.recv()
        except EOFError:
            raise SpreadsheetError(_("The file could not be read."), code="unreadable") from None
        if kind == "error":
            message, row, column, code = payload
            raise SpreadsheetError(message, row=row, column=column, code=code)
    except BaseException:
        spool.close()
        raise
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
    spool.seek(0)
    return SpooledRows(spool)


def _spool_rows(fileobj, name, spool, sender) -> None:
    """In the child: read the whole file into the spool; never touch the database (the
    parent owns it)."""
    try:
        _write_rows(open_sheet(fileobj, name).rows, spool)
        spool.flush()
        sender.send(("end", None))
    except SpreadsheetError as exc:
        sender.send(("error", (str(exc), exc.row, exc.column, exc.code)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as a refusal
        sender.send(("error", (_("The file could not be read: %(reason)s") % {"reason": exc},
                               None, None, "unreadable")))
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

    def error(self, row, column, message, code=None) -> None:
        """One error; `code` (a file that cannot be read: SpreadsheetError.code) names the
        reason for a program."""
        if len(self.errors) >= MAX_ERRORS:
            self.truncated_errors += 1
            return
        entry = {"row": row, "column": column, "message": str(message)}
        if code:
            entry["code"] = code
        self.errors.append(entry)

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
    from ranan.lib import safe_output

    book = safe_output.workbook(path_or_file, {"in_memory": True})
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
