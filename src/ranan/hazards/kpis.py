"""The hazards' KPIs: found, open, closed, rectification and on-time rates, overdue hazards
and those at each step of the escalation ladder, the median time to close (DOMAIN.md)."""

from __future__ import annotations

import datetime
import functools

from django.db.models import Count, F, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ranan.core import kpis
from ranan.core.kpis import Context, Kpi, Rows, duration_percentile
from ranan.hazards.choices import DONE, State
from ranan.hazards.models import Category
from ranan.hazards.selectors import category_name, hazards_for, overdue_q

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


# --- By category (issue 14): the rates of each hazard category, with their records ----------

# The KPIs broken down by category: the counts and the rates built on them.
BY_CATEGORY = ["hazards_found", "hazards_closed", "rectification_rate", "on_time_rate"]


def by_category(user, path: str, start, end, names: list[str] | None = None,
                today=None) -> list[dict]:
    """The hazard KPIs `names` (default BY_CATEGORY) of each category of the hazards found in
    the area and period: the catalogue's own records and bases, grouped by category (one
    query per record set), so each category's figures are counts of the records its
    drill-down lists and they add up to the area's figures. Categories with no hazard
    found are left out; retired ones with hazards stay. Rows: {"category", "kpis": {name:
    {"value", "numerator", "denominator", ...}}}, in the catalogue's order."""
    catalogue = kpis.by_name()
    names = names or BY_CATEGORY
    unknown = [n for n in names if n not in BY_CATEGORY]
    if unknown:
        raise ValueError(f"not broken down by category: {unknown}")
    ctx = Context(user, path, start, end, today)

    def grouped(fn) -> dict[int, int]:
        qs = fn(ctx).order_by().values("category_id").annotate(n=Count("pk"))
        return ctx.once(("by_category", str(qs.query)),
                        lambda: {r["category_id"]: r["n"] for r in qs})

    figures = {}
    for name in names:
        kpi = catalogue[name]
        figures[name] = (kpi, grouped(kpi.records),
                         grouped(kpi.base) if kpi.base is not None else None)
    found = grouped(hazards)
    rows = []
    for category in Category.objects.filter(pk__in=list(found)).order_by("id"):
        cells = {}
        for name, (kpi, nums, dens) in figures.items():
            num = nums.get(category.pk, 0)
            den = dens.get(category.pk, 0) if dens is not None else None
            value = num if dens is None else ((kpi.scale * num / den) if den else None)
            cells[name] = {"name": name, "label": str(kpi.label), "unit": kpi.unit,
                           "value": value, "numerator": num, "denominator": den}
        rows.append({"category": category, "kpis": cells})
    return rows


def category_records(user, path: str, start, end, name: str, category: Category,
                     part: str = "records", today=None) -> QuerySet:
    """The hazards behind a category's figure: the KPI's records (or its base) of that
    category; their count is the figure."""
    if name not in BY_CATEGORY:
        raise ValueError(name)
    return kpis.records(user, path, start, end, name, part, today).filter(category=category)


def period_query(user, params, default_days: int = 365):
    """(area, first day, last day) of a by-category request: `jurisdiction` (a division code
    or #id; default the account's first area; unknown or out of the area: Http404), `from`
    and `to` (default the last `default_days` days); a bad date or period is a
    ValidationError naming the parameter."""
    from django.core.exceptions import ValidationError
    from django.http import Http404
    from django.utils import timezone
    from django.utils.translation import gettext as _t

    from ranan.core.selectors import asked_area
    from ranan.lib.dates import parse_day

    node, error = asked_area(user, params)
    if node is None:
        raise Http404(error or _t("Your account has no area."))
    days = {}
    for key in ("from", "to"):
        try:
            days[key] = parse_day(params.get(key))
        except ValueError:
            raise ValidationError({key: _t("A date, YYYY-MM-DD.")}) from None
    today = timezone.localdate()
    end = min(days["to"] or today, today)
    start = days["from"] or end - datetime.timedelta(days=default_days - 1)
    if start > end:
        raise ValidationError({"from": _t("The period starts after it ends.")})
    return node, start, end


def drill_params(node, start, end, **extra) -> str:
    """The query string of a by-category page or drill-down."""
    from django.utils.http import urlencode

    return urlencode({"jurisdiction": node.code or f"#{node.pk}", "from": start.isoformat(),
                      "to": end.isoformat(), **extra})


def table(user, node, start, end, today=None) -> dict:
    """The by-category table of the pages and the dashboard: each category's cells with the
    links to their records, and the area's totals (the catalogue's figures, which the
    categories add up to)."""
    rows = by_category(user, node.path, start, end, today=today)
    totals = {r["name"]: r for r in kpis.compute(user, node.path, start, end, BY_CATEGORY,
                                                 today=today, stored=False)}
    url = reverse("hazard-category-records")

    def link(name, code, part="records"):
        extra = {"kpi": name, "part": part}
        if code:
            extra["category"] = code
        return url + "?" + drill_params(node, start, end, **extra)

    for row in rows:
        row["label"] = category_name(row["category"])
        row["code"] = row["category"].code
        for name, cell in row["kpis"].items():
            cell["url"] = link(name, row["code"])
            cell["base_url"] = link(name, row["code"], "base")
    for name, cell in totals.items():
        cell["url"] = link(name, "")
        cell["base_url"] = link(name, "", "base")
    for cell in [*totals.values(), *(c for r in rows for c in r["kpis"].values())]:
        if cell["unit"] == "ratio" and cell["value"] is not None:
            cell["percent"] = cell["value"] * 100
    return {"rows": rows, "totals": totals, "names": BY_CATEGORY}
