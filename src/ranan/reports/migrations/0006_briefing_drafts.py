"""Issue 14 item 8: a briefing is a draft until issued. Every briefing generated before this
was sent as it was: it becomes issued (its number kept, issued when it was generated, by
whoever generated it, who is also its drafter), so it stays frozen."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def issue_existing(apps, schema_editor):
    Briefing = apps.get_model("reports", "Briefing")
    Account = apps.get_model("core", "Account")
    Briefing.objects.update(state="issued", issued_at=F("created_at"),
                            issued_by=F("created_by"))
    names = {a.pk: (a.full_name or a.username)[:60] for a in Account.objects.filter(
        pk__in=Briefing.objects.values("created_by"))}
    for pk, author in Briefing.objects.filter(created_by__isnull=False).values_list(
            "pk", "created_by"):
        Briefing.objects.filter(pk=pk).update(drafter=names.get(author, ""))


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_org_kind_property_manager'),
        ('reports', '0005_kpichange_in_core'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BriefingSetting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_number', models.PositiveIntegerField(default=1, verbose_name='first issue number')),
                ('issuer', models.CharField(blank=True, max_length=120, verbose_name='issuing body')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
            ],
            options={
                'verbose_name': 'briefing setting',
                'verbose_name_plural': 'briefing settings',
            },
        ),
        migrations.AddField(
            model_name='briefing',
            name='copied_to',
            field=models.JSONField(blank=True, default=list, verbose_name='copied to (抄送)'),
        ),
        migrations.AddField(
            model_name='briefing',
            name='drafter',
            field=models.CharField(blank=True, max_length=60, verbose_name='drafter (拟稿人)'),
        ),
        migrations.AddField(
            model_name='briefing',
            name='issuer',
            field=models.CharField(blank=True, max_length=120, verbose_name='issuing body'),
        ),
        migrations.AddField(
            model_name='briefing',
            name='issued_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='issued'),
        ),
        migrations.AddField(
            model_name='briefing',
            name='issued_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='issued by'),
        ),
        migrations.AddField(
            model_name='briefing',
            name='lead',
            field=models.TextField(blank=True, verbose_name='lead'),
        ),
        migrations.AddField(
            model_name='briefing',
            name='notes',
            field=models.JSONField(blank=True, default=dict, verbose_name='notes by area'),
        ),
        migrations.AddField(
            model_name='briefing',
            name='reported_to',
            field=models.JSONField(blank=True, default=list, verbose_name='reported to (抄报)'),
        ),
        migrations.AddField(
            model_name='briefing',
            name='state',
            field=models.CharField(choices=[('draft', 'Draft'), ('issued', 'Issued')], default='draft', max_length=8, verbose_name='state'),
        ),
        migrations.AddField(
            model_name='briefing',
            name='title',
            field=models.CharField(blank=True, max_length=120, verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='briefing',
            name='number',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='issue number'),
        ),
        migrations.RunPython(issue_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='briefing',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('issued_at__isnull', False), ('number__isnull', False), ('state', 'issued')), models.Q(('issued_at__isnull', True), ('number__isnull', True), ('state', 'draft')), _connector='OR'), name='briefing_issued_numbered'),
        ),
        migrations.AddField(
            model_name='briefingsetting',
            name='jurisdiction',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='briefing_setting', to='core.jurisdiction', verbose_name='jurisdiction'),
        ),
        migrations.AddField(
            model_name='briefingsetting',
            name='updated_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by'),
        ),
        migrations.AddConstraint(
            model_name='briefingsetting',
            constraint=models.CheckConstraint(condition=models.Q(('first_number__gte', 1)), name='briefing_setting_first_number'),
        ),
    ]
