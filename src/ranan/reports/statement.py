"""The monthly statement a gas company sends the authority (issue 8; DOMAIN.md: "gas
companies report installations monthly", "station statistics the regulator asks for"): per
child jurisdiction of the chosen one and in total, inspections done, households reached,
hazards found and fixed, safety devices installed by kind, cylinders refused by the filling
interlock. As .xlsx in a fixed layout (the same cells every month, so that the authority's
own sheets can read them).

Enterprise staff see their own company's records, regulators their area's: every figure
comes from the owning app's scoped queryset (`visible_to`). Each figure is one query grouped
by the child's path prefix, so a province costs a handful of queries, not one per child.
"""

from __future__ import annotations

import calendar
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ranan.core.models import PATH_SEGMENT, Jurisdiction, subtree_q
from ranan.lib import safe_output
from ranan.lib.dates import day_bounds


@dataclass(frozen=True)
class Column:
    key: str
    label: object


# The fixed layout: column B onwards, in this order, every month.
COLUMNS = [
    Column("inspections", gettext_lazy("Inspections done")),
    Column("households", gettext_lazy("Households reached")),
    Column("hazards_found", gettext_lazy("Hazards found")),
    Column("hazards_fixed", gettext_lazy("Hazards fixed (closed)")),
    Column("metal_hose", gettext_lazy("Metal hoses installed")),
    Column("self_closing_valve", gettext_lazy("Self-closing valves installed")),
    Column("regulator_cutoff", gettext_lazy("Regulators with cut-off installed")),
    Column("alarm", gettext_lazy("Gas alarms installed")),
    Column("refusals", gettext_lazy("Cylinders refused by the interlock")),
]
KEYS = [c.key for c in COLUMNS]
# Rows of the sheet (0-based): title, company, month, area, header; then one row per child.
TITLE_ROW, COMPANY_ROW, MONTH_ROW, AREA_ROW, HEADER_ROW, FIRST_ROW = 0, 1, 2, 3, 4, 5


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def parse_month(value, today: datetime.date | None = None) -> datetime.date:
    """"YYYY-MM" → the month's first day; malformed or not yet begun → a ValidationError
    naming `month`."""
    today = today or timezone.localdate()
    text = (value or "").strip() if isinstance(value, str) else ""
    if isinstance(value, datetime.date):
        first = value.replace(day=1)
    elif not text:
        raise _invalid("month", _("Choose a month."), "required")
    else:
        try:
            year, month = text.split("-")[:2]
            first = datetime.date(int(year), int(month), 1)
        except ValueError:
            raise _invalid("month", _("“%(value)s” is not a month (YYYY-MM).") % {
                "value": text[:20]}, "invalid") from None
    if first > today:
        raise _invalid("month", _("The month %(month)s has not begun.") % {
            "month": f"{first:%Y-%m}"}, "future")
    return first


def month_bounds(first: datetime.date):
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    lo, hi = day_bounds(first, last)
    return last, lo, hi


def _by_child(qs, path_field: str, width: int, count: str = "pk", distinct: bool = False,
              **aggregates) -> dict[str, dict]:
    """{child path prefix: {name: n}} in one grouped query; records attached to the node
    itself (shorter path) come back under the node's own path."""
    rows = (qs.order_by().annotate(child=Substr(path_field, 1, width)).values("child")
            .annotate(**(aggregates or {"n": Count(count, distinct=distinct)})))
    return {r.pop("child"): r for r in rows}


def compute(user, node: Jurisdiction, first: datetime.date) -> dict:
    """The statement's figures: {"rows": [{"name", "code", "path", figures…}], "total"}."""
    from ranan.customers.models import Customer, Device
    from ranan.cylinders.selectors import refusals_for
    from ranan.hazards.selectors import hazards_for
    from ranan.inspections.choices import Outcome
    from ranan.inspections.models import Visit

    last, lo, hi = month_bounds(first)
    width = len(node.path) + PATH_SEGMENT
    area = subtree_q("jpath", node.path)
    visits = (Visit.objects.visible_to(user).filter(area, correction__isnull=True,
                                                     outcome=Outcome.INSPECTED,
                                                     started_at__gte=lo, started_at__lt=hi))
    hazards = hazards_for(user).select_related(None).filter(area)
    customers = Customer.objects.visible_to(user).filter(area)
    devices = Device.objects.filter(customer__in=customers.values("pk"),
                                    installed_on__gte=first, installed_on__lte=last)
    installed = {
        "metal_hose": Count("pk", filter=Q(kind="hose", material="metal")),
        "self_closing_valve": Count("pk", filter=Q(kind="valve", self_closing=True)),
        "regulator_cutoff": Count("pk", filter=Q(kind="regulator", has_cutoff=True)),
        "alarm": Count("pk", filter=Q(kind="alarm")),
    }
    groups = [
        _by_child(visits, "jpath", width, inspections=Count("pk"),
                  households=Count("customer_id", distinct=True)),
        _by_child(hazards, "jpath", width,
                  hazards_found=Count("pk", filter=Q(found_at__gte=lo, found_at__lt=hi)),
                  hazards_fixed=Count("pk", filter=Q(closed_at__gte=lo, closed_at__lt=hi))),
        _by_child(devices, "customer__jpath", width, **installed),
    ]
    # The interlock's refusals belong to the station that scanned, placed by the areas it
    # serves (a scan of an unknown code has no cylinder and no household).
    refusals = refusals_for(user).filter(at__gte=lo, at__lt=hi)

    def refused(q: Q) -> int:
        return refusals.filter(q).order_by().values("pk").distinct().count()

    itself = refused(Q(actor__organisation__jurisdictions__path=node.path))
    children = list(Jurisdiction.objects.filter(parent=node).order_by("code", "name", "path"))
    places = [(c.name, c.code or "", c.path) for c in children]
    seen = {p for g in groups for p in g}
    if node.path in seen or itself or not children:
        # Records on the node itself (or a leaf node): a row of its own, so that the rows
        # add up to the total.
        places.insert(0, (_("%(name)s (itself)") % {"name": node.name} if children
                          else node.name, node.code or "", node.path))
    rows = []
    for name, code, path in places:
        row = {"name": name, "code": code, "path": path}
        for g in groups:
            row.update(g.get(path, {}))
        row["refusals"] = (itself if path == node.path else
                           refused(subtree_q("actor__organisation__jurisdictions__path", path)))
        rows.append({**{k: 0 for k in KEYS}, **row})
    total = {k: sum(r[k] for r in rows) for k in KEYS}
    # A station serving several children is counted under each: the total counts each
    # refusal once.
    total["refusals"] = refused(subtree_q("actor__organisation__jurisdictions__path",
                                          node.path))
    return {"rows": rows, "total": total}


def company_name(user) -> str:
    org = user.organisation
    if org is not None and org.is_enterprise:
        return org.name
    return _("All gas companies of the area")


def statement(user, node: Jurisdiction, first: datetime.date) -> dict:
    figures = compute(user, node, first)
    return {"company": company_name(user), "month": first, "jurisdiction": node,
            "columns": [(c.key, str(c.label)) for c in COLUMNS], **figures}


def xlsx(data: dict) -> bytes:
    """The fixed layout: A1 title; A2 company; A3 month; A4 jurisdiction; row 5 the header
    (A: jurisdiction, B…J: the COLUMNS in order); one row per child from row 6; the total
    row last; a note under it."""

    out = io.BytesIO()
    book = safe_output.workbook(out, {"in_memory": True})
    ws = book.add_worksheet(_("Statement")[:31])
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1,
                            "bg_color": "#EEF3FA"})
    cell = book.add_format({"border": 1})
    total = book.add_format({"border": 1, "bold": True})
    first = data["month"]
    node = data["jurisdiction"]
    ws.write(TITLE_ROW, 0, _("Monthly gas safety statement"), title)
    ws.write(COMPANY_ROW, 0, _("Company"))
    ws.write(COMPANY_ROW, 1, data["company"])
    ws.write(MONTH_ROW, 0, _("Month"))
    ws.write(MONTH_ROW, 1, f"{first:%Y-%m}")
    ws.write(AREA_ROW, 0, _("Jurisdiction"))
    ws.write(AREA_ROW, 1, node.full_name)
    ws.write(AREA_ROW, 2, node.code or "")
    ws.write(HEADER_ROW, 0, _("Jurisdiction"), head)
    for c, (_key, label) in enumerate(data["columns"], start=1):
        ws.write(HEADER_ROW, c, label, head)
    ws.set_row(HEADER_ROW, 45)
    r = FIRST_ROW
    for row in data["rows"]:
        ws.write(r, 0, row["name"], cell)
        for c, key in enumerate(KEYS, start=1):
            ws.write_number(r, c, row[key], cell)
        r += 1
    ws.write(r, 0, _("Total"), total)
    for c, key in enumerate(KEYS, start=1):
        ws.write_number(r, c, data["total"][key], total)
    ws.write(r + 2, 0, _("Inspections: visits ending “inspected”; hazards fixed: closed in the "
                         "month; devices: installed in the month; interlock refusals: by the "
                         "areas the scanning station serves (a station serving several "
                         "areas appears under each; the total counts each refusal once)."))
    ws.set_column(0, 0, 24)
    ws.set_column(1, len(KEYS), 13)
    book.close()
    return out.getvalue()
