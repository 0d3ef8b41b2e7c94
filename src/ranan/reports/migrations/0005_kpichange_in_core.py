"""The stored figures' change rows move to core (core.KpiChange), written by the triggers
each app now installs itself. After those: the old bump function and reports_change go, and
the stored figures (a cache, versioned by the old rows) are dropped to be recomputed."""

from django.db import migrations


def forget(apps, schema_editor):
    apps.get_model("reports", "Figure").objects.all().delete()
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION IF EXISTS ranan_bump(text[])")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_figure_schema"),
        ("core", "0005_kpichange"),
        ("customers", "0004_kpi_triggers"),
        ("inspections", "0003_kpi_triggers"),
        ("hazards", "0004_kpi_triggers"),
        ("delivery", "0004_kpi_triggers"),
    ]

    operations = [
        migrations.RunPython(forget, migrations.RunPython.noop),
        migrations.DeleteModel(name="Change"),
    ]
