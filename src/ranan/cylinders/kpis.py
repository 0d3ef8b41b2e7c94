"""The cylinders' KPIs: overdue cylinders still in circulation, interlock refusals."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ranan.core.kpis import Context, Kpi, Rows
from ranan.core.models import Organisation
from ranan.cylinders.choices import CIRCULATING
from ranan.cylinders.models import Cylinder
from ranan.cylinders.selectors import IN_CIRCULATION, cylinders_for, overdue_q, refusals_for

CYLINDER_ROWS = Rows([(_("Code"), "code"), (_("State"), "state"), (_("Station"), "station"),
                      (_("Inspection due"), "next_inspection_due"), (_("Scrap on"), "scrap_on")],
                     link=lambda o: reverse("cylinder-detail", args=[o.code]))
SCAN_ROWS = Rows([(_("Time"), "at"), (_("Code"), "code"), (_("Station"), "station"),
                  (_("Scanned by"), "actor")],
                 link=lambda o: reverse("cylinder-detail", args=[o.code]) if o.cylinder_id
                 else None)


def _cylinders_overdue(ctx: Context) -> QuerySet:
    return (cylinders_for(ctx.user).filter(state__in=IN_CIRCULATION)
            .filter(ctx.within("station__jurisdictions__path"))
            .filter(overdue_q(ctx.today)))


def _overdue_by_station(ctx: Context, paths: dict[int, list[str]]) -> dict[int, int]:
    """Overdue cylinders in circulation of the given stations, by station: past inspection,
    plus past scrap only (two disjoint index-only counts; their sum is the OR of
    cylinders.selectors.overdue_q)."""
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
        served = Organisation.jurisdictions.through.objects.filter(
            ctx.within("jurisdiction__path")).values_list("organisation_id",
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
    return refusals_for(ctx.user).filter(
        at__gte=ctx.lo, at__lt=ctx.hi).filter(
        ctx.within("actor__organisation__jurisdictions__path"))


KPIS = [
    Kpi("cylinders_overdue", _("Cylinders overdue in circulation"), "count",
        _("cylinders in circulation past their inspection due or scrap date"),
        _cylinders_overdue, model="cylinder", rows=CYLINDER_ROWS,
        path="station__jurisdictions__path", multi=True, section="cylinder",
        higher_is_better=False, by_station=_station_split(_overdue_by_station), order=500),
    Kpi("interlock_refusals", _("Interlock refusals"), "count",
        _("scans refused by the interlock in the period"), _refusals, model="scan",
        rows=SCAN_ROWS, path="actor__organisation__jurisdictions__path", multi=True,
        section="cylinder", higher_is_better=None, order=510),
]
