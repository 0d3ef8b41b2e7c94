"""Keeping the stored figures warm: every hour, the figures of the dashboards' default periods
(the last 30 days and the 30 before) and of the last 12 calendar weeks (the weekly charts and
briefings) for the whole tree, so that the first regulator of the morning does not pay for
the day's new periods (a cold period costs a province ~15 s, a warm one ~0.3 s); and the
figures of periods over a year old are forgotten. Once a period is stored, an hourly run
recomputes only the chains of ancestors above what changed."""

import datetime

from django.utils import timezone
from django_tasks import task

from ranan.core import kpis
from ranan.core.models import Account, Jurisdiction
from ranan.reports import figures


@task()
def warm_figures() -> int:
    today = timezone.localdate()
    start = today - datetime.timedelta(days=29)
    reader = Account(username="figures", is_superuser=True, is_active=True)  # sees every record
    done = 0
    for root in Jurisdiction.objects.filter(parent__isnull=True):
        for s, e in ((start, today), kpis.previous_period(start, today),
                     *kpis.weeks_ending(today, 12)):
            done += figures.refresh(reader, root, s, e, today)
    figures.prune(today - datetime.timedelta(days=400))
    figures.compact()
    return done
