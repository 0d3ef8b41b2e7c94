"""An account's role: the roles of every installed app (the app contract), not core's alone."""

import ranan.core.models
from django.db import migrations, models

ROLE = models.CharField(choices=ranan.core.models.role_choices, max_length=20, verbose_name="role")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_kpichange")]
    operations = [migrations.AlterField(model_name="accountrole", name="role", field=ROLE)]
