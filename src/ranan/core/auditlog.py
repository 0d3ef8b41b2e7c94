"""Reading the audit log as an auditor reads it: record types and fields in words (the
models' verbose names), values as their labels (a choice's label, a related record's name, a
date in local time, yes/no), each change as before → after. The log itself stores codes and
ids (`core.audit`): stable whatever the language, and what this module translates at read
time, so an entry reads in the auditor's language and a renamed record shows its name today.

Phone and ID numbers in the log are masked here like in every list: the auditor's role
checks who did what, it does not work with residents' personal data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ranan.core.audit import SECRET_FIELDS
from ranan.core.choices import AUDIT_ACTION_COLOURS, AuditAction
from ranan.core.models import Account, AuditEntry
from ranan.lib import masking

# Fields whose values are masked in the log's pages and exports: the one declaration of
# personal fields (lib.masking.is_personal), which the log stores masked with a keyed hash.
PERSONAL = masking.PERSONAL_FIELDS

# Keys of an entry's `details` (what a service added beside the changes), in words.
DETAIL_LABELS = {
    "rows": gettext_lazy("Rows"),
    "filters": gettext_lazy("Filters"),
    "stops": gettext_lazy("Stops in planned order"),
    "out": gettext_lazy("Orders that left"),
    "device": gettext_lazy("Device recorded"),
    "export": gettext_lazy("Export"),
    "unmasked": gettext_lazy("Shown unmasked"),
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Updated"),
    "format": gettext_lazy("Format"),
    "loaded": gettext_lazy("Cylinders loaded"),
    "refused": gettext_lazy("Cylinders refused"),
    "load": gettext_lazy("Load"),
    "via": gettext_lazy("Through"),
    "import": gettext_lazy("Import"),
    "ids": gettext_lazy("Records"),
    "demo": gettext_lazy("Demo data"),
    "week_start": gettext_lazy("Week"),
    "skipped": gettext_lazy("Skipped"),
    "row": gettext_lazy("Row"),
    "issued": gettext_lazy("Issued"),
    "first_id": gettext_lazy("First id"),
    "last_id": gettext_lazy("Last id"),
    "generated_codes": gettext_lazy("Codes generated"),
    "events": gettext_lazy("Events"),
    "devices": gettext_lazy("Devices"),
    "cylinders": gettext_lazy("Cylinders"),
    "customers": gettext_lazy("Customers"),
    "note": gettext_lazy("Note"),
    "on": gettext_lazy("Date"),
    "targets": gettext_lazy("Households targeted"),
}
# Stored for the machine, not for reading: the row's own id (shown beside the record), the
# area path and the phone's last digits (both derived from fields shown).
HIDDEN = frozenset({"id", "jpath", "path", "phone_tail"})
# Keys the services log that are not a model field (an account's roles), and the common
# fields declared without a name of their own.
EXTRA_LABELS = {"roles": gettext_lazy("Roles"), "created_at": gettext_lazy("Created at"),
                "updated_at": gettext_lazy("Updated at")}
LIST_SEPARATOR = "、"


def model_of(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def model_name(label: str) -> str:
    """'hazards.hazard' -> 'Hazard' in the current language; an unknown label as it is."""
    model = model_of(label)
    return capfirst(str(model._meta.verbose_name)) if model else label


def model_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The record types for the filter's picker, grouped by app: Ranan's own models."""
    groups = []
    for config in apps.get_app_configs():
        if not config.name.startswith("ranan."):
            continue
        options = sorted(((m._meta.label_lower, capfirst(str(m._meta.verbose_name)))
                          for m in config.get_models()), key=lambda o: o[1])
        if options:
            groups.append((str(config.verbose_name), options))
    return groups


def _fields(model: type[models.Model] | None) -> dict[str, Any]:
    """A model's fields by name and by attname ('customer' and 'customer_id')."""
    found: dict[str, Any] = {}
    if model is None:
        return found
    for f in model._meta.get_fields():
        if getattr(f, "concrete", False) or f.many_to_many:
            found[f.name] = f
            found[getattr(f, "attname", f.name)] = f
    return found


def field_label(model: type[models.Model] | None, key: str) -> str:
    f = _fields(model).get(key)
    if f is not None and getattr(f, "verbose_name", None):
        if f.verbose_name == f.name.replace("_", " ") and _related(f) is not None:
            # A relation declared without a name of its own: the related record's type.
            return capfirst(str(f.related_model._meta.verbose_name))
        if f.verbose_name == f.name.replace("_", " ") and key in EXTRA_LABELS:
            return str(EXTRA_LABELS[key])
        return capfirst(str(f.verbose_name))
    if key in EXTRA_LABELS:
        return str(EXTRA_LABELS[key])
    return str(DETAIL_LABELS.get(key, key))


@dataclass
class Change:
    key: str
    label: str
    before: str
    after: str


@dataclass
class Row:
    """One audit entry in words."""

    entry: AuditEntry
    model_name: str
    action_label: str
    colour: str
    actor_name: str
    changes: list[Change] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)


class _Names:
    """The names of the records the entries point at, fetched once per model for a page."""

    def __init__(self):
        self.wanted: dict[type[models.Model], set] = {}
        self.found: dict[type[models.Model], dict] = {}

    def want(self, model, pks) -> None:
        bucket = self.wanted.setdefault(model, set())
        for pk in pks if isinstance(pks, list | tuple) else [pks]:
            if pk not in (None, ""):
                bucket.add(pk)

    def fetch(self) -> None:
        for model, pks in self.wanted.items():
            try:
                self.found[model] = {str(k): str(v) for k, v in
                                     model._base_manager.in_bulk(list(pks)).items()}
            except (ValueError, TypeError):
                self.found[model] = {}

    def name(self, model, pk) -> str:
        if pk in (None, ""):
            return ""
        # A record deleted since shows its id.
        return self.found.get(model, {}).get(str(pk)) or f"#{pk}"


def _related(f) -> type[models.Model] | None:
    return f.related_model if (f is not None and f.is_relation and f.related_model
                               and (f.many_to_one or f.one_to_one or f.many_to_many)) else None


def _local(value: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def _choice(f, value) -> str:
    labels = {str(k): str(v) for k, v in f.flatchoices}
    if isinstance(value, list):
        return LIST_SEPARATOR.join(labels.get(str(v), str(v)) for v in value)
    return labels.get(str(value), str(value))


def _plain_text(value) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return LIST_SEPARATOR.join(_plain_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain_text(v)}" for k, v in value.items())
    return str(value)


def value_text(f, key: str, value: Any, names: _Names) -> str:
    """One stored value in words."""
    if value is None or value == "" or value == []:
        return ""
    if key in SECRET_FIELDS:
        return _("(not shown)")
    if masking.is_personal(key) and isinstance(value, str):
        # Stored as 'masked #hash' (issue 16); rows written before that hold the number.
        return value if masking.is_protected(value) else masking.masker(key)(value)
    if key == "language" and isinstance(value, str):
        from django.conf import settings

        return str(dict(settings.LANGUAGES).get(value, value))
    if key == "roles" and f is None:
        from ranan.core.contract import role_label

        return LIST_SEPARATOR.join(str(role_label(r)) for r in value)
    related = _related(f)
    if related is not None:
        if isinstance(value, list):
            return LIST_SEPARATOR.join(names.name(related, v) for v in value)
        return names.name(related, value)
    if f is not None and f.choices:
        return _choice(f, value)
    if isinstance(f, models.BooleanField) or isinstance(value, bool):
        return _plain_text(bool(value))
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        return _local(value)
    return _plain_text(value)


def _want_names(entry: AuditEntry, model, names: _Names) -> None:
    fields = _fields(model)
    for key, pair in (entry.changes or {}).items():
        related = _related(fields.get(key))
        if related is not None and isinstance(pair, list):
            for value in pair:
                names.want(related, value)
    for key, value in (entry.details or {}).items():
        related = _related(fields.get(key))
        if related is not None and isinstance(value, int | str | list):
            names.want(related, value)


def _detail_text(key: str, value, fields, names: _Names) -> str:
    if key == "filters" and isinstance(value, dict):
        return "; ".join(f"{name}={text}" for name, text in _filters_text(value)) or "—"
    if key in ("stops", "out") and isinstance(value, list):
        return ", ".join(f"#{v}" for v in value)
    return value_text(fields.get(key), key, value, names)


FILTER_LABELS = {"account": gettext_lazy("Account"), "model": gettext_lazy("Record type"),
                 "action": gettext_lazy("Action"), "since": gettext_lazy("From"),
                 "until": gettext_lazy("Until"), "q": gettext_lazy("Record")}


def _filters_text(filters: dict) -> list[tuple[str, str]]:
    """An export's filter in words: the record type and action by their names."""
    actions = dict(AuditAction.choices)
    out = []
    for key, value in filters.items():
        if value in ("", None):
            continue
        if key == "model":
            value = model_name(str(value))
        elif key == "action":
            value = actions.get(value, value)
        out.append((str(FILTER_LABELS.get(key, key)), str(value)))
    return out


def describe(entries) -> list[Row]:
    """The entries in words, with two queries per kind of related record at most."""
    entries = list(entries)
    names = _Names()
    for entry in entries:
        _want_names(entry, model_of(entry.model), names)
    names.want(Account, [e.actor_id for e in entries if e.actor_id])
    names.fetch()
    actions = dict(AuditAction.choices)
    rows = []
    for entry in entries:
        model = model_of(entry.model)
        fields = _fields(model)
        row = Row(entry=entry, model_name=model_name(entry.model),
                  action_label=str(actions.get(entry.action, entry.action)),
                  colour=AUDIT_ACTION_COLOURS.get(entry.action, "secondary"),
                  actor_name=_actor_name(entry, names))
        for key, pair in (entry.changes or {}).items():
            if key in HIDDEN:
                continue
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            f = fields.get(key)
            row.changes.append(Change(key, field_label(model, key),
                                      value_text(f, key, old, names),
                                      value_text(f, key, new, names)))
        for key, value in (entry.details or {}).items():
            row.details.append((field_label(model, key), _detail_text(key, value, fields, names)))
        rows.append(row)
    return rows


def _actor_name(entry: AuditEntry, names: _Names) -> str:
    if entry.actor_id:
        name = names.name(Account, entry.actor_id)
        if name and not name.startswith("#") and name != entry.actor_username:
            return f"{entry.actor_username}（{name}）"
    return entry.actor_username or _("System")


# --- Export ---------------------------------------------------------------------------------

# An export is for a question (an account's month, a record's history): more entries than
# this is a filter too wide to read, and Excel stops at 1,048,576 rows anyway.
EXPORT_LIMIT = 100_000
CHUNK = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _columns() -> list[tuple[str, int]]:
    return [(_("Time"), 18), (_("Account"), 20), (_("Action"), 12), (_("Record type"), 16),
            (_("Record id"), 10), (_("Record"), 28), (_("Field"), 16), (_("Before"), 28),
            (_("After"), 28), (_("Details"), 30), (_("Address"), 15)]


def _lines(row: Row) -> list[list]:
    """The spreadsheet rows of one entry: one per changed field (at least one)."""
    e = row.entry
    head = [f"{timezone.localtime(e.at):%Y-%m-%d %H:%M:%S}", row.actor_name, row.action_label,
            row.model_name, e.object_pk, e.object_repr]
    tail = ["; ".join(f"{k}: {v}" for k, v in row.details), e.ip_address or ""]
    if not row.changes:
        return [head + ["", "", "", *tail]]
    return [head + [c.label, c.before, c.after, *tail] for c in row.changes]


def export_check(queryset) -> int:
    """The number of entries to export; a ValidationError naming `since` when too many."""
    from django.core.exceptions import ValidationError

    count = queryset.count()
    if count > EXPORT_LIMIT:
        raise ValidationError({"since": _(
            "%(count)s entries match; an export holds at most %(limit)s. Choose fewer days "
            "or an account or a record type.") % {"count": count, "limit": EXPORT_LIMIT}})
    return count


def export_xlsx(*, actor, queryset, filters: dict, ip_address=None):
    """The entries in words to a temporary .xlsx, read in chunks and written row by row
    (constant memory); the export is itself an audit entry, in the caller's transaction.
    Returns (open file, entries written)."""
    import tempfile

    from ranan.core import audit
    from ranan.lib import safe_output

    export_check(queryset)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")
    book = safe_output.workbook(handle.name, {"constant_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#FDE7D9", "border": 1})
    sheet = book.add_worksheet(_("Audit log")[:31])
    for index, (title, width) in enumerate(_columns()):
        sheet.write_string(0, index, title, head)
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    line = entries = 0
    batch: list[AuditEntry] = []

    def flush():
        nonlocal line
        for row in describe(batch):
            for values in _lines(row):
                line += 1
                for col, value in enumerate(values):
                    if value:
                        # Text stays text in Excel: safe_output quotes one starting like a formula.
                        sheet.write_string(line, col, str(value))
        batch.clear()

    for entry in queryset.iterator(chunk_size=CHUNK):
        batch.append(entry)
        entries += 1
        if len(batch) == CHUNK:
            flush()
    flush()
    book.close()
    audit.record(actor=actor, action=AuditAction.EXPORT, model=AuditEntry._meta.label_lower,
                 details={"rows": entries, "format": "xlsx",
                          "filters": {k: str(v) for k, v in filters.items() if v not in ("", None)}},
                 ip_address=ip_address)
    handle.seek(0)
    return handle, entries
