"""Stored KPI counts (issue 8's summary table, `reports.Figure`), kept current incrementally.

A jurisdiction's figure over a period is the sum of its own records' counts and its children's
figures: every record the KPIs count (customers, devices, visits, measures, hazards, orders)
lies at exactly one node of the tree, its `jpath`. So a stored figure of a node stays right as
long as nothing under it changed, which its version tells (`versions`): database triggers
insert a `core.KpiChange` row for the changed record's node and each of its ancestors, in the
writing transaction, and a node's version is the sum of its rows' weights.

Reading a figure: the node's stored row, if its version is the node's current one. Otherwise
the stale nodes of the subtree (a chain of ancestors above each change) are recomputed: their
own records are counted with the catalogue's querysets grouped by `jpath` (one grouped query
per record set, limited to the stale nodes), and their totals summed bottom-up from the
current children's rows. A province whose one community changed recomputes ~6 small rows.

Only the KPIs whose records lie at one node by a `jpath` column are stored (`MEMO`):
interlock refusals follow a station's areas (a station may serve several); overdue cylinders
lie at one node (where each one is, issue 15) but their place is computed, not a column the
triggers see change, and a cylinder falls due with no write at all; of a median only the count
is stored (a median does not add up). The catalogue computes the rest from the records each
time.

Stored figures are the truth for accounts that see every record of the node (regulators, task
forces, administrators). Enterprise staff see only their company's records: their figures
are computed from the records (`eligible`).
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from ranan.core import contract, kpis
from ranan.core.models import Jurisdiction, KpiChange
from ranan.core.scoping import enterprise_ids
from ranan.reports.models import Figure

MEMO = [k for k in kpis.catalogue() if k.name in kpis.stored_names()]
# Which definitions a stored row was computed with: the stored counts' names and REVISION.
# Bump REVISION when a stored KPI's definition changes; rows of another schema are stale.
REVISION = 2  # 2: refused checks at the door count on the ladder; sealed valves count shut
SCHEMA = hashlib.sha1(f"{REVISION}:{sorted(k.name for k in MEMO)}".encode()).hexdigest()[:16]
# Above this many stale nodes, their own records are counted over the whole subtree at once
# (a grouped scan) rather than through a list of paths.
LIST_LIMIT = 500


def eligible(user) -> bool:
    if user.is_superuser:
        return True
    return bool(user.roles & contract.data_roles()) and enterprise_ids(user) is None


def parts():
    """(key, kpi, record set) of every stored count."""
    for kpi in MEMO:
        yield f"{kpi.name}:n", kpi, kpi.records
        if kpi.base is not None:
            yield f"{kpi.name}:d", kpi, kpi.base


def _direct(user, top: str, start, end, today, paths: list[str] | None) -> dict[str, dict]:
    """The counts of the records attached to each node (`jpath` equal to its path)."""
    ctx = kpis.Context(user, top, start, end, today)
    out: dict[str, dict] = defaultdict(dict)
    for key, _kpi, fn in parts():
        qs = fn(ctx).order_by()
        if paths is not None:
            qs = qs.filter(jpath__in=paths)
        grouped = qs.values("jpath").annotate(n=Count("pk")).values_list("jpath", "n")
        rows = ctx.once(("direct", str(grouped.query)), lambda g=grouped: dict(g))
        for path, n in rows.items():
            out[path][key] = n
    return out


def _versions(where: Q) -> dict[str, int]:
    """The version of each node (the sum of its changes' weights; 0 when never changed)."""
    return dict(KpiChange.objects.filter(where).order_by().values("path")
                .annotate(n=Sum("weight")).values_list("path", "n"))


def compact() -> int:
    """Fold the change rows of each node into one (their weights summed: versions stay as
    they were). Rows written meanwhile by open transactions are left for the next time."""
    last = KpiChange.objects.aggregate(m=Max("id"))["m"]
    if last is None:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "WITH gone AS (DELETE FROM core_kpichange WHERE id <= %s RETURNING path, weight) "
                "INSERT INTO core_kpichange (path, weight) SELECT path, sum(weight) FROM gone "
                "GROUP BY path", [last])
        else:  # SQLite: one writer at a time, the transaction holds the write lock
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS ranan_folded (path TEXT, weight INT)")
            cursor.execute("DELETE FROM ranan_folded")
            cursor.execute("INSERT INTO ranan_folded SELECT path, sum(weight) FROM "
                           "core_kpichange WHERE id <= %s GROUP BY path", [last])
            cursor.execute("DELETE FROM core_kpichange WHERE id <= %s", [last])
            cursor.execute("INSERT INTO core_kpichange (path, weight) SELECT path, weight "
                           "FROM ranan_folded")
        return cursor.rowcount


def _window(start, end, today):
    return {"start": start, "end": end, "asof": min(today or timezone.localdate(), end)}


def _chunks(items: list, size: int = 10000):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _stale_below(node, window) -> tuple[list[str], dict[str, int], dict[str, list[str]]]:
    """Walk down from `node`, level by level. A node whose stored row is current has a
    current subtree (a change moves the versions of all its ancestors, and a row is computed
    from current children), so only the children of stale nodes are looked at, and the
    node's own children (one of them may be new). Returns the stale paths, their versions
    (read before any counting: a write committed later leaves the rows written now stale)
    and the children of each stale node."""
    stale: list[str] = []
    versions: dict[str, int] = {}
    children: dict[str, list[str]] = defaultdict(list)
    level, first = [node.path], True
    while level:
        found = []
        for chunk in _chunks(level):
            current = _versions(Q(path__in=chunk))
            stored = dict(Figure.objects.filter(path__in=chunk, schema=SCHEMA, **window)
                          .values_list("path", "version"))
            for path in chunk:
                if stored.get(path) != current.get(path, 0):
                    found.append(path)
                    versions[path] = current.get(path, 0)
        stale += found
        parents = found if not first else [node.path]
        first = False
        level = []
        for chunk in _chunks(parents):
            for path, parent in (Jurisdiction.objects.filter(parent__path__in=chunk)
                                 .values_list("path", "parent__path")):
                children[parent].append(path)
                level.append(path)
    return stale, versions, children


def refresh(user, node, start: datetime.date, end: datetime.date,
            today: datetime.date | None = None) -> int:
    """Recompute the stale or missing rows of `node`'s subtree; returns how many."""
    window = _window(start, end, today)
    stale, versions, children = _stale_below(node, window)
    if not stale:
        return 0
    direct = _direct(user, node.path, start, end, window["asof"],
                     None if len(stale) > LIST_LIMIT else stale)
    stale_set = set(stale)
    current = [c for p in stale for c in children[p] if c not in stale_set]
    totals: dict[str, dict] = {}
    for chunk in _chunks(current):
        totals.update(Figure.objects.filter(path__in=chunk, schema=SCHEMA, **window)
                      .values_list("path", "counts"))
    rows = []
    for path in sorted(stale, key=len, reverse=True):  # the deepest first
        own = direct.get(path, {})
        total = dict(own)
        for child in children[path]:
            for key, n in totals.get(child, {}).items():
                total[key] = total.get(key, 0) + n
        totals[path] = total
        rows.append(Figure(path=path, version=versions.get(path, 0), schema=SCHEMA, direct=own,
                           counts=total, **window))
    Figure.objects.bulk_create(rows, batch_size=2000, update_conflicts=True,
                               unique_fields=["start", "end", "asof", "path"],
                               update_fields=["version", "schema", "direct", "counts",
                                              "computed_at"])
    return len(rows)


def kpi_counts(user, node, start, end, today=None, with_children=False):
    """The hook "core.kpi_counts": the stored counts when they hold for this account (it sees
    every record of the node), else None (the catalogue counts the records)."""
    if not eligible(user):
        return None
    return counts(user, node, start, end, today, with_children)


def counts(user, node, start: datetime.date, end: datetime.date,
           today: datetime.date | None = None, with_children: bool = False):
    """The stored counts of `node` (and of each child, by path), refreshed when stale."""
    window = _window(start, end, today)
    paths = [node.path]
    if with_children:
        paths += list(Jurisdiction.objects.filter(parent=node).values_list("path", flat=True))
    for _attempt in range(2):
        versions = _versions(Q(path__in=paths))
        rows = {p: (v, c) for p, v, c in Figure.objects.filter(path__in=paths, schema=SCHEMA,
                                                                **window)
                .values_list("path", "version", "counts")}
        if all(p in rows and rows[p][0] == versions.get(p, 0) for p in paths):
            break
        refresh(user, node, start, end, today)
    # A write between the refresh and this read leaves a row one version behind: it still
    # holds the figures as of the refresh, which is what a read at that moment would give.
    own = rows[node.path][1] if node.path in rows else {}
    return own, {p: rows[p][1] for p in paths[1:] if p in rows}


def prune(before: datetime.date) -> int:
    """Forget the figures of periods that ended before `before` and were computed as of
    their end (kept for the weekly charts and briefings until then)."""
    return Figure.objects.filter(end__lt=before).delete()[0]
