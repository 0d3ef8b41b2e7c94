"""Triggers that record a reports_change row for the jurisdiction of every record the KPIs count
(and for each of its ancestors), in the writing transaction, whatever writes it: services,
bulk updates, COPY imports. Rows are only inserted, never updated, so concurrent writers do not
wait on one another. PostgreSQL: statement-level triggers with transition tables (one grouped
insert per statement, so a million-row COPY costs one); SQLite: row-level triggers."""

from django.db import migrations

# table -> SQL giving the jurisdiction paths of a set of its rows `r`
TABLES = {
    "customers_customer": "SELECT DISTINCT r.jpath FROM {rows} r",
    "customers_device": ("SELECT DISTINCT c.jpath FROM {rows} r JOIN customers_customer c "
                         "ON c.id = r.customer_id"),
    "inspections_visit": "SELECT DISTINCT r.jpath FROM {rows} r",
    "inspections_measure": "SELECT DISTINCT r.jpath FROM {rows} r",
    "hazards_hazard": "SELECT DISTINCT r.jpath FROM {rows} r",
    "delivery_order": "SELECT DISTINCT r.jpath FROM {rows} r",
}

PG_BUMP = """
CREATE OR REPLACE FUNCTION ranan_bump(paths text[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO reports_change (path, weight)
  SELECT DISTINCT substr(p, 1, g * 8), 1
  FROM unnest(paths) AS p, generate_series(1, length(p) / 8) AS g
  WHERE p IS NOT NULL AND p <> '';
$$;
"""

SQLITE_DEPTHS = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(1, 9))


def _pg(table: str, select: str) -> list[str]:
    out = []
    for op, refs, sources in (
        ("INSERT", "NEW TABLE AS new_rows", ["new_rows"]),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", ["old_rows", "new_rows"]),
        ("DELETE", "OLD TABLE AS old_rows", ["old_rows"]),
    ):
        name = f"ranan_bump_{table}_{op.lower()}"
        union = " UNION ".join(select.format(rows=s) for s in sources)
        out.append(f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ranan_bump(ARRAY({union}));
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} AFTER {op} ON {table} REFERENCING {refs}
  FOR EACH STATEMENT EXECUTE FUNCTION {name}();
""")
    return out


def _sqlite(table: str, select: str) -> list[str]:
    out = []
    for op, sources in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])):
        name = f"ranan_bump_{table}_{op.lower()}"
        body = []
        for s in sources:
            if table == "customers_device":
                paths = f"(SELECT jpath FROM customers_customer WHERE id = {s}.customer_id)"
            else:
                paths = f"{s}.jpath"
            body.append(
                f"INSERT INTO reports_change (path, weight) SELECT substr(p, 1, 8 * k), 1 "
                f"FROM (SELECT {paths} AS p), ({SQLITE_DEPTHS}) "
                f"WHERE p IS NOT NULL AND 8 * k <= length(p);")
        out.append(f"DROP TRIGGER IF EXISTS {name};")
        out.append(f"CREATE TRIGGER {name} AFTER {op} ON {table} BEGIN {' '.join(body)} END;")
    return out


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = []
    if vendor == "postgresql":
        statements.append(PG_BUMP)
        for table, select in TABLES.items():
            statements += _pg(table, select)
    elif vendor == "sqlite":
        for table, select in TABLES.items():
            statements += _sqlite(table, select)
    else:  # pragma: no cover - the project runs on these two
        raise RuntimeError(f"no version triggers for {vendor}")
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            for op in ("insert", "update", "delete"):
                name = f"ranan_bump_{table}_{op}"
                if vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                    cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS ranan_bump(text[])")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_figures"),
        ("customers", "0003_device_current_cover"),
        ("inspections", "0002_default_checklists"),
        ("hazards", "0003_supervision_and_client_id"),
        ("delivery", "0001_initial"),
    ]
    operations = [migrations.RunPython(create, drop)]
