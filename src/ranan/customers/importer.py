"""Importing customers from .xlsx / .csv: all or nothing, every bad row reported.

One pass over the file, in bounded memory: rows are parsed, checked with the same rules as
the page (`services.check_customer`), de-duplicated (same meter number, or same address and
phone; inside the file and against the database) and written in batches inside ONE
transaction. If any row is bad, or on a dry run, the transaction is rolled back at the end:
nothing is half-written, and the answer lists every bad row with its row number, column
and reason. Writes use PostgreSQL COPY (executemany on SQLite).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ranan.core import audit
from ranan.core.choices import Level, OrgKind
from ranan.core.models import Jurisdiction, Organisation
from ranan.core.permissions import can
from ranan.core.scoping import enterprise_ids
from ranan.customers import services
from ranan.customers.choices import CustomerKind, CustomerStatus, Supply
from ranan.customers.columns import (
    BY_HEADER,
    BY_KEY,
    ENGLISH_HEADERS,
    KIND_WORDS,
    STATUS_WORDS,
    SUPPLY_WORDS,
)
from ranan.customers.models import Customer
from ranan.customers.rules import missing_mask
from ranan.lib import masking, normalise
from ranan.lib.spreadsheet import (
    ImportErrors,
    Rollback,
    SpreadsheetError,
    header_keys,
    map_columns,
    read_rows,
)

BATCH = 5000
SUPPLIES = frozenset(Supply.values)
# Free-text columns: already cleaned in take(), only their length is checked.
_PLAIN_TEXT = frozenset({"name", "address", "building", "unit", "room", "meter_number",
                         "contact_name", "contact2_name", "home_times", "jurisdiction_code",
                         "jurisdiction_path", "gas_company", "lpg_station"})


class OnDuplicate(models.TextChoices):
    # Lazy: a label translated when the module is imported stays in that language (Chinese,
    # the server's default) on the English page.
    SKIP = "skip", gettext_lazy("Skip the duplicate row")
    UPDATE = "update", gettext_lazy("Update the existing customer")
    STOP = "stop", gettext_lazy("Stop: report duplicates as errors")


@dataclass
class ImportResult(ImportErrors):
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


# Columns written by the importer (and COPY's column list).
INSERT_FIELDS = [
    "kind", "name", "name_initials", "address", "building", "unit", "room", "jurisdiction_id",
    "jpath", "supply", "meter_number", "gas_company_id", "lpg_station_id", "contact_name",
    "phone", "phone_tail", "contact2_name", "phone2", "id_number", "elderly_alone", "disabled",
    "tenant", "high_rise", "home_times", "status", "status_date", "latitude", "longitude",
    "missing", "created_at", "updated_at",
]
COMPARE_FIELDS = [f for f in INSERT_FIELDS if f not in ("created_at", "updated_at", "missing")]
_MAX_LENGTH = {f.name: f.max_length for f in Customer._meta.concrete_fields
               if getattr(f, "max_length", None)}
_MAX_LENGTH.update(jurisdiction_code=12, jurisdiction_path=200, gas_company=150, lpg_station=150)


@functools.lru_cache(maxsize=200_000)
def _initials(name: str) -> str:
    return normalise.initials(name)[:100]


class _Places:
    """Jurisdictions the importer may use, by code and by name path."""

    def __init__(self, actor):
        nodes = list(Jurisdiction.objects.visible_to(actor)
                     .filter(level__in=[Level.VILLAGE, Level.GRID]).only("id", "name", "code",
                                                                           "path", "level"))
        self.by_code = {n.code: n for n in nodes if n.code}
        self.by_name: dict[str, list[Jurisdiction]] = {}
        for n in nodes:
            self.by_name.setdefault(normalise.text(n.name), []).append(n)
        ancestor_ids = {int(n.path[i:i + 8]) for n in nodes for i in range(0, len(n.path) - 8, 8)}
        self.names = {pk: normalise.text(name) for pk, name in
                      Jurisdiction.objects.filter(pk__in=ancestor_ids).values_list("id", "name")}
        self.names.update({n.pk: normalise.text(n.name) for n in nodes})

    def lineage(self, node) -> list[str]:
        return [self.names.get(int(node.path[i:i + 8]), "") for i in range(0, len(node.path), 8)]

    def resolve(self, code: str, path: str):
        """(node, None) or (None, reason)."""
        if code:
            node = self.by_code.get(code)
            if node is None:
                return None, _("Unknown division code “%(code)s” (or not a village / grid in your "
                               "area).") % {"code": code}
            return node, None
        parts = [p.strip() for p in path.replace("／", "/").replace(">", "/").replace("＞", "/")
                 .split("/") if p.strip()]
        if not parts:
            return None, _("Give the division code or the jurisdiction.")
        candidates = [n for n in self.by_name.get(parts[-1], [])
                      if self.lineage(n)[-len(parts):] == parts]
        if not candidates:
            return None, _("No village / community or grid “%(path)s” in your area.") % {
                "path": "/".join(parts)}
        if len(candidates) > 1:
            options = "；".join("/".join(self.lineage(n)[-3:]) for n in candidates[:5])
            return None, _("“%(path)s” is ambiguous: %(options)s. Write the township too, or "
                           "use the division code.") % {"path": "/".join(parts), "options": options}
        return candidates[0], None


class _Owners:
    """Gas companies and stations the importer may name, and the actor's default."""

    def __init__(self, actor):
        orgs = Organisation.objects.filter(kind__in=[OrgKind.PIPELINE_GAS, OrgKind.LPG_STATION])
        if not actor.is_superuser:
            ids = enterprise_ids(actor)
            orgs = orgs.filter(pk__in=ids) if ids is not None else orgs.filter(
                pk__in=Organisation.objects.visible_to(actor).values("pk"))
        # Names are compared normalised (full-width brackets, spaces) like the cells are.
        self.by_name = {(o.kind, normalise.text(o.name)): o for o in orgs}
        own = [o for o in self.by_name.values()]
        self.default = {kind: [o for o in own if o.kind == kind] for kind in
                        (OrgKind.PIPELINE_GAS, OrgKind.LPG_STATION)}

    def resolve(self, kind: str, name: str):
        if name:
            org = self.by_name.get((kind, name))
            if org is None:
                return None, _("“%(name)s” is not a known %(kind)s in your area.") % {
                    "name": name, "kind": OrgKind(kind).label}
            return org, None
        candidates = self.default[kind]
        if len(candidates) == 1:
            return candidates[0], None
        return None, None  # left empty: check_customer names what is missing


def _choice(value, words, choices):
    raw = normalise.text(value)
    if raw in words:
        return words[raw]
    return normalise.choice(raw, choices)


# Columns parsed alike in `_Run._parse_cells`: (words, choices), (low, high).
_CHOICE_COLUMNS = {"kind": (KIND_WORDS, CustomerKind), "supply": (SUPPLY_WORDS, Supply),
                   "status": (STATUS_WORDS, CustomerStatus)}
_BOOLEAN_COLUMNS = ("elderly_alone", "disabled", "tenant", "high_rise")
_RANGE_COLUMNS = {"latitude": (-90, 90), "longitude": (-180, 180)}
_DEFAULTS = {"kind": CustomerKind.RESIDENTIAL, "status": CustomerStatus.ACTIVE,
             **dict.fromkeys(("name", "address", "building", "unit", "room", "meter_number",
                              "contact_name", "contact2_name", "home_times", "phone", "phone2",
                              "id_number"), ""),
             **dict.fromkeys(_BOOLEAN_COLUMNS, False),
             **dict.fromkeys(("status_date", "latitude", "longitude"), None)}


def _other_text(key: str, cell) -> str:
    """Text within the field's length, for a column with no parser of its own."""
    text = normalise.text(cell)
    limit = _MAX_LENGTH.get(key)
    if limit and len(text) > limit:
        raise normalise.Invalid(_("Longer than %(n)d characters.") % {"n": limit})
    return text


def _fill_defaults(values: dict) -> None:
    """The defaults of the columns the row left empty (or the file does not have)."""
    for key, default in _DEFAULTS.items():
        values.setdefault(key, default)


def import_customers(*, actor, fileobj, filename: str = "", dry_run: bool = False,
                     on_duplicate: str = OnDuplicate.STOP) -> ImportResult:
    if not can(actor, "customers.import"):
        raise PermissionDenied(_("Your role cannot import customers."))
    result = ImportResult(dry_run=dry_run)
    if on_duplicate not in OnDuplicate.values:
        result.error(None, "on_duplicate", _("Choose skip, update or stop."))
        return result
    try:
        # The whole file is read (limits, time budget) before the transaction opens.
        rows = read_rows(fileobj, filename)
        keys, _header = header_keys(rows, result, _map_header)
        if keys is None:
            return result
        run = _Run(actor, keys, result, on_duplicate)
        try:
            with transaction.atomic():
                for row_number, row in enumerate(rows, start=2):
                    run.take(row_number, row)
                run.flush()
                if result.errors or dry_run:
                    raise Rollback
                run.finish(filename)
        except Rollback:
            pass
    except SpreadsheetError as exc:
        result.error(exc.row, exc.column or "file", str(exc), code=exc.code)
    if result.errors:
        result.created = result.updated = result.unchanged = result.skipped = 0
    return result


def _map_header(header: list, result: ImportResult) -> list[str | None]:
    def key_of(name):
        column = BY_HEADER.get(name)
        return column.key if column else ENGLISH_HEADERS.get(name)

    keys, seen = map_columns(header, result, key_of)
    missing = [BY_KEY[k].header for k in ("name", "address", "supply") if k not in seen]
    if "jurisdiction_code" not in seen and "jurisdiction_path" not in seen:
        missing.append(f"{BY_KEY['jurisdiction_code'].header} / {BY_KEY['jurisdiction_path'].header}")
    if missing:
        result.error(1, None, _("Missing columns: %(columns)s") % {"columns": "、".join(missing)})
    return keys


class _Run:
    """The state of one import: lookups, duplicate keys seen, the pending batch."""

    def __init__(self, actor, keys, result: ImportResult, on_duplicate: str):
        self.actor = actor
        self.keys = keys
        self.result = result
        self.on_duplicate = on_duplicate
        self.places = _Places(actor)
        self.owners = _Owners(actor)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.headers = {c.key: c.header for c in BY_KEY.values()}
        self.seen_meter: dict[tuple, int] = {}
        self.seen_contact: dict[int, int] = {}
        self.new_rows: list[tuple[int, dict]] = []
        self.update_rows: list[tuple[int, int, dict]] = []  # (row, id, values)
        self.missing_default = {s: missing_mask(s, []) for s in Supply.values}
        self.first_id = None
        self.max_id_before = Customer.objects.aggregate(m=models.Max("id"))["m"] or 0
        self.audit_rows: list = []
        self.enterprise = None if actor.is_superuser else enterprise_ids(actor)

    # --- one row ------------------------------------------------------------------------

    def _err(self, row, key, message):
        if key == "jurisdiction":
            key = "jurisdiction_code" if "jurisdiction_code" in self.keys else "jurisdiction_path"
        if hasattr(self, "_row_keys"):
            self._row_keys.add(key)
        self.result.error(row, self.headers.get(key, key), message)

    def take(self, row_number: int, row: list) -> None:
        if not row or all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            return
        self.result.rows += 1
        errors_before = len(self.result.errors) + self.result.truncated_errors
        raw = {}
        text = normalise.text
        for key, cell in zip(self.keys, row, strict=False):
            if key is None or cell is None:
                continue
            if type(cell) is str:
                cell = text(cell)  # once per cell: the parsers below take clean text
                if not cell:
                    continue
            raw[key] = cell
        self._row_keys = set()
        values = self._parse(row_number, raw)
        problems = services.check_customer(values, actor=self.actor, today=self.today,
                                           enterprise=self.enterprise)
        for key, message in problems.items():
            if key not in self._row_keys and not (key == "jurisdiction" and self._row_keys
                                                  & {"jurisdiction_code", "jurisdiction_path"}):
                self._err(row_number, key, message)
        if problems or len(self.result.errors) + self.result.truncated_errors > errors_before:
            return
        target_id = values.pop("id", None)
        if self._duplicate_in_file(row_number, values, target_id):
            return
        if target_id is not None:
            self.update_rows.append((row_number, target_id, values))
        else:
            self.new_rows.append((row_number, values))
        if len(self.new_rows) + len(self.update_rows) >= BATCH:
            self.flush()

    def _parse(self, row_number: int, raw: dict) -> dict:
        """The row's values for `services.check_customer`, in phases: the cells, the
        defaults of the columns left empty, the jurisdiction, the gas company or station,
        and the masked numbers. Each bad cell is reported."""
        values, masked = self._parse_cells(row_number, raw)
        _fill_defaults(values)
        self._parse_place(row_number, raw, values)
        self._parse_owner(row_number, raw, values)
        if masked:
            self._keep_masked(row_number, values, masked)
        return values

    def _parse_cells(self, row_number: int, raw: dict) -> tuple[dict, dict]:
        """(values, masked numbers) of the cells typed. The hot loop of the import: one pass
        over the cells with no call of its own per cell; the parser is picked by the column
        (free text, the most frequent, first)."""
        values: dict = {}
        masked: dict = {}
        for key, cell in raw.items():
            try:
                if key in _PLAIN_TEXT:
                    if type(cell) is not str:
                        cell = normalise.text(cell)
                    if len(cell) > _MAX_LENGTH[key]:
                        raise normalise.Invalid(_("Longer than %(n)d characters.") % {
                            "n": _MAX_LENGTH[key]})
                    values[key] = cell
                elif key in _CHOICE_COLUMNS:
                    words, choices = _CHOICE_COLUMNS[key]
                    values[key] = _choice(cell, words, choices)
                elif key in ("phone", "phone2"):
                    text = cell if type(cell) is str else normalise.text(cell)
                    if len(text) == 11 and normalise.MOBILE.match(text):
                        values[key] = text
                    elif masking.is_masked(text):
                        masked[key] = text
                    else:
                        values[key] = normalise.phone(text)
                elif key == "id_number":
                    text = normalise.text(cell)
                    if masking.is_masked(text):
                        masked[key] = text
                    else:
                        values[key] = normalise.id_number(text)
                elif key in _BOOLEAN_COLUMNS:
                    values[key] = normalise.boolean(cell)
                elif key in _RANGE_COLUMNS:
                    low, high = _RANGE_COLUMNS[key]
                    values[key] = normalise.decimal(cell, low=low, high=high)
                elif key == "status_date":
                    values[key] = normalise.date(cell, not_future=True, today=self.today)
                elif key == "id":
                    text = normalise.text(cell)
                    if not text.isdigit():
                        raise normalise.Invalid(_("“%(value)s” is not a customer ID.") % {"value": text})
                    values["id"] = int(text)
                else:  # a column with no parser of its own (none today)
                    values[key] = _other_text(key, cell)
            except normalise.Invalid as exc:
                self._err(row_number, key, str(exc))
        return values, masked

    def _parse_place(self, row_number: int, raw: dict, values: dict) -> None:
        """The village or grid, by its code or its name path."""
        node, reason = self.places.resolve(normalise.text(raw.get("jurisdiction_code")),
                                           normalise.text(raw.get("jurisdiction_path")))
        if reason:
            key = ("jurisdiction_path" if raw.get("jurisdiction_path") and not raw.get("jurisdiction_code")
                   else "jurisdiction")
            self._err(row_number, key, reason)
        values["jurisdiction"] = node

    def _parse_owner(self, row_number: int, raw: dict, values: dict) -> None:
        """The gas company of a pipeline customer or the station of an LPG one (named, or
        the actor's only one); the other column must be empty."""
        supply = values.get("supply")
        values["gas_company"] = values["lpg_station"] = None
        if supply not in SUPPLIES:
            return
        kind, key = ((OrgKind.PIPELINE_GAS, "gas_company") if supply == Supply.PIPELINE
                     else (OrgKind.LPG_STATION, "lpg_station"))
        org, reason = self.owners.resolve(kind, normalise.text(raw.get(key)))
        if reason:
            self._err(row_number, key, reason)
        values[key] = org
        other = "lpg_station" if key == "gas_company" else "gas_company"
        if raw.get(other):
            self._err(row_number, other, _("Leave this empty for a %(supply)s customer.") % {
                "supply": Supply(supply).label})

    def _keep_masked(self, row_number: int, values: dict, masked: dict) -> None:
        """Masked numbers (as exported) are kept only to update an existing customer, where
        they must match its numbers (checked in `_apply_updates`); a new one needs them in
        full."""
        if "id" not in values:
            for key, text in masked.items():
                self._err(row_number, key, _("“%(value)s” is masked: type the full number.") % {
                    "value": text})
        else:
            values["_masked"] = masked

    def _duplicate_in_file(self, row_number, values, target_id) -> bool:
        keys = []
        if values["supply"] == Supply.PIPELINE and values["meter_number"]:
            keys.append((self.seen_meter, (values["gas_company"].pk, values["meter_number"]),
                         "meter_number"))
        if values["phone"]:
            keys.append((self.seen_contact, hash((values["address"], values["building"],
                                                  values["unit"], values["room"], values["phone"])),
                         "phone"))
        for seen, key, column in keys:
            first = seen.get(key)
            if first is not None and first != row_number:
                if self.on_duplicate == OnDuplicate.STOP:
                    self._err(row_number, column, _("Duplicate of row %(row)d in this file.") % {
                        "row": first})
                    return True
                if self.on_duplicate == OnDuplicate.SKIP:
                    self.result.skipped += 1
                    return True
                # UPDATE: the later row's values replace the earlier row's.
                self._replace_pending(first, values, row_number)
                return True
        for seen, key, _column in keys:
            seen[key] = row_number
        return False

    def _replace_pending(self, first_row, values, row_number) -> None:
        for index, (r, _pending) in enumerate(self.new_rows):
            if r == first_row:
                self.new_rows[index] = (r, values)
                self.result.updated += 1
                return
        # Already written: update it through the database key after the current batch.
        self.flush()
        if values["meter_number"] and values["supply"] == Supply.PIPELINE:
            existing = Customer.objects.filter(gas_company=values["gas_company"],
                                               meter_number=values["meter_number"]).first()
        else:
            existing = Customer.objects.filter(
                phone=values["phone"], address=values["address"], building=values["building"],
                unit=values["unit"], room=values["room"], id__gt=self.max_id_before).first()
        if existing is not None:
            self.update_rows.append((row_number, existing.pk, values))

    # --- batches ------------------------------------------------------------------------

    def flush(self) -> None:
        if self.new_rows:
            self._against_database()
        if self.update_rows:
            self._apply_updates()
        if self.new_rows and not self.result.errors:
            self._insert(self.new_rows)
        self.new_rows = []

    def _against_database(self) -> None:
        """The batch's new rows that are customers already (registered before the import
        began): skipped, made updates, or reported, as `on_duplicate` says."""
        if not self.max_id_before:
            return  # the table was empty when the import began: nothing to collide with
        found = self._registered()
        if not found:
            return
        visible = set(Customer.objects.visible_to(self.actor).filter(pk__in=found.values())
                      .values_list("pk", flat=True))
        keep = []
        for row, values in self.new_rows:
            pk = found.get(row)
            if pk is None:
                keep.append((row, values))
            elif self.on_duplicate == OnDuplicate.SKIP:
                self.result.skipped += 1
            elif self.on_duplicate == OnDuplicate.UPDATE and pk in visible:
                self.update_rows.append((row, pk, values))
            else:
                column = "meter_number" if values["meter_number"] else "phone"
                self._err(row, column, _("Already registered (customer %(id)s).") % {"id": pk}
                          if pk in visible else _("Already registered by another unit."))
        self.new_rows = keep

    def _registered(self) -> dict[int, int]:
        """{row: id of the customer registered before the import with the row's meter
        (first) or the row's address and phone} for the batch's new rows (at most two queries)."""
        meters = {(v["gas_company"].pk, v["meter_number"]): r for r, v in self.new_rows
                  if v["supply"] == Supply.PIPELINE and v["meter_number"]}
        contacts = {(v["phone"], v["address"], v["building"], v["unit"], v["room"]): r
                    for r, v in self.new_rows if v["phone"]}
        found: dict[int, int] = {}  # row -> existing id
        if meters:
            company_ids = {k[0] for k in meters}
            numbers = {k[1] for k in meters}
            for pk, company, meter in Customer.objects.filter(
                    gas_company_id__in=company_ids, meter_number__in=numbers,
                    id__lte=self.max_id_before).values_list("id", "gas_company_id", "meter_number"):
                row = meters.get((company, meter))
                if row is not None:
                    found[row] = pk
        if contacts:
            phones = {k[0] for k in contacts}
            for pk, *key in Customer.objects.filter(
                    phone__in=phones, id__lte=self.max_id_before).values_list(
                    "id", "phone", "address", "building", "unit", "room"):
                row = contacts.get(tuple(key))
                if row is not None:
                    found.setdefault(row, pk)
        return found

    def _row_tuple(self, values: dict) -> tuple:
        j = values["jurisdiction"]
        phone = values["phone"]
        return (
            values["kind"], values["name"], _initials(values["name"]), values["address"],
            values["building"], values["unit"], values["room"], j.pk, j.path, values["supply"],
            values["meter_number"],
            values["gas_company"].pk if values["gas_company"] else None,
            values["lpg_station"].pk if values["lpg_station"] else None,
            values["contact_name"], phone, phone.replace("-", "")[-4:] if phone else "",
            values["contact2_name"], values["phone2"], values["id_number"],
            values["elderly_alone"], values["disabled"], values["tenant"], values["high_rise"],
            values["home_times"], values["status"], values["status_date"], values["latitude"],
            values["longitude"], self.missing_default[values["supply"]], self.now, self.now,
        )

    def _insert(self, rows) -> None:
        data = [self._row_tuple(v) for _r, v in rows]
        table = Customer._meta.db_table
        columns = ", ".join(INSERT_FIELDS)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for item in data:
                        copy.write_row(item)
            else:
                marks = ", ".join(["%s"] * len(INSERT_FIELDS))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", data)
        self.result.created += len(data)

    def _apply_updates(self) -> None:
        ids = [pk for _r, pk, _v in self.update_rows]
        existing = {c.pk: c for c in Customer.objects.visible_to(self.actor).filter(pk__in=ids)
                    .select_related("jurisdiction", "gas_company", "lpg_station")}
        changed_objects = []
        for row, pk, values in self.update_rows:
            customer = existing.get(pk)
            if customer is None:
                self._err(row, "id", _("No customer %(id)s in your area.") % {"id": pk})
                continue
            masked = values.pop("_masked", {})
            for key, text in masked.items():
                current = getattr(customer, key)
                shown = masking.mask_id(current) if key == "id_number" else masking.mask_phone(current)
                if text != shown:
                    self._err(row, key, _("“%(value)s” is masked and does not match the current "
                                          "number: type the full number.") % {"value": text})
                values[key] = current  # a masked cell left as exported keeps the real value
            before = audit.snapshot(customer)
            new = self._row_tuple(values)
            old = self._row_tuple({**{f: getattr(customer, f) for f in services.CUSTOMER_FIELDS}})
            if new[:-3] == old[:-3]:
                self.result.unchanged += 1
                continue
            for name, value in zip(INSERT_FIELDS[:-3], new[:-3], strict=True):
                setattr(customer, name, value)
            customer.updated_at = self.now
            if customer.supply != before["supply"]:
                customer.missing = missing_mask(customer.supply, customer.devices.current())
            changed_objects.append(customer)
            self.audit_rows.append(audit.AuditEntry(
                actor=self.actor, actor_username=self.actor.get_username(), action="update",
                model="customers.customer", object_pk=str(pk), object_repr=str(customer)[:200],
                changes=audit.diff(before, audit.snapshot(customer)),
                details={"import": True, "row": row}))
        if changed_objects and not self.result.errors:
            Customer.objects.bulk_update(changed_objects, INSERT_FIELDS[:-3] + ["missing", "updated_at"],
                                         batch_size=1000)
        self.result.updated += len(changed_objects)
        self.update_rows = []

    def finish(self, filename: str) -> None:
        if self.result.created > 10000 and connection.vendor == "postgresql":
            # Fresh planner statistics: right after a large load PostgreSQL would otherwise
            # plan the list as if the table were still small (measured: 0.6 ms vs > 20 s).
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Customer._meta.db_table}")
        if self.audit_rows:
            audit.AuditEntry.objects.bulk_create(self.audit_rows, batch_size=1000)
        span = Customer.objects.filter(id__gt=self.max_id_before).aggregate(
            first=models.Min("id"), last=models.Max("id"))
        audit.record(actor=self.actor, action="create", model="customers.customer",
                     object_repr=_("Import of %(n)d customers") % {"n": self.result.created},
                     details={"import": filename[:200], "created": self.result.created,
                              "updated": self.result.updated, "skipped": self.result.skipped,
                              "first_id": span["first"], "last_id": span["last"]})


def today() -> datetime.date:
    return timezone.localdate()
