"""The home page's own panels (the per-role home pages became these; other apps add theirs
through their `home_panels`). Each takes `(request, obj)` and returns its template's context,
or None when the account has nothing to see in it."""

from __future__ import annotations

from ranan.core import selectors
from ranan.core.choices import AUDIT_ACTION_COLOURS, Level
from ranan.core.models import Account, AuditEntry
from ranan.core.permissions import can


def no_role(request, obj=None):
    user = request.user
    return {} if not user.is_superuser and not user.roles else None


def admin_counts(request, obj=None):
    user = request.user
    if not can(user, "core.admin"):
        return None
    return {"counts": {"organisations": selectors.organisations_for(user).count(),
                       "accounts": selectors.accounts_for(user).count()}}


def newest_accounts(request, obj=None):
    from ranan.core.services import mark_manageable

    user = request.user
    if not can(user, "core.accounts"):
        return None
    recent = list(selectors.accounts_for(user).order_by("-date_joined")[:8])
    mark_manageable(user, recent)
    return {"recent_accounts": recent}


def latest_audit(request, obj=None):
    if not can(request.user, "core.audit"):
        return None
    return {"recent": AuditEntry.objects.all()[:15], "colours": AUDIT_ACTION_COLOURS}


def my_area(request, obj=None):
    user = request.user
    if not can(user, "core.data"):
        return None
    summary = [(Level(level).label, n) for level, n in selectors.area_summary(user).items() if n]
    if not summary:
        return None
    return {"summary": summary, "area": list(user.area.select_related("parent"))}


def places(request, obj=None):
    user = request.user
    if not can(user, "core.home_places") or user.is_superuser and not user.roles:
        return None
    return {"places": [
        {"node": node, "path": node.full_name,
         "grids": node.descendants().filter(level=Level.GRID).count()}
        for node in user.area.select_related("parent")]}


def staff(request, obj=None):
    user = request.user
    if not can(user, "core.home_staff") or user.organisation is None:
        return None
    return {"staff": (Account.objects.filter(organisation__in=user.organisation.enterprise_ids())
                      .prefetch_related("role_rows", "area").order_by("username"))}


def units(request, obj=None):
    """Townships (or the next level down) of the user's area, with their village counts."""
    user = request.user
    if not can(user, "core.home_units") or user.is_superuser and not user.roles:
        return None
    rows = []
    for root in user.area.all():
        for child in selectors.jurisdictions_for(user).filter(parent=root):
            rows.append({"node": child,
                         "villages": child.descendants().filter(level=Level.VILLAGE).count()})
    organisations = selectors.organisations_for(user).exclude(pk=user.organisation_id)[:20]
    return {"units": rows, "organisations": organisations}


def field_work(request, obj=None):
    """An inspector's home starts with the day's work, before the figures: the visits
    other apps booked for it today (the hook "inspections.work_list", rows with "at",
    "title", "where", "url") and the way to its list of households for today. (A courier's
    round is the delivery app's own panel.)"""
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from ranan.core import contract
    from ranan.core.choices import Role

    user = request.user
    if user.is_superuser or Role.INSPECTOR not in user.roles:
        return None
    try:
        list_url = reverse("inspection-home")
    except NoReverseMatch:  # the inspections app is not installed: no work list
        return None
    today = timezone.localdate()
    booked = sorted((row for hook in contract.hooks("inspections.work_list")
                     for row in hook(user, today)), key=lambda row: row["at"])
    return {"today": today, "booked": booked, "list_url": list_url}
