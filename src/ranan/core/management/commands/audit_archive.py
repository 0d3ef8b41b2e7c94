"""Copy the audit log's older rows out to a compressed file with its checksum.

    ranan manage audit_archive --before 2026-06-01 --out audit-2026-05.jsonl.gz

writes every row logged before that day (Asia/Shanghai midnight) as one JSON object a line,
gzip-compressed, then `<out>.sha256` in `sha256sum -c` format. It never deletes anything: the
log is append-only (triggers refuse UPDATE and DELETE on PostgreSQL and SQLite alike, and the
application's database role cannot disable them, docs/deploy.md). Rows are kept at least
AUDIT_RETENTION_DAYS (180 or more: Cybersecurity Law art. 21); `--prune-sql` prints the
statements the database owner may run to remove the archived rows, and refuses a date inside
that window.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import importlib
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from ranan.core.models import AuditEntry

FIELDS = ["id", "at", "actor_id", "actor_username", "action", "model", "object_pk",
          "object_repr", "changes", "details", "ip_address"]


def retention_cutoff() -> datetime.date:
    """The first day whose rows must stay: today minus AUDIT_RETENTION_DAYS (at least 180)."""
    days = max(180, int(settings.AUDIT_RETENTION_DAYS))
    return timezone.localdate() - datetime.timedelta(days=days)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive(before: datetime.date, out: Path) -> tuple[int, int | None, str]:
    """Write the rows logged before `before` to `out`: (rows, highest id, sha256)."""
    start = timezone.make_aware(datetime.datetime.combine(before, datetime.time()))
    rows = AuditEntry.objects.filter(at__lt=start).order_by("id").values_list(*FIELDS)
    count, last_id = 0, None
    with out.open("xb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for values in rows.iterator(chunk_size=2000):
            record = dict(zip(FIELDS, values, strict=True))
            gz.write(json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False,
                                sort_keys=True).encode() + b"\n")
            count, last_id = count + 1, record["id"]
    checksum = sha256_of(out)
    out.with_name(out.name + ".sha256").write_text(f"{checksum}  {out.name}\n")
    return count, last_id, checksum


def prune_sql(before: datetime.date, last_id: int) -> str:
    """What the database owner runs, in a maintenance window, to drop the archived rows (the
    application's role cannot: it does not own the table)."""
    start = timezone.make_aware(datetime.datetime.combine(before, datetime.time()))
    utc = start.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if connection.vendor == "postgresql":
        return "\n".join([
            "BEGIN;",
            "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only;",
            f"DELETE FROM core_auditentry WHERE at < '{utc}+00:00' AND id <= {int(last_id)};",
            "ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only;",
            "COMMIT;",
        ])
    triggers = importlib.import_module("ranan.core.migrations.0002_audit_append_only")
    return "\n".join([
        "-- SQLite, with the server and the worker stopped:",
        "BEGIN;",
        "DROP TRIGGER core_auditentry_no_delete;",
        f"DELETE FROM core_auditentry WHERE at < '{utc}' AND id <= {int(last_id)};",
        triggers.SQLITE[1],
        "COMMIT;",
    ])


class Command(BaseCommand):
    help = "Copy audit rows older than a date to a gzip JSON-lines file with a SHA-256 checksum."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD: rows logged before this day")
        parser.add_argument("--out", required=True, help="the file to write (.jsonl.gz); must not exist")
        parser.add_argument("--prune-sql", action="store_true", dest="print_prune",
                            help="also print the SQL the database owner may run to delete the "
                                 "archived rows (only for a day older than the retention)")

    def handle(self, *args, before, out, print_prune: bool = False, **options):
        try:
            day = datetime.date.fromisoformat(before)
        except ValueError:
            raise CommandError(f"--before: {before!r} is not a date (YYYY-MM-DD).") from None
        cutoff = retention_cutoff()
        if print_prune and day > cutoff:
            raise CommandError(
                f"--before: rows after {cutoff} must be kept (AUDIT_RETENTION_DAYS="
                f"{settings.AUDIT_RETENTION_DAYS}, at least 180 days); nothing to prune.")
        path = Path(out)
        if path.exists():
            raise CommandError(f"--out: {path} exists; archives are never overwritten.")
        count, last_id, checksum = archive(day, path)
        self.stdout.write(f"{count} rows before {day} -> {path}\nsha256 {checksum}")
        if print_prune and last_id is not None:
            self.stdout.write(prune_sql(day, last_id))
