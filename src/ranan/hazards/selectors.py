"""Reads of hazards, always scoped: the filtered list (my hazards, a jurisdiction's), the
district's supervision list, counts by category and grade, and the KPIs the reports reuse."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core.models import subtree_q
from ranan.core.selectors import jurisdiction_by_code
from ranan.hazards.choices import DONE, ESCALATING, State, Step
from ranan.hazards.models import Category, Hazard
from ranan.inspections.choices import Grade


def hazards_for(user) -> QuerySet:
    return Hazard.objects.visible_to(user).select_related("category", "customer",
                                                          "jurisdiction")


def overdue_q(today: datetime.date) -> Q:
    return Q(state__in=list(ESCALATING), deadline__lt=today)


def filter_hazards(user, params, today: datetime.date | None = None) -> QuerySet:
    """Filters: state, grade, category (code), overdue=true, jurisdiction=<code>,
    escalation=<step>, mine=true (found by me or waiting for me), q (description/address)."""
    today = today or timezone.localdate()
    qs = hazards_for(user)
    errors = {}
    for key, choices in (("state", State.values), ("grade", Grade.values)):
        value = params.get(key)
        if value:
            values = value.split(",")
            if set(values) - set(choices):
                errors[key] = _("Unknown value: %(values)s") % {"values": value}
            else:
                qs = qs.filter(**{f"{key}__in": values})
    if params.get("category"):
        if not Category.objects.filter(code=params["category"]).exists():
            errors["category"] = _("Unknown hazard category “%(code)s”.") % {
                "code": params["category"]}
        qs = qs.filter(category__code=params["category"])
    overdue = (params.get("overdue") or "").lower()
    if overdue in ("1", "true", "yes"):
        qs = qs.filter(overdue_q(today))
    elif overdue not in ("", "0", "false", "no"):
        errors["overdue"] = _("true or false.")
    if params.get("escalation"):
        try:
            step = int(params["escalation"])
            if step not in Step.values:
                raise ValueError
            qs = qs.filter(escalation=step)
        except ValueError:
            errors["escalation"] = _("A step from 0 to 4.")
    if params.get("jurisdiction"):
        node = jurisdiction_by_code(user, params["jurisdiction"])
        if node is None:
            errors["jurisdiction"] = _("Unknown jurisdiction code “%(code)s”.") % {
                "code": params["jurisdiction"]}
        else:
            qs = qs.filter(subtree_q("jpath", node.path))
    if (params.get("mine") or "").lower() in ("1", "true", "yes"):
        qs = qs.filter(Q(found_by=user) | Q(fixed_by=user)).exclude(state__in=list(DONE))
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(description__contains=q) | Q(customer__address__contains=q)
                       | Q(premises__contains=q) | Q(customer__name=q))
    if errors:
        raise ValidationError(errors)
    return qs.order_by("deadline", "id")


def supervision_list(user, path: str | None = None) -> QuerySet:
    """Hazards listed for supervision (step 3) or referred for enforcement (step 4), still
    not fixed: the district's list, the most overdue first."""
    qs = hazards_for(user).filter(escalation__gte=Step.SUPERVISION,
                                  state__in=list(ESCALATING))
    if path:
        qs = qs.filter(subtree_q("jpath", path))
    return qs.order_by("deadline", "id")


def by_category_and_grade(user, path: str) -> tuple[list, dict]:
    """Open (not closed) hazards of an area by category × grade: (categories, {(code,
    grade): n}) with totals under None."""
    rows = (hazards_for(user).filter(subtree_q("jpath", path)).exclude(state__in=list(DONE))
            .order_by().values_list("category__code", "grade").annotate(n=Count("id")))
    cells: dict = {}
    for code, grade, n in rows:
        for key in ((code, grade), (code, None), (None, grade), (None, None)):
            cells[key] = cells.get(key, 0) + n
    categories = [c for c in Category.objects.all() if (c.code, None) in cells]
    return categories, cells
