"""The cylinders' KPIs: overdue cylinders still in circulation, interlock refusals."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ranan.core.kpis import Context, Kpi, Rows
from ranan.cylinders.choices import State
from ranan.cylinders.selectors import overdue_placed, refusals_for, station_places

SCAN_ROWS = Rows([(_("Time"), "at"), (_("Code"), "code"), (_("Station"), "station"),
                  (_("Scanned by"), "actor")],
                 link=lambda o: reverse("cylinder-detail", args=[o.code]) if o.cylinder_id
                 else None)


def _where(cylinder) -> str:
    """Where an overdue cylinder is, beside its state in the drill-down list: a customer's
    area (its township and village: no personal data), a courier and its station, or the
    station."""
    if cylinder.state == State.AT_CUSTOMER and cylinder.customer_id:
        area = cylinder.customer.jurisdiction
        return f"{area.parent.name} {area.name}" if area.parent_id else area.name
    if cylinder.state == State.WITH_COURIER and cylinder.courier_id:
        return f"{cylinder.courier} ({cylinder.station.name})"
    return cylinder.station.name


OVERDUE_ROWS = Rows([(_("Code"), "code"), (_("State"), "state"), (_("Where"), _where),
                     (_("Inspection due"), "next_inspection_due"), (_("Scrap on"), "scrap_on"),
                     (_("Station"), "station")],
                    link=lambda o: reverse("cylinder-detail", args=[o.code]))


def _cylinders_overdue(ctx: Context) -> QuerySet:
    """Counted where each cylinder is (issue 15 item 4): at a customer in the customer's
    area, at the station or with a courier in the station's (`station_places`). Each one
    lies at one node of the tree, so the areas' counts add up to their parent's."""
    places = ctx.once("station_places", station_places)
    return overdue_placed(ctx.user, ctx.today, places).filter(ctx.within("place"))


def _refusals(ctx: Context) -> QuerySet:
    return refusals_for(ctx.user).filter(
        at__gte=ctx.lo, at__lt=ctx.hi).filter(
        ctx.within("actor__organisation__jurisdictions__path"))


KPIS = [
    Kpi("cylinders_overdue", _("Cylinders overdue in circulation"), "count",
        _("cylinders in circulation past their inspection due or scrap date, counted where "
          "they are: at a customer in the customer's area, at the station or with a courier "
          "in the station's"),
        _cylinders_overdue, model="cylinder", rows=OVERDUE_ROWS, path="place",
        section="cylinder", higher_is_better=False, order=500),
    Kpi("interlock_refusals", _("Interlock refusals"), "count",
        _("scans refused by the interlock in the period"), _refusals, model="scan",
        rows=SCAN_ROWS, path="actor__organisation__jurisdictions__path", multi=True,
        section="cylinder", higher_is_better=None, order=510),
]
