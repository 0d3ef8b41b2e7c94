"""The one place that decides which rows an account may see.

Every list, detail, API endpoint, dashboard and export calls `visible(queryset, user)`
(usually through `Model.objects.visible_to(user)`). Rules (DOMAIN.md, "Who uses it"):

- a superuser sees everything;
- an account sees the subtrees of its area nodes, and nothing when it has no area;
- enterprise staff (pipeline gas company, LPG company, LPG station) additionally see only
  their enterprise's records: a company sees its stations' records, a station only its own;
- an account with no data role (the auditor) sees no domain data at all.

A record outside the result is answered with 404 by the caller, never 403.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ranan.core import contract
from ranan.core.models import ScopeSpec, subtree_q


def area_q(lookup: str, paths: list[str]) -> Q:
    """Rows whose jurisdiction path lies under any of `paths`."""
    q = Q(pk__in=[])
    for path in paths:
        q |= subtree_q(lookup, path)
    return q


def enterprise_ids(user) -> set[int] | None:
    """The organisation ids an enterprise account is limited to, or None when not limited."""
    org = user.organisation
    if org is None or not org.is_enterprise:
        return None
    return org.enterprise_ids()


def visible(queryset: QuerySet, user) -> QuerySet:
    spec: ScopeSpec | None = getattr(queryset.model, "scope", None)
    if spec is None:
        raise TypeError(f"{queryset.model.__name__} declares no scope: it cannot be scoped.")
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if not user.roles & contract.data_roles():
        return queryset.none()
    paths = user.area_paths
    if not paths:
        return queryset.none()
    condition = area_q(spec.path, paths)
    ids = enterprise_ids(user)
    if ids is not None and spec.enterprise:
        enterprise = Q(pk__in=[])
        for lookup in spec.enterprise:
            enterprise |= Q(**{f"{lookup}__in": ids})
        condition &= enterprise
    if spec.multi:
        # Filter by id through a subquery rather than distinct(): keeps ordering and
        # aggregation on the outer query intact.
        inner = queryset.model._base_manager.filter(condition).values("pk")
        return queryset.filter(pk__in=inner)
    return queryset.filter(condition)
