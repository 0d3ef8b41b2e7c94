"""Issue 16, item 12: refused attempts are audited (at most one row a minute per account and
path), every row carries the client's address, and the log is archived, never pruned inside
its retention."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ranan.core import audit
from ranan.core.choices import AuditAction
from ranan.core.models import AuditEntry
from tests.cast import PASSWORD


def denied():
    return list(AuditEntry.objects.filter(action=AuditAction.DENIED).order_by("id"))


# --- Refused attempts ----------------------------------------------------------------------------


def test_a_refused_page_is_audited_once_a_minute_per_path(cast, client, clock):
    client.force_login(cast.courier_a1)
    assert client.get(reverse("audit-list")).status_code == 403
    assert client.get(reverse("audit-list")).status_code == 403
    rows = denied()
    assert len(rows) == 1
    row = rows[0]
    assert row.actor == cast.courier_a1 and row.ip_address == "127.0.0.1"
    assert row.details == {"path": reverse("audit-list"), "method": "GET", "status": 403}
    assert client.get(reverse("audit-export")).status_code == 403  # another path: its own row
    assert len(denied()) == 2
    clock.shift(datetime.timedelta(seconds=61))
    assert client.get(reverse("audit-list")).status_code == 403
    assert len(denied()) == 3


def test_a_refused_api_request_is_audited(cast, api):
    response = api.as_(cast.courier_a1).get("/api/v1/audit/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 403
    [row] = denied()
    assert row.actor == cast.courier_a1 and row.ip_address == "10.1.2.3"
    assert row.details["path"] == "/api/v1/audit/" and row.details["status"] == 403


def test_a_write_to_a_record_out_of_reach_is_audited(cast, api):
    client = api.as_(cast.inspector)
    assert client.get("/api/v1/customers/999999/").status_code == 404
    assert denied() == []  # reading a missing record is not an attempt on anything
    response = client.patch("/api/v1/customers/999999/", {"name": "x"}, format="json")
    assert response.status_code == 404
    [row] = denied()
    assert row.details["method"] == "PATCH" and row.details["reason"] == "out_of_scope"


def test_a_lockout_is_audited(cast, settings):
    client = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(reverse("login"), {"username": "courier_a1", "password": "wrong" + PASSWORD})
    rows = [r for r in denied() if r.details.get("reason") == "locked_out"]
    assert len(rows) == 1
    assert rows[0].actor_username == "courier_a1" and rows[0].ip_address == "10.9.9.9"


# --- The address on every row ------------------------------------------------------------------


def test_a_row_written_by_a_service_takes_the_address_of_the_request(cast, client):
    client.force_login(cast.admin)
    before = AuditEntry.objects.count()
    response = client.post(reverse("switch-language"), {"language": "en", "next": "/"},
                           REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302
    rows = AuditEntry.objects.all()[: AuditEntry.objects.count() - before]
    assert rows and all(r.ip_address == "10.0.0.7" for r in rows)


def test_outside_a_request_a_row_has_no_address(cast):
    row = audit.record(actor=None, action=AuditAction.UPDATE, model="core.account")
    assert row.ip_address is None


# --- Retention and archive ---------------------------------------------------------------------


@pytest.fixture
def old_and_new(cast, clock):
    """Audit rows of 200 days ago, 100 days ago and now (the cast's own are today's)."""
    now = timezone.now()
    rows = {}
    for days in (200, 100):
        clock.move_to(now - datetime.timedelta(days=days))
        rows[days] = audit.record(actor=None, action=AuditAction.UPDATE, model="core.account",
                                  object_pk=str(days), details={"days": days})
    clock.move_to(now)
    return rows


def test_the_archive_copies_old_rows_with_a_checksum(old_and_new, tmp_path, capsys):
    out = tmp_path / "audit.jsonl.gz"
    total = AuditEntry.objects.count()
    call_command("audit_archive", "--before", "2026-07-01", "--out", str(out))
    lines = [json.loads(line) for line in gzip.decompress(out.read_bytes()).splitlines()]
    assert [r["object_pk"] for r in lines] == ["200"]
    assert lines[0]["details"] == {"days": 200} and lines[0]["action"] == "update"
    checksum = (tmp_path / "audit.jsonl.gz.sha256").read_text().split()
    assert checksum == [hashlib.sha256(out.read_bytes()).hexdigest(), "audit.jsonl.gz"]
    assert AuditEntry.objects.count() == total  # copied out, nothing deleted
    with pytest.raises(CommandError, match="--out"):
        call_command("audit_archive", "--before", "2026-07-01", "--out", str(out))


def test_pruning_inside_the_retention_is_refused(old_and_new, tmp_path, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 180
    with pytest.raises(CommandError, match="--before"):
        call_command("audit_archive", "--before", "2026-10-01", "--out", str(tmp_path / "a.gz"),
                     "--prune-sql")
    assert not (tmp_path / "a.gz").exists()
    call_command("audit_archive", "--before", "2026-06-01", "--out", str(tmp_path / "b.gz"),
                 "--prune-sql")
    printed = capsys.readouterr().out
    assert "DELETE FROM core_auditentry" in printed and f"id <= {old_and_new[200].pk}" in printed


def test_the_retention_cannot_be_set_below_six_months(monkeypatch, tmp_path, settings):
    from ranan.core.management.commands.audit_archive import retention_cutoff

    settings.AUDIT_RETENTION_DAYS = 30
    assert retention_cutoff() == datetime.date(2026, 12, 4) - datetime.timedelta(days=180)


def test_the_archived_rows_stay_append_only(old_and_new):
    from django.db import DatabaseError, connection, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [old_and_new[200].pk])
