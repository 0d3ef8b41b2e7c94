"""Days and periods. Stored times are UTC; a day is a day in Asia/Shanghai (the project's
TIME_ZONE): a period from one day to another is [its first day's midnight, the midnight after
its last day)."""

from __future__ import annotations

import datetime
from typing import Any

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


def utc_or_invalid(value: datetime.datetime | None) -> datetime.datetime | None:
    """An aware time from outside, as UTC: Python takes UTC offsets up to ±23:59 where
    PostgreSQL takes ±15:59 (a filter `since=…-17:00` answered 500 there, issue 16's fuzz).
    ValueError when the time does not exist in UTC (year 0 or 10000)."""
    if value is None or timezone.is_naive(value):
        return value
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError as error:
        raise ValueError("out of range") from error


def _utc_field(base: Any) -> Any:
    """A form field class like `base` (a DateTimeField) whose aware values come out UTC."""
    from django.core.exceptions import ValidationError

    class UtcField(base):
        def to_python(self, value):
            try:
                return utc_or_invalid(super().to_python(value))
            except ValueError as error:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from error

    UtcField.__name__ = UtcField.__qualname__ = f"Utc{base.__name__}"
    return UtcField


def utc_datetime_field(**kwargs):
    """forms.DateTimeField whose aware values are converted to UTC (see utc_or_invalid)."""
    from django import forms

    return _utc_field(forms.DateTimeField)(**kwargs)


def utc_iso_datetime_filter(**kwargs):
    """django-filter's IsoDateTimeFilter whose values are converted to UTC."""
    from django_filters import IsoDateTimeFilter
    from django_filters.fields import IsoDateTimeField

    class UtcIsoDateTimeFilter(IsoDateTimeFilter):
        field_class = _utc_field(IsoDateTimeField)

    return UtcIsoDateTimeFilter(**kwargs)
