"""Periodic jobs of the customers app (run by `ranan worker`)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ranan.customers.models import Customer, Device
from ranan.customers.rules import missing_mask

BATCH = 2000


def refresh_missing_devices(today: datetime.date | None = None) -> int:
    """Recompute what each customer is missing. Some gaps come with time alone (a rubber
    hose passes 18 months, a stove 8 years) without any write that would recompute them.
    Idempotent; returns how many customers changed."""
    today = today or timezone.localdate()
    changed = 0
    last_id = 0
    while True:
        customers = list(Customer.objects.filter(id__gt=last_id).order_by("id")
                         .values_list("id", "supply", "missing")[:BATCH])
        if not customers:
            return changed
        last_id = customers[-1][0]
        devices = defaultdict(list)
        for device in Device.objects.current().filter(customer_id__in=[c[0] for c in customers]):
            devices[device.customer_id].append(device)
        updates = [(pk, mask) for pk, supply, old in customers
                   if (mask := missing_mask(supply, devices[pk], today)) != old]
        with transaction.atomic():
            for pk, mask in updates:
                Customer.objects.filter(pk=pk).update(missing=mask)
        changed += len(updates)


@task()
def refresh_missing_devices_task() -> int:
    return refresh_missing_devices()
