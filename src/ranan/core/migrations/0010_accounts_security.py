# Issue 16, sessions and credentials (the "auth" part): fields on Account.
# Filled in by hand: only this part's operations belong here.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0009_audit_actions_security")]

    operations = [
        migrations.AddField(
            model_name="account",
            name="password_changed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True,
                                       verbose_name="password changed"),
        ),
        migrations.AddField(
            model_name="account",
            name="session_epoch",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
