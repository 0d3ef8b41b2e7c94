"""Dashboard pages (issue 8): the area's KPI cards with the change against the previous period,
weekly charts, the ranking of child jurisdictions with drill-down, the records behind a figure,
and the big screen."""

from __future__ import annotations

import datetime
import io

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ranan.core import kpis
from ranan.core.permissions import can, may_open, requires
from ranan.lib import safe_output
from ranan.reports import dashboard as board
from ranan.reports.params import ParamError, home_node, home_nodes, parse


def _query(request, **kw):
    """The parameters, or the defaults with the error named when they are wrong."""
    try:
        return parse(request.user, request.GET, **kw), {}
    except ParamError as e:
        clean = request.GET.copy()
        for key in ("from", "to", "kpi", "weeks"):
            clean.pop(key, None)
        return parse(request.user, clean, **kw), {e.field: e.message}


def _trail(user, node) -> list:
    """From the top of the account's area down to `node`."""
    top = home_node(user)
    nodes = [*node.ancestors(), node]
    if top is not None and not user.is_superuser:
        for i, n in enumerate(nodes):
            if n.pk == top.pk or user.area.filter(pk=n.pk).exists():
                return nodes[i:]
    return nodes


def _params(node, start, end, **extra) -> str:
    return urlencode({"jurisdiction": node.code or f"#{node.pk}", "from": start.isoformat(),
                      "to": end.isoformat(), **extra})


@requires("reports.read")
def dashboard(request):
    q, errors = _query(request)
    rank_by = request.GET.get("rank", "inspection_coverage")
    if rank_by not in board.RANKING:
        rank_by = "inspection_coverage"
    data = board.build(request.user, q.node, q.start, q.end, rank_by)
    base = _params(q.node, q.start, q.end)
    for card in data["cards"]:
        card["url"] = reverse("kpi-records", args=[card["name"]]) + "?" + base
    for child in data["children"]:
        child_q = urlencode({"jurisdiction": child["code"] or f"#{child['id']}",
                             "from": q.start.isoformat(), "to": q.end.isoformat()})
        child["url"] = reverse("dashboard") + "?" + child_q + f"&rank={rank_by}"
        child["cells"] = [{**child["kpis"][k.name], "kpi": k, "url": reverse(
            "kpi-records", args=[k.name]) + "?" + child_q} for k in data["ranking"]]
    if data["here"]:
        # The area's own records (in none of its children): a row whose cells open them.
        data["here"]["cells"] = [
            {**data["here"]["kpis"][k.name], "url": reverse("kpi-records", args=[k.name])
             + "?" + base + "&at=here"} if k.name in data["here"]["kpis"] else None
            for k in data["ranking"]]
    today = datetime.date.today()
    presets = [(_("Last 7 days"), today - datetime.timedelta(days=6)),
               (_("Last 30 days"), today - datetime.timedelta(days=29)),
               (_("Last 90 days"), today - datetime.timedelta(days=89)),
               (_("This year"), today.replace(month=1, day=1))]
    chart = {"api": reverse("api-kpis-timeseries"), "jurisdiction": q.node.code or f"#{q.node.pk}",
             "to": q.end.isoformat(),
             "kpis": [{"name": k.name, "label": str(k.label), "unit": k.unit}
                      for k in kpis.for_user(request.user)],
             "ranking": {"kpi": rank_by, "label": str(kpis.BY_NAME[rank_by].label),
                         "unit": kpis.BY_NAME[rank_by].unit,
                         "names": [c["name"] for c in data["children"]],
                         "values": [c["kpis"][rank_by]["value"] for c in data["children"]]}}
    return render(request, "reports/dashboard.html", {
        **data, "errors": errors, "trail": _trail(request.user, q.node), "base": base,
        "presets": [(label, _params(q.node, s, today)) for label, s in presets],
        "chart": chart, "rank_kpi": kpis.BY_NAME[rank_by],
        "big_screen": reverse("big-screen") + "?" + base,
        "areas": [(n, _params(n, q.start, q.end)) for n in _areas(request.user)],
        "briefings_url": _maybe("briefing-list"),
        "statement_url": _maybe("statement") if can(request.user, "reports.statement") else None})


def _areas(user) -> list:
    """The account's own area nodes when it has several (a courier's two villages)."""
    if user.is_superuser:
        return []
    nodes = sorted(user.area.all(), key=lambda n: n.path)
    return nodes if len(nodes) > 1 else []


def _maybe(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _cell(obj, attr):
    if callable(attr):  # a column the KPI computes (the overdue cylinders' "where")
        return attr(obj)
    if attr == "jurisdiction":
        j = getattr(obj, "jurisdiction", None)
        return j.name if j else ""
    if attr == "station":
        s = getattr(obj, "station", None) or getattr(getattr(obj, "actor", None),
                                                     "organisation", None)
        return s.name if s else ""
    display = getattr(obj, f"get_{attr}_display", None)
    value = display() if display else getattr(obj, attr, "")
    return "" if value is None else value


@requires("reports.read")
def records(request, kpi: str):
    """The records behind a figure, as many as the figure says (also as .xlsx)."""
    if kpi not in kpis.BY_NAME:
        raise Http404
    item = kpis.BY_NAME[kpi]
    q, errors = _query(request)
    part = "base" if request.GET.get("part") == "base" and item.base is not None else "records"
    qs = kpis.records(request.user, q.node.path, q.start, q.end, kpi, part)
    # at=here: the records of the area itself, in none of its children (the dashboard's
    # "at this level" row), for the KPIs whose records lie at one node each.
    here = request.GET.get("at") == "here" and not item.multi and item.median is None
    if here:
        qs = qs.filter(**{item.path: q.node.path})
    if item.model == "customer":
        qs = qs.select_related("jurisdiction")
    qs = qs.order_by("-pk")
    columns = item.rows.columns
    if request.GET.get("format") == "xlsx":
        return _xlsx(item, q, qs, columns)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    link = item.rows.link or (lambda o: None)
    rows = [{"link": link(o), "cells": [_cell(o, a) for _l, a in columns]}
            for o in page.object_list]
    for row in rows:  # a record's page the account may not open is not linked (issue 15)
        if row["link"] and not may_open(request.user, row["link"]):
            row["link"] = None
    figure = kpis.compute(request.user, q.node.path, q.start, q.end, [kpi])[0]
    plain = _params(q.node, q.start, q.end)
    base = plain + ("&at=here" if here else "")
    if here:
        figure = _here_figure(request.user, q, item, page.paginator.count)
    return render(request, "reports/records.html", {
        "kpi": item, "figure": figure, "part": part, "node": q.node, "here": here,
        "start": q.start, "end": q.end, "page": page, "rows": rows,
        "columns": [c for c, _a in columns],
        "errors": errors, "trail": _trail(request.user, q.node), "base": base,
        "dashboard_url": reverse("dashboard") + "?" + plain,
        "all_url": reverse("kpi-records", args=[kpi]) + "?" + plain,
        "other_part": (reverse("kpi-records", args=[kpi]) + "?" + base
                       + ("" if part == "base" else "&part=base")) if item.base else None,
        "xlsx_url": request.path + "?" + base + f"&part={part}&format=xlsx"})


def _here_figure(user, q, item, count: int) -> dict:
    """The figure of the area's own records (at=here): a count, or the rate of its own
    numerator's records over its own denominator's."""
    if item.base is None:
        return {"name": item.name, "unit": item.unit, "value": count}
    own = {p: kpis.records(user, q.node.path, q.start, q.end, item.name, p)
           .filter(**{item.path: q.node.path}).count() for p in ("records", "base")}
    value = item.scale * own["records"] / own["base"] if own["base"] else None
    return {"name": item.name, "unit": item.unit, "value": value}


def _xlsx(item, q, qs, columns) -> HttpResponse:

    out = io.BytesIO()
    book = safe_output.workbook(out, {"in_memory": True, "remove_timezone": True})
    sheet = book.add_worksheet(str(item.label)[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, [str(item.label), q.node.name, f"{q.start} – {q.end}"], bold)
    sheet.write_row(1, 0, [str(c) for c, _a in columns], bold)
    for r, obj in enumerate(qs.iterator(chunk_size=2000), start=2):
        sheet.write_row(r, 0, [str(v) if not isinstance(v, (int, float)) else v
                               for v in (_cell(obj, a) for _l, a in columns)])
    sheet.set_column(0, len(columns), 18)
    book.close()
    response = HttpResponse(out.getvalue(), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = (f'attachment; filename="{item.name}-{q.start}-{q.end}'
                                       '.xlsx"')
    return response


@requires("reports.read")
def big_screen(request):
    """The control room's screen: dark, full-screen, refreshed every minute."""
    q, errors = _query(request)
    names = ["inspection_coverage", "households_reached", "entry_success", "hazards_found",
             "rectification_rate", "hazards_overdue", "unreached_shut_off", "valves_shut",
             "cylinders_overdue", "interlock_refusals", "deliveries_checked_rate",
             "metal_hose_coverage"]
    figures = kpis.compute(request.user, q.node.path, q.start, q.end,
                           kpis.names_for(request.user, names))
    children = kpis.breakdown(request.user, q.node, q.start, q.end,
                              ["inspection_coverage", "hazards_overdue"])
    refresh = request.GET.get("refresh", "60")
    refresh = int(refresh) if refresh.isdigit() and 10 <= int(refresh) <= 3600 else 60
    return render(request, "reports/big_screen.html", {
        "node": q.node, "start": q.start, "end": q.end, "figures": figures, "refresh": refresh,
        "children": [{"name": c["name"], "coverage": c["kpis"]["inspection_coverage"]["value"],
                      "overdue": c["kpis"]["hazards_overdue"]["value"]} for c in children],
        "errors": errors, "dashboard_url": reverse("dashboard") + "?" + _params(
            q.node, q.start, q.end)})


HOME_FIGURES = ["inspection_coverage", "rectification_rate", "hazards_overdue",
                "unreached_shut_off", "cylinders_overdue", "deliveries_checked_rate"]


def home_panel(request, obj=None):
    """The home page's figures: each of the account's areas over the last 30 days (a courier
    of two villages sees both, one after the other), linked to the dashboard."""
    user = request.user
    if not can(user, "reports.read"):
        return None
    nodes = home_nodes(user)
    if not nodes:
        return None
    end = timezone.localdate()
    start = end - datetime.timedelta(days=29)
    names = kpis.names_for(user, HOME_FIGURES)
    areas = []
    for node in nodes:
        figures = kpis.compute(user, node.path, start, end, names)
        base = _params(node, start, end)
        for row in figures:
            row["url"] = reverse("kpi-records", args=[row["name"]]) + "?" + base
        areas.append({"node": node, "figures": figures,
                      "dashboard_url": reverse("dashboard") + "?" + base})
    return {"areas": areas}
