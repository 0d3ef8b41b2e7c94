"""Issue 16, item 12 (PostgreSQL): the application connects as a role that does not own the
tables (docs/deploy.md), so it can write the audit log but neither change nor delete a row,
nor switch off the triggers that refuse it. The grants below are docs/deploy.md's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from ranan.core import audit
from ranan.core.choices import AuditAction
from ranan.core.models import AuditEntry

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles")

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
APP = "ranan_app_issue16_test"


def grants_after_migrate() -> list[str]:
    """The statements of docs/deploy.md's `-- after migrate` block, for the test's roles."""
    text = DEPLOY.read_text()
    block = text.split("-- after migrate, as ranan_owner", 1)[1].split("```", 1)[0]
    sql = re.sub(r"--[^\n]*", "", block).replace("ranan_app", APP)
    sql = sql.replace("FOR ROLE ranan_owner", "FOR ROLE CURRENT_USER")
    return [s.strip() for s in sql.split(";") if s.strip()]


@pytest.fixture
def app_role(db):
    """Inside the test's transaction (rolled back with it): the app role with the documented
    grants, the session switched to it."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP} NOLOGIN")
        for statement in grants_after_migrate():
            cursor.execute(statement)
        cursor.execute(f"SET ROLE {APP}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def _refused(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(raised.value)


def test_the_app_role_cannot_disable_the_audit_triggers(app_role):
    row = audit.record(actor=None, action=AuditAction.UPDATE, model="core.account")
    assert AuditEntry.objects.filter(pk=row.pk).exists()  # it writes and reads the log
    assert "must be owner" in _refused("ALTER TABLE core_auditentry DISABLE TRIGGER ALL")
    assert "must be owner" in _refused("DROP TRIGGER core_auditentry_append_only ON core_auditentry")
    for sql in ["UPDATE core_auditentry SET action = 'x' WHERE id = %s",
                "DELETE FROM core_auditentry WHERE id = %s"]:
        assert re.search("permission denied|append-only", _refused(sql, [row.pk]))
    assert "permission denied" in _refused("TRUNCATE core_auditentry")
    assert AuditEntry.objects.get(pk=row.pk).action == AuditAction.UPDATE
