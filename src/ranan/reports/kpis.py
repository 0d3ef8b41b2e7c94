"""The KPI catalogue (issue 8): every KPI of DOMAIN.md defined once (name, Chinese and English
label, unit, which records it counts) and computed for any jurisdiction and period by the
selectors of the app that owns the records. Pages, the API, exports and briefings read them
from here, so a figure is the same everywhere.

Each computation answers {"value", "numerator", "denominator"}: a rate's numerator and
denominator are the counts of the records behind it (the drill-down lists count the same).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ranan.core.models import subtree_q


@dataclass(frozen=True)
class Kpi:
    name: str
    label: object
    unit: str  # "ratio", "count", "hours"
    counts: str  # the records it counts, for the drill-down and the docs
    compute: Callable


def _bounds(start: datetime.date, end: datetime.date):
    lo = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    hi = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1),
                                                       datetime.time.min))
    return lo, hi


def _ratio(num: int, den: int) -> dict:
    return {"value": (num / den) if den else None, "numerator": num, "denominator": den}


def _count(n) -> dict:
    return {"value": n, "numerator": n, "denominator": None}


class Context:
    """One computation: the account, the area, the period; each app's selector result is
    computed once and shared by the KPIs that come from it."""

    def __init__(self, user, path: str, start: datetime.date, end: datetime.date):
        self.user, self.path, self.start, self.end = user, path, start, end
        self._cache: dict = {}

    def once(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def inspections(self):
        from ranan.inspections import selectors

        return self.once("inspections", lambda: selectors.kpis(self.user, self.path, self.start,
                                                               self.end))

    def hazards(self):
        from ranan.hazards import selectors

        return self.once("hazards", lambda: selectors.kpis(self.user, self.path, self.start,
                                                           self.end))

    def delivery(self):
        from ranan.delivery import selectors

        return self.once("delivery", lambda: selectors.report(self.user, self.path, self.start,
                                                              self.end))

    def households(self):
        from ranan.customers.choices import CustomerKind, CustomerStatus
        from ranan.customers.models import Customer

        return (Customer.objects.visible_to(self.user).filter(subtree_q("jpath", self.path))
                .filter(status=CustomerStatus.ACTIVE, kind=CustomerKind.RESIDENTIAL))


def _device_coverage(kind: str, condition: Q, lpg_only: bool = False):
    def compute(ctx: Context) -> dict:
        from ranan.customers.models import Device

        households = ctx.households()
        if lpg_only:
            households = households.filter(supply="lpg")
        having = Device.objects.filter(customer=OuterRef("pk"), kind=kind,
                                       removed_on__isnull=True).filter(condition)
        den = households.count()
        num = households.filter(Exists(having)).count()
        return _ratio(num, den)
    return compute


def _cylinders_overdue(ctx: Context) -> dict:
    from ranan.cylinders.selectors import IN_CIRCULATION, cylinders_for, overdue_q

    qs = cylinders_for(ctx.user).filter(state__in=IN_CIRCULATION).filter(
        subtree_q("station__jurisdictions__path", ctx.path)).filter(
        overdue_q(timezone.localdate())).order_by().values("pk").distinct()
    return _count(qs.count())


def _refusals(ctx: Context) -> dict:
    from ranan.cylinders.selectors import refusals_for

    lo, hi = _bounds(ctx.start, ctx.end)
    qs = refusals_for(ctx.user).filter(at__gte=lo, at__lt=hi).filter(
        subtree_q("actor__organisation__jurisdictions__path", ctx.path)).order_by().values(
        "pk").distinct()
    return _count(qs.count())


def _valves_shut(ctx: Context) -> dict:
    from ranan.inspections.choices import MeasureKind
    from ranan.inspections.models import Measure

    lo, hi = _bounds(ctx.start, ctx.end)
    n = (Measure.objects.visible_to(ctx.user).filter(subtree_q("jpath", ctx.path),
                                                     kind=MeasureKind.SHUT_OFF, at__gte=lo,
                                                     at__lt=hi).count())
    return _count(n)


def _from(app: str, key: str):
    return lambda ctx: getattr(ctx, app)()[key]


def _wait(ctx: Context) -> dict:
    value = ctx.delivery()["delivery_wait_median_hours"]
    return {"value": value, "numerator": ctx.delivery()["deliveries"], "denominator": None}


CATALOGUE: list[Kpi] = [
    Kpi("inspection_coverage", _("Inspection coverage"), "ratio",
        "households with an inspected visit in the period / active households",
        _from("inspections", "inspection_coverage")),
    Kpi("entry_success", _("Entry success"), "ratio",
        "households reached / households visited in the period",
        _from("inspections", "entry_success")),
    Kpi("households_reached", _("Households reached"), "count",
        "households with an inspected visit in the period",
        _from("inspections", "households_reached")),
    Kpi("hazards_found", _("Hazards found"), "count", "hazards found in the period",
        _from("hazards", "hazards_found")),
    Kpi("hazards_open", _("Hazards open"), "count",
        "hazards found in the period not closed or converted", _from("hazards", "hazards_open")),
    Kpi("hazards_closed", _("Hazards closed"), "count", "hazards found in the period, closed",
        _from("hazards", "hazards_closed")),
    Kpi("rectification_rate", _("Rectification rate"), "ratio",
        "hazards closed / hazards found (found in the period)",
        _from("hazards", "rectification_rate")),
    Kpi("on_time_rate", _("On-time rate"), "ratio", "closed by the deadline / closed",
        _from("hazards", "on_time_rate")),
    Kpi("hazards_overdue", _("Hazards overdue"), "count",
        "hazards found in the period, past their deadline and not fixed",
        _from("hazards", "hazards_overdue")),
    Kpi("metal_hose_coverage", _("Metal hose coverage"), "ratio",
        "active households with a current metal hose / active households",
        _device_coverage("hose", Q(material="metal"))),
    Kpi("self_closing_valve_coverage", _("Self-closing valve coverage"), "ratio",
        "active households with a current self-closing valve / active households",
        _device_coverage("valve", Q(self_closing=True))),
    Kpi("regulator_cutoff_coverage", _("Regulator cut-off coverage"), "ratio",
        "active LPG households with a regulator with cut-off / active LPG households",
        _device_coverage("regulator", Q(has_cutoff=True), lpg_only=True)),
    Kpi("alarm_coverage", _("Gas alarm coverage"), "ratio",
        "active households with a current gas alarm / active households",
        _device_coverage("alarm", Q())),
    Kpi("cylinders_overdue", _("Cylinders overdue in circulation"), "count",
        "cylinders in circulation past inspection due or scrap date (today)", _cylinders_overdue),
    Kpi("interlock_refusals", _("Interlock refusals"), "count",
        "scans refused by the interlock in the period", _refusals),
    Kpi("deliveries_checked_rate", _("Deliveries with a completed check"), "ratio",
        "deliveries whose check was completed / deliveries in the period",
        _from("delivery", "deliveries_checked_rate")),
    Kpi("delivery_wait_median_hours", _("Median wait from order to delivery"), "hours",
        "median hours from the order to its delivery, deliveries in the period", _wait),
    Kpi("unreached_revisit", _("Unreached: to revisit"), "count",
        "households not at home once or twice since the period's start",
        _from("inspections", "unreached_revisit")),
    Kpi("unreached_shut_off", _("Unreached: to be shut off"), "count",
        "households not at home three times, or refusing, since the period's start",
        _from("inspections", "unreached_shut_off")),
    Kpi("valves_shut", _("Valves shut off"), "count", "valve shut-offs recorded in the period",
        _valves_shut),
]
BY_NAME = {k.name: k for k in CATALOGUE}


def compute(user, path: str, start: datetime.date, end: datetime.date,
            names: list[str] | None = None) -> list[dict]:
    ctx = Context(user, path, start, end)
    out = []
    for kpi in CATALOGUE:
        if names and kpi.name not in names:
            continue
        figure = kpi.compute(ctx)
        out.append({"name": kpi.name, "label": str(kpi.label), "unit": kpi.unit, **figure})
    return out
