# Issue 16, personal data (the "privacy" part): export approvals and the like.
# Filled in by hand: only this part's operations belong here.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0010_accounts_security")]

    operations = [
        migrations.CreateModel(
            name='PersonalDataExport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('requested_at', models.DateTimeField(verbose_name='requested at')),
                ('reason', models.CharField(max_length=200, verbose_name='reason')),
                ('scope', models.JSONField(blank=True, default=dict, verbose_name='filters')),
                ('state', models.CharField(choices=[('requested', 'Awaiting approval'), ('approved', 'Approved'), ('refused', 'Refused'), ('downloaded', 'Downloaded')], default='requested', max_length=12, verbose_name='state')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='approved or refused at')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='download until')),
                ('downloaded_at', models.DateTimeField(blank=True, null=True, verbose_name='downloaded at')),
                ('rows', models.PositiveIntegerField(blank=True, null=True, verbose_name='rows')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved or refused by')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
            ],
            options={
                'verbose_name': 'personal data export',
                'verbose_name_plural': 'personal data exports',
                'ordering': ['-requested_at', '-id'],
            },
        ),
    ]
