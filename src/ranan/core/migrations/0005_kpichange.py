"""core.KpiChange: the stored KPI figures' change rows (they were reports.Change)."""

from django.db import migrations, models

ID = models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")
INDEX = models.Index(fields=["path", "weight"], name="kpichange_path_weight")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_message_delivery")]
    operations = [migrations.CreateModel(name="KpiChange", options={"indexes": [INDEX]}, fields=[
        ("id", ID), ("path", models.CharField(max_length=64)),
        ("weight", models.BigIntegerField(default=1))])]
