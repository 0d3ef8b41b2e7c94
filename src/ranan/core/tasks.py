"""Background tasks and periodic jobs, run by `ranan worker`.

Periodic jobs are idempotent: running one twice, or from cron as well as the worker, does
no harm. Each app lists its jobs in its `jobs` (the app contract); `periodic_jobs()` collects
them.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def purge_expired_tokens() -> int:
    """API tokens past their expiry are useless; remove them (knox only does so lazily)."""
    from knox.models import get_token_model

    deleted, _ = get_token_model().objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


@task()
def purge_old_login_attempts() -> int:
    """Failed-login counters older than the lockout window no longer lock anyone."""
    from axes.models import AccessAttempt
    from django.conf import settings

    cutoff = timezone.now() - settings.AXES_COOLOFF_TIME
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted


@task()
def deliver_messages() -> int:
    """Send what notify() queued (the outbox)."""
    from ranan.core.notify import deliver_pending

    return deliver_pending()


def periodic_jobs() -> tuple:
    """(task, interval) of every installed app: the worker enqueues each when its interval
    has passed."""
    from ranan.core import contract

    return contract.jobs()
