"""Reads of cylinders, always scoped: the list filters and the recall list."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.cylinders import codes
from ranan.cylinders.choices import State
from ranan.cylinders.models import Cylinder

IN_CIRCULATION = [State.EMPTY_AT_STATION, State.FULL_AT_STATION, State.WITH_COURIER,
                  State.AT_CUSTOMER]


def cylinders_for(user) -> QuerySet:
    return Cylinder.objects.visible_to(user).select_related("type", "station", "customer",
                                                            "courier")


def _int(params, key, low, high):
    raw = params.get(key)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({key: _("A whole number, please.")}) from None
    if not low <= value <= high:
        raise ValidationError({key: _("Between %(low)d and %(high)d.") % {"low": low, "high": high}})
    return value


def filter_cylinders(user, params, today: datetime.date | None = None) -> QuerySet:
    """Filters: station (id), state, type (id), overdue=true, due_within=<days>, q (code or
    serial)."""
    today = today or timezone.localdate()
    qs = cylinders_for(user)
    station = _int(params, "station", 1, 2**62)
    if station:
        qs = qs.filter(station_id=station)
    state = params.get("state")
    if state:
        if state not in State.values:
            raise ValidationError({"state": _("Unknown value: %(values)s") % {"values": state}})
        qs = qs.filter(state=state)
    kind = _int(params, "type", 1, 2**62)
    if kind:
        qs = qs.filter(type_id=kind)
    overdue = (params.get("overdue") or "").lower()
    if overdue in ("1", "true", "yes"):
        qs = qs.filter(overdue_q(today))
    elif overdue not in ("", "0", "false", "no"):
        raise ValidationError({"overdue": _("true or false.")})
    days = _int(params, "due_within", 0, 3650)
    if days is not None:
        qs = qs.filter(due_q(today, days))
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(code=codes.normalise(q)) | Q(serial=q))
    return qs.order_by("next_inspection_due", "id")


def overdue_q(today: datetime.date) -> Q:
    return Q(next_inspection_due__lt=today) | Q(scrap_on__lte=today)


def due_q(today: datetime.date, days: int) -> Q:
    horizon = today + datetime.timedelta(days=days)
    return Q(next_inspection_due__lte=horizon) | Q(scrap_on__lte=horizon)


def recall_list(user, days: int = 30, today: datetime.date | None = None) -> QuerySet:
    """Cylinders in circulation due for inspection or scrap within `days` (or overdue),
    with where each one is (a customer holds it, a courier carries it, the station has it)."""
    today = today or timezone.localdate()
    return (cylinders_for(user).filter(state__in=IN_CIRCULATION)
            .filter(due_q(today, days)).order_by("next_inspection_due", "id"))
