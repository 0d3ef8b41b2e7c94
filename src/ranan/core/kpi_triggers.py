"""Database triggers that keep the stored KPI figures honest: for every record a KPI counts,
whatever writes it (services, bulk updates, COPY imports), a `core.KpiChange` row for the
record's node and each of its ancestors, in the writing transaction. Rows are only inserted,
never updated, so concurrent writers do not wait on one another. PostgreSQL: statement-level
triggers with transition tables (one grouped insert per statement, so a million-row COPY costs
one); SQLite: row-level triggers.

Each app installs the triggers of its own counted tables from one of its migrations:

    from ranan.core.kpi_triggers import migration

    Migration = migration(("customers", "0003_device_current_cover"), "customers_customer",
                          ("customers_device", "customer_id", "customers_customer"))

`via`: the table has no `jpath` column of its own; its rows' path is that of the row of
another table their column points to.
"""

from __future__ import annotations

from django.db import migrations

TABLE = "core_kpichange"
PG_BUMP = f"""
CREATE OR REPLACE FUNCTION ranan_kpi_bump(paths text[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO {TABLE} (path, weight)
  SELECT DISTINCT substr(p, 1, g * 8), 1
  FROM unnest(paths) AS p, generate_series(1, length(p) / 8) AS g
  WHERE p IS NOT NULL AND p <> '';
$$;
"""
SQLITE_DEPTHS = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(1, 9))
OPERATIONS = ("insert", "update", "delete")


def _name(table: str, op: str) -> str:
    return f"ranan_bump_{table}_{op}"


def _pg(table: str, via: tuple[str, str] | None) -> list[str]:
    if via is None:
        select = "SELECT DISTINCT r.jpath FROM {rows} r"
    else:
        column, other = via
        select = f"SELECT DISTINCT o.jpath FROM {{rows}} r JOIN {other} o ON o.id = r.{column}"
    out = []
    for op, refs, sources in (
        ("INSERT", "NEW TABLE AS new_rows", ["new_rows"]),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", ["old_rows", "new_rows"]),
        ("DELETE", "OLD TABLE AS old_rows", ["old_rows"]),
    ):
        name = _name(table, op.lower())
        union = " UNION ".join(select.format(rows=s) for s in sources)
        out.append(f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ranan_kpi_bump(ARRAY({union}));
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} AFTER {op} ON {table} REFERENCING {refs}
  FOR EACH STATEMENT EXECUTE FUNCTION {name}();
""")
    return out


def _sqlite(table: str, via: tuple[str, str] | None) -> list[str]:
    out = []
    for op, sources in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])):
        name = _name(table, op.lower())
        body = []
        for s in sources:
            if via is None:
                paths = f"{s}.jpath"
            else:
                column, other = via
                paths = f"(SELECT jpath FROM {other} WHERE id = {s}.{column})"
            body.append(
                f"INSERT INTO {TABLE} (path, weight) SELECT substr(p, 1, 8 * k), 1 "
                f"FROM (SELECT {paths} AS p), ({SQLITE_DEPTHS}) "
                f"WHERE p IS NOT NULL AND 8 * k <= length(p);")
        out.append(f"DROP TRIGGER IF EXISTS {name};")
        out.append(f"CREATE TRIGGER {name} AFTER {op} ON {table} BEGIN {' '.join(body)} END;")
    return out


def create_statements(vendor: str, table: str, via: tuple[str, str] | None = None) -> list[str]:
    if vendor == "postgresql":
        return [PG_BUMP, *_pg(table, via)]
    if vendor == "sqlite":
        return _sqlite(table, via)
    raise RuntimeError(f"no KPI triggers for {vendor}")  # pragma: no cover


def drop_statements(vendor: str, table: str) -> list[str]:
    out = []
    for op in OPERATIONS:
        name = _name(table, op)
        if vendor == "postgresql":
            out += [f"DROP TRIGGER IF EXISTS {name} ON {table}",
                    f"DROP FUNCTION IF EXISTS {name}()"]
        else:
            out.append(f"DROP TRIGGER IF EXISTS {name}")
    return out


def kpi_triggers(table: str, via: tuple[str, str] | None = None) -> migrations.RunPython:
    """The migration operation that installs (and, reversed, removes) `table`'s triggers."""

    def create(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            for sql in create_statements(schema_editor.connection.vendor, table, via):
                cursor.execute(sql)

    def drop(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            for sql in drop_statements(schema_editor.connection.vendor, table):
                cursor.execute(sql)

    return migrations.RunPython(create, drop)


def migration(after: tuple[str, str], *tables) -> type[migrations.Migration]:
    """An app's migration installing the triggers of `tables` (a table name, or (table,
    column, other table) for a table whose path is that of the row its column points to),
    after the app's migration `after` and core's KpiChange."""
    operations = []
    for table in tables:
        if isinstance(table, tuple):
            name, column, other = table
            operations.append(kpi_triggers(name, via=(column, other)))
        else:
            operations.append(kpi_triggers(table))
    return type("Migration", (migrations.Migration,), {
        "dependencies": [after, ("core", "0005_kpichange")], "operations": operations})
