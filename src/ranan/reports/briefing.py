"""The weekly briefing (工作简报, issue 8; the Qinghai seed is the model): the figures of a
jurisdiction's week gathered once into a snapshot, the short text of each section written
from those figures in the reader's language, and the two documents, PDF and .xlsx.

The snapshot holds numbers only (KPI rows, per-child rows, hazard counts); labels and
sentences are produced when the document is rendered, so one stored issue reads in Chinese
or English and always shows the same figures.
"""

from __future__ import annotations

import datetime
import io
import math

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ranan.core import kpis
from ranan.core.models import Jurisdiction, subtree_q
from ranan.lib import safe_output
from ranan.lib.safe_output import markup

# Headline figures of the week (the KPI catalogue's names), each beside the same figure of the
# previous week: the same KPIs, the same area, the seven days before.
HEADLINE = ["inspection_coverage", "households_reached", "entry_success", "hazards_found",
            "hazards_closed", "rectification_rate", "metal_hose_coverage",
            "self_closing_valve_coverage", "regulator_cutoff_coverage", "alarm_coverage",
            "cylinders_overdue", "interlock_refusals", "deliveries_checked_rate", "valves_shut"]
# Hazards whenever found, as they stand the day the issue is generated: the catalogue's own
# KPIs over the period SINCE .. that day, so that /api/v1/kpis/?from=SINCE&to=<as of> gives
# the same numbers. (The catalogue's "overdue hazards" of the week alone, those found in the
# week and already past their deadline, is nearly always 0 and read as "nothing is overdue":
# the briefing shows the overdue hazards of the area instead.)
SINCE = datetime.date(2000, 1, 1)
STEPS = [f"hazards_overdue_step_{s}" for s in (4, 3, 2, 1, 0)]
TO_DATE = ["hazards_open", "hazards_overdue", *STEPS]
# The per-child table: few columns, so that a province's table stays readable (and cheap).
CHILD = ["inspection_coverage", "households_reached", "hazards_found", "hazards_closed",
         "rectification_rate", "metal_hose_coverage"]
CHILD_TO_DATE = ["hazards_overdue"]
# Overdue hazards listed by name in the document (the counts by step cover all of them).
OVERDUE_LISTED = 50


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def last_week(today: datetime.date | None = None) -> datetime.date:
    """The Monday of the last week that has ended."""
    today = today or timezone.localdate()
    return monday_of(today) - datetime.timedelta(days=7)


def _rows(user, path, start, end, names, today=None) -> dict[str, dict]:
    rows = kpis.compute(user, path, start, end, names, today=today)
    return {r["name"]: {k: r[k] for k in ("value", "numerator", "denominator", "unit")}
            for r in rows}


def _breakdown(user, node, start, end, names, today) -> dict[int, dict]:
    return {c["id"]: {"code": c.get("code") or "", "name": c["name"],
                      "kpis": {n: {k: r.get(k) for k in ("value", "numerator", "denominator",
                                                          "unit")}
                               for n, r in c["kpis"].items() if n in names}}
            for c in kpis.breakdown(user, node, start, end, names=names, today=today)}


def _children(user, node: Jurisdiction, start, end, today) -> list[dict]:
    """One row per child jurisdiction: the catalogue's breakdown (one computation for all
    children) of the week, and of the hazards whenever found (as the headline's)."""
    week = _breakdown(user, node, start, end, CHILD, today)
    to_date = _breakdown(user, node, SINCE, today, CHILD_TO_DATE, today)
    return [{"id": pk, "code": row["code"], "name": row["name"], "kpis": row["kpis"],
             "to_date": to_date.get(pk, {}).get("kpis", {})} for pk, row in week.items()]


def _overdue_list(user, node: Jurisdiction, today) -> list[dict]:
    """The most overdue hazards of the area by name (the counts by step cover all of them)."""
    from ranan.hazards.choices import ESCALATING
    from ranan.hazards.selectors import hazards_for, overdue_q

    listed = (hazards_for(user).filter(subtree_q("jpath", node.path)).filter(overdue_q(today))
              .filter(state__in=list(ESCALATING))
              .select_related("category", "customer", "jurisdiction")
              .order_by("-escalation", "deadline", "id")[:OVERDUE_LISTED])
    return [{"id": h.pk, "step": h.escalation, "category": h.category.name,
             "category_en": h.category.name_en, "grade": h.grade,
             "where": h.jurisdiction.name, "deadline": h.deadline.isoformat(),
             "days_late": (today - h.deadline).days} for h in listed]


def gather(user, node: Jurisdiction, week_start: datetime.date,
           today: datetime.date | None = None) -> dict:
    """The figures of one issue, as stored in `Briefing.snapshot` (version 2): every number
    is a KPI of the catalogue, so the API answers the same for the same area and period."""
    today = today or timezone.localdate()
    end = week_start + datetime.timedelta(days=6)
    previous = week_start - datetime.timedelta(days=7)
    return {
        "version": 2,
        "jurisdiction": {"id": node.pk, "code": node.code or "", "name": node.name,
                         "level": str(node.level)},
        "week_start": week_start.isoformat(), "week_end": end.isoformat(),
        "previous_start": previous.isoformat(), "since": SINCE.isoformat(),
        "as_of": today.isoformat(),
        "headline": _rows(user, node.path, week_start, end, HEADLINE, today),
        "previous": _rows(user, node.path, previous, previous + datetime.timedelta(days=6),
                          HEADLINE, today),
        "to_date": _rows(user, node.path, SINCE, today, TO_DATE, today),
        "children": _children(user, node, week_start, end, today),
        "hazards": {"overdue_list": _overdue_list(user, node, today)},
        # Neither campaigns nor training sessions have a model yet (issue 8 says "when
        # campaigns exist", "when recorded"): the sections are left out, never faked.
        "campaigns": None,
        "training": None,
    }


def _count_row(n) -> dict:
    return {"value": n, "numerator": n, "denominator": None, "unit": "count"}


def upgraded(snap: dict) -> dict:
    """A snapshot of version 1 (before issue 15) in the shape of version 2, its figures as
    they were stored: the hazards' totals as of the day it was generated become the figures
    "whenever found"; what version 1 did not store stays empty ("—")."""
    if snap.get("version", 1) >= 2:
        return snap
    hz = snap.get("hazards") or {}
    to_date = {"hazards_open": _count_row(hz.get("outstanding")),
               "hazards_overdue": _count_row(hz.get("overdue"))}
    for row in hz.get("by_step") or []:
        to_date[f"hazards_overdue_step_{row['step']}"] = _count_row(row["n"])
    return {**snap, "version": 2, "to_date": to_date,
            "children": [{**c, "to_date": {}} for c in snap.get("children") or []],
            "hazards": {"overdue_list": hz.get("overdue_list") or []}}


# --- Rendering helpers (in the active language) -------------------------------------------


# The briefing's own labels where the catalogue's would not say what the figure counts next
# to the others: which hazards, and on which day a state is taken.
LABELS = {
    "hazards_found": gettext_lazy("Hazards found in the week"),
    "hazards_closed": gettext_lazy("Hazards closed, of those found in the week"),
    "rectification_rate": gettext_lazy("Rectification rate, of the hazards found in the week"),
    "cylinders_overdue": gettext_lazy("Cylinders overdue in circulation at the week's end"),
}
# The figures of the hazards whenever found, as of the day the issue was generated.
TO_DATE_LABELS = {
    "hazards_open": gettext_lazy("Hazards still open on %(day)s (whenever found)"),
    "hazards_overdue": gettext_lazy("Of them, past their deadline on %(day)s"),
}


CHILD_OVERDUE = gettext_lazy("Overdue hazards on the day of the figures (whenever found)")
STEPS_HEADING = gettext_lazy("Of them, by escalation step")


def label(name: str) -> str:
    if name in LABELS:
        return str(LABELS[name])
    kpi = kpis.BY_NAME.get(name)
    return str(kpi.label) if kpi else name


def to_date_label(name: str, day) -> str:
    return str(TO_DATE_LABELS[name]) % {"day": _date(day)}


def fmt(row: dict | None) -> str:
    """A figure for reading: a ratio as a percentage, hours with one decimal; "—" for a
    figure without data (no denominator), never a division by zero."""
    if not row or row.get("value") is None:
        return "—"
    value = row["value"]
    if row.get("unit") == "ratio":
        return f"{value * 100:.1f}%"
    if row.get("unit") == "hours":
        return f"{value:.1f}"
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def change(name: str, snap: dict) -> str:
    """The change against the previous week: percentage points for a ratio, a difference
    for a count; "" when either week has no data."""
    now, before = snap["headline"].get(name), snap["previous"].get(name)
    if not now or not before or now.get("value") is None or before.get("value") is None:
        return ""
    if now.get("unit") == "ratio":
        # From the percentages as printed, so that the three columns add up as read.
        points = round(now["value"] * 100, 1) - round(before["value"] * 100, 1)
        return f"{points:+.1f} pp" if abs(points) >= 0.05 else "±0"
    diff = now["value"] - before["value"]
    return f"{diff:+,}" if diff else "±0"


def step_label(step: int) -> str:
    from ranan.hazards.choices import Step

    return str(Step(step).label)


def category_name(row: dict) -> str:
    english = (translation.get_language() or "").startswith("en")
    return row.get("category_en") if english and row.get("category_en") else row["category"]


def title(number: int) -> str:
    return _("Gas safety task force work briefing, issue %(number)s") % {"number": number}


def default_title(briefing) -> str:
    """The title of a briefing whose task force wrote none, in the reader's language."""
    if briefing.number is None:
        return _("Gas safety task force work briefing, week of %(start)s") % {
            "start": _date(briefing.week_start)}
    return title(briefing.number)


def issuer(briefing, area: str) -> str:
    """The issuing body printed under the masthead: as issued (copied from the setting), the
    jurisdiction's setting for a draft, else the area's task force."""
    from ranan.reports.models import BriefingSetting

    name = briefing.issuer
    if not name and briefing.number is None:
        name = BriefingSetting.objects.filter(jurisdiction_id=briefing.jurisdiction_id
                                              ).values_list("issuer", flat=True).first() or ""
    return name or _("%(area)s gas safety task force") % {"area": area}


def masthead_number(briefing) -> str:
    if briefing.number is None:
        return _("Draft, not issued")
    return _("Issue %(number)s") % {"number": briefing.number}


def document_day(briefing) -> datetime.date:
    """The date printed on the document: the day it was issued, the day it was generated for a
    draft."""
    return timezone.localtime(briefing.issued_at or briefing.created_at).date()


def texts(snap: dict) -> dict[str, str]:
    """The short text of each section, filled from the figures."""
    h = snap["headline"]
    out = {}
    coverage, reached = h.get("inspection_coverage", {}), h.get("households_reached", {})
    before = snap["previous"].get("inspection_coverage", {})
    args = {"reached": fmt(reached), "coverage": fmt(coverage)}
    if coverage.get("value") is None:
        out["headline"] = _("In the week %(reached)s households were inspected; there are no "
                            "active households to compute the coverage.") % args
    elif before.get("value") is None:
        out["headline"] = _("In the week %(reached)s households were inspected, an inspection "
                            "coverage of %(coverage)s.") % args
    else:
        points = round(coverage["value"] * 100, 1) - round(before["value"] * 100, 1)
        args["points"] = f"{abs(points):.1f}"
        if points >= 0.05:
            out["headline"] = _("In the week %(reached)s households were inspected, an "
                                "inspection coverage of %(coverage)s, up %(points)s "
                                "percentage points on the previous week.") % args
        elif points <= -0.05:
            out["headline"] = _("In the week %(reached)s households were inspected, an "
                                "inspection coverage of %(coverage)s, down %(points)s "
                                "percentage points on the previous week.") % args
        else:
            out["headline"] = _("In the week %(reached)s households were inspected, an "
                                "inspection coverage of %(coverage)s, the same as the "
                                "previous week.") % args
    out["devices"] = _("Metal hose coverage %(hose)s, self-closing valves %(valve)s, gas "
                       "alarms %(alarm)s; %(refusals)s cylinder scans were refused at the "
                       "station by the filling interlock, and %(overdue)s cylinders in "
                       "circulation are overdue.") % {
        "hose": fmt(h.get("metal_hose_coverage")),
        "valve": fmt(h.get("self_closing_valve_coverage")),
        "alarm": fmt(h.get("alarm_coverage")),
        "refusals": fmt(h.get("interlock_refusals")),
        "overdue": fmt(h.get("cylinders_overdue"))}
    children = [c for c in snap["children"]
                if c["kpis"].get("inspection_coverage", {}).get("value") is not None]
    if not snap["children"]:
        out["children"] = _("This jurisdiction has no lower-level jurisdictions.")
    elif not children:
        out["children"] = _("No lower-level jurisdiction has active households to compute "
                            "the coverage.")
    else:
        ranked = sorted(children, key=lambda c: c["kpis"]["inspection_coverage"]["value"])
        joiner = ", " if (translation.get_language() or "").startswith("en") else "、"
        high = ranked[-1]
        args = {"high": high["name"], "high_value": fmt(high["kpis"]["inspection_coverage"])}
        if len(ranked) == 1:
            out["children"] = _("Inspection coverage of %(high)s: %(high_value)s.") % args
        else:
            # The (up to three) lowest, never the highest among them.
            args["low"] = joiner.join(_("%(name)s (%(value)s)") % {
                "name": c["name"], "value": fmt(c["kpis"]["inspection_coverage"])}
                for c in ranked[:-1][:3])
            out["children"] = _("Highest inspection coverage: %(high)s (%(high_value)s). "
                                "Lowest: %(low)s.") % args
    to_date = snap["to_date"]
    out["hazards"] = _("On %(day)s, %(open)s hazards of the area were still open, whenever "
                       "they were found; %(overdue)s of them were past their deadline.") % {
        "day": _date(snap["as_of"]), "open": fmt(to_date.get("hazards_open")),
        "overdue": fmt(to_date.get("hazards_overdue"))}
    out["campaigns"] = _("No campaign is recorded in Ranan yet: campaign progress is left out "
                         "of this issue.")
    out["training"] = _("No training session is recorded in Ranan yet: training held is left "
                        "out of this issue.")
    return out


def sections(briefing) -> dict:
    """Everything a page, the PDF and the workbook show, in the active language."""
    snap = upgraded(briefing.snapshot)
    headline = [{"name": n, "label": label(n), "value": fmt(snap["headline"].get(n)),
                 "previous": fmt(snap["previous"].get(n)) if n in snap["previous"] else "",
                 "change": change(n, snap) if n in snap["previous"] else "",
                 "row": snap["headline"].get(n)} for n in HEADLINE if n in snap["headline"]]
    as_of = snap["as_of"]
    child_columns = [(n, label(n)) for n in CHILD] + [("to_date:hazards_overdue",
                                                      str(CHILD_OVERDUE))]
    notes = briefing.notes or {}
    children = [{"name": c["name"], "code": c["code"], "id": c["id"],
                 "cells": [fmt(c["kpis"].get(n)) for n in CHILD]
                 + [fmt(c["to_date"].get(n)) for n in CHILD_TO_DATE],
                 "kpis": c["kpis"], "to_date": c["to_date"],
                 "note": notes.get(str(c["id"]), "")}
                for c in snap["children"]]
    to_date = snap["to_date"]
    overdue_row = to_date.get("hazards_overdue") or {}
    hz = {"open": fmt(to_date.get("hazards_open")), "overdue": fmt(overdue_row),
          "overdue_n": overdue_row.get("value") or 0,
          "open_label": to_date_label("hazards_open", as_of),
          "overdue_label": to_date_label("hazards_overdue", as_of)}
    steps = [{"step": int(n.rsplit("_", 1)[1]), "label": step_label(int(n.rsplit("_", 1)[1])),
              "n": fmt(to_date.get(n))} for n in STEPS]
    overdue = [{**r, "category_label": category_name(r), "step_label": step_label(r["step"])}
               for r in snap["hazards"]["overdue_list"]]
    area = snap["jurisdiction"]["name"]
    return {"title": briefing.title or default_title(briefing), "headline": headline,
            "child_columns": child_columns, "children": children, "hazards": hz,
            "steps": steps, "overdue": overdue, "texts": texts(snap),
            "week_start": briefing.week_start, "week_end": briefing.week_end,
            "jurisdiction": area, "as_of": as_of,
            "number": masthead_number(briefing), "issuer": issuer(briefing, area),
            "day": document_day(briefing), "lead": briefing.lead or "",
            "reported_to": list(briefing.reported_to or []),
            "copied_to": list(briefing.copied_to or []), "drafter": briefing.drafter or "",
            "draft": briefing.number is None,
            "labels": {"steps": str(STEPS_HEADING)}}


def recipients_line(names: list[str]) -> str:
    joiner = ", " if (translation.get_language() or "").startswith("en") else "、"
    return joiner.join(names)


# --- PDF ------------------------------------------------------------------------------------


def axis_top(peak: float) -> float:
    """The top of a value axis for values up to `peak` (in %): the next 1, 2 or 5 times a
    power of ten above it, at most 100, so that values of 0-3 % fill the chart."""
    if peak <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(peak))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * step >= peak * 1.1:
            return min(100.0, factor * step)
    return 100.0


def _coverage_chart(children: list[dict], font: str, width: float):
    """A bar chart of inspection coverage (%) per child jurisdiction: one horizontal bar each,
    its value written at its end, the axis scaled to the values."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    rows = children[:30]
    values = [round((c["kpis"].get("inspection_coverage", {}).get("value") or 0) * 100, 1)
              for c in rows]
    bar = 14
    height = 40 + bar * len(rows)
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 90, 18
    chart.width, chart.height = width - 130, bar * len(rows)
    # Top to bottom in the table's order (the chart draws the first category at the bottom).
    chart.data = [list(reversed(values))]
    top = axis_top(max(values or [0]))
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = top / 5
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: f"{v:g}"
    chart.categoryAxis.categoryNames = [c["name"][:10] for c in reversed(rows)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.bars[0].fillColor = colors.HexColor("#206bc4")
    chart.barWidth = bar * 0.6
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    drawing.add(String(0, height - 12, _("Inspection coverage by jurisdiction (%)"),
                       fontName=font, fontSize=10))
    return drawing


def pdf(briefing) -> bytes:
    """The issue as an A4 PDF in the layout of the seed: red masthead with the issue number,
    the issuing body and the date, then one titled section each with its text and table."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        HRFlowable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from ranan.lib.pdf import cjk_font

    font = cjk_font()
    s = sections(briefing)
    red = colors.HexColor("#c00000")
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK",
                          firstLineIndent=21)
    mast = ParagraphStyle("mast", parent=base, fontSize=30, leading=38, alignment=TA_CENTER,
                          textColor=red, firstLineIndent=0)
    centred = ParagraphStyle("centred", parent=base, alignment=TA_CENTER, firstLineIndent=0)
    heading = ParagraphStyle("heading", parent=base, fontSize=13, leading=20, spaceBefore=8,
                             spaceAfter=4, firstLineIndent=0)
    cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11, firstLineIndent=0)

    def table(rows, widths, header=True):
        data = [[Paragraph(markup(v), cell) for v in row] for row in rows]
        t = Table(data, colWidths=widths, repeatRows=1 if header else 0)
        t.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3fa")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        return t

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm,
                            title=s["title"], author="Ranan")
    width = A4[0] - 40 * mm
    esc = _escape
    story = [
        Paragraph(esc(_("Work briefing")), mast),
        Paragraph(esc(s["number"]), centred),
        Spacer(1, 3 * mm),
        Table([[Paragraph(esc(s["issuer"]), ParagraphStyle("l", parent=cell, fontSize=10.5)),
                Paragraph(esc(_date(s["day"])),
                          ParagraphStyle("r", parent=cell, fontSize=10.5, alignment=2))]],
              colWidths=[width * 0.6, width * 0.4]),
        HRFlowable(width="100%", thickness=1.5, color=red, spaceBefore=2, spaceAfter=6),
        Paragraph(esc(s["title"]), ParagraphStyle("t", parent=heading, alignment=TA_CENTER,
                                                  fontSize=15)),
        Paragraph(esc(_("Week of %(start)s to %(end)s") % {
            "start": _date(s["week_start"]), "end": _date(s["week_end"])}), centred),
        *[Paragraph(esc(p), base) for p in _paragraphs(s["lead"])],
        Paragraph("1. " + esc(_("Headline figures of the week")), heading),
        Paragraph(esc(s["texts"]["headline"]), base),
        Paragraph(esc(s["texts"]["devices"]), base),
        Spacer(1, 2 * mm),
        table([[_("Figure"), _("This week"), _("Previous week"), _("Change")]]
              + [[r["label"], r["value"], r["previous"], r["change"]] for r in s["headline"]],
              [width * 0.46, width * 0.18, width * 0.18, width * 0.18]),
        Paragraph("2. " + esc(_("By jurisdiction")), heading),
        Paragraph(esc(s["texts"]["children"]), base),
    ]
    if s["children"]:
        n = len(s["child_columns"])
        first = width * 0.2
        story += [Spacer(1, 2 * mm), _coverage_chart(s["children"], font, width), table(
            [[_("Jurisdiction")] + [lbl for _n, lbl in s["child_columns"]]]
            + [[c["name"], *c["cells"]] for c in s["children"]],
            [first] + [(width - first) / n] * n)]
        story += [Spacer(1, 3 * mm)] + [Paragraph(f"<b>{esc(c['name'])}</b>：" + "<br/>".join(
            esc(p) for p in _paragraphs(c["note"])), base)
            for c in s["children"] if c["note"]]
    hz = s["hazards"]
    story += [
        Paragraph("3. " + esc(_("Hazards closed and outstanding")), heading),
        Paragraph(esc(s["texts"]["hazards"]), base), Spacer(1, 2 * mm),
        # One figure a row, the steps of the ladder under the overdue hazards they divide.
        table([[_("Figure"), _("Hazards")], [hz["open_label"], hz["open"]],
               [hz["overdue_label"], hz["overdue"]], [s["labels"]["steps"], ""]]
              + [[f"{r['step']} {r['label']}", r["n"]] for r in s["steps"]],
              [width * 0.75, width * 0.25]),
    ]
    if s["overdue"]:
        story += [Spacer(1, 2 * mm), Paragraph(esc(_("Most overdue hazards (%(shown)s of "
                                                     "%(total)s)") % {
            "shown": len(s["overdue"]), "total": hz["overdue"]}), heading), table(
            [[_("Step"), _("Category"), _("Where"), _("Deadline"), _("Days late")]]
            + [[r["step"], r["category_label"], r["where"], r["deadline"], r["days_late"]]
               for r in s["overdue"]],
            [width * 0.1, width * 0.3, width * 0.3, width * 0.17, width * 0.13])]
    story += [
        Paragraph("4. " + esc(_("Campaign progress")), heading),
        Paragraph(esc(s["texts"]["campaigns"]), base),
        Paragraph("5. " + esc(_("Training held")), heading),
        Paragraph(esc(s["texts"]["training"]), base),
        Spacer(1, 8 * mm),
        HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceAfter=4),
        Paragraph(esc(_("Figures as of %(as_of)s, generated by Ranan from the records of "
                        "%(area)s.") % {"as_of": s["as_of"], "area": s["jurisdiction"]}),
                  cell),
    ]
    # The closing block of the seed: 抄报 / 抄送 between two rules, the issuing body and the
    # day it was issued (印发), and the drafter.
    flat = ParagraphStyle("flat", parent=base, firstLineIndent=0)
    closing = []
    if s["reported_to"]:
        closing.append(Paragraph(esc(_("Reported to (抄报)") + "：" + recipients_line(
            s["reported_to"])), flat))
    if s["copied_to"]:
        closing.append(Paragraph(esc(_("Copied to (抄送)") + "：" + recipients_line(
            s["copied_to"])), flat))
    story += [Spacer(1, 6 * mm),
              HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceAfter=4),
              *closing,
              HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceBefore=4,
                         spaceAfter=4),
              Table([[Paragraph(esc(s["issuer"]), ParagraphStyle("il", parent=cell,
                                                                 fontSize=10.5)),
                      Paragraph(esc(_("Draft, not issued") if s["draft"] else
                                    _("Issued %(day)s") % {"day": _date(s["day"])}),
                                ParagraphStyle("ir", parent=cell, fontSize=10.5,
                                               alignment=2))]],
                    colWidths=[width * 0.6, width * 0.4])]
    if s["drafter"]:
        story.append(Paragraph(esc(_("Drafter (拟稿人)") + "：" + s["drafter"]),
                               ParagraphStyle("dr", parent=flat, alignment=2)))
    doc.build(story)
    return out.getvalue()


_escape = markup  # every value written into a Paragraph: its markup comes out as text


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


def _date(day) -> str:
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    return _("%(y)s-%(m)s-%(d)s") % {"y": day.year, "m": f"{day.month:02d}",
                                     "d": f"{day.day:02d}"}


# --- Workbook -------------------------------------------------------------------------------


def xlsx(briefing) -> bytes:
    """The same figures as the PDF, one sheet per section."""
    s = sections(briefing)
    out = io.BytesIO()
    book = safe_output.workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    big = book.add_format({"bold": True, "font_size": 14})
    pct = book.add_format({"num_format": "0.0%"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    def value(ws, r, c, row):
        if not row or row.get("value") is None:
            ws.write_blank(r, c, None)
        elif row.get("unit") == "ratio":
            ws.write_number(r, c, row["value"], pct)
        else:
            ws.write_number(r, c, row["value"])

    snap = upgraded(briefing.snapshot)
    ws = book.add_worksheet(_sheet(_("Headline")))
    ws.write(0, 0, s["title"], big)
    ws.write(1, 0, f"{s['issuer']} · {s['number']} · {_date(s['day'])}")
    ws.write(2, 0, _("Week of %(start)s to %(end)s") % {"start": _date(s["week_start"]),
                                                         "end": _date(s["week_end"])})
    ws.merge_range(3, 0, 3, 5, " ".join(filter(None, [
        s["lead"], s["texts"]["headline"], s["texts"]["devices"]])), wrap)
    ws.set_row(3, 60)
    for c, head in enumerate([_("Figure"), _("This week"), _("Previous week"), _("Numerator"),
                              _("Denominator"), _("KPI")]):
        ws.write(5, c, head, bold)
    for r, row in enumerate(s["headline"], start=6):
        ws.write(r, 0, row["label"])
        value(ws, r, 1, row["row"])
        value(ws, r, 2, snap["previous"].get(row["name"]))
        for c, key in ((3, "numerator"), (4, "denominator")):
            if row["row"] and row["row"].get(key) is not None:
                ws.write_number(r, c, row["row"][key])
        ws.write(r, 5, row["name"])
    ws.set_column(0, 0, 36)
    ws.set_column(1, 5, 14)
    bottom = 7 + len(s["headline"])
    for r, (lbl, text) in enumerate((
            (_("Reported to (抄报)"), recipients_line(s["reported_to"])),
            (_("Copied to (抄送)"), recipients_line(s["copied_to"])),
            (_("Drafter (拟稿人)"), s["drafter"])), start=bottom):
        ws.write(r, 0, lbl, bold)
        ws.write(r, 1, text)

    ws = book.add_worksheet(_sheet(_("By jurisdiction")))
    ws.write(0, 0, s["texts"]["children"])
    ws.write(2, 0, _("Jurisdiction"), bold)
    ws.write(2, 1, _("Division code"), bold)
    for c, (_name, lbl) in enumerate(s["child_columns"], start=2):
        ws.write(2, c, lbl, bold)
    note_column = 2 + len(s["child_columns"])
    ws.write(2, note_column, _("Note"), bold)
    for r, child in enumerate(s["children"], start=3):
        ws.write(r, 0, child["name"])
        ws.write(r, 1, child["code"])
        for c, (name, _lbl) in enumerate(s["child_columns"], start=2):
            part, _sep, kpi = name.rpartition(":")
            value(ws, r, c, child["to_date" if part else "kpis"].get(kpi))
        if child["note"]:
            ws.write(r, note_column, child["note"])
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1 + len(s["child_columns"]), 14)
    if s["children"]:
        chart = book.add_chart({"type": "column"})
        sheet = ws.get_name()
        chart.add_series({"name": label("inspection_coverage"),
                          "categories": [sheet, 3, 0, 2 + len(s["children"]), 0],
                          "values": [sheet, 3, 2, 2 + len(s["children"]), 2],
                          "data_labels": {"value": True, "num_format": "0.0%"}})
        peak = max((c["kpis"].get("inspection_coverage", {}).get("value") or 0)
                   for c in s["children"])
        chart.set_y_axis({"num_format": "0.0%", "min": 0, "max": axis_top(peak * 100) / 100})
        chart.set_legend({"none": True})
        ws.insert_chart(4 + len(s["children"]), 0, chart)

    hz = s["hazards"]
    ws = book.add_worksheet(_sheet(_("Hazards")))
    ws.write(0, 0, s["texts"]["hazards"])
    for r, (lbl, name) in enumerate(((hz["open_label"], "hazards_open"),
                                     (hz["overdue_label"], "hazards_overdue")), start=2):
        ws.write(r, 0, lbl, bold)
        value(ws, r, 1, snap["to_date"].get(name))
    ws.write(7, 0, s["labels"]["steps"], bold)
    for r, (step, name) in enumerate(zip(s["steps"], STEPS, strict=True), start=8):
        ws.write(r, 0, f"{step['step']} {step['label']}")
        value(ws, r, 1, snap["to_date"].get(name))
    top = 9 + len(s["steps"])
    for c, head in enumerate([_("Hazard"), _("Step"), _("Category"), _("Where"), _("Deadline"),
                              _("Days late")]):
        ws.write(top, c, head, bold)
    for r, row in enumerate(s["overdue"], start=top + 1):
        ws.write_number(r, 0, row["id"])
        ws.write_number(r, 1, row["step"])
        ws.write(r, 2, row["category_label"])
        ws.write(r, 3, row["where"])
        ws.write(r, 4, row["deadline"])
        ws.write_number(r, 5, row["days_late"])
    ws.set_column(0, 0, 30)
    ws.set_column(1, 5, 14)

    ws = book.add_worksheet(_sheet(_("Campaigns and training")))
    ws.write(0, 0, _("Campaign progress"), bold)
    ws.write(1, 0, s["texts"]["campaigns"])
    ws.write(3, 0, _("Training held"), bold)
    ws.write(4, 0, s["texts"]["training"])
    book.close()
    return out.getvalue()


def _sheet(name: str) -> str:
    """A valid sheet name: at most 31 characters, none of []:*?/\\."""
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name[:31]
