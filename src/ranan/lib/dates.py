"""Days and periods. Stored times are UTC; a day is a day in Asia/Shanghai (the project's
TIME_ZONE): a period from one day to another is [its first day's midnight, the midnight after
its last day)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day`, local time, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def day_bounds(start: datetime.date, end: datetime.date | None = None):
    """(lo, hi): the times of the days `start`..`end` (inclusive; one day when `end` is None),
    for `at__gte=lo, at__lt=hi`."""
    return day_start(start), day_start((end or start) + datetime.timedelta(days=1))


def parse_day(raw: str | None) -> datetime.date | None:
    """A YYYY-MM-DD text as a date; None when empty; ValueError when not a date (malformed, or
    a 13th month)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        raise ValueError(raw)
    return day
