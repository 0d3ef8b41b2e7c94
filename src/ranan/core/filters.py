"""Core lists' query parameters: the audit log, the jurisdiction tree; and the area picker
that pages use for their `jurisdiction` filter instead of a box for a raw division code."""

from __future__ import annotations

from dataclasses import dataclass

from django_filters import rest_framework as filters

from ranan.core import selectors
from ranan.core.choices import AuditAction
from ranan.core.models import AuditEntry, Jurisdiction
from ranan.lib.dates import utc_iso_datetime_filter
from ranan.lib.filters import SelectorFilterSet, meta
from ranan.lib.naturalsort import natural_key


class AuditFilter(SelectorFilterSet):
    account = filters.CharFilter(help_text="username or account id")
    model = filters.CharFilter(help_text="record type, e.g. core.account")
    action = filters.ChoiceFilter(choices=AuditAction.choices)
    since = utc_iso_datetime_filter(help_text="ISO 8601 date-time, inclusive")
    until = utc_iso_datetime_filter(help_text="ISO 8601 date-time, exclusive")

    Meta = meta(AuditEntry)

    def select(self, user, params):
        data = self.form.cleaned_data
        return selectors.audit_entries(
            account=data.get("account") or "", model=data.get("model") or "",
            action=data.get("action") or "", since=data.get("since"), until=data.get("until"))


class JurisdictionFilter(filters.FilterSet):
    """Only documents `parent`: the list reads it itself (a code, or `#<id>`)."""

    parent = filters.CharFilter(method="keep", help_text=(
        "Division code of the parent ('#<id>' for a node without a code); without it, the "
        "top of your area."))

    Meta = meta(Jurisdiction)

    def keep(self, queryset, name, value):
        return queryset


# --- The area picker (issue 15 item 10) ------------------------------------------------------

# A <select> stays usable up to a few hundred lines. An area with more nodes (a province:
# thousands of villages) leaves out its deepest levels (grids, then villages) until it fits;
# those are reached through their parent's page or by the division code in the address.
AREA_OPTIONS = 400


@dataclass(frozen=True)
class AreaOption:
    value: str      # what the pages read: the division code, or #<id> for a node without one
    label: str      # the name, indented by its depth below the account's area
    level: str
    selected: bool


def area_value(node) -> str:
    return node.code or f"#{node.pk}"


def _pick_depth(counts: dict[int, int], limit: int) -> int:
    """The deepest depth whose nodes, with every shallower one, fit in `limit` lines."""
    total, deepest = 0, min(counts)
    for depth in sorted(counts):
        total += counts[depth]
        if total > limit and depth > min(counts):
            break
        deepest = depth
    return deepest


def area_options(user, value: str = "", limit: int = AREA_OPTIONS) -> list[AreaOption]:
    """The account's area as a tree for a <select>: parents before children, siblings as
    people count them (第一网格 before 第二网格), the node named by `value` (a code or #id)
    marked selected. A `value` that names no node of the area is kept as the last option, so
    that the page still shows what was asked and its error."""
    value = (value or "").strip()
    rows = list(selectors.jurisdictions_for(user).values_list("pk", "parent_id", "name", "code",
                                                                "level", "depth"))
    if not rows:
        return [AreaOption(value, value, "", True)] if value else []
    counts: dict[int, int] = {}
    for row in rows:
        counts[row[5]] = counts.get(row[5], 0) + 1
    deepest = _pick_depth(counts, limit)
    wanted = _wanted_pk(rows, value)
    by_pk = {row[0]: row for row in rows}
    ids = set(by_pk)
    keep = set()  # the asked node and its ancestors, however deep
    node = by_pk.get(wanted)
    while node is not None:
        keep.add(node[0])
        node = by_pk.get(node[1])
    children: dict[int | None, list[tuple]] = {}
    for row in rows:
        if row[5] <= deepest or row[0] in keep:
            children.setdefault(row[1] if row[1] in ids else None, []).append(row)
    for siblings in children.values():
        siblings.sort(key=lambda row: natural_key(row[2]))
    top = min(counts)
    out: list[AreaOption] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        pk, _parent, name, code, level, depth = stack.pop()
        out.append(AreaOption(code or f"#{pk}", "\u3000" * (depth - top) + name, level,
                              pk == wanted))
        stack.extend(reversed(children.get(pk, [])))
    if value and wanted is None:
        out.append(AreaOption(value, value, "", True))
    return out


def _wanted_pk(rows, value: str) -> int | None:
    if not value:
        return None
    if value.startswith("#") and value[1:].isdigit():
        pk = int(value[1:])
        return pk if any(row[0] == pk for row in rows) else None
    return next((row[0] for row in rows if row[3] == value), None)
