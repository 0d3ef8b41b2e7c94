"""The KPI catalogue (issue 8): every KPI of DOMAIN.md defined once (name, Chinese and English
label, unit, which records it counts) and computed for any jurisdiction and period. Pages, the
API, exports and briefings read them from here, so a figure is the same everywhere.

A KPI is defined by the records it counts, as querysets built on the owning app's scoped
selectors: `records` (the numerator) and, for a rate, `base` (the denominator). A figure is the
count of those querysets, so the drill-down list behind a figure (the same queryset, paginated)
always has as many rows as the figure says. The breakdown by child jurisdiction groups the same
querysets by the prefix of their materialised path: one grouped query per queryset, whatever
the number of children.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Extract, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ranan.core.models import PATH_SEGMENT, subtree_q


@dataclass(frozen=True)
class Kpi:
    name: str
    label: object
    unit: str  # "ratio", "count", "hours"
    counts: object  # the records it counts, for the drill-down and the docs
    records: Callable[[Context], QuerySet]  # the numerator's records
    base: Callable[[Context], QuerySet] | None = None  # the denominator's records (a rate)
    model: str = "customer"  # what a drill-down row shows
    path: str = "jpath"  # the records' jurisdiction path lookup
    multi: bool = False  # the path crosses a many-to-many relation: count distinct records
    median: Callable[[QuerySet], float | None] | None = None  # a value that is not a count
    higher_is_better: bool = True
    section: str = "inspection"
    # For accounts that see every record of the area: the count and the children's counts
    # from per-station counts (exactly the count of `records`, by index alone).
    by_station: Callable | None = None


def bounds(start: datetime.date, end: datetime.date):
    lo = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    hi = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1),
                                                       datetime.time.min))
    return lo, hi


class Context:
    """One computation: the account, the area, the period and the day figures are taken on
    ("today" for a current period, the period's last day for a past one). Querysets and counts
    are built once and shared by the KPIs that use them."""

    def __init__(self, user, path: str, start: datetime.date, end: datetime.date,
                 today: datetime.date | None = None):
        self.user, self.path, self.start, self.end = user, path, start, end
        self.today = min(today or timezone.localdate(), end)
        self.lo, self.hi = bounds(start, end)
        self._cache: dict = {}

    def once(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    # -- the record sets the KPIs are made of --------------------------------------------------
    def customers(self) -> QuerySet:
        from ranan.inspections.selectors import area_customers

        return self.once("customers", lambda: area_customers(self.user, self.path))

    def active(self) -> QuerySet:
        from ranan.customers.choices import CustomerStatus

        return self.customers().filter(status=CustomerStatus.ACTIVE)

    def households(self) -> QuerySet:
        from ranan.customers.choices import CustomerKind

        return self.active().filter(kind=CustomerKind.RESIDENTIAL)

    def visits(self, **kw) -> QuerySet:
        from ranan.inspections.selectors import counted_visits

        return counted_visits().filter(self.here(), customer=OuterRef("pk"),
                                       started_at__gte=self.lo, started_at__lt=self.hi, **kw)

    def here(self) -> Q:
        """A household's visits and measures count where they were made at its current place
        (a household moved since is to be visited at its new address): so a figure is the sum
        of its children's. The area's path also lets the planner walk the area's visits by
        their (jpath, started_at) index instead of every visit of the period."""
        return subtree_q("jpath", self.path) & Q(jpath=OuterRef("jpath"))

    def reached(self) -> QuerySet:
        from ranan.inspections.choices import Outcome

        return self.customers().filter(Exists(self.visits(outcome=Outcome.INSPECTED)))

    def hazards(self) -> QuerySet:
        from ranan.hazards.selectors import hazards_for

        return hazards_for(self.user).filter(subtree_q("jpath", self.path),
                                             found_at__gte=self.lo, found_at__lt=self.hi)

    def closed(self) -> QuerySet:
        from ranan.hazards.choices import State

        return self.hazards().filter(state=State.CLOSED)

    def overdue(self, step: int | None = None) -> QuerySet:
        from ranan.hazards.selectors import overdue_q

        qs = self.hazards().filter(overdue_q(self.today))
        return qs if step is None else qs.filter(escalation=step)

    def delivered(self) -> QuerySet:
        from ranan.delivery.choices import OrderState
        from ranan.delivery.models import Order

        return (Order.objects.visible_to(self.user)
                .filter(subtree_q("jpath", self.path), state=OrderState.DELIVERED,
                        delivered_at__gte=self.lo, delivered_at__lt=self.hi)
                .select_related("customer", "delivered_by"))

    def unreached(self, tier: str) -> QuerySet:
        """Households on the ladder (inspections.selectors.tier_of) from the period's start:
        the same rule as the unreached list, in SQL."""
        from ranan.inspections.choices import MeasureKind, Outcome
        from ranan.inspections.models import Measure
        from ranan.inspections.selectors import counted_visits

        since = counted_visits().filter(self.here(), customer=OuterRef("pk"),
                                        started_at__gte=self.lo)
        measures = Measure.objects.filter(self.here(), customer=OuterRef("pk"), at__gte=self.lo)
        not_home = Coalesce(Subquery(
            since.filter(outcome=Outcome.NOT_HOME).order_by().values("customer")
            .annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)
        qs = (self.customers()
              .filter(Exists(since.filter(outcome__in=[Outcome.NOT_HOME, Outcome.REFUSED,
                                                       Outcome.ADDRESS_NOT_FOUND])))
              .exclude(Exists(since.filter(outcome=Outcome.INSPECTED)))
              .exclude(Exists(measures.filter(kind__in=[MeasureKind.SHUT_OFF,
                                                        MeasureKind.ENFORCEMENT])))
              .annotate(not_home_times=not_home))
        refused = Exists(since.filter(outcome=Outcome.REFUSED))
        if tier == "shut_off":
            return qs.filter(refused | Q(not_home_times__gte=3))
        return qs.exclude(refused).filter(not_home_times__lt=3)


def _device(kind: str, condition: Q, lpg_only: bool = False):
    def base(ctx: Context) -> QuerySet:
        qs = ctx.households()
        return qs.filter(supply="lpg") if lpg_only else qs

    def records(ctx: Context) -> QuerySet:
        from ranan.customers.models import Device

        having = (Device.objects.filter(customer=OuterRef("pk"), kind=kind,
                                        removed_on__isnull=True).filter(condition)
                  .filter(Q(installed_on__isnull=True) | Q(installed_on__lte=ctx.end)))
        return base(ctx).filter(Exists(having))
    return records, base


def _cylinders_overdue(ctx: Context) -> QuerySet:
    from ranan.cylinders.selectors import IN_CIRCULATION, cylinders_for, overdue_q

    return (cylinders_for(ctx.user).filter(state__in=IN_CIRCULATION)
            .filter(subtree_q("station__jurisdictions__path", ctx.path))
            .filter(overdue_q(ctx.today)))


def _overdue_by_station(ctx: Context, paths: dict[int, list[str]]) -> dict[int, int]:
    """Overdue cylinders in circulation of the given stations, by station: past inspection,
    plus past scrap only (two disjoint index-only counts; their sum is the OR of
    cylinders.selectors.overdue_q)."""
    from ranan.cylinders.choices import CIRCULATING
    from ranan.cylinders.models import Cylinder

    base = Cylinder.objects.filter(state__in=CIRCULATING, station_id__in=list(paths)).order_by()
    out: dict[int, int] = defaultdict(int)
    for qs in (base.filter(next_inspection_due__lt=ctx.today),
               base.filter(scrap_on__lte=ctx.today, next_inspection_due__gte=ctx.today)):
        # count(*), not count(id): the id is not in the index, the count is index-only
        for station, n in qs.values("station").annotate(n=Count("*")).values_list("station",
                                                                                 "n"):
            out[station] += n
    return out


def _station_split(counter):
    """(total, {child path: n}) of a per-station count over the stations serving the area: a
    cylinder counts once in the area, and in every child its station serves."""
    def split(ctx: Context, width: int | None):
        from ranan.core.models import Organisation

        served = Organisation.jurisdictions.through.objects.filter(
            subtree_q("jurisdiction__path", ctx.path)).values_list("organisation_id",
                                                                   "jurisdiction__path")
        paths: dict[int, list[str]] = defaultdict(list)
        for station, path in served:
            paths[station].append(path)
        counts = ctx.once(("by_station", counter.__name__), lambda: counter(ctx, paths))
        total = sum(counts.values())
        children: dict[str, int] = defaultdict(int)
        if width:
            for station, n in counts.items():
                for child in {p[:width] for p in paths[station] if len(p) >= width}:
                    children[child] += n
        return total, children
    return split


def _refusals(ctx: Context) -> QuerySet:
    from ranan.cylinders.selectors import refusals_for

    return refusals_for(ctx.user).filter(
        at__gte=ctx.lo, at__lt=ctx.hi).filter(
        subtree_q("actor__organisation__jurisdictions__path", ctx.path))


def _valves_shut(ctx: Context) -> QuerySet:
    from ranan.inspections.choices import MeasureKind
    from ranan.inspections.models import Measure

    return (Measure.objects.visible_to(ctx.user)
            .filter(subtree_q("jpath", ctx.path), kind=MeasureKind.SHUT_OFF, at__gte=ctx.lo,
                    at__lt=ctx.hi).select_related("customer", "by"))


class _Median(Aggregate):
    """PostgreSQL's median (interpolated between the two middle values, as
    statistics.median)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _median_wait(orders: QuerySet, group=None):
    """Median hours from order to delivery; with `group` (an expression), by its value."""
    if connection.vendor == "postgresql":
        hours = Extract(ExpressionWrapper(F("delivered_at") - F("received_at"),
                                          output_field=DurationField()), "epoch") / 3600.0
        qs = orders.order_by()
        if group is None:
            return qs.aggregate(m=_Median(hours))["m"]
        return dict(qs.annotate(g=group).values("g").annotate(m=_Median(hours))
                    .values_list("g", "m"))
    rows = (orders.order_by().annotate(g=group) if group is not None else orders.order_by())
    waits: dict = defaultdict(list)
    for g, r, d in rows.values_list("g" if group is not None else "pk", "received_at",
                                    "delivered_at").iterator(chunk_size=5000):
        waits[g if group is not None else None].append((d - r).total_seconds() / 3600)
    medians = {g: statistics.median(w) for g, w in waits.items()}
    return medians if group is not None else medians.get(None)


def _checked(ctx: Context) -> QuerySet:
    return ctx.delivered().filter(visit__outcome="inspected")


def _on_time(ctx: Context) -> QuerySet:
    return ctx.closed().filter(fixed_at__date__lte=F("deadline"))


def _open(ctx: Context) -> QuerySet:
    from ranan.hazards.choices import DONE

    return ctx.hazards().exclude(state__in=list(DONE))


def _step(step: int):
    return lambda ctx: ctx.overdue(step)


_hose, _households = _device("hose", Q(material="metal"))
_valve = _device("valve", Q(self_closing=True))[0]
_alarm = _device("alarm", Q())[0]
_cutoff, _lpg_households = _device("regulator", Q(has_cutoff=True), lpg_only=True)

CATALOGUE: list[Kpi] = [
    Kpi("inspection_coverage", _("Inspection coverage"), "ratio",
        _("active households with an inspected visit in the period / active households"),
        lambda c: c.active().filter(Exists(c.visits(outcome="inspected"))),
        base=lambda c: c.active()),
    Kpi("entry_success", _("Entry success"), "ratio",
        _("households reached / households visited in the period"),
        lambda c: c.reached(), base=lambda c: c.customers().filter(Exists(c.visits()))),
    Kpi("households_reached", _("Households reached"), "count",
        _("households with an inspected visit in the period"), lambda c: c.reached()),
    Kpi("hazards_found", _("Hazards found"), "count", _("hazards found in the period"),
        lambda c: c.hazards(), model="hazard", section="hazard", higher_is_better=None),
    Kpi("hazards_open", _("Hazards open"), "count",
        _("hazards found in the period, not closed nor unfixable"), _open, model="hazard",
        section="hazard", higher_is_better=False),
    Kpi("hazards_closed", _("Hazards closed"), "count",
        _("hazards found in the period, closed"), lambda c: c.closed(), model="hazard",
        section="hazard"),
    Kpi("rectification_rate", _("Rectification rate"), "ratio",
        _("hazards closed / hazards found (found in the period)"), lambda c: c.closed(),
        base=lambda c: c.hazards(), model="hazard", section="hazard"),
    Kpi("on_time_rate", _("On-time rate"), "ratio",
        _("hazards fixed by their deadline / hazards closed"), _on_time,
        base=lambda c: c.closed(), model="hazard", section="hazard"),
    Kpi("hazards_overdue", _("Overdue hazards found in the period"), "count",
        _("hazards found in the period, past their deadline and not fixed"),
        lambda c: c.overdue(), model="hazard", section="hazard", higher_is_better=False),
    *[Kpi(f"hazards_overdue_step_{s}", label, "count",
          _("overdue hazards at this step of the escalation ladder"), _step(s),
          model="hazard", section="escalation", higher_is_better=False)
      for s, label in ((1, _("Overdue: reminded")), (2, _("Overdue: notice served")),
                       (3, _("Overdue: under supervision")), (4, _("Overdue: enforcement")))],
    Kpi("metal_hose_coverage", _("Metal hose coverage"), "ratio",
        _("active households with a metal hose in place / active households"), _hose,
        base=_households, section="device"),
    Kpi("self_closing_valve_coverage", _("Self-closing valve coverage"), "ratio",
        _("active households with a self-closing valve in place / active households"), _valve,
        base=_households, section="device"),
    Kpi("regulator_cutoff_coverage", _("Regulator cut-off coverage"), "ratio",
        _("active LPG households with a regulator with cut-off / active LPG households"),
        _cutoff, base=_lpg_households, section="device"),
    Kpi("alarm_coverage", _("Gas alarm coverage"), "ratio",
        _("active households with a gas alarm in place / active households"), _alarm,
        base=_households, section="device"),
    Kpi("cylinders_overdue", _("Cylinders overdue in circulation"), "count",
        _("cylinders in circulation past their inspection due or scrap date"),
        _cylinders_overdue, model="cylinder", path="station__jurisdictions__path", multi=True,
        section="cylinder", higher_is_better=False,
        by_station=_station_split(_overdue_by_station)),
    Kpi("interlock_refusals", _("Interlock refusals"), "count",
        _("scans refused by the interlock in the period"), _refusals, model="scan",
        path="actor__organisation__jurisdictions__path", multi=True, section="cylinder",
        higher_is_better=None),
    Kpi("deliveries_checked_rate", _("Deliveries with a completed check"), "ratio",
        _("deliveries whose check was completed / deliveries in the period"), _checked,
        base=lambda c: c.delivered(), model="order", section="delivery"),
    Kpi("delivery_wait_median_hours", _("Median wait from order to delivery"), "hours",
        _("median hours from the order to its delivery, deliveries in the period"),
        lambda c: c.delivered(), model="order", median=_median_wait, section="delivery",
        higher_is_better=False),
    Kpi("unreached_revisit", _("Unreached: to revisit"), "count",
        _("households not at home once or twice (or address not found) since the period's "
          "start, not reached since"), lambda c: c.unreached("revisit"),
        section="unreached", higher_is_better=False),
    Kpi("unreached_shut_off", _("Unreached: to be shut off"), "count",
        _("households not at home three times, or refusing, since the period's start, not "
          "reached nor shut since"), lambda c: c.unreached("shut_off"), section="unreached",
        higher_is_better=False),
    Kpi("valves_shut", _("Valves shut off"), "count", _("valve shut-offs recorded in the period"),
        _valves_shut, model="measure", section="unreached", higher_is_better=None),
]
BY_NAME = {k.name: k for k in CATALOGUE}
# The KPIs whose records lie at one node of the tree: their counts add up from children to
# parent and are kept in reports.Figure (reports/figures.py).
STORED = {k.name for k in CATALOGUE if k.path == "jpath" and not k.multi}


def records(user, path: str, start: datetime.date, end: datetime.date, name: str,
            part: str = "records", today: datetime.date | None = None) -> QuerySet:
    """The records behind a figure: `part` "records" (the numerator) or "base" (the
    denominator). Their count is the figure."""
    kpi = BY_NAME[name]
    ctx = Context(user, path, start, end, today)
    fn = kpi.base if part == "base" else kpi.records
    qs = fn(ctx)
    if kpi.multi:
        qs = qs.distinct()
    return qs


def _count(kpi: Kpi, ctx: Context, fn) -> int:
    qs = fn(ctx)
    counted = qs.order_by().values("pk").distinct() if kpi.multi else qs.order_by()
    return ctx.once(("count", str(counted.query)), counted.count)


def _row(kpi: Kpi, num: int, den: int | None, value=None) -> dict:
    if kpi.median is not None:
        pass
    elif kpi.base is not None:
        value = (num / den) if den else None
    else:
        value = num
    return {"name": kpi.name, "label": str(kpi.label), "unit": kpi.unit, "value": value,
            "numerator": num, "denominator": den}


def _stored(user, path: str, start, end, today, node=None, with_children=False):
    """The stored counts (reports.figures) when they hold for this account, else None."""
    from django.conf import settings

    from ranan.reports import figures

    if not getattr(settings, "RANAN_STORED_FIGURES", True) or not figures.eligible(user):
        return None
    if node is None:
        from ranan.core.models import Jurisdiction

        node = Jurisdiction.objects.filter(path=path).first()
        if node is None:
            return None
    return figures.counts(user, node, start, end, today, with_children)


def compute(user, path: str, start: datetime.date, end: datetime.date,
            names: list[str] | None = None, today: datetime.date | None = None,
            stored: bool = True) -> list[dict]:
    """The figures of an area and a period. `stored`: read the counts kept in
    reports.Figure where they hold (they equal the records' counts; False counts the
    records)."""
    ctx = Context(user, path, start, end, today)
    memo = _stored(user, path, start, end, today) if stored else None
    out = []
    for kpi in CATALOGUE:
        if names and kpi.name not in names:
            continue
        if memo is not None and kpi.name in STORED:
            num = memo[0].get(f"{kpi.name}:n", 0)
            den = memo[0].get(f"{kpi.name}:d", 0) if kpi.base is not None else None
        elif memo is not None and kpi.by_station is not None:
            num, den = kpi.by_station(ctx, None)[0], None
        else:
            num = _count(kpi, ctx, kpi.records)
            den = _count(kpi, ctx, kpi.base) if kpi.base is not None else None
        value = kpi.median(kpi.records(ctx)) if kpi.median is not None and num else None
        out.append(_row(kpi, num, den, value))
    return out


def previous_period(start: datetime.date, end: datetime.date):
    days = (end - start).days + 1
    return start - datetime.timedelta(days=days), start - datetime.timedelta(days=1)


def _grouped(kpi: Kpi, ctx: Context, fn, width: int) -> dict[str, int]:
    """Counts of `fn`'s records by the first `width` characters of their path."""
    qs = (fn(ctx).order_by().annotate(child=Substr(kpi.path, 1, width)).values("child")
          .annotate(n=Count("pk", distinct=kpi.multi)).values_list("child", "n"))
    return ctx.once(("grouped", str(qs.query)), lambda: dict(qs))


def breakdown(user, node, start: datetime.date, end: datetime.date,
              names: list[str] | None = None, today: datetime.date | None = None,
              stored: bool = True) -> list[dict]:
    """The KPIs of each child jurisdiction of `node` (one grouped query per record set, or
    the stored counts of the children)."""
    from ranan.core.models import Jurisdiction

    children = list(Jurisdiction.objects.filter(parent=node).order_by("code", "name"))
    ctx = Context(user, node.path, start, end, today)
    width = len(node.path) + PATH_SEGMENT
    memo = _stored(user, node.path, start, end, today, node, True) if stored else None
    table: dict[str, dict] = {c.path: {} for c in children}
    for kpi in CATALOGUE:
        if names and kpi.name not in names:
            continue
        if memo is not None and kpi.name in STORED:
            nums = {p: c.get(f"{kpi.name}:n", 0) for p, c in memo[1].items()}
            dens = {p: c.get(f"{kpi.name}:d", 0) for p, c in memo[1].items()}
        elif memo is not None and kpi.by_station is not None:
            nums, dens = kpi.by_station(ctx, width)[1], {}
        else:
            nums = _grouped(kpi, ctx, kpi.records, width)
            dens = _grouped(kpi, ctx, kpi.base, width) if kpi.base is not None else {}
        medians = {}
        if kpi.median is not None:
            medians = kpi.median(kpi.records(ctx), Substr(kpi.path, 1, width))
        for c in children:
            den = dens.get(c.path, 0) if kpi.base is not None else None
            table[c.path][kpi.name] = _row(kpi, nums.get(c.path, 0), den, medians.get(c.path))
    return [{"id": c.pk, "code": c.code, "name": c.name, "level": c.level, "path": c.path,
             "kpis": table[c.path]} for c in children]


def weeks_ending(end: datetime.date, weeks: int) -> list[tuple[datetime.date, datetime.date]]:
    """`weeks` calendar weeks (Monday to Sunday), the last one holding `end` (cut at `end`)."""
    monday = end - datetime.timedelta(days=end.weekday())
    out = []
    for i in range(weeks - 1, -1, -1):
        start = monday - datetime.timedelta(weeks=i)
        out.append((start, min(start + datetime.timedelta(days=6), end)))
    return out


def timeseries(user, path: str, end: datetime.date, weeks: int = 12,
               names: list[str] | None = None, today: datetime.date | None = None) -> list[dict]:
    """The KPIs of each week: the figures of a week are those of a period of that week."""
    return [{"from": s, "to": e,
             "kpis": {r["name"]: r for r in compute(user, path, s, e, names, today)}}
            for s, e in weeks_ending(end, weeks)]
