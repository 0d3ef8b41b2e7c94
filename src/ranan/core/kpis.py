"""The KPI catalogue (issues 8 and 13): every KPI of DOMAIN.md defined once, by the app that
owns its records (each app's `kpis.py`, named in its AppConfig's `kpis`), and computed here for
any jurisdiction and period. Pages, the API, exports and briefings of every app read them
through `compute`, so a figure is the same everywhere.

A KPI is defined by the records it counts, as querysets built on the owning app's scoped
selectors: `records` (the numerator) and, for a rate, `base` (the denominator). A figure is the
count of those querysets, so the drill-down list behind a figure (the same queryset, paginated)
always has as many rows as the figure says. The breakdown by child jurisdiction groups the same
querysets by the prefix of their materialised path: one grouped query per queryset, whatever
the number of children.

Counts that are kept stored (the reports app's figures) are read through the hook
"core.kpi_counts" when an app provides it.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import importlib
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
)
from django.db.models.functions import Extract, Substr
from django.utils import timezone

from ranan.core import contract
from ranan.core.models import PATH_SEGMENT, subtree_q
from ranan.lib.dates import day_bounds
from ranan.lib.naturalsort import natural_key


@dataclass(frozen=True)
class Rows:
    """How a drill-down list shows one record: columns (label, attribute) and a link."""

    columns: list
    link: Callable | None = None


@dataclass(frozen=True)
class Kpi:
    name: str
    label: object
    unit: str  # "ratio", "count", "hours", "days", "per_100"
    counts: object  # the records it counts, for the drill-down and the docs
    records: Callable[[Context], QuerySet]  # the numerator's records
    base: Callable[[Context], QuerySet] | None = None  # the denominator's records (a rate)
    model: str = "customer"  # what a drill-down row is
    rows: Rows | None = None  # how the drill-down shows it
    path: str = "jpath"  # the records' jurisdiction path lookup
    multi: bool = False  # the path crosses a many-to-many relation: count distinct records
    # A value that is not a count: fn(records) -> value, fn(records, group) -> {group: value}.
    median: Callable[..., Any] | None = None
    higher_is_better: bool | None = True
    section: str = "inspection"
    # For accounts that see every record of the area: the count and the children's counts
    # from per-station counts (exactly the count of `records`, by index alone).
    by_station: Callable | None = None
    order: int = 0  # the catalogue's order (cards, API lists)
    scale: int = 1  # a rate's value is scale * numerator / denominator (per 100: 100)
    # The organisation kinds whose accounts it concerns (None: those of the app declaring
    # it, RananApp.org_kinds; every kind when that is None too): a pipeline gas company's
    # people are shown no cylinder figures.
    org_kinds: frozenset[str] | None = None


class Context:
    """One computation: the account, the area, the period and the day figures are taken on
    ("today" for a current period, the period's last day for a past one). The apps' record
    sets are built once per computation (`once`) and shared by the KPIs that use them."""

    def __init__(self, user, path: str, start: datetime.date, end: datetime.date,
                 today: datetime.date | None = None):
        self.user, self.path, self.start, self.end = user, path, start, end
        self.today = min(today or timezone.localdate(), end)
        self.lo, self.hi = day_bounds(start, end)
        self._cache: dict = {}

    def once(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def within(self, lookup: str) -> Q:
        """Rows whose `lookup` path lies in the area (no condition when `path` is None: all
        the account sees, its scope already limits it)."""
        return Q() if self.path is None else subtree_q(lookup, self.path)


@functools.cache
def catalogue() -> tuple[Kpi, ...]:
    """Every installed app's KPIs, in their declared order."""
    kinds = contract.kpi_org_kinds()
    kpis = [k if k.org_kinds is not None or kinds[module] is None
            else dataclasses.replace(k, org_kinds=kinds[module])
            for module in contract.kpi_modules() for k in importlib.import_module(module).KPIS]
    names = [k.name for k in kpis]
    twice = {n for n in names if names.count(n) > 1}
    if twice:
        raise ValueError(f"KPIs defined twice: {sorted(twice)}")
    return tuple(sorted(kpis, key=lambda k: k.order))


def by_name() -> dict[str, Kpi]:
    return {k.name: k for k in catalogue()}


def concerns(kpi: Kpi, user) -> bool:
    """Whether the KPI concerns `user`'s organisation (its kind is one of the KPI's)."""
    return contract.concerns(user, kpi.org_kinds)


def for_user(user) -> list[Kpi]:
    """The catalogue as `user` is shown it: the KPIs of its organisation's kind."""
    return [k for k in catalogue() if concerns(k, user)]


def names_for(user, names) -> list[str]:
    """Of `names` (KPI names), those that concern `user`, in their order."""
    known = by_name()
    return [n for n in names if n not in known or concerns(known[n], user)]


def stored_names() -> set[str]:
    """The KPIs whose records lie at one node of the tree: their counts add up from children
    to parent, so they can be kept stored (reports.Figure)."""
    return {k.name for k in catalogue() if k.path == "jpath" and not k.multi}


def __getattr__(name: str):
    # CATALOGUE, BY_NAME and STORED are collected from the apps on first use.
    if name == "CATALOGUE":
        return list(catalogue())
    if name == "BY_NAME":
        return by_name()
    if name == "STORED":
        return stored_names()
    raise AttributeError(name)


class _Percentile(Aggregate):
    """PostgreSQL's continuous percentile (interpolated between the two nearest values)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _interpolated(values: list[float], fraction: float) -> float:
    """percentile_cont in Python: the value at (n - 1) * fraction, interpolated."""
    values = sorted(values)
    position = (len(values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def duration_percentile(start_field: str, end_field: str, seconds: float,
                        fraction: float = 0.5):
    """A KPI value that is not a count: the `fraction` percentile (0.5: the median) of
    `end_field - start_field` in units of `seconds`, over the records; with `group` (an
    expression), by its value. PostgreSQL computes it; SQLite in Python, the same way."""

    def value(records: QuerySet, group=None):
        qs = records.order_by()
        if connection.vendor == "postgresql":
            span = Extract(ExpressionWrapper(F(end_field) - F(start_field),
                                             output_field=DurationField()), "epoch") / seconds
            agg = _Percentile(span, fraction=fraction)
            if group is None:
                return qs.aggregate(m=agg)["m"]
            return dict(qs.annotate(g=group).values("g").annotate(m=agg).values_list("g", "m"))
        rows = qs.annotate(g=group) if group is not None else qs
        spans: dict = defaultdict(list)
        for g, a, b in rows.values_list("g" if group is not None else "pk", start_field,
                                        end_field).iterator(chunk_size=5000):
            spans[g if group is not None else None].append((b - a).total_seconds() / seconds)
        out = {g: (statistics.median(v) if fraction == 0.5 else _interpolated(v, fraction))
               for g, v in spans.items()}
        return out if group is not None else out.get(None)

    return value


def records(user, path: str, start: datetime.date, end: datetime.date, name: str,
            part: str = "records", today: datetime.date | None = None) -> QuerySet:
    """The records behind a figure: `part` "records" (the numerator) or "base" (the
    denominator). Their count is the figure."""
    kpi = by_name()[name]
    ctx = Context(user, path, start, end, today)
    fn = kpi.base if part == "base" and kpi.base is not None else kpi.records
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
        value = (kpi.scale * num / den) if den else None
    else:
        value = num
    return {"name": kpi.name, "label": str(kpi.label), "unit": kpi.unit, "value": value,
            "numerator": num, "denominator": den}


def _stored(user, path: str, start, end, today, node=None, with_children=False):
    """The stored counts (the hook "core.kpi_counts": the reports app's figures) when they
    hold for this account, else None."""
    from django.conf import settings

    if not getattr(settings, "RANAN_STORED_FIGURES", True):
        return None
    for counts in contract.hooks("core.kpi_counts"):
        if node is None:
            from ranan.core.models import Jurisdiction

            node = Jurisdiction.objects.filter(path=path).first()
            if node is None:
                return None
        found = counts(user, node, start, end, today, with_children)
        if found is not None:
            return found
    return None


def compute(user, path: str, start: datetime.date, end: datetime.date,
            names: list[str] | None = None, today: datetime.date | None = None,
            stored: bool = True) -> list[dict]:
    """The figures of an area and a period. `stored`: read the counts kept in
    reports.Figure where they hold (they equal the records' counts; False counts the
    records). Without `names`, the KPIs that concern the account's organisation
    (`for_user`)."""
    ctx = Context(user, path, start, end, today)
    memo = _stored(user, path, start, end, today) if stored else None
    if not names:  # the whole catalogue: as the account is shown it
        names = [k.name for k in for_user(user)]
    out = []
    stored_ = stored_names()
    for kpi in catalogue():
        if names and kpi.name not in names:
            continue
        if memo is not None and kpi.name in stored_:
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
    the stored counts of the children); without `names`, those of `for_user`."""
    from ranan.core.models import Jurisdiction

    # Division codes in order, then the nodes without one (grids) as people count them.
    children = sorted(Jurisdiction.objects.filter(parent=node),
                      key=lambda c: (c.code is None, c.code or "", natural_key(c.name)))
    ctx = Context(user, node.path, start, end, today)
    width = len(node.path) + PATH_SEGMENT
    memo = _stored(user, node.path, start, end, today, node, True) if stored else None
    if not names:  # the whole catalogue: as the account is shown it
        names = [k.name for k in for_user(user)]
    table: dict[str, dict] = {c.path: {} for c in children}
    stored_ = stored_names()
    for kpi in catalogue():
        if names and kpi.name not in names:
            continue
        if memo is not None and kpi.name in stored_:
            nums = {p: c.get(f"{kpi.name}:n", 0) for p, c in memo[1].items()}
            dens = {p: c.get(f"{kpi.name}:d", 0) for p, c in memo[1].items()}
        elif memo is not None and kpi.by_station is not None:
            nums, dens = kpi.by_station(ctx, width)[1], {}
        else:
            nums = _grouped(kpi, ctx, kpi.records, width)
            dens = _grouped(kpi, ctx, kpi.base, width) if kpi.base is not None else {}
        medians: dict = {}
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
