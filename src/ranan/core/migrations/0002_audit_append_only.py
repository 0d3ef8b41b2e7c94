"""The audit log is append-only at the database level too: UPDATE and DELETE on its table
raise, whatever client issues them. (PostgreSQL TRUNCATE, used by `flush`, is not a row
operation and stays possible for a deliberate reset; SQLite resets by deleting the file.)

Note for later migrations: SQLite rebuilds a table on most ALTERs, which drops its triggers;
a migration that alters core_auditentry must re-create them (call `create_triggers`)."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
]
POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION ranan_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;",
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;",
    "CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION ranan_audit_append_only();",
]
REVERSE = {
    "sqlite": ["DROP TRIGGER IF EXISTS core_auditentry_no_update;",
               "DROP TRIGGER IF EXISTS core_auditentry_no_delete;"],
    "postgresql": ["DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;"],
}


def create_triggers(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    for sql in REVERSE.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
