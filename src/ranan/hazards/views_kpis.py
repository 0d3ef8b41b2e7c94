"""Rectification by hazard category (issue 14 item 9): the rectification and on-time rates of
each category of an area and period, each number linking to the hazards it counts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from ranan.core import kpis as catalogue
from ranan.core.permissions import can, requires
from ranan.hazards import kpis
from ranan.hazards.choices import STATE_COLOURS
from ranan.hazards.models import Category
from ranan.hazards.selectors import category_name
from ranan.inspections.choices import GRADE_COLOURS

PAGE = 50


def _nav(user) -> dict:
    return {"can_work": can(user, "hazards.work"), "can_supervise": can(user, "hazards.supervise")}


def _query(request):
    """The area and period, or the defaults with the error named."""
    try:
        return (*kpis.period_query(request.user, request.GET), {})
    except ValidationError as exc:
        clean = request.GET.copy()
        clean.pop("from", None)
        clean.pop("to", None)
        return (*kpis.period_query(request.user, clean),
                {k: v[0] for k, v in exc.message_dict.items()})


@requires("hazards.read")
def by_category(request):
    """Each category's found and closed hazards, rectification and on-time rates."""
    node, start, end, errors = _query(request)
    return render(request, "hazards/by_category.html", {
        "node": node, "start": start, "end": end, "errors": errors,
        "table": kpis.table(request.user, node, start, end),
        "area_code": node.code or f"#{node.pk}", **_nav(request.user)},
        status=400 if errors else 200)


@requires("hazards.read")
def category_records(request):
    """The hazards behind one figure of the table (`kpi`, `category` (code; none: every
    category), `part`: records or base), as many as the figure says."""
    name = request.GET.get("kpi", "")
    if name not in kpis.BY_CATEGORY:
        raise Http404
    node, start, end, errors = _query(request)
    code = request.GET.get("category", "")
    category = get_object_or_404(Category, code=code) if code else None
    kpi = catalogue.by_name()[name]
    part = "base" if request.GET.get("part") == "base" and kpi.base is not None else "records"
    qs = catalogue.records(request.user, node.path, start, end, name, part)
    if category is not None:
        qs = qs.filter(category=category)
    page = Paginator(qs.select_related("category", "customer", "jurisdiction")
                     .order_by("-found_at", "-id"), PAGE).get_page(request.GET.get("page"))
    return render(request, "hazards/category_records.html", {
        "node": node, "start": start, "end": end, "errors": errors, "kpi": kpi, "part": part,
        "category": category, "category_label": category_name(category) if category else "",
        "page": page, "rows": page.object_list, "today": timezone.localdate(),
        "state_colours": STATE_COLOURS, "grade_colours": GRADE_COLOURS,
        "back": kpis.drill_params(node, start, end)})
