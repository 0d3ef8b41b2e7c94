"""Backup and restore (issue 16): one archive holding the database, the media tree and a
manifest, restorable into an empty database of the same kind.

The archive is a tar file (gzip-compressed when its name ends in .gz or .tgz):

    database.pgdump | database.sqlite3   pg_dump --format=custom, or a copy made with
                                         SQLite's backup API
    media/...                            settings.MEDIA_ROOT (photos, signatures)
    manifest.json                        last: the format, the Ranan version, the database's
                                         kind, rows per table, the triggers, the applied
                                         migrations and the sha256 and size of every member

Both copies are consistent while the server runs: PostgreSQL's rows are counted in the
repeatable-read snapshot pg_dump dumps (`pg_export_snapshot()` and `pg_dump --snapshot`), and
SQLite's are counted in the copy itself.

A restore extracts and checks every checksum before it touches anything, refuses a database
that holds data unless forced, restores (pg_restore --clean --if-exists in one transaction;
SQLite's backup API page by page into the target file), then checks that every table has the
manifest's row count, that the applied migrations are the manifest's and that every trigger
is back, the audit log's append-only triggers first among them. The media tree replaces
MEDIA_ROOT only once the database is verified.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
# The audit log's append-only triggers (core/migrations/0002_audit_append_only.py).
AUDIT_TRIGGERS = {
    "postgresql": {"core_auditentry.core_auditentry_append_only"},
    "sqlite": {"core_auditentry.core_auditentry_no_update", "core_auditentry.core_auditentry_no_delete"},
}
# Tables `migrate` fills by itself: rows there do not make a database "not empty".
BOOKKEEPING = {"django_migrations", "django_content_type", "auth_permission"}
CHUNK = 1 << 20


class BackupError(Exception):
    """The archive or the target database is not fit: nothing was changed unless it says so."""


# --- The database ------------------------------------------------------------------------


def vendor_of(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"no backup for the database engine {engine}")


def _pg_params(settings_dict: dict) -> dict[str, str]:
    """libpq parameters; passed to pg_dump and pg_restore as PG* variables, so a password never
    shows on a command line."""
    params = {"dbname": settings_dict["NAME"], "host": settings_dict.get("HOST") or "",
              "port": str(settings_dict.get("PORT") or ""), "user": settings_dict.get("USER") or "",
              "password": settings_dict.get("PASSWORD") or ""}
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        params["sslmode"] = sslmode
    return {k: v for k, v in params.items() if v}


def _pg_env(settings_dict: dict) -> dict[str, str]:
    names = {"dbname": "PGDATABASE", "host": "PGHOST", "port": "PGPORT", "user": "PGUSER",
             "password": "PGPASSWORD", "sslmode": "PGSSLMODE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[k]: v for k, v in _pg_params(settings_dict).items()})
    return env


def pg_binary(name: str) -> str:
    """pg_dump / pg_restore: $RANAN_PG_BINDIR, the PATH, then the newest Debian install."""
    bindir = os.environ.get("RANAN_PG_BINDIR")
    if bindir:
        return str(Path(bindir) / name)
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if candidates:
        return str(candidates[-1])
    raise BackupError(f"{name} not found: install the PostgreSQL client or set RANAN_PG_BINDIR")


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({done.returncode}): "
                          f"{done.stderr.strip()[-2000:]}")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _scalar(cursor, sql: str) -> Any:
    cursor.execute(sql)
    return cursor.fetchone()[0]


def describe(conn, vendor: str) -> dict:
    """Rows per table, triggers ("table.name") and applied migrations ("app.name") of a
    DB-API connection, read in its current transaction."""
    cursor = conn.cursor()
    if vendor == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                       "ORDER BY 1")
        tables = [r[0] for r in cursor.fetchall()]
        cursor.execute(
            "SELECT c.relname || '.' || t.tgname FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND n.nspname = current_schema()")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                       "AND name NOT LIKE 'sqlite_%' ORDER BY 1")
        tables = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'trigger'")
    triggers = sorted(r[0] for r in cursor.fetchall())
    counts = {t: _scalar(cursor, f"SELECT count(*) FROM {_quote(t)}") for t in tables}
    migrations: list[str] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = sorted(f"{app}.{name}" for app, name in cursor.fetchall())
    cursor.close()
    return {"tables": counts, "triggers": triggers, "migrations": migrations}


@contextmanager
def connect(settings_dict: dict) -> Iterator[Any]:
    """A plain DB-API connection of its own (not Django's), to the database `settings_dict`
    names: the restore's target need not be the database Django is configured with."""
    vendor = vendor_of(settings_dict)
    if vendor == "postgresql":
        import psycopg

        with psycopg.connect(**_pg_params(settings_dict)) as conn:  # type: ignore[arg-type]
            yield conn
    else:
        path = Path(_sqlite_path(settings_dict))
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_RDONLY, 0o600))  # a new file is private
        with closing(sqlite3.connect(path)) as conn:
            yield conn


def _in_memory(settings_dict: dict) -> bool:
    name = str(settings_dict["NAME"])
    return name in {"", ":memory:"} or "mode=memory" in name


def _sqlite_path(settings_dict: dict) -> str:
    name = str(settings_dict["NAME"])
    if _in_memory(settings_dict):
        raise BackupError("an in-memory SQLite database cannot be a restore target")
    return name


def holds_data(state: dict) -> list[str]:
    """The tables of a database with rows other than those `migrate` writes."""
    return sorted(t for t, n in state["tables"].items() if n and t not in BOOKKEEPING)


# --- Dumping -------------------------------------------------------------------------------


def _dump_postgresql(settings_dict: dict, target: Path) -> dict:
    import psycopg

    with psycopg.connect(**_pg_params(settings_dict)) as conn:  # type: ignore[arg-type]
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            snapshot = _scalar(cursor, "SELECT pg_export_snapshot()")
        _run([pg_binary("pg_dump"), "--format=custom", f"--snapshot={snapshot}",
              f"--file={target}"], _pg_env(settings_dict))
        state = describe(conn, "postgresql")  # the same snapshot pg_dump dumped
        conn.rollback()
    return state


def _dump_sqlite(target: Path) -> dict:
    from django.db import connection

    connection.ensure_connection()
    fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    source = connection.connection
    with closing(sqlite3.connect(target)) as copy:
        if _in_memory(connection.settings_dict):
            # The test suite's database, read inside the test's transaction (where the backup
            # API would wait for ever on the shared cache's lock): a copy of its pages.
            with closing(sqlite3.connect(":memory:")) as pages:
                pages.deserialize(source.serialize())
                pages.backup(copy)
        else:
            source.backup(copy)  # one step: a consistent copy under a read lock
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return describe(copy, "sqlite")


def ranan_version() -> str:
    try:
        return metadata.version("ranan")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


class _Hashing:
    """A file object that hashes what tarfile reads from it."""

    def __init__(self, raw):
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add_file(tar: tarfile.TarFile, source: Path, name: str, members: dict) -> None:
    info = tar.gettarinfo(str(source), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(source, "rb") as raw:
        hashing = _Hashing(raw)
        tar.addfile(info, hashing)
    members[name] = {"sha256": hashing.sha256.hexdigest(), "size": hashing.size}


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink())


def _open_private(path: Path):
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "wb")


def _open_tar(out, path: Path) -> tarfile.TarFile:
    if path.name.endswith((".gz", ".tgz")):
        return tarfile.open(fileobj=out, mode="w:gz")
    return tarfile.open(fileobj=out, mode="w")


def create(archive: Path, *, settings_dict: dict | None = None, media_root: Path | None = None) -> dict:
    """Write the archive (mode 0600: it holds personal data) and return its manifest."""
    from django.conf import settings
    from django.db import connection

    settings_dict = settings_dict or connection.settings_dict
    media_root = Path(media_root or settings.MEDIA_ROOT)
    vendor = vendor_of(settings_dict)
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="ranan-backup-") as work:
        dump = Path(work) / DUMP[vendor]
        state = _dump_postgresql(settings_dict, dump) if vendor == "postgresql" else _dump_sqlite(dump)
        members: dict[str, dict] = {}
        partial = archive.with_name(archive.name + ".partial")
        with _open_private(partial) as out, _open_tar(out, archive) as tar:
            _add_file(tar, dump, DUMP[vendor], members)
            files = _media_files(media_root)
            for path in files:
                _add_file(tar, path, f"{MEDIA}/{path.relative_to(media_root).as_posix()}", members)
            manifest = {
                "format": FORMAT, "ranan_version": ranan_version(), "vendor": vendor,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                **state,
                "media": {"files": len(files),
                          "bytes": sum(m["size"] for n, m in members.items() if n.startswith(MEDIA))},
                "members": members,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(data))
        partial.replace(archive)
    return manifest


# --- Checking and extracting ------------------------------------------------------------


def _member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"the archive holds an unsafe path: {name!r}")
    return path


def extract(archive: Path, into: Path) -> dict:
    """Extract the archive into `into`, hash every member on the way and return the manifest
    once every checksum, size and name agrees with it; raise BackupError otherwise."""
    seen: dict[str, dict] = {}
    manifest_bytes = None
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"the archive holds a link or device: {member.name!r}")
                path = _member_path(member.name)
                source = tar.extractfile(member)
                assert source is not None
                if member.name == MANIFEST:
                    manifest_bytes = source.read()
                    continue
                if path.parts[0] != MEDIA and member.name not in DUMP.values():
                    raise BackupError(f"the archive holds an unexpected member: {member.name!r}")
                target = into.joinpath(*path.parts)
                digest, size = hashlib.sha256(), 0
                with _open_private(target) as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                seen[member.name] = {"sha256": digest.hexdigest(), "size": size}
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(f"the archive cannot be read: {error}") from error
    if manifest_bytes is None:
        raise BackupError("the archive has no manifest.json")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as error:
        raise BackupError(f"manifest.json is not JSON: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown archive format {manifest.get('format')!r}")
    expected = manifest.get("members", {})
    problems = [f"{name}: checksum mismatch" for name in sorted(set(seen) & set(expected))
                if seen[name] != expected[name]]
    problems += [f"{name}: missing" for name in sorted(set(expected) - set(seen))]
    problems += [f"{name}: not in the manifest" for name in sorted(set(seen) - set(expected))]
    if problems:
        raise BackupError("the archive is corrupted: " + "; ".join(problems[:10]))
    return manifest


def check(archive: Path) -> dict:
    """Verify every checksum of an archive without restoring it."""
    with tempfile.TemporaryDirectory(prefix="ranan-check-") as work:
        return extract(Path(archive), Path(work))


# --- Restoring -------------------------------------------------------------------------


def _restore_postgresql(settings_dict: dict, dump: Path) -> None:
    # One transaction: a failure leaves the target as it was. --no-owner: the objects belong
    # to the role running the restore (the tables' owner, not the application's role).
    _run([pg_binary("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          f"--dbname={_pg_params(settings_dict)['dbname']}", str(dump)], _pg_env(settings_dict))


def _restore_sqlite(settings_dict: dict, copy: Path) -> None:
    with closing(sqlite3.connect(copy)) as source, connect(settings_dict) as dest:
        source.backup(dest)  # replaces every page of the target, its triggers included


def _code_migrations() -> set[str]:
    from django.db.migrations.loader import MigrationLoader

    return {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}


def verify(settings_dict: dict, manifest: dict) -> dict:
    """The restored database against the manifest: rows per table, migrations, triggers."""
    vendor = vendor_of(settings_dict)
    with connect(settings_dict) as conn:
        state = describe(conn, vendor)
    problems = [f"{table}: {state['tables'].get(table)} rows, the backup had {count}"
                for table, count in sorted(manifest["tables"].items())
                if state["tables"].get(table) != count]
    if state["migrations"] != manifest["migrations"]:
        problems.append("the applied migrations differ from the backup's")
    missing = (set(manifest["triggers"]) | AUDIT_TRIGGERS[vendor]) - set(state["triggers"])
    problems += [f"trigger {name} is missing" for name in sorted(missing)]
    if problems:
        raise BackupError("the restored database does not match the backup: " + "; ".join(problems[:10]))
    return state


def _replace_media(new: Path, media_root: Path) -> None:
    new.mkdir(parents=True, exist_ok=True)
    old = media_root.with_name(f".{media_root.name}-before-restore")
    if old.exists():
        shutil.rmtree(old)
    if media_root.exists():
        media_root.rename(old)
    new.rename(media_root)
    media_root.chmod(0o700)
    if old.exists():
        shutil.rmtree(old)


def restore(archive: Path, *, settings_dict: dict | None = None, media_root: Path | None = None,
            force: bool = False) -> dict:
    """Restore the archive into the database `settings_dict` names (Django's by default) and
    into `media_root`; return a summary. Raises BackupError, before changing anything, on a
    corrupted archive, another kind of database, a database holding data (unless `force`) or
    a backup from a newer Ranan (unless `force`)."""
    from django.conf import settings
    from django.db import connection

    settings_dict = settings_dict or connection.settings_dict
    media_root = Path(media_root or settings.MEDIA_ROOT)
    vendor = vendor_of(settings_dict)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Extracted next to MEDIA_ROOT, so the new tree moves into place with a rename.
    with tempfile.TemporaryDirectory(prefix=".ranan-restore-", dir=media_root.parent) as work:
        manifest = extract(Path(archive), Path(work))
        if manifest["vendor"] != vendor:
            raise BackupError(f"the archive holds a {manifest['vendor']} database; the target is {vendor}")
        newer = sorted(set(manifest["migrations"]) - _code_migrations())
        if newer and not force:
            raise BackupError("the backup comes from a newer Ranan (migrations unknown here: "
                              f"{', '.join(newer[:5])}); upgrade first, or use --force")
        if vendor == "sqlite":
            _sqlite_path(settings_dict)
        with connect(settings_dict) as conn:
            occupied = holds_data(describe(conn, vendor))
        if occupied and not force:
            raise BackupError("the target database holds data (" + ", ".join(occupied[:5])
                              + "); use --force to overwrite it")
        dump = Path(work) / DUMP[vendor]
        if vendor == "postgresql":
            _restore_postgresql(settings_dict, dump)
        else:
            _restore_sqlite(settings_dict, dump)
        verify(settings_dict, manifest)
        _replace_media(Path(work) / MEDIA, media_root)
    pending = sorted(_code_migrations() - set(manifest["migrations"]))
    return {"manifest": manifest, "tables": len(manifest["tables"]),
            "rows": sum(manifest["tables"].values()), "media_files": manifest["media"]["files"],
            "pending_migrations": pending}
