"""One `notify()` for every message Ranan sends. Messages are rows (the outbox) written in
the caller's transaction; `deliver_pending()` (run by the worker) hands each to the
configured backend after commit and records the result:

* `console` (default): the log;
* `email`: Django's mail to the account's address (or the organisation's active accounts');
* `http`: a POST to an SMS / WeChat gateway (`NOTIFY_HTTP_URL`), the body rendered from
  `NOTIFY_HTTP_TEMPLATE` (JSON with {phone}, {subject}, {body} placeholders).

A message to a phone number (`to_phone`: a resident, who has no account) goes through
`NOTIFY_SMS_BACKEND` (default: `http` when that is the backend, else the log).

A failure is kept on the message (`last_error`) and retried after 1, 5, 30 minutes, 2 and 12
hours; after `MAX_ATTEMPTS` the message is marked failed, visible in the outbox page. A
`dedupe_key` makes a daily job's message a single message however often the job runs."""

from __future__ import annotations

import datetime
import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ranan.core.models import Account, Message
from ranan.lib import masking

log = logging.getLogger("ranan.notify")
RETRY_AFTER = [datetime.timedelta(minutes=m) for m in (1, 5, 30, 120, 720)]
MAX_ATTEMPTS = len(RETRY_AFTER) + 1


class DeliveryError(Exception):
    pass


def sms_channel() -> str:
    """The backend of messages to a phone number: `NOTIFY_SMS_BACKEND`, else the gateway
    when `NOTIFY_BACKEND` is `http`, else the log (e-mail cannot reach a phone)."""
    chosen = getattr(settings, "NOTIFY_SMS_BACKEND", "")
    if chosen:
        return chosen
    return "http" if getattr(settings, "NOTIFY_BACKEND", "console") == "http" else "console"


def notify(*, kind: str, subject: str, body: str, to_account=None, to_organisation=None,
           to_phone: str = "", dedupe_key: str | None = None) -> Message | None:
    """Queue a message to an account, an organisation's accounts, or a phone number (a
    resident: sent by SMS through the gateway)."""
    channel = sms_channel() if to_phone else getattr(settings, "NOTIFY_BACKEND", "console")
    try:
        with transaction.atomic():
            return Message.objects.create(kind=kind, subject=subject[:200], body=body,
                                          to_account=to_account, to_organisation=to_organisation,
                                          to_phone=to_phone[:20], dedupe_key=dedupe_key,
                                          channel=channel)
    except IntegrityError:
        return None  # already queued under this key


def _recipients(message: Message) -> list[Account]:
    if message.to_account is not None:
        return [message.to_account]
    if message.to_organisation is not None:
        return list(message.to_organisation.accounts.filter(is_active=True).order_by("id"))
    return []


def _console(message: Message) -> None:
    to = message.to_account or message.to_organisation or masking.mask_phone(message.to_phone)
    log.warning("[%s] to %s: %s\n%s", message.kind, to, message.subject, message.body)


def _email(message: Message) -> None:
    if message.to_phone:
        raise DeliveryError("a phone number is reached by SMS, not e-mail")
    addresses = [a.email for a in _recipients(message) if a.email]
    if not addresses:
        raise DeliveryError("no e-mail address")
    send_mail(message.subject, message.body, None, addresses)


def _http(message: Message) -> None:
    url = getattr(settings, "NOTIFY_HTTP_URL", "")
    if not url:
        raise DeliveryError("NOTIFY_HTTP_URL is not set")
    phones = ([message.to_phone] if message.to_phone
              else [a.phone for a in _recipients(message) if a.phone])
    if not phones:
        raise DeliveryError("no phone number")
    template = getattr(settings, "NOTIFY_HTTP_TEMPLATE", "") or (
        '{"phone": "{phone}", "subject": "{subject}", "text": "{body}"}')
    for phone in phones:
        payload = template
        for key, value in (("phone", phone), ("subject", message.subject),
                           ("body", message.body)):
            payload = payload.replace("{" + key + "}", json.dumps(value)[1:-1])
        request = urllib.request.Request(url, data=payload.encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                if response.status >= 300:
                    raise DeliveryError(f"gateway answered {response.status}")
        except OSError as exc:
            raise DeliveryError(f"gateway: {exc}") from exc


BACKENDS = {"console": _console, "email": _email, "http": _http}


def deliver_pending(limit: int = 500, now: datetime.datetime | None = None) -> int:
    """Send the messages due; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    due = (Message.objects.filter(status="pending")
           .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
           .select_related("to_account", "to_organisation").order_by("id")[:limit])
    for message in due:
        backend = BACKENDS.get(message.channel, _console)
        try:
            backend(message)
        except Exception as exc:  # noqa: BLE001 - any failure is kept and retried
            attempts = message.attempts + 1
            failed = attempts >= MAX_ATTEMPTS
            Message.objects.filter(pk=message.pk, status="pending").update(
                attempts=attempts, last_error=str(exc)[:500],
                status="failed" if failed else "pending",
                next_attempt_at=None if failed else now + RETRY_AFTER[attempts - 1])
            log.error("message %s (%s) not delivered: %s", message.pk, message.channel, exc)
            continue
        Message.objects.filter(pk=message.pk, status="pending").update(
            sent_at=now, status="sent", attempts=message.attempts + 1, last_error="")
        sent += 1
    return sent


def retry(message: Message) -> None:
    """Put a failed message back in the queue (from the outbox page)."""
    Message.objects.filter(pk=message.pk, status="failed").update(
        status="pending", next_attempt_at=None, attempts=0)
