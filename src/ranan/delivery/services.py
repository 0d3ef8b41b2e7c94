"""Order and delivery writes: taking an order (price kept, real-name record at the first
purchase, service hours and the village's cycle decide its date and priority), rounds and
their planning, and completing a delivery at the door (the cylinders through the interlock,
the safety check through the inspections service, payment) in one transaction."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core import audit
from ranan.core.choices import AuditAction, Role
from ranan.core.permissions import require
from ranan.core.scoping import enterprise_ids
from ranan.customers.choices import Supply
from ranan.customers.models import Customer
from ranan.cylinders import codes
from ranan.cylinders import services as cylinder_services
from ranan.cylinders.models import Cylinder, CylinderType
from ranan.delivery import routing, supply
from ranan.delivery.choices import (
    OPEN_STATES,
    Channel,
    EveningOrders,
    FailReason,
    OrderState,
    Payment,
    Priority,
    RefusedCheck,
    RoundState,
    ShutOffOrders,
)
from ranan.delivery.models import (
    Distance,
    Order,
    OrderEvent,
    Price,
    RealName,
    Round,
    RoundLoad,
    StationService,
    VillageRound,
)
from ranan.inspections import services as inspection_services
from ranan.inspections.choices import Outcome
from ranan.lib import normalise
from ranan.lib.idempotency import Conflict, replay, same_as


class OrderConflict(Conflict):
    """A client_id used for another order or delivery."""


class LoadConflict(Conflict):
    """A client_id used for another load of a round."""


def service_of(station) -> StationService:
    return StationService.objects.filter(station=station).first() or StationService(
        station=station)


def price_of(station, cylinder_type, day: datetime.date) -> Price | None:
    return (Price.objects.filter(station=station, cylinder_type=cylinder_type,
                                 valid_from__lte=day)
            .exclude(valid_to__lt=day).order_by("-valid_from").first())


def next_cycle_day(cycle: VillageRound | None, earliest: datetime.date) -> datetime.date:
    """The village's first delivery day on or after `earliest` (no cycle: that day)."""
    if cycle is None:
        return earliest
    if cycle.every_days and cycle.anchor:
        gap = (earliest - cycle.anchor).days
        steps = -(-gap // cycle.every_days) if gap > 0 else 0
        return cycle.anchor + datetime.timedelta(days=steps * cycle.every_days)
    if cycle.weekdays:
        for ahead in range(7):
            day = earliest + datetime.timedelta(days=ahead)
            if day.weekday() in cycle.weekdays:
                return day
    return earliest


def schedule(station, customer: Customer, received_at: datetime.datetime, urgent: bool,
             wanted: datetime.date | None = None) -> tuple[datetime.date, int, bool]:
    """(delivery date, priority, asked after hours). An order before opening or from closing
    time on waits for the next opening and is served first; an urgent one goes out on that
    day whatever the village's cycle, others with the village's next round. The station's
    `evening_orders` policy may send an after-hours order out on the next morning too (a
    special trip, Dazi's rule 晚间登记，次日优先) rather than with the village's next cycle."""
    service = service_of(station)
    local = received_at.astimezone(zoneinfo.ZoneInfo(service.timezone))
    opens, closes = _time(service.opens), _time(service.closes)
    after_hours = not (opens <= local.time() < closes)
    earliest = local.date() + datetime.timedelta(days=1 if local.time() >= closes else 0)
    if wanted and wanted > earliest:
        earliest = wanted
    next_morning = after_hours and service.evening_orders == EveningOrders.NEXT_MORNING
    if urgent or next_morning:
        day = earliest
    else:
        cycle = VillageRound.objects.filter(station=station,
                                            village_id=customer.jurisdiction_id).first()
        day = next_cycle_day(cycle, earliest)
    if urgent:
        priority = Priority.URGENT
    elif customer.elderly_alone or customer.disabled:
        priority = Priority.CARE
    elif after_hours:
        priority = Priority.AFTER_HOURS
    else:
        priority = Priority.NORMAL
    return day, priority, after_hours


def _time(value) -> datetime.time:
    return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(value)


def _station_of(actor, customer: Customer):
    station = customer.lpg_station
    if customer.supply != Supply.LPG or station is None:
        raise ValidationError({"customer": _("Not a bottled-LPG customer of a station.")})
    if not actor.is_superuser:
        ids = enterprise_ids(actor)
        if ids is None or station.pk not in ids:
            raise Customer.DoesNotExist
    return station


def courier_for(station, village_id: int):
    from ranan.core.models import Account

    return (Account.objects.filter(organisation=station, is_active=True,
                                   role_rows__role=Role.COURIER, area__id=village_id)
            .order_by("id").first())


def round_for(station, day: datetime.date, courier, *, actor=None) -> Round:
    """The courier's round of the day at the station, opened (and audited, as `actor`) by
    the first order that needs it."""
    found, created = Round.objects.get_or_create(station=station, date=day, courier=courier)
    if created:
        audit.record_create(actor=actor, instance=found)
    return found


def _event(order_id: int, *, actor, from_state: str, to_state: str, round_id: int | None,
           at: datetime.datetime | None = None, reason: str = "", note: str = "") -> OrderEvent:
    """The order's history row of a state change: written by the service making the change,
    inside its transaction."""
    return OrderEvent.objects.create(
        order_id=order_id, actor=actor, from_state=from_state, to_state=to_state,
        round_id=round_id, at=at or timezone.now(), reason=reason, note=note[:200])


def _order_errors(*, station, cylinder_type, quantity, channel, received_at, wanted_date,
                  note, now) -> tuple[dict[str, str], Price | None]:
    """The order's own fields checked: (errors by field, the price it is taken at)."""
    errors: dict[str, str] = {}
    if not isinstance(quantity, int) or not 1 <= quantity <= 10:
        errors["quantity"] = _("Between 1 and 10 cylinders.")
    if channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if received_at > now + datetime.timedelta(minutes=5):
        errors["received_at"] = _("Cannot be in the future.")
    elif received_at < now - datetime.timedelta(days=7):
        errors["received_at"] = _("More than a week ago: enter it as a new order.")
    if wanted_date and wanted_date < timezone.localdate() - datetime.timedelta(days=7):
        errors["wanted_date"] = _("In the past.")
    if len(note) > 200:
        errors["note"] = _("At most 200 characters.")
    local_day = timezone.localtime(received_at).date()
    price = price_of(station, cylinder_type, local_day)
    if price is None:
        errors["cylinder_type"] = _("The station has no price for this type.")
    return errors, price


def _buyer_errors(buyer_name: str, buyer_id_number: str) -> tuple[dict[str, str], str]:
    """At the first purchase the buyer's name and ID number are checked: (errors by field,
    the normalised ID number)."""
    errors: dict[str, str] = {}
    id_number = ""
    if not buyer_name.strip():
        errors["buyer_name"] = _("The buyer's name is checked at the first purchase.")
    try:
        id_number = normalise.id_number(buyer_id_number)
    except normalise.Invalid as exc:
        errors["buyer_id_number"] = str(exc)
    if not id_number and "buyer_id_number" not in errors:
        errors["buyer_id_number"] = _("The buyer's ID number is checked at the first "
                                      "purchase.")
    return errors, id_number


def order_create(*, actor, customer: Customer, cylinder_type: CylinderType, quantity: int,
                 channel: str, client_id: uuid.UUID,
                 received_at: datetime.datetime | None = None,
                 wanted_date: datetime.date | None = None, urgent: bool = False,
                 note: str = "", buyer_name: str = "", buyer_id_number: str = "") -> Order:
    require(actor, "delivery.order", _("Orders are taken by couriers and station managers."))
    # The same client_id for another order (another household, type, quantity...): 409.
    same = same_as(customer_id=customer.pk, entered_by_id=actor.pk,
                   cylinder_type_id=cylinder_type.pk, quantity=quantity, channel=channel,
                   urgent=urgent, wanted_date=wanted_date, note=note)

    previous = replay(Order.objects, client_id, same=same, conflict=OrderConflict)
    if previous is not None:
        return previous
    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise Customer.DoesNotExist
    station = _station_of(actor, customer)
    now = timezone.now()
    received_at = received_at or now
    errors, price = _order_errors(station=station, cylinder_type=cylinder_type,
                                  quantity=quantity, channel=channel, received_at=received_at,
                                  wanted_date=wanted_date, note=note, now=now)
    real = RealName.objects.filter(customer=customer).first()
    id_number = ""
    if real is None:
        buyer, id_number = _buyer_errors(buyer_name, buyer_id_number)
        errors.update(buyer)
    held = _held_or_refused(station, customer, errors)
    if errors:
        raise ValidationError(errors)
    day, priority, after_hours = schedule(station, customer, received_at, urgent, wanted_date)
    fee = service_of(station).delivery_fee or Decimal("0")
    try:
        with transaction.atomic():
            if real is None:
                real = RealName.objects.create(
                    customer=customer, buyer_name=buyer_name.strip()[:50], id_number=id_number,
                    checked_at=now, checked_by=actor)
                audit.record_create(actor=actor, instance=real)
            courier = None if held else courier_for(station, customer.jurisdiction_id)
            the_round = (round_for(station, day, courier, actor=actor) if courier is not None
                         else None)
            state = OrderState.SCHEDULED if the_round else OrderState.NEW
            order = Order.objects.create(
                station=station, customer=customer, jpath=customer.jpath,
                cylinder_type=cylinder_type, quantity=quantity, channel=channel,
                received_at=received_at, wanted_date=wanted_date, urgent=urgent,
                note=note.strip(), unit_price=price.price, delivery_fee=fee,
                total=price.price * quantity + fee, scheduled_date=day, priority=priority,
                after_hours=after_hours, round=the_round,
                state=OrderState.HELD if held else state, held_reason=held,
                entered_by=actor, client_id=client_id)
            _event(order.pk, actor=actor, from_state="", to_state=order.state,
                   round_id=order.round_id, at=order.created_at)
            audit.record_create(actor=actor, instance=order)
    except IntegrityError:
        previous = replay(Order.objects, client_id, same=same, conflict=OrderConflict)
        if previous is None:
            raise
        return previous
    return order


def _held_or_refused(station, customer: Customer, errors: dict) -> str:
    """A household not supplied (gas shut off, premises converted, moved out) gets no order:
    refused with the reason on `customer`, whatever the channel; or, when the station's
    policy says hold and its supply may be restored, the order is kept held (the reason
    answered)."""
    stop = supply.stop_of(customer)
    if stop is None:
        return ""
    if stop.restorable and service_of(station).shut_off_orders == ShutOffOrders.HOLD:
        return stop.message()[:300]
    errors["customer"] = stop.message()
    return ""


def _distance_table(station) -> dict[tuple, float]:
    return {(d.a_id, d.b_id): float(d.km) for d in Distance.objects.filter(station=station)}


def _record_round(*, actor, the_round: Round, before: dict, details: dict) -> None:
    """The round's audit row: the fields that changed and what else the step did."""
    audit.record(actor=actor, action=AuditAction.UPDATE, instance=the_round,
                 changes=audit.diff(before, audit.snapshot(the_round)), details=details)


def _stops(the_round: Round) -> list[routing.Stop]:
    """The round's open orders as stops (in the order received), placed at the customer's
    coordinates or else the village's."""
    orders = list(the_round.orders.filter(state__in=OPEN_STATES)
                  .select_related("customer").order_by("received_at", "id"))
    places = {v.village_id: v for v in VillageRound.objects.filter(station=the_round.station)}
    # Evening orders served first in the morning (the station's policy, 晚间登记，次日优先).
    evening_first = (service_of(the_round.station).evening_orders
                     == EveningOrders.NEXT_MORNING)
    stops = []
    for order in orders:
        village = places.get(order.customer.jurisdiction_id)
        lat = float(order.customer.latitude or (village.latitude if village else 0) or 0) or None
        lon = float(order.customer.longitude or (village.longitude if village else 0) or 0) or None
        stops.append(routing.Stop(order, order.customer.jurisdiction_id, lat, lon,
                                  priority=order.priority < Priority.AFTER_HOURS
                                  or (evening_first and order.after_hours)))
    return stops


def plan_round(*, actor, the_round: Round, seconds: float = 1.0) -> Round:
    """Order the round's stops with OR-Tools; keeps the distance before (in the order the
    orders were received) and after. Audited: the distances and the stops' new order."""
    require(actor, "delivery.order", _("Rounds are planned by the station."))
    ids = None if actor.is_superuser else enterprise_ids(actor)
    if ids is not None and the_round.station_id not in ids:
        raise Round.DoesNotExist
    stops = _stops(the_round)
    service = service_of(the_round.station)
    depot = (float(service.latitude or 0), float(service.longitude or 0))
    km = routing.matrix(depot, stops, float(service.road_factor), _distance_table(
        the_round.station))
    before = routing.route_km(km, list(range(1, len(stops) + 1)))
    opens, closes = _time(service.opens), _time(service.closes)
    day_minutes = (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)
    order_nodes = routing.plan(km, stops, service.speed_kmh, day_minutes, seconds)
    after = routing.route_km(km, order_nodes)
    minutes = after / max(service.speed_kmh, 1) * 60 + routing.SERVICE_MINUTES * len(stops)
    planned = [stops[node - 1].key.pk for node in order_nodes]
    with transaction.atomic():
        was = audit.snapshot(Round.objects.select_for_update().get(pk=the_round.pk))
        for sequence, pk in enumerate(planned, start=1):
            Order.objects.filter(pk=pk).update(sequence=sequence)
        Round.objects.filter(pk=the_round.pk).update(
            km_before=round(Decimal(before), 1), km_after=round(Decimal(after), 1),
            minutes_after=int(minutes), planned_at=timezone.now())
        the_round.refresh_from_db()
        _record_round(actor=actor, the_round=the_round, before=was, details={"stops": planned})
    return the_round


def _scan_or_refuse(actor, code, action, customer, field) -> Cylinder:
    answer = cylinder_services.cylinder_scan(actor=actor, code=code, action=action,
                                             client_id=uuid.uuid4(), customer=customer)
    if answer["verdict"] != "allow":
        raise ValidationError({field: "；".join(r["message"] for r in answer["reasons"])})
    return Cylinder.objects.get(code=answer["cylinder"]["code"])


def _delivery_errors(*, order: Order, normal: list[str], payment: str, payment_ref: str,
                     check: dict | None, check_refused: bool,
                     no_gas: bool = False) -> dict[str, str]:
    """What the courier sent checked before anything is written, each error by its field
    (`no_gas`: the check was refused where no check means no gas: nothing is handed over,
    so no codes nor payment are needed)."""
    errors: dict[str, str] = {}
    if order.state not in OPEN_STATES:
        errors["order"] = _("This order is already “%(state)s”.") % {
            "state": OrderState(order.state).label}
    stop = supply.stop_of(order.customer)
    if stop is not None:
        errors["customer"] = stop.message()
    if no_gas:
        return errors
    if len(normal) != order.quantity:
        errors["full_codes"] = _("%(n)d cylinders were ordered: scan each one.") % {
            "n": order.quantity}
    elif len(set(normal)) != len(normal):
        errors["full_codes"] = _("The same cylinder was scanned twice.")
    if payment not in Payment.values:
        errors["payment"] = _("Unknown payment.")
    elif payment == Payment.MOBILE and not payment_ref.strip():
        errors["payment_ref"] = _("Give the mobile payment's reference.")
    if not check_refused and not check:
        errors["check"] = _("No delivery without the safety check (or the customer's "
                            "refusal of it).")
    return errors


def _refuse_other_types(order: Order, normal: list[str]) -> None:
    wrong = [c for c in Cylinder.objects.filter(code__in=normal).exclude(
        type=order.cylinder_type).values_list("code", flat=True)]
    if wrong:
        raise ValidationError({"full_codes": _("Not a %(type)s cylinder: %(codes)s") % {
            "type": order.cylinder_type.name, "codes": ", ".join(wrong)}})


def _mark_delivered(*, actor, order: Order, client_id: uuid.UUID, payment: str,
                    payment_ref: str) -> None:
    """Compare-and-set the open order to delivered, with its history row and audit; two
    couriers at once: the second is told someone else was first."""
    was, round_id = (Order.objects.select_for_update().filter(pk=order.pk)
                     .values_list("state", "round_id").get())
    now = timezone.now()
    moved = Order.objects.filter(pk=order.pk, state__in=list(OPEN_STATES),
                                 delivery_client_id__isnull=True).update(
        state=OrderState.DELIVERED, delivered_at=now, delivered_by=actor,
        delivery_client_id=client_id, payment=payment, payment_ref=payment_ref.strip())
    if not moved:
        raise ValidationError({"order": _("Someone else completed this order a moment ago.")})
    _event(order.pk, actor=actor, from_state=was, to_state=OrderState.DELIVERED,
           round_id=round_id, at=now)
    audit.record(actor=actor, action="update", model="delivery.order",
                 object_pk=str(order.pk), object_repr=str(order)[:200],
                 changes={"state": [was, OrderState.DELIVERED]})


def _hand_over(*, actor, customer, normal: list[str], empty_codes: list[str]) -> None:
    """Each full cylinder through the interlock to the customer, each empty collected; a
    refusal raises naming its box (`full_codes.N`, `empty_codes.N`)."""
    for index, code in enumerate(normal):
        _scan_or_refuse(actor, code, "deliver", customer, f"full_codes.{index}")
    for index, code in enumerate(empty_codes):
        _scan_or_refuse(actor, code, "collect", customer, f"empty_codes.{index}")


def _record_check(*, actor, order: Order, customer, client_id: uuid.UUID, check: dict | None,
                  check_refused: bool) -> None:
    """The safety check at the door as a visit of kind "delivery" (or the refusal of it),
    linked to the order."""
    given = {} if check_refused else (check or {})
    visit = inspection_services.visit_submit(
        actor=actor, customer=customer, kind="delivery",
        outcome=Outcome.REFUSED if check_refused else Outcome.INSPECTED,
        client_id=uuid.uuid5(client_id, "check"),
        answers=given.get("answers"), fixes=given.get("fixes"), photos=given.get("photos"),
        signature=given.get("signature"), notes=(check or {}).get("notes", ""))
    Order.objects.filter(pk=order.pk).update(visit=visit)


def _keep_refusals(*, actor, error: ValidationError, normal: list[str], customer) -> None:
    """The transaction was undone; a refusal by the interlock is kept as its own record."""
    for key in error.message_dict:
        if key.startswith("full_codes."):
            cylinder_services.cylinder_scan(
                actor=actor, code=normal[int(key.split(".")[1])], action="deliver",
                client_id=uuid.uuid4(), customer=customer)


def order_deliver(*, actor, order: Order, full_codes: list[str], client_id: uuid.UUID,
                  empty_codes: list[str] | None = None, check: dict | None = None,
                  check_refused: bool = False, payment: str = Payment.CASH,
                  payment_ref: str = "") -> Order:
    """Complete a delivery at the door, all or nothing: each full cylinder handed over passes
    the interlock (an overdue one is refused and the courier told why) and is of the ordered
    type; the empties collected; the safety check recorded as a visit of kind "delivery" (or
    the customer's refusal of the check, which counts as a refusal for the household's tier:
    no delivery without one or the other); the payment. The same client_id again answers the
    first result; two couriers completing one order at once: exactly one succeeds."""
    require(actor, "delivery.order",
            _("Deliveries are completed by couriers and station managers."))
    done = replay(Order.objects, client_id, field="delivery_client_id", conflict=OrderConflict,
                  same=_same_delivery(order, payment, payment_ref))
    if done is not None:
        return done
    if not Order.objects.visible_to(actor).filter(pk=order.pk).exists():
        raise Order.DoesNotExist
    empty_codes = empty_codes or []
    normal = [codes.normalise(c) for c in full_codes]
    no_gas = check_refused and service_of(order.station).refused_check == RefusedCheck.NO_GAS
    errors = _delivery_errors(order=order, normal=normal, payment=payment,
                              payment_ref=payment_ref, check=check, check_refused=check_refused,
                              no_gas=no_gas)
    if errors:
        raise ValidationError(errors)
    if no_gas:
        return _fail_no_check(actor=actor, order=order, client_id=client_id, check=check)
    _refuse_other_types(order, normal)
    customer = order.customer
    try:
        with transaction.atomic():
            _mark_delivered(actor=actor, order=order, client_id=client_id, payment=payment,
                            payment_ref=payment_ref)
            _hand_over(actor=actor, customer=customer, normal=normal, empty_codes=empty_codes)
            _record_check(actor=actor, order=order, customer=customer, client_id=client_id,
                          check=check, check_refused=check_refused)
    except ValidationError as exc:
        _keep_refusals(actor=actor, error=exc, normal=normal, customer=customer)
        raise
    except IntegrityError as error:
        return _delivered_before(order, client_id, error)
    return Order.objects.get(pk=order.pk)


def _same_delivery(order: Order, payment: str | None = None, payment_ref: str = ""):
    """A repeat of the delivery's request: the same order and, delivered, the same payment."""
    def same(row: Order) -> bool:
        if row.pk != order.pk:
            return False
        return (payment is None or row.state != OrderState.DELIVERED
                or (row.payment == payment and row.payment_ref == (payment_ref or "").strip()))
    return same


def _delivered_before(order: Order, client_id: uuid.UUID, error: IntegrityError) -> Order:
    """After a lost race on the delivery's client_id: the first result (the same request
    sent twice), or the error again when another request took it."""
    done = replay(Order.objects, client_id, field="delivery_client_id", conflict=OrderConflict,
                  same=_same_delivery(order))
    if done is None:
        raise error
    return done


def _fail_no_check(*, actor, order: Order, client_id: uuid.UUID, check: dict | None) -> Order:
    """No check, no gas (the station's policy, Dazi's rule): the cylinder is not handed over,
    the order fails with the reason `check_refused`, and the refusal is recorded as a
    delivery visit refused (it counts for the household's tier) in the same transaction.
    The client_id makes a repeat answer the same failed order."""
    notes = ((check or {}).get("notes") or "").strip()
    try:
        with transaction.atomic():
            was, round_id = (Order.objects.select_for_update().filter(pk=order.pk)
                             .values_list("state", "round_id").get())
            moved = Order.objects.filter(pk=order.pk, state__in=list(OPEN_STATES),
                                         delivery_client_id__isnull=True).update(
                state=OrderState.FAILED, fail_reason=FailReason.CHECK_REFUSED,
                delivery_client_id=client_id)
            if not moved:
                raise ValidationError({"order": _("Someone else completed this order a moment "
                                                  "ago.")})
            _event(order.pk, actor=actor, from_state=was, to_state=OrderState.FAILED,
                   round_id=round_id, reason=FailReason.CHECK_REFUSED, note=notes)
            audit.record(actor=actor, action="update", model="delivery.order",
                         object_pk=str(order.pk), object_repr=str(order)[:200],
                         changes={"state": [was, OrderState.FAILED],
                                  "fail_reason": ["", FailReason.CHECK_REFUSED]})
            _record_check(actor=actor, order=order, customer=order.customer,
                          client_id=client_id, check={"notes": notes}, check_refused=True)
    except IntegrityError as error:
        return _delivered_before(order, client_id, error)
    return Order.objects.get(pk=order.pk)


def order_fail(*, actor, order: Order, reason: str, note: str = "") -> Order:
    """The courier could not deliver (not at home, wrong address, refused...): the open
    order is closed as failed, with its history row and audit."""
    require(actor, "delivery.order",
            _("Deliveries are completed by couriers and station managers."))
    if not Order.objects.visible_to(actor).filter(pk=order.pk).exists():
        raise Order.DoesNotExist
    if reason not in FailReason.values:
        raise ValidationError({"reason": _("Unknown reason.")})
    if reason == FailReason.CHECK_REFUSED:
        raise ValidationError({"reason": _("A refused check is recorded with the delivery "
                                           "form (the customer refused the check).")})
    with transaction.atomic():
        current = Order.objects.select_for_update().get(pk=order.pk)
        before = audit.snapshot(current)
        moved = Order.objects.filter(pk=order.pk, state__in=list(OPEN_STATES)).update(
            state=OrderState.FAILED, fail_reason=reason,
            note=(f"{current.note} {note}".strip())[:200])
        if not moved:
            raise ValidationError({"order": _("This order is already “%(state)s”.") % {
                "state": OrderState(current.state).label}})
        order.refresh_from_db()
        _event(order.pk, actor=actor, from_state=current.state, to_state=OrderState.FAILED,
               round_id=order.round_id, reason=reason, note=note.strip())
        audit.record_update(actor=actor, instance=order, before=before)
    return order


def order_assign(*, actor, order: Order, the_round: Round) -> Order:
    """Put a waiting order on a round of its station (an order of a village no courier
    covers waits without one), or move it to another round: it takes the round's date and
    waits for the round to be planned again. Only before the courier leaves with it."""
    require(actor, "delivery.manage", _("Orders are assigned to rounds by the station."))
    if not Order.objects.visible_to(actor).filter(pk=order.pk).exists():
        raise Order.DoesNotExist
    if not Round.objects.visible_to(actor).filter(pk=the_round.pk).exists():
        raise Round.DoesNotExist
    if the_round.station_id != order.station_id:
        raise ValidationError({"round": _("A round of another station.")})
    if the_round.state == RoundState.DONE or the_round.date < timezone.localdate():
        raise ValidationError({"round": _("This round is over: choose one of today or later.")})
    with transaction.atomic():
        before = audit.snapshot(Order.objects.select_for_update().get(pk=order.pk))
        moved = Order.objects.filter(
            pk=order.pk, state__in=[OrderState.NEW, OrderState.SCHEDULED]).update(
            round=the_round, scheduled_date=the_round.date, sequence=None,
            state=OrderState.SCHEDULED)
        if not moved:
            state = Order.objects.filter(pk=order.pk).values_list("state", flat=True).get()
            raise ValidationError({"order": _("This order is already “%(state)s”.") % {
                "state": OrderState(state).label}})
        order.refresh_from_db()
        if (before["state"], before["round_id"]) != (order.state, order.round_id):
            _event(order.pk, actor=actor, from_state=before["state"], to_state=order.state,
                   round_id=order.round_id)
        audit.record_update(actor=actor, instance=order, before=before)
    return order


def _release(order: Order, *, actor, now: datetime.datetime) -> bool:
    """Schedule a held order from now (its village's next cycle, or the next morning), on
    the village courier's round: compare-and-set from held, its history row and audit.
    False when it is no longer held."""
    day, priority, after_hours = schedule(order.station, order.customer, now, order.urgent,
                                          order.wanted_date)
    courier = courier_for(order.station, order.customer.jurisdiction_id)
    the_round = round_for(order.station, day, courier, actor=actor) if courier is not None else None
    state = OrderState.SCHEDULED if the_round else OrderState.NEW
    before = audit.snapshot(order)
    moved = Order.objects.filter(pk=order.pk, state=OrderState.HELD).update(
        state=state, round=the_round, scheduled_date=day, priority=priority, held_reason="")
    if not moved:
        return False
    order.refresh_from_db()
    _event(order.pk, actor=actor, from_state=OrderState.HELD, to_state=state,
           round_id=order.round_id, at=now, note=_("Supply restored: released."))
    audit.record_update(actor=actor, instance=order, before=before)
    return True


def order_release(*, actor, order: Order) -> Order:
    """Release a held order by hand: refused with the reason while the household is still
    not supplied."""
    require(actor, "delivery.manage", _("Held orders are released by the station."))
    if not Order.objects.visible_to(actor).filter(pk=order.pk).exists():
        raise Order.DoesNotExist
    with transaction.atomic():
        current = Order.objects.select_for_update().select_related("customer", "station").get(
            pk=order.pk)
        if current.state != OrderState.HELD:
            raise ValidationError({"order": _("This order is not held: it is “%(state)s”.") % {
                "state": OrderState(current.state).label}})
        stop = supply.stop_of(current.customer)
        if stop is not None:
            raise ValidationError({"customer": stop.message()})
        _release(current, actor=actor, now=timezone.now())
    return current


def on_supply_restored(*, actor, customer) -> list[int]:
    """The inspections' "inspections.supply_restored" hook: the household's held orders are
    scheduled at once, in the restore's transaction. Returns the released orders' ids."""
    now = timezone.now()
    return [order.pk for order in Order.objects.filter(customer=customer,
                                                       state=OrderState.HELD)
            .select_related("customer", "station") if _release(order, actor=actor, now=now)]


def release_restored(*, station_ids=None) -> list[int]:
    """Held orders whose household is supplied again (restored) are scheduled: checked when
    the station lists its orders (a lower app restores supply and knows nothing of orders).
    Recorded as the system's change. Returns the released orders' ids."""
    from ranan.customers.choices import CustomerStatus

    held = (Order.objects.filter(state=OrderState.HELD, customer__status=CustomerStatus.ACTIVE)
            .select_related("customer", "station"))
    if station_ids is not None:
        held = held.filter(station_id__in=station_ids)
    released = []
    now = timezone.now()
    for order in held[:500]:
        with transaction.atomic():
            if _release(order, actor=None, now=now):
                released.append(order.pk)
    return released


def order_cancel(*, actor, order: Order, note: str = "") -> Order:
    """The station cancels an order not out yet (a held one the household no longer wants,
    an order entered twice): its history row and audit."""
    require(actor, "delivery.manage", _("Orders are cancelled by the station."))
    if not Order.objects.visible_to(actor).filter(pk=order.pk).exists():
        raise Order.DoesNotExist
    if len(note) > 150:
        raise ValidationError({"note": _("At most 150 characters.")})
    with transaction.atomic():
        current = Order.objects.select_for_update().get(pk=order.pk)
        before = audit.snapshot(current)
        moved = Order.objects.filter(
            pk=order.pk, state__in=[OrderState.HELD, OrderState.NEW, OrderState.SCHEDULED]
        ).update(state=OrderState.CANCELLED, note=(f"{current.note} {note}".strip())[:200])
        if not moved:
            raise ValidationError({"order": _("This order is already “%(state)s”.") % {
                "state": OrderState(current.state).label}})
        order.refresh_from_db()
        _event(order.pk, actor=actor, from_state=current.state, to_state=OrderState.CANCELLED,
               round_id=order.round_id, note=note.strip())
        audit.record_update(actor=actor, instance=order, before=before)
    return order


def round_start(*, actor, the_round: Round) -> Round:
    """The round leaves the station: its scheduled orders are out for delivery (a history
    row each); audited on the round with the orders that left."""
    require(actor, "delivery.order", _("Rounds are started by the station or its couriers."))
    ids = None if actor.is_superuser else enterprise_ids(actor)
    if ids is not None and the_round.station_id not in ids:
        raise Round.DoesNotExist
    with transaction.atomic():
        was = audit.snapshot(Round.objects.select_for_update().get(pk=the_round.pk))
        Round.objects.filter(pk=the_round.pk, state=RoundState.PLANNED).update(
            state=RoundState.OUT)
        leaving = list(Order.objects.select_for_update().filter(
            round=the_round, state=OrderState.SCHEDULED).values_list("pk", flat=True))
        Order.objects.filter(pk__in=leaving).update(state=OrderState.OUT)
        now = timezone.now()
        OrderEvent.objects.bulk_create(
            OrderEvent(order_id=pk, actor=actor, from_state=OrderState.SCHEDULED,
                       to_state=OrderState.OUT, round=the_round, at=now) for pk in leaving)
        the_round.refresh_from_db()
        _record_round(actor=actor, the_round=the_round, before=was, details={"out": leaving})
    return the_round


# --- Loading a round: the station scans its cylinders out to the round's courier ----------------

MAX_LOAD = 200


def _load_errors(the_round: Round, normal: list[str]) -> dict[str, str]:
    """The load's request checked before any scan: a round with a courier, not over; at
    least one code, none blank, none twice."""
    errors: dict[str, str] = {}
    if the_round.courier_id is None:
        errors["round"] = _("This round has no courier: the cylinders are loaded out to its "
                            "courier.")
    elif the_round.state == RoundState.DONE or the_round.date < timezone.localdate():
        errors["round"] = _("This round is over: load a round of today or later.")
    if not normal:
        errors["codes"] = _("Scan at least one cylinder.")
    elif len(normal) > MAX_LOAD:
        errors["codes"] = _("At most %(n)d cylinders at a time.") % {"n": MAX_LOAD}
    else:
        for index, code in enumerate(normal):
            if not code:
                errors[f"codes.{index}"] = _("An empty code.")
        twice = sorted({c for c in normal if c and normal.count(c) > 1})
        if twice:
            errors["codes"] = _("Scanned twice: %(codes)s") % {"codes": ", ".join(twice)}
    return errors


def round_load(*, actor, the_round: Round, scanned: list[str], client_id: uuid.UUID) -> dict:
    """Load the round ("装车"): the station's staff scan the cylinders going out with the
    round, each a dispatch to the round's courier through the interlock (an overdue, scrapped,
    empty or foreign cylinder is refused with its reasons and stays at the station; the
    others are loaded). One scan refused does not stop the others: the truck leaves with
    what passed. The answer lists each code's verdict; the same client_id again answers the
    first result (each scan's own client_id is derived from it), with other codes a
    conflict."""
    require(actor, "delivery.manage", _("A round is loaded by its station."))
    normal = [codes.normalise(c or "") for c in scanned]

    def same(row: RoundLoad) -> bool:
        return (row.round_id == the_round.pk and row.actor_id == actor.pk
                and row.codes == normal)

    previous = replay(RoundLoad.objects, client_id, same=same, conflict=LoadConflict)
    if previous is not None:
        return previous.response
    ids = None if actor.is_superuser else enterprise_ids(actor)
    if ids is not None and the_round.station_id not in ids:
        raise Round.DoesNotExist
    errors = _load_errors(the_round, normal)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = _load(actor, the_round, normal, client_id)
    except IntegrityError:
        previous = replay(RoundLoad.objects, client_id, same=same, conflict=LoadConflict)
        if previous is None:
            raise
        return previous.response
    return response


def _load(actor, the_round: Round, normal: list[str], client_id: uuid.UUID) -> dict:
    """Each code a dispatch scan to the round's courier; the load's row and the round's
    audit row."""
    results = []
    for index, code in enumerate(normal):
        answer = cylinder_services.cylinder_scan(
            actor=actor, code=code, action="dispatch", courier=the_round.courier,
            client_id=uuid.uuid5(client_id, f"{index}:{code}"))
        results.append({"code": code, "verdict": answer["verdict"],
                        "reasons": answer["reasons"], "cylinder": answer["cylinder"]})
    loaded = [r["code"] for r in results if r["verdict"] == "allow"]
    refused = [r["code"] for r in results if r["verdict"] != "allow"]
    response = {"round": the_round.pk, "courier": the_round.courier_id,
                "loaded": len(loaded), "refused": len(refused), "results": results}
    row = RoundLoad.objects.create(round=the_round, actor=actor, client_id=client_id,
                                   codes=normal, loaded=len(loaded), refused=len(refused),
                                   response=response)
    response["id"] = row.pk
    RoundLoad.objects.filter(pk=row.pk).update(response=response)
    audit.record(actor=actor, action=AuditAction.UPDATE, instance=the_round,
                 details={"loaded": loaded, "refused": refused, "load": row.pk})
    return response


# --- Reference data: a station's prices, service hours and village cycles -----------------------

PRICE_FIELDS = ("price", "valid_from", "valid_to")
SERVICE_FIELDS = ("opens", "closes", "timezone", "delivery_fee", "latitude", "longitude",
                  "road_factor", "speed_kmh", "shut_off_orders", "refused_check",
                  "evening_orders")
# The station's policies (as data) and their choices.
POLICIES = {"shut_off_orders": ShutOffOrders, "refused_check": RefusedCheck,
            "evening_orders": EveningOrders}
CYCLE_FIELDS = ("weekdays", "every_days", "anchor", "latitude", "longitude")


def _own_station(actor, station) -> None:
    """The station's manager keeps its reference data; another station (or not a station) is
    answered as a bad `station`, like an id the account cannot see."""
    from ranan.core.choices import OrgKind

    require(actor, "delivery.reference", _("A station's manager keeps its prices, service "
                                           "hours and village cycles."))
    if station is None or station.kind != OrgKind.LPG_STATION:
        raise ValidationError({"station": _("Say which LPG station.")})
    ids = None if actor.is_superuser else enterprise_ids(actor)
    if not actor.is_superuser and (ids is None or station.pk not in ids):
        raise ValidationError({"station": _("Not one of your stations.")})


def _save_reference(*, actor, instance, before: dict | None, exclude=()) -> None:
    """Check the row (field validators, then the model's rules), save it and its audit row in
    one transaction."""
    instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        try:
            with transaction.atomic():
                instance.save()
        except IntegrityError:
            raise ValidationError(_duplicate_message(instance)) from None
        audit.record_save(actor=actor, instance=instance, before=before)


def _duplicate_message(instance) -> dict:
    if isinstance(instance, Price):
        return {"valid_from": _("A price of this type already starts on that day.")}
    if isinstance(instance, VillageRound):
        return {"village": _("This village already has a delivery cycle.")}
    return {"station": _("This station already has one.")}


def _price_checks(row: Price) -> None:
    if row.valid_to is not None and row.valid_from is not None and row.valid_to < row.valid_from:
        raise ValidationError({"valid_to": _("On or after the first day.")})
    same = Price.objects.filter(station_id=row.station_id, cylinder_type_id=row.cylinder_type_id,
                                valid_from=row.valid_from).exclude(pk=row.pk)
    if same.exists():
        raise ValidationError(_duplicate_message(row))


def price_create(*, actor, station, cylinder_type: CylinderType, price, valid_from: datetime.date,
                 valid_to: datetime.date | None = None) -> Price:
    """A price of a cylinder type at the station from a day (orders keep the price they were
    taken at, so a new price never changes an order)."""
    _own_station(actor, station)
    row = Price(station=station, cylinder_type=cylinder_type, price=price,
                valid_from=valid_from, valid_to=valid_to)
    _price_checks(row)
    _save_reference(actor=actor, instance=row, before=None)
    return row


def _changed(row, fields, changes: dict) -> dict:
    """Set the `fields` named in `changes` on `row`; the row's snapshot from before."""
    before = audit.snapshot(row)
    for name in fields:
        if name in changes:
            setattr(row, name, changes[name])
    return before


def price_update(*, actor, price_row: Price, **changes) -> Price:
    """Change a price, its first or its last day (`valid_to`: the price ends, rather than
    being deleted)."""
    _own_station(actor, price_row.station)
    before = _changed(price_row, PRICE_FIELDS, changes)
    _price_checks(price_row)
    _save_reference(actor=actor, instance=price_row, before=before)
    return price_row


def service_set(*, actor, station, **values) -> StationService:
    """The station's service hours (local time of `timezone`), delivery fee, position and
    travel figures; created on first use."""
    _own_station(actor, station)
    row = StationService.objects.filter(station=station).first()
    before = audit.snapshot(row) if row else None
    row = row or StationService(station=station)
    for name in SERVICE_FIELDS:
        if name in values:
            setattr(row, name, values[name])
    for name, choices in POLICIES.items():
        if getattr(row, name) not in choices.values:
            raise ValidationError({name: _("Unknown value: choose one of %(values)s.") % {
                "values": ", ".join(choices.values)}})
    if row.timezone not in zoneinfo.available_timezones():
        raise ValidationError({"timezone": _("Unknown time zone, e.g. Asia/Shanghai.")})
    if _time(row.opens) >= _time(row.closes):
        raise ValidationError({"closes": _("Closing time comes after opening time.")})
    _save_reference(actor=actor, instance=row, before=before)
    return row


def _cycle_checks(cycle: VillageRound) -> None:
    weekdays = cycle.weekdays or []
    if not isinstance(weekdays, list) or any(
            not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in weekdays):
        raise ValidationError({"weekdays": _("Days of the week, 0 (Monday) to 6 (Sunday).")})
    if len(set(weekdays)) != len(weekdays):
        raise ValidationError({"weekdays": _("A day appears twice.")})
    cycle.weekdays = sorted(weekdays)
    if cycle.every_days and cycle.anchor is None:
        raise ValidationError({"anchor": _("Say from which day the cycle counts.")})
    if weekdays and cycle.every_days:
        raise ValidationError({"every_days": _("Either weekdays or every N days, not both.")})
    if not weekdays and not cycle.every_days:
        raise ValidationError({"weekdays": _("Say the delivery days: weekdays or every N "
                                             "days.")})
    same = VillageRound.objects.filter(station_id=cycle.station_id,
                                       village_id=cycle.village_id).exclude(pk=cycle.pk)
    if same.exists():
        raise ValidationError(_duplicate_message(cycle))


def village_round_create(*, actor, station, village, **values) -> VillageRound:
    """A village's delivery cycle at the station: fixed weekdays, or every N days from a
    day. The village must be in the account's area."""
    from ranan.core.models import Jurisdiction

    _own_station(actor, station)
    if not Jurisdiction.objects.visible_to(actor).filter(pk=village.pk).exists():
        raise ValidationError({"village": _("Not a village of your area.")})
    cycle = VillageRound(station=station, village=village,
                         **{k: v for k, v in values.items() if k in CYCLE_FIELDS})
    _cycle_checks(cycle)
    _save_reference(actor=actor, instance=cycle, before=None, exclude=("weekdays",))
    return cycle


def village_round_update(*, actor, cycle: VillageRound, **changes) -> VillageRound:
    _own_station(actor, cycle.station)
    before = _changed(cycle, CYCLE_FIELDS, changes)
    _cycle_checks(cycle)
    _save_reference(actor=actor, instance=cycle, before=before, exclude=("weekdays",))
    return cycle
