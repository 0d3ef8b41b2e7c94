"""`ranan backup` / `ranan restore` (issue 16, item 14): a demo database round-trips into a
fresh database with the same rows, the same content and the audit log's append-only triggers;
a tampered archive is refused before anything is touched.

The round trip runs on the database the suite runs on (CI runs it on both): SQLite restores
into a new file, PostgreSQL into a new database. The demo is the core demo world (its areas,
organisations and accounts, all audited) plus a customer with its devices and a media file:
the apps' demo loaders would take a minute on PostgreSQL and add nothing the backup treats
differently.
"""

from __future__ import annotations

import hashlib
import io
import tarfile

import pytest
from django.conf import settings as django_settings
from django.db import connection

from ranan import cli
from ranan.core import backup, demo

VENDOR = backup.vendor_of(django_settings.DATABASES["default"])
CHECKED_TABLES = ["core_auditentry", "core_account", "core_jurisdiction", "customers_customer",
                  "customers_device"]


def build_demo(monkeypatch, media_root):
    from ranan.core import contract
    from ranan.core.models import Jurisdiction
    from ranan.customers import services as customer_services

    monkeypatch.setattr(contract, "demo_loaders", lambda: ())
    demo.load()
    grid = Jurisdiction.objects.get(name="第一网格")
    from ranan.core.models import Organisation

    gas = Organisation.objects.get(kind="pipeline_gas")
    for n in range(3):
        customer_services.customer_create(
            actor=None, name=f"住户{n}", address=f"翠东小区{n}栋", jurisdiction=grid,
            supply="pipeline", gas_company=gas, phone=f"1370000{n:04d}")
    photo = media_root / "visits" / "2026" / "p.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8\xff photo bytes")


def content_digest(conn, vendor: str, table: str) -> str:
    """A digest of a table's rows in id order, computed in SQL so that both sides' drivers
    and their type conversions do not matter."""
    cursor = conn.cursor()
    if vendor == "postgresql":
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.execute(f"SELECT coalesce(string_agg(t::text, '|' ORDER BY t.id), '') FROM {table} t")
    else:
        cursor.execute(f"SELECT name FROM pragma_table_info('{table}')")
        columns = " || ',' || ".join(f'quote("{r[0]}")' for r in cursor.fetchall())
        cursor.execute(f"SELECT coalesce(group_concat(r, '|'), '') FROM "
                       f"(SELECT {columns} AS r FROM {table} ORDER BY id)")
    text = cursor.fetchone()[0]
    cursor.close()
    return hashlib.sha256(text.encode()).hexdigest()


def source_state():
    with connection.cursor() as cursor:
        raw = cursor.connection  # the driver's own connection, as the restore side uses
        state = backup.describe(raw, VENDOR)
        digests = {t: content_digest(raw, VENDOR, t) for t in CHECKED_TABLES}
    return state, digests


def round_trip(tmp_path, monkeypatch, target_settings):
    media = tmp_path / "media"
    media.mkdir()
    build_demo(monkeypatch, media)
    state, digests = source_state()
    archive = tmp_path / "ranan.tar"
    manifest = backup.create(archive, media_root=media)
    assert archive.stat().st_mode & 0o777 == 0o600
    assert manifest["tables"] == state["tables"]
    assert manifest["tables"]["core_auditentry"] > 30 and manifest["tables"]["customers_customer"] == 3
    assert manifest["migrations"] == state["migrations"]
    assert "core.0002_audit_append_only" in state["migrations"]
    assert backup.AUDIT_TRIGGERS[VENDOR] <= set(manifest["triggers"])
    assert manifest["media"]["files"] == 1 and manifest["ranan_version"] == backup.ranan_version()
    assert set(manifest["members"]) == {backup.DUMP[VENDOR], "media/visits/2026/p.jpg"}

    restored_media = tmp_path / "restored" / "media"
    done = backup.restore(archive, settings_dict=target_settings, media_root=restored_media)
    assert done["rows"] == sum(state["tables"].values()) and done["pending_migrations"] == []
    assert (restored_media / "visits" / "2026" / "p.jpg").read_bytes() == b"\xff\xd8\xff photo bytes"

    with backup.connect(target_settings) as conn:
        restored = backup.describe(conn, VENDOR)
        assert restored["tables"] == state["tables"]
        assert restored["migrations"] == state["migrations"]
        assert set(restored["triggers"]) == set(state["triggers"])
        assert {t: content_digest(conn, VENDOR, t) for t in CHECKED_TABLES} == digests
        cursor = conn.cursor()
        with pytest.raises(Exception, match="append-only"):
            cursor.execute("UPDATE core_auditentry SET action = 'forged'")
        conn.rollback()
        with pytest.raises(Exception, match="append-only"):
            cursor.execute("DELETE FROM core_auditentry")
        conn.rollback()

    # The restored database holds data now: a second restore needs --force.
    with pytest.raises(backup.BackupError, match="holds data"):
        backup.restore(archive, settings_dict=target_settings, media_root=restored_media)
    assert backup.restore(archive, settings_dict=target_settings, media_root=restored_media,
                          force=True)["rows"] == done["rows"]


@pytest.mark.skipif(VENDOR != "sqlite", reason="the SQLite half; CI runs the PostgreSQL half too")
def test_a_sqlite_demo_round_trips_into_a_new_file(db, tmp_path, monkeypatch):
    target = {**connection.settings_dict, "NAME": str(tmp_path / "restored.sqlite3")}
    round_trip(tmp_path, monkeypatch, target)
    assert (tmp_path / "restored.sqlite3").stat().st_mode & 0o777 == 0o600


@pytest.fixture
def scratch_database():
    """A new, empty PostgreSQL database beside the test database, dropped afterwards."""
    import psycopg

    params = backup._pg_params(connection.settings_dict)
    name = f"{params['dbname']}_restore"
    admin = {**params, "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield {**connection.settings_dict, "NAME": name}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(VENDOR != "postgresql", reason="the PostgreSQL half; CI runs the SQLite half too")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_postgresql_demo_round_trips_into_a_new_database(tmp_path, monkeypatch, scratch_database):
    # Committed rows (transaction=True): pg_dump is another process.
    round_trip(tmp_path, monkeypatch, scratch_database)


def flip_a_byte(archive, member_name):
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member_name).offset_data
    with open(archive, "r+b") as f:
        f.seek(offset + 3)
        byte = f.read(1)
        f.seek(offset + 3)
        f.write(bytes([byte[0] ^ 0x01]))


def test_a_tampered_archive_is_refused_before_anything_changes(db, tmp_path, monkeypatch, capsys):
    from ranan.core.models import Account

    media = tmp_path / "media"
    (media / "sig").mkdir(parents=True)
    (media / "sig" / "s.png").write_bytes(b"signature" * 100)
    monkeypatch.setattr(django_settings, "MEDIA_ROOT", media)
    archive = tmp_path / "ranan.tar.gz"
    assert cli.main(["backup", "--output", str(archive)]) == 0
    assert cli.main(["restore", "--check", str(archive)]) == 0
    assert "intact" in capsys.readouterr().out

    # A photo altered inside the archive (the gzip stream rewritten with the change).
    plain = tmp_path / "plain.tar"
    with tarfile.open(archive) as tar, tarfile.open(plain, "w") as out:
        for member in tar:
            out.addfile(member, tar.extractfile(member) if member.isfile() else None)
    flip_a_byte(plain, "media/sig/s.png")
    assert cli.main(["restore", "--check", str(plain)]) == 1
    assert "media/sig/s.png: checksum mismatch" in capsys.readouterr().err

    # The database dump altered.
    flip_a_byte(plain, "media/sig/s.png")  # back to the original photo
    assert cli.main(["restore", "--check", str(plain)]) == 0
    flip_a_byte(plain, backup.DUMP[VENDOR])
    before = Account.objects.count()
    restored_media = tmp_path / "restored-media"
    with pytest.raises(backup.BackupError, match="checksum mismatch"):
        backup.restore(plain, settings_dict=connection.settings_dict, media_root=restored_media,
                       force=True)
    assert Account.objects.count() == before and not restored_media.exists()


def test_an_archive_with_a_smuggled_member_is_refused(db, tmp_path):
    archive = tmp_path / "ranan.tar"
    backup.create(archive, media_root=tmp_path / "no-media")
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar]
    for name in ("../escape.txt", "settings.py"):
        evil = tmp_path / "evil.tar"
        with tarfile.open(evil, "w") as tar:
            for member, data in members:
                tar.addfile(member, io.BytesIO(data))
            info = tarfile.TarInfo(name)
            info.size = 4
            tar.addfile(info, io.BytesIO(b"evil"))
        with pytest.raises(backup.BackupError, match="unsafe path|unexpected member"):
            backup.check(evil)
    assert not (tmp_path.parent / "escape.txt").exists()
