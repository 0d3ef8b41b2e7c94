"""One `notify()` for every message Ranan sends. Messages are rows (the outbox) written in
the caller's transaction; `deliver_pending()` (run by the worker) hands them to the backend
(console by default; an SMS or WeChat gateway later) and stamps them sent. A `dedupe_key`
makes a daily job's message to one station for one day a single message however often the
job runs."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from ranan.core.models import Message

log = logging.getLogger("ranan.notify")


def notify(*, kind: str, subject: str, body: str, to_account=None, to_organisation=None,
           dedupe_key: str | None = None) -> Message | None:
    try:
        with transaction.atomic():
            return Message.objects.create(kind=kind, subject=subject[:200], body=body,
                                          to_account=to_account, to_organisation=to_organisation,
                                          dedupe_key=dedupe_key)
    except IntegrityError:
        return None  # already queued under this key


def deliver_pending(limit: int = 500) -> int:
    sent = 0
    for message in Message.objects.filter(sent_at__isnull=True).order_by("id")[:limit]:
        log.warning("[%s] to %s: %s\n%s", message.kind,
                    message.to_account or message.to_organisation, message.subject, message.body)
        Message.objects.filter(pk=message.pk, sent_at__isnull=True).update(sent_at=timezone.now())
        sent += 1
    return sent
