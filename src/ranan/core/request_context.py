"""The request being served, for the audit log, and refused attempts written to it.

`RequestContextMiddleware` keeps the current request in a context variable so that
`audit.entry()` can give every row the client's address even when the service writing it was
never handed the request (a visit recorded through the API, a hazard closed from a page). A
management command or a task runs with no request: its rows carry no address.

The same middleware writes an `AuditAction.DENIED` row for every refused attempt: each 403
from a page or the API (DRF's own 403s and Django's, CSRF failures included), and each write
(POST, PUT, PATCH, DELETE) that answers 404 to a signed-in account, the answer to a record
outside its area. A lockout by django-axes is recorded from its `user_locked_out` signal.
At most one row per account (or address, signed out) and path every AUDIT_DENIED_INTERVAL
seconds, counted in Django's cache, so a script hammering a page cannot flood the log.
"""

from __future__ import annotations

import hashlib
import logging
from contextvars import ContextVar

from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.dispatch import receiver

from ranan.core.choices import AuditAction

logger = logging.getLogger(__name__)

_request: ContextVar = ContextVar("ranan_request", default=None)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def current_request():
    return _request.get()


def client_ip(request) -> str | None:
    """The client's address (audit.client_ip: behind a trusted proxy, the forwarded one)."""
    from ranan.core import audit

    return audit.client_ip(request)


def current_address() -> str | None:
    """The client's address of the request being served, None outside a request."""
    request = _request.get()
    if request is None:
        return None
    try:
        return client_ip(request) or None
    except Exception:  # an unparseable forwarded header must not stop an audit row
        logger.warning("Could not resolve the client address for the audit log", exc_info=True)
        return None


def _first_time(kind: str, who: str, path: str) -> bool:
    """True once per `who` and `path` every AUDIT_DENIED_INTERVAL seconds."""
    digest = hashlib.sha256(f"{kind}|{who}|{path}".encode()).hexdigest()[:32]
    return cache.add(f"ranan:denied:{digest}", 1, timeout=settings.AUDIT_DENIED_INTERVAL)


def _account(request):
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


def record_denied(request, status: int, *, reason: str = "", username: str = "") -> bool:
    """Write one DENIED row for `request` unless the same one was written recently."""
    from ranan.core import audit

    account = _account(request)
    address = current_address() if _request.get() is request else client_ip(request)
    who = f"account:{account.pk}" if account is not None else f"anon:{username}:{address}"
    if not _first_time(reason or "denied", who, request.path):
        return False
    details = {"path": request.path[:500], "method": request.method, "status": status}
    if reason:
        details["reason"] = reason
    try:
        audit.record(actor=account, action=AuditAction.DENIED, model="",
                     details=details, ip_address=address,
                     actor_username=username[:150] if account is None and username else None)
    except DatabaseError:  # the refusal is answered even if the log cannot be written now
        logger.exception("Could not audit a refused request to %s", request.path)
        return False
    return True


def _is_denied(request, response) -> bool:
    if response.status_code == 403:
        return True
    return (response.status_code == 404 and request.method not in SAFE_METHODS
            and _account(request) is not None)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            response = self.get_response(request)
            if _is_denied(request, response):
                record_denied(request, response.status_code,
                              reason="out_of_scope" if response.status_code == 404 else "")
            return response
        finally:
            _request.reset(token)


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    if request is None:
        return
    record_denied(request, 429, reason="locked_out", username=str(username or ""))
