"""Cylinder pages. The public page (`public_page`, no login, no personal data) is what a
resident sees when scanning the QR code; the others serve the station manager (stock, the
chain of one cylinder, scan, register, labels, recall, refusals, fillings) and market
supervision (per-station figures, refusals, a station's filling records), all scoped.
The public page is in `cylinders.public`."""

from __future__ import annotations

import datetime
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core import audit
from ranan.core.forms import apply_service_errors
from ranan.core.permissions import can, requires
from ranan.core.privacy import check_search
from ranan.core.scoping import enterprise_ids
from ranan.customers.models import Customer
from ranan.customers.selectors import search_q
from ranan.cylinders import codes, labels, selectors, services
from ranan.cylinders.choices import Action, Reason
from ranan.cylinders.forms import (
    CustomerSearchForm,
    DaysForm,
    LabelForm,
    PeriodForm,
    RecordForm,
    RegisterForm,
    ScanForm,
)
from ranan.cylinders.models import CylinderType, IssuedCode, LabelBatch
from ranan.lib import safe_output
from ranan.lib.masking import mask_phone


def _render(request, template, context, status=None):
    context.setdefault("can_manage", can(request.user, "cylinders.register"))
    return render(request, template, context, status=status)


def _station_param(request, stations):
    """The station named by `?station=`: one the account does not see is not found."""
    raw = request.GET.get("station")
    if not raw:
        return None
    try:
        return stations.get(pk=int(raw))
    except (ValueError, stations.model.DoesNotExist):
        raise Http404 from None


@requires("cylinders.read")
def home(request):
    user = request.user
    if selectors.is_courier(user) and can(user, "cylinders.deliver"):
        return redirect("cylinder-mine")  # a courier's stock is what it carries
    stations = selectors.stations_for(user)
    own = selectors.own_station(user)
    station = own or _station_param(request, stations)
    context = {"own": own, "station": station}
    if station is not None:
        states, types, cells = selectors.stock_matrix(user, [station.pk])
        today = timezone.localdate()
        context.update(states=states, types=types, cells=cells,
                       summary=selectors.station_summary(user, today)
                       if own is None else [r for r in selectors.station_summary(user, today)
                                            if r["station"].pk == station.pk])
    else:
        context["summary"] = selectors.station_summary(user)
    return _render(request, "cylinders/home.html", context)


@requires("cylinders.deliver")
def mine(request):
    """The cylinders couriers hold (a courier: its own; the station: its couriers'), and the
    day's load: carried now, dispatched, delivered and empties collected that day."""
    user = request.user
    form, data = _period(request)
    day = data.get("day") or timezone.localdate()
    held = list(selectors.held_by(user)[:500])
    load = selectors.couriers_load(user, day)
    totals = {key: sum(r[key] for r in load)
              for key in ("carried", "dispatched", "delivered", "collected")}
    return _render(request, "cylinders/mine.html", {
        "held": held, "load": load, "totals": totals, "day": day,
        "today": timezone.localdate(), "is_courier": selectors.is_courier(user),
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1)})


@requires("cylinders.read")
def find(request):
    code = codes.normalise(request.GET.get("code", ""))
    if not codes.check_ok(code):
        messages.error(request, _("“%(code)s” is not a valid cylinder code: check the last "
                                  "character.") % {"code": request.GET.get("code", "")[:20]})
        return redirect("cylinder-home")
    return redirect("cylinder-detail", code=code)


@requires("cylinders.read")
def detail(request, code):
    cylinder = get_object_or_404(selectors.cylinders_for(request.user), code=code.upper())
    form = None
    if can(request.user, "cylinders.register"):
        form = RecordForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.cylinder_record(actor=request.user, cylinder=cylinder,
                                         record=form.cleaned_data["record"],
                                         on=form.cleaned_data["on"],
                                         note=form.cleaned_data["note"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Recorded."))
                return redirect("cylinder-detail", code=cylinder.code)
    events = (cylinder.events.select_related("actor", "courier", "customer", "station")
              .order_by("-at", "-id"))
    visible_customers = set(Customer.objects.visible_to(request.user).filter(
        pk__in=[e.customer_id for e in events if e.customer_id]).values_list("pk", flat=True))
    today = timezone.localdate()
    return _render(request, "cylinders/detail.html", {
        "cylinder": cylinder, "events": events, "form": form,
        "visible_customers": visible_customers,
        "overdue": today > cylinder.next_inspection_due, "past_scrap": today >= cylinder.scrap_on,
        "public_url": reverse("cylinder-public", args=[cylinder.code]),
    })


CUSTOMER_ROWS = 10


def _scan_customers(user, station_ids):
    """The customers a scan may name: the account's (a courier: its villages') customers of
    its stations."""
    qs = Customer.objects.visible_to(user).select_related("jurisdiction")
    if not user.is_superuser:
        qs = qs.filter(lpg_station_id__in=station_ids)
    return qs


def _customer_search(request, customers) -> tuple[CustomerSearchForm, list]:
    """The customer search's form and matches (name, phone tail, address), phones masked."""
    search = CustomerSearchForm(request.GET or None)
    text = search.cleaned_data["customer_q"].strip() if search.is_valid() else ""
    if not text:
        return search, []
    check_search(request.user, text, audit.client_ip(request))
    found = list(customers.filter(search_q(text)).order_by("jpath", "name", "id")[
        :CUSTOMER_ROWS + 1])
    for customer in found:
        customer.phone_shown = mask_phone(customer.phone)
    return search, found


def _chosen_customer(request, customers):
    """The customer named by the form (posted) or by a search result's link, if the account
    sees it."""
    raw = request.POST.get("customer") if request.method == "POST" else request.GET.get(
        "customer")
    if not raw or not str(raw).isdigit():
        return None
    found = customers.filter(pk=int(raw)).first()
    if found is not None:
        found.phone_shown = mask_phone(found.phone)
    return found


@requires("cylinders.scan")
def scan(request):
    """The interlock from a page: type (or scan) a code, choose the action (and the courier
    or the customer: found by name, phone tail or address), see the verdict."""
    user = request.user
    station_ids = enterprise_ids(user) or set()
    customers = _scan_customers(user, station_ids)
    initial = {k: request.GET[k] for k in ("action", "customer") if request.GET.get(k)}
    form = ScanForm(request.POST or None, station_ids=station_ids, initial=initial)
    answer = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = None
        if data["customer"]:
            customer = customers.filter(pk=data["customer"]).first()
            if customer is None:
                form.add_error("customer", _("No such customer in your area."))
        if form.is_valid():
            try:
                answer = services.cylinder_scan(
                    actor=user, code=data["code"], action=data["action"],
                    client_id=data["client_id"], courier=data["courier"], customer=customer,
                    net_weight_kg=data["net_weight_kg"], filling_line=data["filling_line"])
            except services.ScanConflict:
                form.add_error(None, _("This form was already sent with other values: "
                                       "start again."))
            except ValidationError as exc:
                apply_service_errors(form, exc)
    if answer is not None:
        # A fresh form for the next cylinder keeps the action, courier, customer and line.
        keep = {k: form.cleaned_data.get(k) for k in ("action", "courier", "customer",
                                                      "filling_line")}
        form = ScanForm(initial=keep, station_ids=station_ids)
    search, found = _customer_search(request, customers)
    return _render(request, "cylinders/scan.html", {
        "form": form, "answer": answer, "reasons": Reason, "search": search,
        "found": found[:CUSTOMER_ROWS], "more": len(found) > CUSTOMER_ROWS,
        "chosen": _chosen_customer(request, customers),
        "action": request.POST.get("action") or request.GET.get("action") or ""})


@requires("cylinders.register")
def register(request):
    own = selectors.own_station(request.user)
    if own is None:
        messages.error(request, _("Registering is done by a station's manager."))
        return redirect("cylinder-home")
    types = CylinderType.objects.order_by("size_kg", "name")
    form = RegisterForm(request.POST or None, types=types)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cylinder = services.cylinder_register(
                actor=request.user, station=own, type=data["type"], made_on=data["made_on"],
                last_inspected_on=data["last_inspected_on"],
                manufacturer=data["manufacturer"], serial=data["serial"],
                code=data["code"] or None)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Registered %(code)s.") % {"code": cylinder.code})
            return redirect("cylinder-detail", code=cylinder.code)
    return _render(request, "cylinders/register.html", {"form": form, "station": own})


@requires("cylinders.register")
def label_batches(request):
    own = selectors.own_station(request.user)
    if own is None:
        messages.error(request, _("Labels are printed by a station's manager."))
        return redirect("cylinder-home")
    form = LabelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.label_batch_create(actor=request.user, station=own,
                                                count=form.cleaned_data["count"],
                                                grid=form.cleaned_data["grid"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)d new codes issued: download the sheet.") % {
                "n": batch.count})
            return redirect(f"{reverse('cylinder-labels')}?new={batch.pk}")
    batches = LabelBatch.objects.visible_to(request.user).select_related("created_by")[:50]
    new = request.GET.get("new", "")
    new_codes = []
    if new.isdigit():
        new_codes = list(IssuedCode.objects.filter(
            batch__in=LabelBatch.objects.visible_to(request.user), batch_id=int(new))
            .values_list("code", flat=True))
    return _render(request, "cylinders/labels.html", {
        "form": form, "batches": batches, "station": own, "new": new, "new_codes": new_codes})


@requires("cylinders.register")
def label_pdf(request, pk):
    batch = get_object_or_404(LabelBatch.objects.visible_to(request.user), pk=pk)
    return labels.batch_pdf_response(request, batch)


def _days(request) -> int:
    form = DaysForm(request.GET)
    if form.is_valid() and form.cleaned_data["days"] is not None:
        return form.cleaned_data["days"]
    return 30


def _where(cylinder, full: bool) -> dict:
    if cylinder.state == "at_customer" and cylinder.customer_id:
        c = cylinder.customer
        return {"kind": "customer", "name": c.name, "address": c.full_address,
                "phone": c.phone if full else mask_phone(c.phone), "id": c.pk}
    if cylinder.state == "with_courier" and cylinder.courier_id:
        return {"kind": "courier", "name": str(cylinder.courier)}
    return {"kind": "station", "name": cylinder.station.name}


@requires("cylinders.read")
def recall(request):
    days = _days(request)
    qs = selectors.recall_list(request.user, days)
    station = _station_param(request, selectors.stations_for(request.user))
    if station is not None:
        qs = qs.filter(station=station)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    full = False  # masked for every role (issue 16): the customer's page unmasks, with a reason
    for cylinder in page.object_list:
        cylinder.where = _where(cylinder, full)
    return _render(request, "cylinders/recall.html", {
        "page": page, "rows": page.object_list, "days": days, "station": station,
        "today": timezone.localdate(), "querystring": request.GET.urlencode()})


@requires("cylinders.read")
def recall_export(request):
    days = _days(request)
    qs = selectors.recall_list(request.user, days)
    station = _station_param(request, selectors.stations_for(request.user))
    if station is not None:
        qs = qs.filter(station=station)
    full = False  # masked for every role (issue 16): the customer's page unmasks, with a reason
    out = io.BytesIO()
    book = safe_output.workbook(out, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet(_("Recall"))
    bold = book.add_format({"bold": True})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    headers = [_("Code"), _("Type"), _("Station"), _("State"), _("Next inspection due"),
               _("Scrap date"), _("On the recall list since"), _("Where"), _("Address"),
               _("Phone")]
    sheet.write_row(0, 0, headers, bold)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 3, 16)
    sheet.set_column(4, 6, 12, dates)
    sheet.set_column(7, 9, 22)
    n = 0
    for n, cylinder in enumerate(qs.iterator(chunk_size=2000), start=1):
        where = _where(cylinder, full)
        sheet.write_row(n, 0, [cylinder.code, cylinder.type.name, cylinder.station.name,
                               cylinder.get_state_display()])
        sheet.write_datetime(n, 4, datetime.datetime.combine(cylinder.next_inspection_due,
                                                             datetime.time()))
        sheet.write_datetime(n, 5, datetime.datetime.combine(cylinder.scrap_on, datetime.time()))
        if cylinder.recall_from:
            sheet.write_datetime(n, 6, datetime.datetime.combine(cylinder.recall_from,
                                                                 datetime.time()))
        sheet.write_row(n, 7, [where["name"], where.get("address", ""), where.get("phone", "")])
    sheet.autofilter(0, 0, max(n, 1), len(headers) - 1)
    book.close()
    audit.record_export(actor=request.user, model="cylinders.cylinder", rows=n,
                        filters={"recall_days": days, "station": getattr(station, "pk", None)},
                        personal=True, ip_address=audit.client_ip(request))
    response = HttpResponse(out.getvalue(), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = (
        f'attachment; filename="recall-{timezone.localdate().isoformat()}.xlsx"')
    return response


def _period(request):
    form = PeriodForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    return form, data


@requires("cylinders.read")
def refusals(request):
    form, data = _period(request)
    day = data.get("day") or timezone.localdate()
    stations = selectors.stations_for(request.user)
    station = _station_param(request, stations)
    qs = selectors.refusals_for(request.user).filter(at__date=day).order_by("-at")
    if station is not None:
        qs = qs.filter(actor__organisation=station)
    per_station = {}
    for scan_row in qs:
        per_station.setdefault(scan_row.actor.organisation, []).append(scan_row)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return _render(request, "cylinders/refusals.html", {
        "form": form, "day": day, "station": station, "page": page, "rows": page.object_list,
        "per_station": sorted(((s, len(v)) for s, v in per_station.items()),
                              key=lambda item: -item[1]),
        "querystring": request.GET.urlencode(), "action_labels": dict(Action.choices),
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1)})


@requires("cylinders.read")
def fillings(request):
    form, data = _period(request)
    today = timezone.localdate()
    end = data.get("end") or today
    start = data.get("start") or end - datetime.timedelta(days=6)
    if start > end:
        start, end = end, start
    stations = selectors.stations_for(request.user)
    station = _station_param(request, stations)
    qs = selectors.fillings_for(request.user, getattr(station, "pk", None), start, end)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return _render(request, "cylinders/fillings.html", {
        "form": form, "start": start, "end": end, "station": station, "stations": stations,
        "page": page, "rows": page.object_list, "querystring": request.GET.urlencode()})
