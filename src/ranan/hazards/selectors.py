"""Reads of hazards, always scoped: the filtered list (my hazards, a jurisdiction's), the
district's supervision list, counts by category and grade, and the KPIs the reports reuse."""

from __future__ import annotations

import datetime
import functools
import operator

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ranan.core.choices import OrgKind, RegulatorType, Role
from ranan.core.models import PATH_SEGMENT, Organisation, subtree_q
from ranan.core.selectors import jurisdiction_by_code
from ranan.hazards.choices import DONE, ESCALATING, AppointmentState, State, Step
from ranan.hazards.models import Appointment, Category, Hazard
from ranan.inspections.choices import Grade
from ranan.lib.dates import day_bounds


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
    not fixed: the district's list, the most overdue first. A regulator department sees the
    hazards of the categories it is competent for (`competent_q`)."""
    qs = hazards_for(user).filter(escalation__gte=Step.SUPERVISION,
                                  state__in=list(ESCALATING))
    if path:
        qs = qs.filter(subtree_q("jpath", path))
    duty = department_of(user)
    if duty:
        qs = qs.filter(competent_q(user, duty))
    return qs.order_by("deadline", "id")


def department_of(user) -> str:
    """The regulator type of a regulator's department; "" for everyone else (the task
    force and administrators follow every category)."""
    if user.is_superuser or not user.has_role(Role.REGULATOR) or user.has_role(
            Role.TASK_FORCE, Role.ADMIN):
        return ""
    org = user.organisation
    return org.regulator_type if org is not None and org.kind == OrgKind.REGULATOR else ""


def competent_q(user, duty: str) -> Q:
    """The hazards a department of type `duty` supervises: those of its categories and of
    categories naming no department, and those whose competent department the hazard's
    district lacks (the same fallback as the escalation messages)."""
    districts = {p[:PATH_SEGMENT * 3] for p in user.area_paths}
    others = (Organisation.objects.filter(kind=OrgKind.REGULATOR, is_active=True)
              .exclude(regulator_type=duty)
              .filter(functools.reduce(operator.or_, [Q(jurisdictions__path__startswith=d)
                                                      for d in districts], Q(pk__in=[])))
              .values_list("regulator_type", "jurisdictions__path").distinct())
    present: dict[str, set[str]] = {}
    for kind, jpath in others:
        present.setdefault(kind, set()).add(jpath)
    q = Q(category__regulator_type__in=["", duty])
    for kind in RegulatorType.values:
        if kind == duty:
            continue
        lacking = Q(category__regulator_type=kind)
        for jpath in present.get(kind, ()):
            lacking &= ~subtree_q("jpath", jpath)
        q |= lacking
    return q


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


def appointments_for(user) -> QuerySet:
    return (Appointment.objects.visible_to(user)
            .select_related("hazard__category", "customer", "booked_by")
            .prefetch_related("inspectors"))


def booked_visits(user, day: datetime.date) -> list[dict]:
    """The hook "inspections.work_list": the visits booked for this inspector on `day`, as
    rows of the work list (time, what, where, the page to open)."""
    lo, hi = day_bounds(day)
    rows = []
    for a in (appointments_for(user).filter(inspectors=user, state=AppointmentState.BOOKED,
                                            starts_at__gte=lo, starts_at__lt=hi)
              .select_related("hazard__customer", "hazard__jurisdiction")
              .order_by("starts_at", "id")):
        hazard = a.hazard
        rows.append({"kind": "hazard_appointment", "id": a.pk, "at": a.starts_at,
                     "title": _("Fix: %(category)s") % {"category": category_name(
                         hazard.category)},
                     "where": hazard.where, "area": hazard.jurisdiction.name,
                     "name": hazard.customer.name if hazard.customer_id else "",
                     "note": a.note, "grade": hazard.get_grade_display(),
                     "url": reverse("hazard-detail", args=[hazard.pk]),
                     "customer_id": hazard.customer_id})
    return rows


def category_name(category: Category) -> str:
    """The category's name in the current language."""
    english = (translation.get_language() or "").startswith("en")
    return category.name_en if english and category.name_en else category.name


def appointments_on(user, day: datetime.date, mine: bool = False) -> QuerySet:
    """The visits of the account's area on `day` (or its own), by time."""
    lo, hi = day_bounds(day)
    qs = appointments_for(user).filter(starts_at__gte=lo, starts_at__lt=hi)
    if mine:
        qs = qs.filter(inspectors=user)
    return qs.select_related("hazard__jurisdiction", "hazard__customer").order_by(
        "starts_at", "id")


def inspectors_for(user, hazard: Hazard) -> list:
    """The active inspectors the account sees whose area holds the hazard's place."""
    from ranan.core.models import Account

    ancestors = [hazard.jpath[:k] for k in range(PATH_SEGMENT, len(hazard.jpath) + 1,
                                                  PATH_SEGMENT)]
    return list(Account.objects.visible_to(user)
                .filter(is_active=True, role_rows__role=Role.INSPECTOR,
                        area__path__in=ancestors).distinct().order_by("username"))
