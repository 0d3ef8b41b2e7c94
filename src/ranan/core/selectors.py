"""Reads of the core app, always scoped to the reading account."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ranan.core.choices import Level
from ranan.core.models import Account, AuditEntry, Jurisdiction, Organisation


def jurisdictions_for(user):
    return Jurisdiction.objects.visible_to(user)


def jurisdiction_children(user, parent: Jurisdiction | None):
    """Children of `parent` the user may see; without a parent, the roots of the user's area."""
    qs = jurisdictions_for(user)
    if parent is not None:
        return qs.filter(parent=parent)
    if user.is_superuser:
        return qs.filter(parent__isnull=True)
    return qs.filter(pk__in=user.area.values("pk"))


def area_summary(user) -> dict[str, int]:
    """How many nodes of each level the user's area holds (home pages)."""
    counts = dict(
        jurisdictions_for(user).values_list("level").annotate(n=Count("id")).values_list("level", "n")
    )
    return {level: counts.get(level, 0) for level in Level.values}


def organisations_for(user):
    return Organisation.objects.visible_to(user).select_related("parent")


def manageable(queryset, user):
    """The rows of `queryset` (accounts, organisations, area nodes) `user` manages accounts
    among: what it sees (`visible_to`), or for a security administrator, who sees no domain
    data (三员分立), the rows in its area alone."""
    from ranan.core.choices import Role
    from ranan.core.scoping import area_q

    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser or Role.SECURITY_ADMIN not in user.roles:
        return queryset.visible_to(user)
    spec = queryset.model.scope
    if not user.area_paths:
        return queryset.none()
    condition = area_q(spec.path, user.area_paths)
    if spec.multi:
        return queryset.filter(pk__in=queryset.model._base_manager.filter(condition).values("pk"))
    return queryset.filter(condition)


def accounts_for(user):
    return (
        manageable(Account.objects.all(), user)
        .select_related("organisation")
        .prefetch_related("role_rows", "area")
    )


def audit_entries(*, account: str = "", model: str = "", action: str = "",
                  since: datetime.datetime | None = None, until: datetime.datetime | None = None,
                  q: str = ""):
    """The audit log, filtered. Callers check the auditor role first."""
    qs = AuditEntry.objects.all()
    if account:
        qs = qs.filter(actor_username__iexact=account) if not account.isdigit() else qs.filter(
            Q(actor_id=int(account)) | Q(actor_username=account))
    if model:
        qs = qs.filter(model=model.lower())
    if action:
        qs = qs.filter(action=action)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    if q:
        qs = qs.filter(Q(object_repr__icontains=q) | Q(object_pk=q) | _personal_q(q))
    return qs


def _personal_q(q: str) -> Q:
    """A known phone or ID number finds the entries where it was written: the log keeps its
    keyed hash, never the number (issue 16)."""
    from django.core.exceptions import ValidationError

    from ranan.lib import masking, normalise

    for clean in (normalise.phone, normalise.id_number):
        try:
            value = clean(q)
        except (ValueError, ValidationError):
            continue
        if value:
            return Q(changes__icontains=masking.keyed_hash(value))
    return Q(pk__in=[])


def jurisdiction_by_code(user, code: str) -> Jurisdiction | None:
    """A jurisdiction the account sees, by its division code (or `#<id>` for a node without
    one); None when unknown or out of the account's area."""
    code = (code or "").strip()
    nodes = Jurisdiction.objects.visible_to(user)
    if code.startswith("#") and code[1:].isdigit():
        return nodes.filter(pk=int(code[1:])).first()
    if code.isdigit():
        return nodes.filter(code=code).first()
    return None

def asked_area(user, params) -> tuple[Jurisdiction | None, str]:
    """The jurisdiction a page is asked for (`jurisdiction`: a division code or #<id>), or the
    account's first area: (the node, "") or (None, the reason)."""
    code = (params.get("jurisdiction") or "").strip()
    if code:
        node = jurisdiction_by_code(user, code)
        if node is None:
            return None, _("Unknown area code “%(code)s”.") % {"code": code}
        return node, ""
    node = user.area.order_by("path").first()
    if node is None and user.is_superuser:
        node = Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first()
    return node, ""

