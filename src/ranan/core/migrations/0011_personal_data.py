# Issue 16, personal data (the "privacy" part): export approvals and the like.
# Filled in by hand: only this part's operations belong here.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0010_accounts_security")]

    operations = []
