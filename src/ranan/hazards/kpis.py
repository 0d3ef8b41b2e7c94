"""The hazards' KPIs: found, open, closed, rectification and on-time rates, overdue hazards
and those at each step of the escalation ladder, the median time to close (DOMAIN.md)."""

from __future__ import annotations

import functools

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ranan.core.kpis import Context, Kpi, Rows, duration_percentile
from ranan.hazards.choices import DONE, State
from ranan.hazards.selectors import hazards_for, overdue_q

HAZARD_ROWS = Rows([(_("Hazard"), "description"), (_("Grade"), "grade"), (_("State"), "state"),
                    (_("Deadline"), "deadline"), (_("Escalation"), "escalation"),
                    (_("Area"), "jurisdiction")],
                   link=lambda o: reverse("hazard-detail", args=[o.pk]))


def hazards(ctx: Context) -> QuerySet:
    """The hazards found in the area in the period."""
    return hazards_for(ctx.user).filter(ctx.within("jpath"), found_at__gte=ctx.lo,
                                        found_at__lt=ctx.hi)


def closed(ctx: Context) -> QuerySet:
    return hazards(ctx).filter(state=State.CLOSED)


def overdue(ctx: Context, step: int | None = None) -> QuerySet:
    qs = hazards(ctx).filter(overdue_q(ctx.today))
    return qs if step is None else qs.filter(escalation=step)


def _on_time(ctx: Context) -> QuerySet:
    return closed(ctx).filter(fixed_at__date__lte=F("deadline"))


def _open(ctx: Context) -> QuerySet:
    return hazards(ctx).exclude(state__in=list(DONE))


def _closed_with_time(ctx: Context) -> QuerySet:
    return closed(ctx).filter(closed_at__isnull=False)


def _step(step: int):
    return lambda ctx: overdue(ctx, step)


# A hazard KPI: its drill-down lists hazards.
_kpi = functools.partial(Kpi, model="hazard", rows=HAZARD_ROWS, section="hazard")


KPIS = [
    _kpi("hazards_found", _("Hazards found"), "count", _("hazards found in the period"),
         hazards, higher_is_better=None, order=200),
    _kpi("hazards_open", _("Hazards open"), "count",
         _("hazards found in the period, not closed nor unfixable"), _open,
         higher_is_better=False, order=210),
    _kpi("hazards_closed", _("Hazards closed"), "count", _("hazards found in the period, closed"),
         closed, order=220),
    _kpi("rectification_rate", _("Rectification rate"), "ratio",
         _("hazards closed / hazards found (found in the period)"), closed, base=hazards,
         order=230),
    _kpi("on_time_rate", _("On-time rate"), "ratio",
         _("hazards fixed by their deadline / hazards closed"), _on_time, base=closed,
         order=240),
    _kpi("hazards_overdue", _("Overdue hazards found in the period"), "count",
         _("hazards found in the period, past their deadline and not fixed"), overdue,
         higher_is_better=False, order=250),
    _kpi("median_days_to_close", _("Median days to close"), "days",
         _("median days from finding to closing, hazards found in the period and closed"),
         _closed_with_time, median=duration_percentile("found_at", "closed_at", 86400),
         higher_is_better=False, order=260),
    *[_kpi(f"hazards_overdue_step_{s}", label, "count",
           _("overdue hazards at this step of the escalation ladder"), _step(s),
           section="escalation", higher_is_better=False, order=300 + s)
      for s, label in ((0, _("Overdue: not yet escalated")), (1, _("Overdue: reminded")),
                       (2, _("Overdue: notice served")), (3, _("Overdue: under supervision")),
                       (4, _("Overdue: enforcement")))],
]
