"""Importing a station's existing cylinder stock from .xlsx / .csv: all or nothing.

The rules are `services.cylinder_register`'s, applied to a file: the station manager's own
station (an administrator names one), dates not in the future, the last inspection not
before manufacture, codes with a valid check character, not registered yet, not twice in
the file and not printed for another station; a row without a code gets a new random one.
Dates due are derived by the type's rules (`models.derived_dates`, as `derive_dates()`).

The file is read to its end first (`spreadsheet.read_rows`: limits and a time budget, a
second process for a large file), then rows are checked and written in batches inside ONE
transaction: every cylinder gets its `registered` event, the
import one audit entry. If any row is bad, or on a dry run, nothing is written and the
answer lists every bad row with its row number, column and reason.

PostgreSQL: ids taken from the sequence per batch, cylinders written with COPY, their events
by one INSERT … SELECT per batch, on a second thread while the next batch is checked (same
connection, same transaction, taking turns); foreign keys checked per batch, not all at
COMMIT. SQLite: executemany. Speed and what limits it: docs/performance.md.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from operator import itemgetter

from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core import audit
from ranan.core.choices import OrgKind
from ranan.core.models import Organisation
from ranan.core.permissions import can
from ranan.core.scoping import enterprise_ids
from ranan.cylinders import codes
from ranan.cylinders.choices import EventKind, State
from ranan.cylinders.columns import (
    BY_HEADER,
    BY_KEY,
    CHINESE_ALIASES,
    COLUMNS,
    ENGLISH_HEADERS,
    REQUIRED,
    STATE_WORDS,
)
from ranan.cylinders.models import (
    Cylinder,
    CylinderEvent,
    CylinderType,
    IssuedCode,
    LabelBatch,
    derived_dates,
)
from ranan.lib import normalise, spreadsheet

BATCH = 5000
MEMO_SIZE = 100_000  # distinct cells remembered per column
_MAX_LENGTH = {"manufacturer": Cylinder._meta.get_field("manufacturer").max_length,
               "serial": Cylinder._meta.get_field("serial").max_length}
# Columns written by COPY / executemany, in this order.
CYLINDER_FIELDS = ["id", "code", "type_id", "manufacturer", "serial", "made_on",
                   "last_inspected_on", "life_extended", "next_inspection_due", "scrap_on",
                   "station_id", "state", "updated_at"]
# The order in which `_Run.take` unpacks a row's cells.
_ORDER = ("code", "type", "manufacturer", "serial", "made_on", "last_inspected_on",
          "life_extended", "state")
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:kg|公斤|千克)?$", re.I)


# --- Codes, fast ---------------------------------------------------------------------------
# `codes.check_ok` and `codes.new_code` cost ~4 µs and ~10 µs a code; a million-row file
# needs both a million times. The same arithmetic on bytes in C (translate + int(…, 32)),
# checked equal to codes.py by tests/cylinders/test_import.py.
_STD_DIGITS = b"0123456789abcdefghijklmnopqrstuv"
_TO_STD = bytes(_STD_DIGITS[codes.ALPHABET.index(chr(b))] if chr(b) in codes.ALPHABET
                else ord("!") for b in range(256))
_RANDOM_TO_STD = bytes(_STD_DIGITS[b & 31] for b in range(256))  # 256 = 8 x 32: uniform
_STD_TO_CODE = bytes.maketrans(_STD_DIGITS, codes.ALPHABET.encode())


def check_ok(code: str) -> bool:
    """Same answer as `codes.check_ok` for any string."""
    if len(code) != codes.BODY_LENGTH + 1 or not code.isascii():
        return False
    body = code[:-1].encode().translate(_TO_STD)
    if b"!" in body:
        return False
    return codes.CHECK_ALPHABET[int(body, 32) % 37] == code[-1]


def new_codes(n: int) -> list[str]:
    """n random codes like `codes.new_code()` (from os.urandom, 5 bits a character)."""
    length = codes.BODY_LENGTH
    digits = os.urandom(length * n).translate(_RANDOM_TO_STD)
    bodies = digits.translate(_STD_TO_CODE).decode()
    check = codes.CHECK_ALPHABET
    return [bodies[i:i + length] + check[int(digits[i:i + length], 32) % 37]
            for i in range(0, length * n, length)]


# --- Result --------------------------------------------------------------------------------


@dataclass
class ImportResult(spreadsheet.ImportErrors):
    generated_codes: int = 0
    overdue: int = 0
    past_scrap: int = 0
    station: int | None = None


# --- Entry point ---------------------------------------------------------------------------


def import_cylinders(*, actor, fileobj, filename: str = "", dry_run: bool = False,
                     station=None) -> ImportResult:
    """Register the cylinders of a stock list. `station`: an LPG station (Organisation or
    its id); a station manager may leave it out (their own), an administrator must give it."""
    if not can(actor, "cylinders.import"):
        raise PermissionDenied(_("Only a station manager imports cylinders."))
    result = ImportResult(dry_run=dry_run)
    target = _resolve_station(actor, station, result)
    if target is None:
        return result
    result.station = target.pk
    rows = None
    try:
        # The whole file is read (limits, time budget) before the transaction opens.
        rows = spreadsheet.read_rows(fileobj, filename)
        keys, header = spreadsheet.header_keys(rows, result, _map_header)
        if keys is None:
            return result
        run = _Run(actor, target, keys, header, result, dry_run)
        try:
            with transaction.atomic():
                try:
                    run.start()
                    for row_number, row in enumerate(rows, start=2):
                        run.take(row_number, row)
                    run.flush()
                    run.wait()
                    if result.errors or dry_run:
                        raise spreadsheet.Rollback
                    run.finish(filename)
                finally:
                    run.stop()  # the writer thread is idle before the transaction ends
        except spreadsheet.Rollback:
            pass
        except IntegrityError:
            # Only a registration running at the same moment with one of the file's codes
            # gets here: every code was checked against the database before it was written.
            result.error(None, run.header_of("code"), _(
                "A code of this file was registered by someone else during the import: "
                "nothing was imported, upload the file again."))
    except spreadsheet.SpreadsheetError as exc:
        result.error(exc.row, exc.column or "file", str(exc), code=exc.code)
    finally:
        if rows is not None:
            rows.close()
    if result.errors:
        result.created = result.generated_codes = result.overdue = result.past_scrap = 0
    return result


def _resolve_station(actor, station, result: ImportResult) -> Organisation | None:
    """The station the stock belongs to, or None with the reason in `result`."""
    if isinstance(station, Organisation):
        station = station.pk
    if station in ("", None):
        station = None
    else:
        try:
            station = int(station)
        except (TypeError, ValueError):
            result.error(None, "station", _("“%(value)s” is not a station id.") % {
                "value": station})
            return None
    stations = Organisation.objects.filter(kind=OrgKind.LPG_STATION, is_active=True)
    if actor.is_superuser:
        pass
    elif can(actor, "cylinders.register"):  # a station's manager: their own station
        ids = enterprise_ids(actor)
        stations = stations.filter(pk__in=ids or [])
        if station is None:
            own = list(stations[:2])
            if len(own) == 1:
                return own[0]
            result.error(None, "station", _("Choose the station the cylinders belong to."))
            return None
        if not stations.filter(pk=station).exists():
            result.error(None, "station", _("You can only import cylinders of your station."))
            return None
    else:  # an administrator: any station of their area
        stations = stations.filter(pk__in=Organisation.objects.visible_to(actor).values("pk"))
    if station is None:
        result.error(None, "station", _("Choose the station the cylinders belong to."))
        return None
    found = stations.filter(pk=station).first()
    if found is None:
        result.error(None, "station", _("No LPG station %(id)s in your area.") % {"id": station})
    return found


def _map_header(header: list, result: ImportResult) -> list[str | None]:
    def key_of(name):
        column = BY_HEADER.get(name)
        return column.key if column else (CHINESE_ALIASES.get(name)
                                          or ENGLISH_HEADERS.get(name.casefold()))

    keys, seen = spreadsheet.map_columns(header, result, key_of)
    missing = [BY_KEY[k].header for k in REQUIRED if k not in seen]
    if missing:
        result.error(1, None, _("Missing columns: %(columns)s") % {"columns": "、".join(missing)})
    return keys


# --- One import ----------------------------------------------------------------------------


class _Run:
    """The state of one import: lookups, codes seen, the pending batch."""

    def __init__(self, actor, station: Organisation, keys, header, result: ImportResult,
                 dry_run: bool):
        self.actor = actor
        self.station = station
        self.result = result
        self.write = not dry_run
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.headers = {c.key: c.header for c in COLUMNS}
        position = {}
        for index, (key, cell) in enumerate(zip(keys, header, strict=False)):
            if key is not None:
                position[key] = index
                self.headers[key] = normalise.text(cell)  # errors name the file's own header
        # Every row is cut or padded to `width` cells plus one empty cell, which the
        # columns absent from the file read.
        self.width = max(position.values()) + 1
        self.pad = [None] * (self.width + 1)
        self.cells = itemgetter(*[position.get(key, self.width) for key in _ORDER])
        self.types = _Types(station)
        self.seen: dict[str, int] = {}       # code given in the file -> its row
        self.generated: set[str] = set()     # codes made for rows without one
        self.pending: list[list] = []
        self.ids: list[tuple[int, int]] = []
        self.next_id: int | None = None      # SQLite: ids are handed out from max(id) + 1
        self.db = connections[DEFAULT_DB_ALIAS]  # this thread's connection, for the writer
        self.writer: ThreadPoolExecutor | None = None
        self.job: Future | None = None
        # One memo per column: a stock list repeats its types, dates and words.
        self.memo: dict[str, dict] = {key: {} for key in (
            "type", "manufacturer", "made_on", "last_inspected_on", "life_extended", "state")}
        self.parsers = {"type": self.types.resolve, "manufacturer": _manufacturer,
                        "made_on": self._date, "last_inspected_on": self._date,
                        "life_extended": _boolean, "state": _state}

    # --- the transaction and the writer thread ----------------------------------------------

    def start(self) -> None:
        """Inside the import's transaction, before the first row."""
        if self.db.vendor != "postgresql":
            return
        with self.db.cursor() as cursor:
            # The code look-ups must use the code indexes: the planner's statistics cannot
            # count the rows this import adds (uncommitted), and a sequential scan that looks
            # cheap for the table at the start grows with every batch.
            cursor.execute("SET LOCAL enable_seqscan = off")
            # Foreign keys checked at the end of each batch's statements, on the writer
            # thread while the next batch is parsed, rather than all at COMMIT.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if self.write:
            # PostgreSQL writes a batch while this thread parses the next one: the two
            # halves overlap (psycopg waits for the server without holding the GIL). One
            # connection, one transaction: the threads take turns, never use it together.
            self.db.inc_thread_sharing()
            self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cylinder-import")

    def wait(self) -> None:
        """Until the writer has finished its batch; its database error is raised here."""
        if self.job is not None:
            job, self.job = self.job, None
            job.result()

    def stop(self) -> None:
        if self.writer is None:
            return
        try:
            if self.job is not None:
                concurrent.futures.wait([self.job])  # an error is already on its way up
                self.job = None
        finally:
            self.writer.shutdown(wait=True)
            self.writer = None
            self.db.dec_thread_sharing()

    def header_of(self, key: str) -> str:
        return self.headers[key]

    # --- one row ------------------------------------------------------------------------

    def _parse(self, key: str, cell) -> tuple:
        """(value, None) or (None, message), remembered per distinct cell of a column."""
        try:
            answer = (self.parsers[key](cell), None)
        except normalise.Invalid as exc:
            answer = (None, str(exc))
        memo = self.memo[key]
        if len(memo) < MEMO_SIZE:
            memo[cell] = answer
        return answer

    def take(self, row_number: int, row: list) -> None:
        size = len(row)
        if size != len(self.pad):
            if not size:
                return
            row = row + self.pad[size:] if size < len(self.pad) else row[:self.width] + [None]
        (code_cell, type_cell, manufacturer_cell, serial_cell, made_cell, last_cell,
         extended_cell, state_cell) = self.cells(row)
        if (type_cell is None or type_cell == "") and (made_cell is None or made_cell == "") and \
                all(c is None or (type(c) is str and not c.strip()) for c in row):
            return
        result = self.result
        result.rows += 1
        errors: list[tuple[str, str]] = []
        memo = self.memo

        code = None
        if code_cell is not None and code_cell != "":
            code = self._code(code_cell, row_number, errors)

        found = memo["type"].get(type_cell) or self._parse("type", type_cell)
        rules = found[0]
        if found[1]:
            errors.append(("type", found[1]))
        found = memo["made_on"].get(made_cell) or self._parse("made_on", made_cell)
        made_on = found[0]
        if found[1]:
            errors.append(("made_on", found[1]))
        elif made_on is None:
            errors.append(("made_on", _("Give the date of manufacture.")))
        found = memo["last_inspected_on"].get(last_cell) or self._parse("last_inspected_on",
                                                                         last_cell)
        last = found[0]
        if found[1]:
            errors.append(("last_inspected_on", found[1]))
        elif last is not None and made_on is not None and last < made_on:
            errors.append(("last_inspected_on",
                           _("The last inspection cannot be before manufacture.")))
        found = memo["life_extended"].get(extended_cell) or self._parse("life_extended",
                                                                         extended_cell)
        extended = found[0]
        if found[1]:
            errors.append(("life_extended", found[1]))
        elif extended and (last_cell is None or last_cell == ""):
            # A longer life comes from a passed inspection: without its date the scrap date
            # would be pushed back on a word alone.
            errors.append(("life_extended", _("A life is extended by an inspection: give the "
                                              "date of the last inspection.")))
        found = memo["state"].get(state_cell) or self._parse("state", state_cell)
        state = found[0]
        if found[1]:
            errors.append(("state", found[1]))
        found = memo["manufacturer"].get(manufacturer_cell) or self._parse("manufacturer",
                                                                           manufacturer_cell)
        manufacturer = found[0]
        if found[1]:
            errors.append(("manufacturer", found[1]))
        try:
            serial = _serial(serial_cell)  # nearly every value differs: no memo
        except normalise.Invalid as exc:
            errors.append(("serial", str(exc)))

        if errors:
            for key, text in errors:
                result.error(row_number, self.headers[key], text)
            return
        next_due, scrap_on = derived_dates(rules, made_on, last, extended)
        if self.today >= scrap_on:
            result.past_scrap += 1
        elif self.today > next_due:
            result.overdue += 1
        self.pending.append([row_number, code, rules.pk, manufacturer, serial, made_on, last,
                             extended, next_due, scrap_on, state])
        if len(self.pending) >= BATCH:
            self.flush()

    def _code(self, raw, row_number: int, errors: list) -> str | None:
        text = raw if type(raw) is str else normalise.text(raw)
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text)
        code = codes.normalise(text)
        if not check_ok(code):
            errors.append(("code", _("“%(code)s” is not a valid cylinder code (mistyped? the "
                                     "last character is a check character).") % {"code": code}))
            return None
        first = self.seen.get(code)
        if first is not None:
            errors.append(("code", _("Duplicate of row %(row)d in this file.") % {"row": first}))
            return None
        self.seen[code] = row_number
        if code in self.generated:
            self._recode(code)  # the file's code wins over a random one made earlier
        return code

    def _date(self, cell):
        return normalise.date(cell, not_future=True, today=self.today)

    # --- batches ------------------------------------------------------------------------

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        given = [r[1] for r in batch if r[1] is not None]
        blank = [r for r in batch if r[1] is None]
        fresh = self._candidates(len(blank))
        self.wait()  # the connection is the writer's until its batch is in
        # One look-up for the file's codes and the new ones together.
        registered, issued = _known(given + fresh)
        if registered or issued:
            taken = [c for c in fresh if c in registered or c in issued]
            if taken:
                fresh = [c for c in fresh if c not in registered and c not in issued]
                fresh += self._fresh_codes(len(taken))
        station_id = self.station.pk
        keep = []
        for r in batch:
            code = r[1]
            if code is not None:
                if code in registered:
                    self.result.error(r[0], self.headers["code"],
                                      _("This code is already registered."))
                    continue
                owner = issued.get(code)
                if owner is not None and owner != station_id:
                    self.result.error(r[0], self.headers["code"], _(
                        "This code was issued to another station."))
                    continue
            keep.append(r)
        for r, code in zip(blank, fresh, strict=True):
            r[1] = code
        self.generated.update(fresh)
        self.result.generated_codes += len(fresh)
        self.result.created += len(keep)
        if keep and self.write and not self.result.errors:
            self._insert(keep)

    def _candidates(self, n: int) -> list[str]:
        """n random codes not in the file (the database is asked by the caller)."""
        if not n:
            return []
        out = [c for c in new_codes(n) if c not in self.seen and c not in self.generated]
        while len(out) < n:
            out += [c for c in new_codes(n - len(out))
                    if c not in self.seen and c not in self.generated and c not in out]
        return out

    def _fresh_codes(self, n: int) -> list[str]:
        """n new codes: not in the file, not registered, not printed on any label."""
        out: list[str] = []
        while len(out) < n:
            candidates = [c for c in self._candidates(n - len(out)) if c not in out]
            registered, issued = _known(candidates)
            out += [c for c in candidates if c not in registered and c not in issued]
        return out

    def _recode(self, code: str) -> None:
        """A code given in the file was made at random for an earlier row (odds ~1e-9 a
        row): that earlier cylinder takes another random code."""
        self.generated.discard(code)
        self.wait()
        replacement = self._fresh_codes(1)[0]
        self.generated.add(replacement)
        if self.write and not self.result.errors:
            Cylinder.objects.filter(code=code).update(code=replacement)

    def _insert(self, batch: list[list]) -> None:
        if self.db.vendor != "postgresql":
            self._insert_sqlite(batch)
        elif self.writer is not None:
            self.job = self.writer.submit(self._insert_postgresql, batch)
        else:
            self._insert_postgresql(batch)

    def _insert_postgresql(self, batch: list[list]) -> None:
        """On the writer thread: ids from the sequence, the cylinders by COPY (rows streamed
        as they are formatted, so PostgreSQL works while Python formats), then their
        `registered` events by one INSERT … SELECT."""
        station_id, stamp = self.station.pk, self.now
        db = self.db
        # wrap_database_errors: COPY runs on the psycopg cursor itself, and its errors must
        # arrive as Django's (an IntegrityError is a concurrent registration).
        with db.wrap_database_errors, db.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                           "FROM generate_series(1, %s)", [Cylinder._meta.db_table, len(batch)])
            ids = [r[0] for r in cursor.fetchall()]
            with cursor.cursor.copy(f"COPY {Cylinder._meta.db_table} "
                                    f"({', '.join(CYLINDER_FIELDS)}) FROM STDIN") as copy:
                write = copy.write_row
                for pk, r in zip(ids, batch, strict=True):
                    write((pk, r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
                           station_id, r[10], stamp))
            if ids[-1] - ids[0] == len(ids) - 1 and ids == sorted(ids):
                source, params = "generate_series(%s::bigint, %s::bigint)", [ids[0], ids[-1]]
            else:  # another session took ids from the sequence meanwhile
                source, params = "unnest(%s::bigint[])", [ids]
            cursor.execute(
                f"INSERT INTO {CylinderEvent._meta.db_table} (cylinder_id, kind, at, actor_id, "
                f"station_id, filling_line, details) SELECT {source}, %s, %s, %s, %s, '', "
                "'{}'::jsonb",
                [*params, EventKind.REGISTERED.value, stamp, self.actor.pk, station_id])
        self.ids.append((ids[0], ids[-1]))

    def _insert_sqlite(self, batch: list[list]) -> None:
        station_id = self.station.pk
        db = self.db
        stamp = db.ops.adapt_datetimefield_value(self.now)
        with db.cursor() as cursor:
            if self.next_id is None:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {Cylinder._meta.db_table}")
                self.next_id = cursor.fetchone()[0]
            ids = list(range(self.next_id, self.next_id + len(batch)))
            self.next_id += len(batch)
            marks = ", ".join(["%s"] * len(CYLINDER_FIELDS))
            cursor.executemany(
                f"INSERT INTO {Cylinder._meta.db_table} ({', '.join(CYLINDER_FIELDS)}) "
                f"VALUES ({marks})",
                [(pk, r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], station_id,
                  r[10], stamp) for pk, r in zip(ids, batch, strict=True)])
            cursor.executemany(
                f"INSERT INTO {CylinderEvent._meta.db_table} (cylinder_id, kind, at, "
                "actor_id, station_id, filling_line, details) VALUES (%s, %s, %s, %s, %s, "
                "'', '{}')",
                [(pk, EventKind.REGISTERED.value, stamp, self.actor.pk, station_id)
                 for pk in ids])
        self.ids.append((ids[0], ids[-1]))

    def finish(self, filename: str) -> None:
        if self.result.created > 10000 and connection.vendor == "postgresql":
            # Fresh planner statistics after a large load (see customers/importer.py).
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Cylinder._meta.db_table}")
                cursor.execute(f"ANALYZE {CylinderEvent._meta.db_table}")
        audit.record(
            actor=self.actor, action="create", model="cylinders.cylinder",
            object_repr=_("Import of %(n)d cylinders") % {"n": self.result.created},
            details={"import": (self.station.name + ": " + filename)[:200] if filename
                     else self.station.name[:200],
                     "station": self.station.pk, "created": self.result.created,
                     "generated_codes": self.result.generated_codes,
                     "first_id": min((a for a, _b in self.ids), default=None),
                     "last_id": max((b for _a, b in self.ids), default=None)})


def _known(codes_: list[str]) -> tuple[set[str], dict[str, int]]:
    """Of these codes: those registered, and those printed on labels (code -> station)."""
    if not codes_:
        return set(), {}
    if connection.vendor != "postgresql":
        registered = set(Cylinder.objects.filter(code__in=codes_)
                         .values_list("code", flat=True))
        issued = dict(IssuedCode.objects.filter(code__in=codes_)
                      .values_list("code", "batch__station_id"))
        return registered, issued
    # One array parameter instead of 5,000 placeholders: ~10x less to send and parse.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT code, NULL FROM {Cylinder._meta.db_table} WHERE code = ANY(%s) "
            f"UNION ALL SELECT i.code, b.station_id FROM {IssuedCode._meta.db_table} i "
            f"JOIN {LabelBatch._meta.db_table} b ON b.id = i.batch_id WHERE i.code = ANY(%s)",
            [codes_, codes_])
        rows = cursor.fetchall()
    registered = {code for code, station in rows if station is None}
    issued = {code: station for code, station in rows if station is not None}
    return registered, issued


class _Types:
    """Cylinder types a station may use (national ones, or its province's own, which win),
    found by name or by size."""

    def __init__(self, station: Organisation):
        paths = list(station.jurisdictions.values_list("path", flat=True))
        provinces = {int(p[:8]) for p in paths if p}
        types = list(CylinderType.objects.filter(province__isnull=True)) + list(
            CylinderType.objects.filter(province_id__in=provinces))
        self.by_name: dict[str, CylinderType] = {}
        for kind in sorted(types, key=lambda t: t.province_id is not None):
            self.by_name[normalise.text(kind.name).casefold()] = kind  # the province's last
        self.by_size: dict[Decimal, list[CylinderType]] = {}
        for kind in self.by_name.values():
            self.by_size.setdefault(Decimal(kind.size_kg), []).append(kind)
        self.names = sorted(t.name for t in self.by_name.values())

    def resolve(self, cell) -> CylinderType:
        text = normalise.text(cell)
        if not text:
            raise normalise.Invalid(_("Give the cylinder type."))
        found = self.by_name.get(text.casefold())
        if found is not None:
            return found
        match = _SIZE.match(text)
        if match:
            try:
                size = Decimal(match.group(1))
            except InvalidOperation:  # pragma: no cover - the pattern admits numbers only
                size = None
            candidates = self.by_size.get(size, [])
            own = [t for t in candidates if t.province_id is not None] or candidates
            if len(own) == 1:
                return own[0]
            if len(own) > 1:
                raise normalise.Invalid(_("Several types hold %(size)s kg: write the type's "
                                          "name (%(names)s).") % {
                    "size": match.group(1), "names": "、".join(t.name for t in own)})
        raise normalise.Invalid(_("Unknown cylinder type “%(value)s” (known: %(names)s).") % {
            "value": text, "names": "、".join(self.names) or "—"})


def _boolean(cell) -> bool:
    return False if cell is None else normalise.boolean(cell)


def _state(cell) -> str:
    text = normalise.text(cell)
    if not text:
        return State.EMPTY_AT_STATION.value
    found = STATE_WORDS.get(text.casefold()) or STATE_WORDS.get(text)
    if found is None:
        raise normalise.Invalid(_("“%(value)s”: write 空瓶 (empty) or 满瓶 (full); only "
                                  "cylinders at the station can be imported.") % {"value": text})
    return found.value


def _text_parser(key: str):
    """A plain text column: cleaned like every other cell, at most the field's length."""
    limit = _MAX_LENGTH[key]

    def parse(value) -> str:
        if value is None:
            return ""
        if type(value) is str and value.isascii() and value.isprintable() and "  " not in value:
            text = value.strip()  # the common case, without NFKC
        else:
            text = normalise.text(value)
            if not text.isprintable():  # control characters (a lone CR…) out
                text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
        if len(text) > limit:
            raise normalise.Invalid(_("Longer than %(n)d characters.") % {"n": limit})
        return text

    return parse


_manufacturer = _text_parser("manufacturer")
_serial = _text_parser("serial")
