"""Delivery pages. For the courier, phone-sized: today's (and tomorrow's) round in the planned
order, entering an order for a villager, and the delivery at the door (the cylinders typed
or scanned through the interlock, the safety check with the inspections checklist or the
customer's refusal of it, the payment). For the station: the day's orders by village and
state, the after-hours queue, orders waiting for a round, the couriers' load, the rounds of
the week with their route drawn from the villages' coordinates, and the report. Rules live
in services and selectors; regulators read, other areas get 404, other roles 403."""

from __future__ import annotations

import datetime
import uuid
from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ranan.core import audit
from ranan.core.choices import Role
from ranan.core.forms import apply_service_errors
from ranan.core.models import subtree_q
from ranan.core.permissions import can, requires
from ranan.core.privacy import check_search
from ranan.core.selectors import jurisdiction_by_code
from ranan.customers.choices import DeviceKind, HoseMaterial, Supply
from ranan.customers.models import Customer
from ranan.customers.selectors import search_q
from ranan.delivery import maps, presenters, selectors, services, supply
from ranan.delivery.choices import (
    OPEN_STATES,
    FailReason,
    OrderState,
    Payment,
    Priority,
    RefusedCheck,
    RoundState,
)
from ranan.delivery.forms import (
    CHECK_DONE,
    CHECK_REFUSED,
    PAGE_FAIL_REASONS,
    AssignForm,
    CancelForm,
    DeliverForm,
    FailForm,
    LoadForm,
    OrderForm,
)
from ranan.delivery.models import Order, RealName, Round, RoundLoad
from ranan.inspections import selectors as inspection_selectors
from ranan.inspections import services as inspection_services
from ranan.inspections.forms import read_checklist
from ranan.lib import images
from ranan.lib.dates import day_bounds
from ranan.lib.i18n import english
from ranan.lib.masking import mask_phone

SEARCH_ROWS = 20
LIST_ROWS = 50
STATE_COLOURS = {OrderState.NEW: "blue", OrderState.SCHEDULED: "azure", OrderState.OUT: "orange",
                 OrderState.DELIVERED: "green", OrderState.FAILED: "red",
                 OrderState.CANCELLED: "secondary"}


def _is_courier(user) -> bool:
    """A courier's pages come first for a courier (the round, back to it after a delivery):
    a choice of layout, not a permission (the table says what the account may do)."""
    return Role.COURIER in user.roles


def _context(request, **extra) -> dict:
    user = request.user
    return {"can_deliver": can(user, "delivery.order"), "can_manage": can(user, "delivery.manage"),
            "can_oversee": can(user, "delivery.oversee"), "is_courier": _is_courier(user),
            "state_colours": STATE_COLOURS, "urgent": Priority.URGENT, **extra}


def _show_phones(request, customers, via: str) -> None:
    """Phone numbers are shown masked to every role (issue 16). The roles that work with them
    (the courier at the door, the station manager about an order) get a "call" link: the
    phone dials the number without the page showing it, and the page's read of the numbers
    behind the links is logged (`view_personal`, with the stops). Reading a number itself
    takes a reason, on the customer's page."""
    full = can(request.user, "customers.personal_data")
    shown = []
    for customer in customers:
        customer.phone_shown = mask_phone(customer.phone)
        customer.phone_dial = customer.phone if full else ""
        if full and customer.phone:
            shown.append(customer.pk)
    if shown:
        audit.record(actor=request.user, action="view_personal", model="customers.customer",
                     details={"ids": sorted(set(shown)), "via": via},
                     ip_address=audit.client_ip(request))


def _day(raw, default: datetime.date) -> datetime.date:
    try:
        return parse_date(raw or "") or default
    except ValueError:  # well formed, no such day (2026-02-30)
        return default


def _pk(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise Http404 from None


# --- The courier's round ----------------------------------------------------------------------


@requires("delivery.read")
def home(request):
    """A courier's round of today and tomorrow; the station's people go to the station
    page."""
    user = request.user
    if not _is_courier(user):
        return redirect("delivery-station")
    today = timezone.localdate()
    days = []
    for day in (today, today + datetime.timedelta(days=1)):
        stops = selectors.evening_first(list(selectors.courier_stops(user, day).select_related(
            "customer__jurisdiction", "cylinder_type")))
        _show_phones(request, [s.customer for s in stops], "delivery round")
        _mark_not_supplied(stops)
        the_round = stops[0].round if stops else None
        done = sum(1 for s in stops if s.state not in OPEN_STATES)
        days.append({"day": day, "is_today": day == today, "stops": stops, "round": the_round,
                     "done": done, "cylinders": sum(s.quantity for s in stops
                                                    if s.state in OPEN_STATES),
                     # What is carried is today's: tomorrow's round is loaded tomorrow.
                     "loads": [selectors.round_load(user, r)
                               for r in selectors.courier_rounds(user, day)]
                     if day == today else []})
    return render(request, "delivery/home.html", _context(request, days=days, today=today,
                                                          open_states=OPEN_STATES))


HOME_STOPS = 5


def home_panel(request, obj=None):
    """The home page of a courier starts with the day's work (the app contract's
    `home_panels`, before the figures): today's round across all its villages (the stops of
    each, the next ones to serve), its load; None for everyone else."""
    user = request.user
    if not _is_courier(user) or not can(user, "delivery.order"):
        return None
    today = timezone.localdate()
    stops = selectors.evening_first(list(selectors.courier_stops(user, today).select_related(
        "customer__jurisdiction", "cylinder_type")))
    open_stops = [s for s in stops if s.state in OPEN_STATES]
    per_village = Counter(s.customer.jurisdiction_id for s in open_stops)
    villages = [{"node": node, "stops": per_village.pop(node.pk, 0)}
                for node in user.area.order_by("path")]
    # Stops outside the account's own area list (an urgent order moved onto its round).
    villages += [{"node": s.customer.jurisdiction, "stops": per_village.pop(
        s.customer.jurisdiction_id)} for s in open_stops if s.customer.jurisdiction_id
        in per_village]
    tomorrow = selectors.courier_stops(user, today + datetime.timedelta(days=1)).filter(
        state__in=list(OPEN_STATES)).count()
    return {"today": today, "stops": len(stops), "open": len(open_stops),
            "done": len(stops) - len(open_stops), "next_stops": open_stops[:HOME_STOPS],
            "more": max(len(open_stops) - HOME_STOPS, 0), "villages": villages,
            "cylinders": sum(s.quantity for s in open_stops), "tomorrow": tomorrow,
            "loads": [selectors.round_load(user, r) for r in selectors.courier_rounds(
                user, today)]}


def _mark_not_supplied(orders) -> None:
    """Each order's `supply_stop`: why its household gets no gas (已停气), or None; and its
    household's refusals of the check in this cycle when they put it on the shut-off list
    (`check_refusals`: the courier is warned before the next one)."""
    found = supply.stops({o.customer_id: o.customer for o in orders}.values())
    refusals = inspection_selectors.check_refusals({o.customer_id for o in orders})
    for o in orders:
        o.supply_stop = found.get(o.customer_id)
        n = refusals.get(o.customer_id, 0)
        o.check_refusals = n if n >= inspection_selectors.CHECK_REFUSALS_TO_SHUT_OFF else 0


def _refusals_warning(customer) -> dict:
    """The household's refusals of the check at the door in this cycle, and what the next
    one brings (the second puts it on the shut-off list)."""
    n = inspection_selectors.check_refusals([customer.pk]).get(customer.pk, 0)
    return {"refusals": n, "on_shut_off_list":
            n >= inspection_selectors.CHECK_REFUSALS_TO_SHUT_OFF}


# --- Entering an order --------------------------------------------------------------------------


@requires("delivery.order")
def order_new(request):
    """Find the villager (name, phone tail, address) among the account's customers, then
    the order: cylinder, quantity, when they asked; the buyer's name and ID number at the
    first purchase."""
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    q = (request.GET.get("q") or "").strip()
    customer = None
    if source.get("customer"):
        customer = get_object_or_404(
            Customer.objects.visible_to(user).select_related("jurisdiction"),
            pk=_pk(source.get("customer")))
    results = []
    if customer is None and q:
        check_search(user, q, audit.client_ip(request))
        results = list(Customer.objects.visible_to(user)
                       .filter(supply=Supply.LPG, lpg_station__isnull=False)
                       .filter(search_q(q)).select_related("jurisdiction")
                       .order_by("jpath", "name", "id")[:SEARCH_ROWS + 1])
        for found in results:
            found.phone_shown = mask_phone(found.phone)
    form = None
    status = 200
    stop = supply.stop_of(customer) if customer is not None else None
    if customer is not None:
        real_name_needed = not RealName.objects.filter(customer=customer).exists()
        if request.method == "POST":
            form = OrderForm(request.POST, real_name_needed=real_name_needed)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    order = services.order_create(
                        actor=user, customer=customer, cylinder_type=data["cylinder_type"],
                        quantity=data["quantity"], channel=data["channel"],
                        client_id=data["client_id"], received_at=data.get("received_at"),
                        wanted_date=data.get("wanted_date"), urgent=data["urgent"],
                        note=data["note"], buyer_name=data.get("buyer_name", ""),
                        buyer_id_number=data.get("buyer_id_number", ""))
                except ValidationError as exc:
                    apply_service_errors(form, exc)
                except services.OrderConflict:
                    form.add_error(None, _("This form was already sent for another customer: "
                                           "open the order form again."))
                except Customer.DoesNotExist:
                    raise Http404 from None
                else:
                    if order.state == "held":
                        messages.warning(request, _("Order held: %(reason)s") % {
                            "reason": order.held_reason})
                    else:
                        messages.success(request, _("Order taken: %(name)s, %(n)d × "
                                                    "%(type)s.") % {
                            "name": customer.name, "n": order.quantity,
                            "type": order.cylinder_type.name})
                    return redirect("delivery-order", pk=order.pk)
            status = 400
        else:
            form = OrderForm(real_name_needed=real_name_needed, initial={
                "client_id": uuid.uuid4(), "customer": customer.pk, "quantity": 1,
                "cylinder_type": _usual_type(user, customer),
                "received_at": timezone.localtime().replace(second=0, microsecond=0),
                "channel": "courier" if _is_courier(user) else "phone"})
    return render(request, "delivery/order_new.html", _context(
        request, q=q, results=results[:SEARCH_ROWS], more=len(results) > SEARCH_ROWS,
        customer=customer, form=form, supply_stop=stop), status=status)


def _usual_type(user, customer):
    """The type the customer ordered last, else the one most ordered from the account's
    villages: the select starts on it."""
    orders = selectors.orders_for(user)
    last = (orders.filter(customer=customer).order_by("-received_at")
            .values_list("cylinder_type", flat=True).first())
    if last is not None:
        return last
    # The latest few hundred orders say it well enough, and cost nothing on a big table.
    recent = Counter(orders.order_by("-id").values_list("cylinder_type", flat=True)[:300])
    return recent.most_common(1)[0][0] if recent else None


@requires("delivery.read")
def order_detail(request, pk):
    """One order: its delivery date and priority (the answer to entering it), its round,
    state, price and payment."""
    user = request.user
    order = get_object_or_404(selectors.orders_for(user).select_related(
        "customer__jurisdiction", "entered_by", "delivered_by", "visit"), pk=pk)
    _show_phones(request, [order.customer], "delivery order")
    today = timezone.localdate()
    return render(request, "delivery/order_detail.html", _context(
        request, order=order, today=today, is_open=order.state in OPEN_STATES,
        later=order.scheduled_date > today, supply_stop=supply.stop_of(order.customer),
        cancellable=order.state in (OrderState.HELD, OrderState.NEW, OrderState.SCHEDULED)))


# --- At the door ----------------------------------------------------------------------------------


@requires("delivery.order")
def deliver(request, pk):
    """Hand over the full cylinders (each through the interlock), collect the empties, do
    the safety check (or record that the customer refused it), take the payment."""
    user = request.user
    order = get_object_or_404(selectors.orders_for(user).select_related(
        "customer__jurisdiction", "cylinder_type"), pk=pk)
    customer = order.customer
    checklist = inspection_services.current_checklist(inspection_services.audience_for(customer))
    items = list(checklist.items.all()) if checklist is not None else []
    status = 200
    if request.method == "POST":
        form, door, done = _deliver_posted(request, order, items)
        if done is not None:
            return _delivered(request, order, done)
        status = 400
    else:
        form = DeliverForm(initial={"client_id": uuid.uuid4(), "payment": Payment.CASH})
        door = presenters.DoorForm.blank(order.quantity, items)
    _show_phones(request, [customer], "delivery at the door")
    chosen = request.POST.get("outcome", "") if request.method == "POST" else ""
    service = services.service_of(order.station)
    return render(request, "delivery/deliver.html", _context(
        request, order=order, customer=customer, form=form, checklist=checklist,
        supply_stop=supply.stop_of(customer), policy=service,
        no_gas=service.refused_check == RefusedCheck.NO_GAS, **_refusals_warning(customer),
        **door.context(),
        english=english(), parts=DeviceKind.choices, materials=HoseMaterial.choices,
        chosen=chosen, check_done=CHECK_DONE, check_refused=CHECK_REFUSED,
        payments=Payment.choices, is_open=order.state in OPEN_STATES,
        fail_form=FailForm(), fail_reasons=PAGE_FAIL_REASONS,
        has_errors=status == 400,
        max_photo_mb=images.MAX_PHOTO_MB), status=status)


def _deliver_posted(request, order: Order, items) -> tuple[DeliverForm, presenters.DoorForm,
                                                           Order | None]:
    """Read the posted delivery form and, when it is complete, deliver through the service:
    (the form, what it shows again, the delivered order or None with the errors placed)."""
    form = DeliverForm(request.POST)
    outcome = request.POST.get("outcome") or ""
    given = read_checklist(items, request.POST, request.FILES, inspected=outcome == CHECK_DONE)
    door = presenters.DoorForm.posted(request.POST, order.quantity, given.entries)
    errors: dict = dict(given.errors)
    no_gas = (outcome == CHECK_REFUSED and services.service_of(order.station).refused_check
              == RefusedCheck.NO_GAS)
    if not no_gas:  # no check, no gas: nothing is handed over, no code to scan
        errors.update(door.missing_codes())
    if outcome == CHECK_REFUSED and request.POST.get("confirm_refused") != "on":
        errors["check"] = _("Tick the box to confirm that the customer refused the check.")
    if form.is_valid() and not errors:
        done = _order_deliver(request.user, order, form, door, given, outcome, errors)
        if done is not None:
            return form, door, done
    door.place(errors, form, given.upload_labels)
    door.files_lost = bool(request.FILES)
    return form, door, None


def _order_deliver(user, order: Order, form: DeliverForm, door: presenters.DoorForm, given,
                   outcome: str, errors: dict) -> Order | None:
    """Call the service with the form's data; its refusals go to `errors` (the empties
    renumbered to the page's boxes) or to the form."""
    data = form.cleaned_data
    collected = door.collected()
    try:
        done = services.order_deliver(
            actor=user, order=order, full_codes=door.full, client_id=data["client_id"],
            empty_codes=[code for _n, code in collected], check=_check(data, given, outcome),
            check_refused=outcome == CHECK_REFUSED, payment=data["payment"],
            payment_ref=data["payment_ref"])
    except ValidationError as exc:
        errors.update(presenters.renumber_empties(exc.message_dict, collected))
    except services.OrderConflict:
        form.add_error(None, _("This form was already sent for another order: open "
                               "the delivery form again."))
    except Order.DoesNotExist:
        raise Http404 from None
    else:
        return done
    return None


def _check(data: dict, given, outcome: str) -> dict | None:
    """The safety check for the service: the checklist's answers, fixes, photos and the
    signature; only the notes when the customer refused it; None when not done."""
    if outcome == CHECK_DONE:
        signature = (images.decode_data_url(data["signature"], "signature")
                     if data["signature"] else None)
        return {"answers": given.answers, "fixes": given.fixes, "photos": given.uploads,
                "signature": signature, "notes": data["notes"]}
    if outcome == CHECK_REFUSED:
        return {"notes": data["notes"]}
    return None


def _delivered(request, order: Order, done: Order):
    """Say so and go on: a courier to the next stop, anyone else to the order."""
    if done.state == OrderState.FAILED:  # no check, no gas
        messages.warning(request, _("Not delivered: %(name)s refused the safety check (no "
                                    "check, no gas). The refusal is recorded.") % {
            "name": order.customer.name})
        if _is_courier(request.user):
            return redirect("delivery-home")
        return redirect("delivery-order", pk=done.pk)
    messages.success(request, _("Delivered: %(name)s, %(n)d × %(type)s.") % {
        "name": order.customer.name, "n": done.quantity, "type": order.cylinder_type.name})
    if _is_courier(request.user):
        return redirect("delivery-home")  # on to the next stop
    return redirect("delivery-order", pk=done.pk)


@require_POST
@requires("delivery.order")
def fail(request, pk):
    """The delivery could not be made: not at home, the address wrong, refused."""
    user = request.user
    order = get_object_or_404(selectors.orders_for(user), pk=pk)
    form = FailForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the delivery could not be made."))
        return redirect("delivery-deliver", pk=order.pk)
    try:
        services.order_fail(actor=user, order=order, reason=form.cleaned_data["reason"],
                            note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("delivery-order", pk=order.pk)
    except Order.DoesNotExist:
        raise Http404 from None
    messages.warning(request, _("Not delivered (%(reason)s): %(name)s.") % {
        "reason": FailReason(form.cleaned_data["reason"]).label, "name": order.customer.name})
    return redirect("delivery-home" if _is_courier(user) else "delivery-station")


# --- The station ---------------------------------------------------------------------------------


def _assignable_rounds(user):
    today = timezone.localdate()
    return (selectors.rounds_for(user).filter(date__gte=today,
                                              date__lt=today + datetime.timedelta(days=7))
            .exclude(state=RoundState.DONE).order_by("date", "courier__username", "id"))


@requires("delivery.oversee")
def station(request):
    """A day's orders by village and state, the after-hours queue, the orders waiting for a
    round (the station puts them on one), the couriers' load."""
    user = request.user
    today = timezone.localdate()
    day = _day(request.GET.get("date"), today)
    cells = (selectors.orders_for(user).filter(scheduled_date=day)
             .values("customer__jurisdiction_id", "customer__jurisdiction__name", "state")
             .annotate(n=Count("id"), cylinders=Sum("quantity"))
             .order_by("customer__jurisdiction__name"))
    # The morning queue of the day: asked after hours, due that day or earlier.
    after_hours = list(selectors.after_hours_queue(user).filter(scheduled_date__lte=day)
                       .select_related("customer__jurisdiction", "round__courier")[:LIST_ROWS])
    waiting = list(selectors.unassigned(user).select_related("customer__jurisdiction")
                   .order_by("scheduled_date", "priority", "received_at")[:LIST_ROWS])
    # Held orders of households whose supply was restored go out now (checked on listing).
    stations = selectors.own_station_ids(user)
    if stations:
        services.release_restored(station_ids=stations)
    held = list(selectors.held_orders(user).select_related("customer__jurisdiction")[:LIST_ROWS])
    load = selectors.couriers_load(user, day)
    return render(request, "delivery/station.html", _context(
        request, day=day, today=today, **presenters.orders_by_village(cells),
        after_hours=after_hours, waiting=waiting, load=load, held=held,
        cancel_form=CancelForm(),
        rounds=list(_assignable_rounds(user)) if can(user, "delivery.manage") else [],
        previous_day=day - datetime.timedelta(days=1), next_day=day + datetime.timedelta(days=1),
        priority_labels=dict(Priority.choices)))


@require_POST
@requires("delivery.manage")
def assign(request, pk):
    user = request.user
    order = get_object_or_404(selectors.orders_for(user), pk=pk)
    form = AssignForm(request.POST)
    back = request.POST.get("next") or reverse("delivery-station")
    if not back.startswith("/delivery/"):
        back = reverse("delivery-station")
    if not form.is_valid():
        messages.error(request, _("Choose a round."))
        return redirect(back)
    the_round = get_object_or_404(selectors.rounds_for(user), pk=form.cleaned_data["round"])
    try:
        services.order_assign(actor=user, order=order, the_round=the_round)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except (Order.DoesNotExist, Round.DoesNotExist):
        raise Http404 from None
    else:
        messages.success(request, _("%(name)s goes in the round of %(date)s (%(courier)s).") % {
            "name": order.customer.name, "date": the_round.date.isoformat(),
            "courier": the_round.courier or the_round.vehicle or "—"})
    return redirect(back)


@require_POST
@requires("delivery.manage")
def release(request, pk):
    """Release a held order (its household's supply restored)."""
    user = request.user
    order = get_object_or_404(selectors.orders_for(user), pk=pk)
    try:
        done = services.order_release(actor=user, order=order)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Order.DoesNotExist:
        raise Http404 from None
    else:
        messages.success(request, _("Released: %(name)s goes out on %(date)s.") % {
            "name": order.customer.name, "date": done.scheduled_date.isoformat()})
    return redirect("delivery-order", pk=order.pk)


@require_POST
@requires("delivery.manage")
def cancel(request, pk):
    user = request.user
    order = get_object_or_404(selectors.orders_for(user), pk=pk)
    form = CancelForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.order_cancel(actor=user, order=order, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Order.DoesNotExist:
        raise Http404 from None
    else:
        messages.success(request, _("Cancelled: %(name)s.") % {"name": order.customer.name})
    return redirect("delivery-order", pk=order.pk)


@requires("delivery.oversee")
def rounds(request):
    """The rounds of seven days from a date: courier, stops, cylinders, planned distance."""
    user = request.user
    today = timezone.localdate()
    start = _day(request.GET.get("date"), today)
    end = start + datetime.timedelta(days=6)
    rows = (selectors.rounds_for(user).filter(date__range=(start, end))
            .annotate(n_orders=Count("orders", filter=~Q(orders__state=OrderState.CANCELLED)),
                      n_cylinders=Sum("orders__quantity",
                                      filter=~Q(orders__state=OrderState.CANCELLED)),
                      n_done=Count("orders", filter=Q(orders__state=OrderState.DELIVERED)),
                      n_failed=Count("orders", filter=Q(orders__state=OrderState.FAILED)))
            .order_by("date", "courier__username", "id"))
    by_day: dict[datetime.date, list] = {start + datetime.timedelta(days=n): [] for n in range(7)}
    for row in rows:
        by_day[row.date].append(row)
    return render(request, "delivery/rounds.html", _context(
        request, start=start, end=end, today=today, days=list(by_day.items()),
        previous_week=start - datetime.timedelta(days=7),
        next_week=start + datetime.timedelta(days=7)))


def _ordered(qs):
    return qs.order_by(F("sequence").asc(nulls_last=True), "priority", "received_at", "id")


@requires("delivery.oversee")
def round_detail(request, pk):
    the_round = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    return _round_page(request, the_round, _load_form(), 200)


def _load_form(data=None) -> LoadForm:
    return LoadForm(data, initial={"client_id": uuid.uuid4()})


def _loadable(the_round: Round) -> bool:
    return (the_round.courier_id is not None and the_round.state != RoundState.DONE
            and the_round.date >= timezone.localdate())


def _round_page(request, the_round: Round, load_form: LoadForm, status: int):
    """The round: its figures, route, stops in order, its load (needed, carried, loaded,
    delivered, empties) and, for the station, the "load the round" scan and the answer to
    the last one (`?load=`)."""
    user = request.user
    stops = list(_ordered(selectors.orders_for(user).filter(round=the_round))
                 .select_related("customer__jurisdiction", "cylinder_type"))
    _show_phones(request, [s.customer for s in stops], "delivery round")
    route = maps.route_map(the_round, stops)
    service = services.service_of(the_round.station)
    hours = None
    if the_round.minutes_after is not None:
        hours = divmod(the_round.minutes_after, 60)
    last_load = None
    if str(request.GET.get("load", "")).isdigit():
        last_load = RoundLoad.objects.visible_to(user).filter(
            round=the_round, pk=int(request.GET["load"])).first()
    return render(request, "delivery/round_detail.html", _context(
        request, the_round=the_round, stops=stops, route=route, hours=hours, service=service,
        open_stops=sum(1 for s in stops if s.state in OPEN_STATES),
        saved=(float(the_round.km_before) - float(the_round.km_after)
               if the_round.km_before is not None and the_round.km_after is not None else None),
        priority_labels=dict(Priority.choices), load=selectors.round_load(user, the_round),
        load_form=load_form, loadable=_loadable(the_round), last_load=last_load),
        status=status)


@require_POST
@requires("delivery.manage")
def load(request, pk):
    """Load the round: the scanned codes out to its courier, each through the interlock;
    the answer shown on the round's page."""
    user = request.user
    the_round = get_object_or_404(selectors.rounds_for(user), pk=pk)
    form = _load_form(request.POST)
    if form.is_valid():
        try:
            answer = services.round_load(actor=user, the_round=the_round,
                                         scanned=form.cleaned_data["codes"],
                                         client_id=form.cleaned_data["client_id"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except services.LoadConflict:
            form.add_error(None, _("This form was already sent with other codes: start "
                                   "again."))
        except Round.DoesNotExist:
            raise Http404 from None
        else:
            level = messages.success if not answer["refused"] else messages.warning
            level(request, _("%(loaded)d loaded onto the round, %(refused)d refused.") % {
                "loaded": answer["loaded"], "refused": answer["refused"]})
            return redirect(f"{reverse('delivery-round', args=[the_round.pk])}"
                            f"?load={answer['id']}")
    return _round_page(request, the_round, form, 400)


@require_POST
@requires("delivery.manage")
def plan(request, pk):
    user = request.user
    the_round = get_object_or_404(selectors.rounds_for(user), pk=pk)
    try:
        the_round = services.plan_round(actor=user, the_round=the_round)
    except Round.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Route planned: %(after)s km instead of %(before)s km in the "
                                "order received.") % {"after": the_round.km_after,
                                                      "before": the_round.km_before})
    return redirect("delivery-round", pk=the_round.pk)


# --- The report --------------------------------------------------------------------------------


@requires("delivery.oversee")
def report(request):
    """Deliveries per courier, village and day; the wait from order to delivery; the share
    delivered with a completed check; failures by reason; money collected."""
    user = request.user
    today = timezone.localdate()
    end = _day(request.GET.get("to"), today)
    start = _day(request.GET.get("from"), end - datetime.timedelta(days=29))
    errors = {}
    if start > end:
        errors["from"] = _("The start is after the end.")
        start = end - datetime.timedelta(days=29)
    elif (end - start).days > 366:
        errors["from"] = _("At most a year at a time.")
        start = end - datetime.timedelta(days=366)
    code = (request.GET.get("jurisdiction") or "").strip()
    node = None
    if code:
        node = jurisdiction_by_code(user, code)
        if node is None:
            errors["jurisdiction"] = _("Unknown area code “%(code)s”.") % {"code": code}
    figures = selectors.report(user, node.path if node else None, start, end)
    rate = figures["deliveries_checked_rate"]
    money_total = sum(row["total"] or 0 for row in figures["money_by_courier_day"])
    fail_labels = dict(FailReason.choices)
    failed = [{"reason": fail_labels.get(r["fail_reason"], r["fail_reason"] or "—"),
               "code": r["fail_reason"], "n": r["n"]} for r in figures["failed_by_reason"]]
    lo, hi = day_bounds(start, end)
    unpaid = selectors.orders_for(user).filter(state=OrderState.DELIVERED,
                                               payment=Payment.UNPAID, delivered_at__gte=lo,
                                               delivered_at__lt=hi)
    if node is not None:
        unpaid = unpaid.filter(subtree_q("jpath", node.path))
    return render(request, "delivery/report.html", _context(
        request, start=start, end=end, code=code, node=node, errors=errors, figures=figures,
        percent=round(100 * rate["value"]) if rate["value"] is not None else None, rate=rate,
        money_total=money_total, failed=failed, failed_total=sum(f["n"] for f in failed),
        unpaid=unpaid.count(),
        median=_hours(figures["delivery_wait_median_hours"]),
        p90=_hours(figures["delivery_wait_p90_hours"])),
        status=400 if errors else 200)


def _hours(value) -> str | None:
    if value is None:
        return None
    return f"{value:.1f}"
