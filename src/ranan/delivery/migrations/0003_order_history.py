"""The order history (one row per state change) and its rows for the orders taken before it.

The backfill is two INSERT ... SELECT statements (five million orders are a few seconds of
SQL, not a Python loop). What an order kept tells:

- its creation: by `entered_by` at `created_at` (at `received_at` when `created_at` is later
  than the delivery, as for generated demo orders), into "new", or "scheduled" when it has
  a round (the round it was put on later and the one it was taken on cannot be told apart);
- its delivery: by `delivered_by` at `delivered_at`;
- any other state it reached since (out, failed with its reason, cancelled): the time of that
  change was not kept, so the row carries the migration's time.

Every row written here has `backfilled` set: it is reconstructed, not recorded as it
happened."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

CREATED_STATE = ("CASE WHEN o.state = 'new' OR o.round_id IS NULL THEN 'new' "
                 "ELSE 'scheduled' END")

CREATED = f"""
INSERT INTO delivery_orderevent
    (order_id, from_state, to_state, at, actor_id, round_id, reason, note, backfilled)
SELECT o.id, '', {CREATED_STATE},
       CASE WHEN o.delivered_at < o.created_at THEN o.received_at ELSE o.created_at END,
       o.entered_by_id, CASE WHEN o.state <> 'new' THEN o.round_id END, '', '', TRUE
FROM delivery_order o
"""

REACHED = f"""
INSERT INTO delivery_orderevent
    (order_id, from_state, to_state, at, actor_id, round_id, reason, note, backfilled)
SELECT o.id, {CREATED_STATE}, o.state,
       CASE WHEN o.state = 'delivered' AND o.delivered_at IS NOT NULL THEN o.delivered_at
            ELSE %s END,
       CASE WHEN o.state = 'delivered' THEN o.delivered_by_id END, o.round_id,
       CASE WHEN o.state = 'failed' THEN o.fail_reason ELSE '' END, '', TRUE
FROM delivery_order o
WHERE o.state <> {CREATED_STATE}
"""


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    now = connection.ops.adapt_datetimefield_value(django.utils.timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(CREATED)
        cursor.execute(REACHED, [now])


class Migration(migrations.Migration):
    dependencies = [('delivery', '0002_delivered_time_index'),
                    migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    operations = [
        migrations.CreateModel(name='OrderEvent', fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_state', models.CharField(blank=True, choices=[('new', 'New'), ('scheduled', 'Scheduled in a round'), ('out', 'Out for delivery'), ('delivered', 'Delivered'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], max_length=10, verbose_name='earlier state')),
                ('to_state', models.CharField(choices=[('new', 'New'), ('scheduled', 'Scheduled in a round'), ('out', 'Out for delivery'), ('delivered', 'Delivered'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], max_length=10, verbose_name='new state')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                ('reason', models.CharField(blank=True, choices=[('not_home', 'Not at home'), ('address_wrong', 'Address wrong'), ('refused', 'Refused by the customer'), ('interlock', 'Cylinder refused by the interlock')], max_length=20, verbose_name='why it failed')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                ('backfilled', models.BooleanField(default=False, verbose_name='reconstructed')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('order', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='delivery.order')),
                ('round', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='delivery.round')),
            ], options={'verbose_name': 'order event', 'verbose_name_plural': 'order events',
                        'ordering': ['at', 'id'], 'indexes': [
                            models.Index(fields=['order', 'at'], name='order_event_history')]}),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
