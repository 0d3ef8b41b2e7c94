"""What a dashboard shows (issue 8): the KPI cards of an area for a period with the change
against the previous period, and the ranking of the child jurisdictions. The pages, the big
screen and the benchmark all call `build`."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from ranan.core import kpis
from ranan.core.choices import Role
from ranan.core.permissions import can
from ranan.hazards import kpis as hazard_kpis

SECTIONS = [
    ("inspection", _("Household inspection")),
    ("unreached", _("Unreached households")),
    ("hazard", _("Hazards")),
    ("escalation", _("Overdue hazards by escalation step")),
    ("device", _("Safety devices")),
    ("cylinder", _("Cylinders")),
    ("delivery", _("Delivery")),
]
# The sections an account sees first: a station's people live on cylinders and delivery. A
# preference of layout, not a permission (every section is there for every data role).
ENTERPRISE_ORDER = ["cylinder", "delivery", "inspection", "hazard", "escalation", "device",
                    "unreached"]
STATION_PEOPLE = frozenset({Role.STATION_MANAGER, Role.ENTERPRISE_ADMIN, Role.COURIER})
AREA_FOLLOWERS = frozenset({Role.REGULATOR, Role.TASK_FORCE})
# The figures of the ranking table (which child is behind).
RANKING = ["inspection_coverage", "entry_success", "rectification_rate", "hazards_overdue",
           "unreached_shut_off", "metal_hose_coverage", "cylinders_overdue"]


def _change(kpi: kpis.Kpi, now: dict, before: dict) -> dict | None:
    if now["value"] is None or before["value"] is None:
        return None
    delta = now["value"] - before["value"]
    if kpi.unit == "ratio":
        delta *= 100  # percentage points
    better = None
    if delta and kpi.higher_is_better is not None:
        better = (delta > 0) == kpi.higher_is_better
    return {"delta": delta, "better": better, "points": kpi.unit == "ratio"}


def own_level(figures: list[dict], children: list[dict], names: list[str]) -> dict | None:
    """The records that lie at the area itself, in none of its children (issue 15 item 4:
    the overdue cylinders at a station that serves the whole district), as a row of the
    ranking table, so that its rows add up to the area's figures. For each KPI whose records
    lie at one node each (not a median, not across a many-to-many path): the area's count
    less its children's. None when no record lies there."""
    if not children:
        return None
    by = {r["name"]: r for r in figures}
    cells = {}
    for name in names:
        kpi = kpis.BY_NAME[name]
        if kpi.multi or kpi.median is not None or name not in by:
            continue
        num = by[name]["numerator"] - sum(c["kpis"][name]["numerator"] for c in children)
        den = None
        if kpi.base is not None:
            den = by[name]["denominator"] - sum(c["kpis"][name]["denominator"]
                                                for c in children)
        if not (num or den):  # nothing of this KPI lies at the area itself: an empty cell
            continue
        value = num if kpi.base is None else (kpi.scale * num / den if den else None)
        cells[name] = {"name": name, "label": str(kpi.label), "unit": kpi.unit,
                       "value": value, "numerator": num, "denominator": den}
    return {"kpis": cells} if cells else None


def section_order(user) -> list[str]:
    """The dashboard's sections in the order this account reads them (a preference)."""
    roles = getattr(user, "roles", set())
    if not user.is_superuser and roles & STATION_PEOPLE and not roles & AREA_FOLLOWERS:
        return ENTERPRISE_ORDER
    return [s for s, _label in SECTIONS]


def build(user, node, start: datetime.date, end: datetime.date,
          rank_by: str = "inspection_coverage", today: datetime.date | None = None) -> dict:
    now = kpis.compute(user, node.path, start, end, today=today)
    p_start, p_end = kpis.previous_period(start, end)
    before = {r["name"]: r for r in kpis.compute(user, node.path, p_start, p_end, today=today)}
    cards = []
    for row in now:
        kpi = kpis.BY_NAME[row["name"]]
        cards.append({**row, "kpi": kpi, "section": kpi.section, "previous": before[row["name"]],
                      "change": _change(kpi, row, before[row["name"]])})
    labels = dict(SECTIONS)
    sections = [{"key": s, "label": labels[s], "cards": [c for c in cards if c["section"] == s]}
                for s in section_order(user)]
    # A section none of whose KPIs concern the account's organisation is left out.
    sections = [s for s in sections if s["cards"]]
    children = kpis.breakdown(user, node, start, end, RANKING, today=today)
    rank = kpis.BY_NAME[rank_by]

    def key(child):
        value = child["kpis"][rank_by]["value"]
        if value is None:
            return (1, 0)
        return (0, value if rank.higher_is_better is not False else -value)
    children.sort(key=key)
    here = own_level(now, children, RANKING)
    # Rectification by hazard category (issue 14), each number linking to its hazards: for
    # those who read hazards (the drill-down is a hazards page).
    categories = (hazard_kpis.table(user, node, start, end, today=today)
                  if can(user, "hazards.read") else None)
    return {"node": node, "start": start, "end": end, "previous": (p_start, p_end),
            "cards": cards, "sections": sections, "children": children, "here": here,
            "rank_by": rank_by,
            "ranking": [kpis.BY_NAME[n] for n in kpis.names_for(user, RANKING)],
            "categories": categories}
