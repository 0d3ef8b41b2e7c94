"""The daily recall job: mark cylinders due for inspection or scrap and tell each station."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ranan.core.models import Organisation
from ranan.core.notify import notify
from ranan.cylinders.models import Cylinder
from ranan.cylinders.selectors import IN_CIRCULATION, due_q

RECALL_DAYS = 30


def mark_recalls(today: datetime.date | None = None, days: int = RECALL_DAYS) -> dict[int, int]:
    """Set `recall_from` on cylinders in circulation due within `days` (or overdue) that are
    not marked yet, and queue one message per station and day. Idempotent: a second run the
    same day marks nothing and sends nothing new. Returns {station id: newly marked}."""
    today = today or timezone.localdate()
    due = Cylinder.objects.filter(state__in=IN_CIRCULATION, recall_from__isnull=True).filter(
        due_q(today, days))
    counts: dict[int, int] = {}
    with transaction.atomic():
        for station_id in due.values_list("station_id", flat=True).distinct():
            n = due.filter(station_id=station_id).update(recall_from=today)
            counts[station_id] = n
            total = Cylinder.objects.filter(station_id=station_id,
                                            recall_from__isnull=False,
                                            state__in=IN_CIRCULATION).count()
            notify(kind="cylinder_recall", to_organisation=Organisation.objects.get(pk=station_id),
                   subject=f"钢瓶召回：新增 {n} 只",
                   body=f"{today}：{n} 只钢瓶在 {days} 天内到期或已超期，共 {total} 只待召回。",
                   dedupe_key=f"recall:{station_id}:{today.isoformat()}")
    return counts


@task()
def mark_recalls_task() -> int:
    return sum(mark_recalls().values())
