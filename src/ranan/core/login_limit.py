"""At most a few password checks at once per process (issue 16 item 10).

A password check is PBKDF2 on purpose (~0.3 s of one CPU): 50 logins at once used to take
every worker thread and CPU for half a minute, and the other requests with them (p99 29.8 s).
The login page and the token endpoint take a slot here around `authenticate()`: at most
LOGIN_CONCURRENCY checks run at once per process and LOGIN_QUEUE more wait, at most
LOGIN_WAIT_SECONDS; any other login answers 503 "busy, retry" (with Retry-After) at once
instead of queueing without end. Other requests never wait here, and a threaded server
(gunicorn --threads) keeps threads free for them.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.conf import settings


class LoginBusy(Exception):
    """No slot for a password check: answer 503 and let the client retry."""

    retry_after = 2


class PasswordCheckSlots:
    """`size` password checks at once; at most `queue` more wait (each at most `wait`
    seconds); beyond that a login is refused at once, so that waiting logins never hold every
    worker thread either."""

    def __init__(self, size: int, queue: int | None = None):
        self.size = max(1, size)
        self.queue = self.size if queue is None else max(0, queue)
        self._cond = threading.Condition()
        self._active = 0
        self._waiting = 0

    @contextmanager
    def slot(self, wait: float):
        with self._cond:
            if self._active >= self.size:
                if self._waiting >= self.queue:
                    raise LoginBusy
                self._waiting += 1
                try:
                    if not self._cond.wait_for(lambda: self._active < self.size,
                                               timeout=max(0.0, wait)):
                        raise LoginBusy
                finally:
                    self._waiting -= 1
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify()


_slots: PasswordCheckSlots | None = None
_lock = threading.Lock()


def slots() -> PasswordCheckSlots:
    """The process's slots, sized from settings.LOGIN_CONCURRENCY (resized when a test
    changes it)."""
    global _slots
    size = max(1, getattr(settings, "LOGIN_CONCURRENCY", 1))
    queue = max(0, getattr(settings, "LOGIN_QUEUE", 1))
    with _lock:
        if _slots is None or (_slots.size, _slots.queue) != (size, queue):
            _slots = PasswordCheckSlots(size, queue)
        return _slots


@contextmanager
def password_check():
    """Hold one of the process's password-check slots (LoginBusy after the wait)."""
    with slots().slot(getattr(settings, "LOGIN_WAIT_SECONDS", 5)):
        yield
