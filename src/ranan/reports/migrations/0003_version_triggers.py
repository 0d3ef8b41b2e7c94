"""Once installed the triggers of the stored figures for every app's counted tables, writing
reports_change. Since issue 13 each app installs its own (its `000N_kpi_triggers` migration,
writing core_kpichange, through ranan.core.kpi_triggers) and 0005 removes reports_change: on a
new database this migration does nothing (whatever order the apps' migrations run in); a
database that ran it has its triggers replaced by the apps' migrations, same names."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_figures"),
        ("customers", "0003_device_current_cover"),
        ("inspections", "0002_default_checklists"),
        ("hazards", "0003_supervision_and_client_id"),
        ("delivery", "0001_initial"),
    ]
    operations = []
