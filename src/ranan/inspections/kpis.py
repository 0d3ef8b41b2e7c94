"""The inspections' KPIs: coverage, entry success, households reached, visits that got in,
findings per 100 inspections, the unreached ladder and valves shut off (DOMAIN.md)."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ranan.core.kpis import Context, Kpi, Rows
from ranan.customers.choices import CustomerStatus
from ranan.customers.kpis import CUSTOMER_ROWS, active, customers
from ranan.inspections.choices import STOPS_SUPPLY, MeasureKind, Outcome, VisitKind
from ranan.inspections.models import Finding, Measure, Visit
from ranan.inspections.selectors import CHECK_REFUSALS_TO_SHUT_OFF, counted_visits

MEASURE_ROWS = Rows([(_("Time"), "at"), (_("Customer"), "customer"), (_("By"), "by")],
                    link=lambda o: reverse("customer-detail", args=[o.customer_id]))
VISIT_ROWS = Rows([(_("Time"), "started_at"), (_("Customer"), "customer"),
                   (_("Outcome"), "outcome"), (_("Inspector"), "inspector")],
                  link=lambda o: reverse("inspection-visit", args=[o.pk]))
FINDING_ROWS = Rows([(_("Time"), "found_at"), (_("Customer"), "customer"),
                     (_("Finding"), "description"), (_("Grade"), "grade")],
                    link=lambda o: reverse("inspection-visit", args=[o.visit_id]))


def here(ctx: Context) -> Q:
    """A household's visits and measures count where they were made at its current place
    (a household moved since is to be visited at its new address): so a figure is the sum
    of its children's. The area's path also lets the planner walk the area's visits by
    their (jpath, started_at) index instead of every visit of the period."""
    return ctx.within("jpath") & Q(jpath=OuterRef("jpath"))


def visits_of(ctx: Context, **kw) -> QuerySet:
    """The counted visits of the period to the household of the outer query."""
    return counted_visits().filter(here(ctx), customer=OuterRef("pk"), started_at__gte=ctx.lo,
                                   started_at__lt=ctx.hi, **kw)


def reached(ctx: Context) -> QuerySet:
    return customers(ctx).filter(Exists(visits_of(ctx, outcome=Outcome.INSPECTED)))


def visits(ctx: Context) -> QuerySet:
    """The counted visits made in the area in the period (where they were made)."""
    return (Visit.objects.visible_to(ctx.user).filter(correction__isnull=True)
            .filter(ctx.within("jpath"), started_at__gte=ctx.lo,
                    started_at__lt=ctx.hi).select_related("customer", "inspector"))


def _inspections(ctx: Context) -> QuerySet:
    return visits(ctx).filter(outcome=Outcome.INSPECTED)


def _findings(ctx: Context) -> QuerySet:
    return (Finding.objects.visible_to(ctx.user).filter(visit__correction__isnull=True)
            .filter(ctx.within("jpath"), found_at__gte=ctx.lo, found_at__lt=ctx.hi)
            .select_related("customer"))


def unreached(ctx: Context, tier: str) -> QuerySet:
    """Households on the ladder (inspections.selectors.tier_of) from the period's start:
    the same rule as the unreached list, in SQL."""
    since = counted_visits().filter(here(ctx), customer=OuterRef("pk"), started_at__gte=ctx.lo)
    measures = Measure.objects.filter(here(ctx), customer=OuterRef("pk"), at__gte=ctx.lo,
                                      voided_at__isnull=True)
    not_home = Coalesce(Subquery(
        since.filter(outcome=Outcome.NOT_HOME).order_by().values("customer")
        .annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)
    qs = (customers(ctx)
          .filter(Exists(since.filter(outcome__in=[Outcome.NOT_HOME, Outcome.REFUSED,
                                                   Outcome.ADDRESS_NOT_FOUND])))
          .exclude(Exists(since.filter(outcome=Outcome.INSPECTED)))
          .exclude(Exists(measures.filter(kind__in=[MeasureKind.SHUT_OFF,
                                                    MeasureKind.ENFORCEMENT])))
          .annotate(not_home_times=not_home))
    check_refused = Coalesce(Subquery(
        since.filter(outcome=Outcome.REFUSED, kind=VisitKind.DELIVERY).order_by()
        .values("customer").annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)
    qs = qs.annotate(check_refused_times=check_refused)
    refused = Exists(since.filter(outcome=Outcome.REFUSED).exclude(kind=VisitKind.DELIVERY))
    to_shut = (refused | Q(not_home_times__gte=3)
               | Q(check_refused_times__gte=CHECK_REFUSALS_TO_SHUT_OFF))
    if tier == "shut_off":
        return qs.filter(to_shut)
    return qs.exclude(to_shut)


def _enforcement_since(ctx: Context):
    return Measure.objects.filter(customer=OuterRef("pk"), at__gte=ctx.lo,
                                  kind=MeasureKind.ENFORCEMENT, voided_at__isnull=True)


def _shut(ctx: Context) -> QuerySet:
    """Households whose supply is shut off, not referred to enforcement since the period's
    start (the ladder's "valve shut off" tier)."""
    return (customers(ctx).filter(status=CustomerStatus.SHUT_OFF)
            .exclude(Exists(_enforcement_since(ctx))))


def _enforcement(ctx: Context) -> QuerySet:
    """Households referred to law enforcement since the period's start (the ladder's top)."""
    return customers(ctx).filter(Exists(_enforcement_since(ctx)))


def _measures(ctx: Context, kinds) -> QuerySet:
    return (Measure.objects.visible_to(ctx.user)
            .filter(ctx.within("jpath"), kind__in=list(kinds), at__gte=ctx.lo,
                    at__lt=ctx.hi, voided_at__isnull=True).select_related("customer", "by"))


def _valves_shut(ctx: Context) -> QuerySet:
    """Shut-offs and valves removed and sealed: both stop a household's supply."""
    return _measures(ctx, STOPS_SUPPLY)


def _restored(ctx: Context) -> QuerySet:
    return _measures(ctx, [MeasureKind.RESTORED])


KPIS = [
    Kpi("inspection_coverage", _("Inspection coverage"), "ratio",
        _("active households with an inspected visit in the period / active households"),
        lambda c: active(c).filter(Exists(visits_of(c, outcome="inspected"))),
        base=active, rows=CUSTOMER_ROWS, order=100),
    Kpi("entry_success", _("Entry success"), "ratio",
        _("households reached / households visited in the period"),
        reached, base=lambda c: customers(c).filter(Exists(visits_of(c))), rows=CUSTOMER_ROWS,
        order=110),
    Kpi("households_reached", _("Households reached"), "count",
        _("households with an inspected visit in the period"), reached, rows=CUSTOMER_ROWS,
        order=120),
    Kpi("visit_entry_rate", _("Visits that got in"), "ratio",
        _("inspected visits / visits made in the period"), _inspections, base=visits,
        model="visit", rows=VISIT_ROWS, order=130),
    Kpi("hazards_per_100_visits", _("Findings per 100 inspections"), "per_100",
        _("findings of the period's inspections, per 100 inspected visits"), _findings,
        base=_inspections, model="finding", rows=FINDING_ROWS, higher_is_better=None,
        scale=100, order=140),
    Kpi("unreached_revisit", _("Unreached: to revisit"), "count",
        _("households not at home once or twice (or address not found) since the period's "
          "start, not reached since"), lambda c: unreached(c, "revisit"), rows=CUSTOMER_ROWS,
        section="unreached", higher_is_better=False, order=700),
    Kpi("unreached_shut_off", _("Unreached: to be shut off"), "count",
        _("households not at home three times, or refusing, since the period's start, not "
          "reached nor shut since"), lambda c: unreached(c, "shut_off"), rows=CUSTOMER_ROWS,
        section="unreached", higher_is_better=False, order=710),
    Kpi("unreached_shut", _("Unreached: valve shut off"), "count",
        _("households whose supply is shut off, not referred to enforcement since the "
          "period's start"), _shut, rows=CUSTOMER_ROWS, section="unreached",
        higher_is_better=None, order=712),
    Kpi("unreached_enforcement", _("Unreached: referred to enforcement"), "count",
        _("households referred to law enforcement since the period's start"), _enforcement,
        rows=CUSTOMER_ROWS, section="unreached", higher_is_better=None, order=714),
    Kpi("valves_shut", _("Valves shut off"), "count",
        _("valve shut-offs (and valves removed and sealed) recorded in the period"),
        _valves_shut, model="measure", rows=MEASURE_ROWS, section="unreached",
        higher_is_better=None, order=720),
    Kpi("supply_restored", _("Supply restored"), "count",
        _("households whose supply was restored in the period, each after a completed "
          "inspection since its shut-off"),
        _restored, model="measure", rows=MEASURE_ROWS, section="unreached",
        higher_is_better=None, order=722),
]
