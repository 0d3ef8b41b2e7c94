# Issue 16, sessions and credentials (the "auth" part): fields on Account.
# Filled in by hand: only this part's operations belong here.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0009_audit_actions_security")]

    operations = []
