"""A trigram index for searching addresses by any fragment (PostgreSQL only). Names are
searched by prefix (a B-tree): a second trigram index cost a million-row import ~15%.

pg_trgm is a trusted extension (PostgreSQL ≥ 13): the database owner may create it. SQLite
has no equivalent; there the search scans the (small) table."""

from django.db import migrations

STATEMENTS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS customer_address_trgm ON customers_customer "
    "USING gin (address gin_trgm_ops)",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in STATEMENTS:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_address_trgm")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
