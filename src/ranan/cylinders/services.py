"""Cylinder writes: registration and the scan interlock (`cylinder_scan`).

Every state change goes through `cylinder_scan`: it checks the code, the role, the owning
station, the dates (a cylinder past inspection or scrap date is never filled, dispatched or
delivered) and the transition, then moves the state with a compare-and-set update (two
fills of one cylinder at the same instant: exactly one wins, on SQLite and PostgreSQL) and
appends the event, in one transaction. Refusals are recorded too.
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core import audit
from ranan.core.choices import Role
from ranan.core.permissions import can, require
from ranan.core.scoping import enterprise_ids
from ranan.customers.choices import CustomerStatus
from ranan.customers.models import Customer
from ranan.cylinders import codes
from ranan.cylinders.choices import RECORDS, TRANSITIONS, Action, EventKind, Reason, Record, State
from ranan.cylinders.models import (
    Cylinder,
    CylinderEvent,
    CylinderType,
    IssuedCode,
    LabelBatch,
    Scan,
    add_years,
)
from ranan.lib.idempotency import Conflict, replay

DATE_CHECKED = {Action.FILL, Action.DISPATCH, Action.DELIVER}
# What the interlock reads of a cylinder (its checks and `cylinder_public`).
SCAN_FIELDS = ("code", "state", "next_inspection_due", "scrap_on", "courier", "customer",
               "type", "type__name", "station", "station__name")


class ScanConflict(Conflict):
    """The same client_id was sent before with a different request."""


@transaction.atomic
def cylinder_register(*, actor, station, type: CylinderType, made_on: datetime.date,
                      last_inspected_on: datetime.date | None = None, manufacturer: str = "",
                      serial: str = "", code: str | None = None) -> Cylinder:
    if actor is not None:
        require(actor, "cylinders.register", _("Only a station manager registers cylinders."))
    if actor is not None and not actor.is_superuser:
        ids = enterprise_ids(actor)
        if ids is None or station.pk not in ids:
            raise ValidationError({"station": _("You can only register cylinders of your station.")})
    today = timezone.localdate()
    errors = {}
    if made_on > today:
        errors["made_on"] = _("%(date)s is in the future.") % {"date": made_on}
    if last_inspected_on and last_inspected_on > today:
        errors["last_inspected_on"] = _("%(date)s is in the future.") % {"date": last_inspected_on}
    if last_inspected_on and last_inspected_on < made_on:
        errors["last_inspected_on"] = _("The last inspection cannot be before manufacture.")
    if code is not None:
        code = codes.normalise(code)
        if not codes.check_ok(code):
            errors["code"] = _("“%(code)s” is not a valid cylinder code.") % {"code": code}
        elif Cylinder.objects.filter(code=code).exists():
            errors["code"] = _("This code is already registered.")
        elif IssuedCode.objects.filter(code=code).exclude(batch__station=station).exists():
            errors["code"] = _("This code was printed for another station.")
    if errors:
        raise ValidationError(errors)
    cylinder = Cylinder(code=code or codes.new_code(), type=type, made_on=made_on,
                        last_inspected_on=last_inspected_on, manufacturer=manufacturer,
                        serial=serial, station=station, state=State.EMPTY_AT_STATION)
    cylinder.derive_dates()
    cylinder.full_clean()
    cylinder.save()
    CylinderEvent.objects.create(cylinder=cylinder, kind=EventKind.REGISTERED, actor=actor,
                                 station=station)
    audit.record_create(actor=actor, instance=cylinder)
    return cylinder


def _reason(code: str, message=None) -> dict:
    return {"code": code, "message": str(message or Reason(code).label)}


# A customer's status that stops delivery -> the interlock's reason.
STATUS_REASONS = {CustomerStatus.SHUT_OFF: Reason.SUPPLY_SHUT_OFF,
                  CustomerStatus.CONVERTED_PIPE: Reason.CUSTOMER_CONVERTED,
                  CustomerStatus.CONVERTED_ELECTRIC: Reason.CUSTOMER_CONVERTED,
                  CustomerStatus.MOVED_OUT: Reason.CUSTOMER_MOVED_OUT}


def _not_supplied(customer: Customer) -> dict | None:
    """The interlock's refusal of a delivery to a household that may not be supplied: its
    status (set by the lower apps' services: the valve shut off or sealed, the premises
    converted, the customer moved out) and since when."""
    code = STATUS_REASONS.get(customer.status)
    if code is None:
        return None
    since = customer.status_date.isoformat() if customer.status_date else "?"
    return _reason(code, _("%(status)s since %(since)s: no cylinder is delivered.") % {
        "status": CustomerStatus(customer.status).label, "since": since})


def cylinder_public(cylinder: Cylinder | None) -> dict | None:
    if cylinder is None:
        return None
    return {"code": cylinder.code, "type": cylinder.type.name, "state": cylinder.state,
            "next_inspection_due": cylinder.next_inspection_due.isoformat(),
            "scrap_on": cylinder.scrap_on.isoformat(), "station": cylinder.station.name}


def cylinder_scan(*, actor, code: str, action: str, client_id: uuid.UUID,
                  courier=None, customer: Customer | None = None,
                  net_weight_kg=None, filling_line: str = "") -> dict:
    """The interlock. Answers {"verdict", "reasons", "cylinder"}; allowed actions are
    recorded as their event, refusals as a Scan row; a repeated client_id answers the first
    verdict and records nothing new (ScanConflict when the request differs)."""
    payload = {"code": code, "action": action, "courier": getattr(courier, "pk", None),
               "customer": getattr(customer, "pk", None),
               "net_weight_kg": str(net_weight_kg) if net_weight_kg is not None else None,
               "filling_line": filling_line}
    try:
        with transaction.atomic():
            return _scan(actor, code, action, client_id, payload, courier, customer,
                         net_weight_kg, filling_line)
    except IntegrityError:
        # The client_id was used before (the field app's retry, or the same scan twice at
        # once): the unique index refused the second Scan row, everything this attempt wrote
        # is rolled back and the first answer stands. (No look-up before the attempt: it
        # would cost every scan a query for the rare retry.)
        previous = replay(Scan.objects, client_id, conflict=ScanConflict,
                          same=lambda s: s.payload == payload and s.actor_id == actor.pk)
        if previous is None:
            raise
        return previous.response


def _target_reasons(action, cylinder, courier, customer) -> list[dict]:
    """Who receives it: a courier of the station for a dispatch; a customer of the station,
    one that may be supplied, for a delivery."""
    out = []
    if action == Action.DISPATCH and (courier is None or not courier.has_role(Role.COURIER)
                                      or courier.organisation_id != cylinder.station_id):
        out.append(_reason(Reason.MISSING_TARGET, _("Choose a courier of this station.")))
    if action == Action.DELIVER and (customer is None or customer.lpg_station_id
                                     != cylinder.station_id):
        out.append(_reason(Reason.MISSING_TARGET, _("Choose a customer of this station.")))
    if action == Action.DELIVER and customer is not None:
        refused = _not_supplied(customer)
        if refused is not None:
            out.append(refused)
    return out


def _wrong_state(action: str, state: str) -> str:
    """The refusal of a cylinder in the wrong state, with what to do where there is a next
    step: a full cylinder still at the station was never loaded onto the courier's round (the
    courier at the door needs the station to scan it out to them first)."""
    if action == Action.DELIVER and state == State.FULL_AT_STATION:
        return _("It is still at the station: it was not loaded onto your round. Ask the "
                 "station to load your round (scan it out to you), then deliver it.")
    if action == Action.DELIVER and state == State.EMPTY_AT_STATION:
        return _("It is empty, at the station: take a full cylinder loaded onto your round.")
    if action == Action.DISPATCH and state == State.EMPTY_AT_STATION:
        return _("It is empty: fill it (scan “Fill”) before loading it onto a round.")
    return _("It is “%(state)s”: it cannot be %(action)s.") % {
        "state": State(state).label, "action": Action(action).label}


def _scan(actor, raw_code, action, client_id, payload, courier, customer, net_weight_kg,
          filling_line) -> dict:
    code = codes.normalise(raw_code or "")
    reasons: list[dict] = []
    cylinder = None
    if action not in Action.values:
        raise ValidationError({"action": _("Unknown action.")})
    if not codes.is_well_formed(code):
        reasons.append(_reason(Reason.UNKNOWN_CODE))
    elif not codes.check_ok(code):
        reasons.append(_reason(Reason.BAD_CHECK_CHARACTER))
    else:
        try:
            cylinder = Cylinder.objects.select_related("type", "station").only(
                *SCAN_FIELDS).get(code=code)
        except Cylinder.DoesNotExist:
            reasons.append(_reason(Reason.UNKNOWN_CODE))
    # Who may ask for which action: the table's cylinders.<action> (a courier never fills).
    if not can(actor, f"cylinders.{action}"):
        reasons.append(_reason(Reason.ROLE))
    if cylinder is not None:
        ids = None if actor.is_superuser else enterprise_ids(actor)
        if ids is not None and cylinder.station_id not in ids:
            reasons.append(_reason(Reason.OTHER_STATION))
            cylinder = None  # nothing about another station's cylinder is told
    if cylinder is not None:
        today = timezone.localdate()
        if action in DATE_CHECKED:
            if today >= cylinder.scrap_on:
                reasons.append(_reason(Reason.PAST_SCRAP_DATE, _(
                    "Past its scrap date (%(date)s): scrap it.") % {"date": cylinder.scrap_on}))
            elif today > cylinder.next_inspection_due:
                reasons.append(_reason(Reason.OVERDUE_INSPECTION, _(
                    "Periodic inspection was due on %(date)s: send it for inspection.") % {
                    "date": cylinder.next_inspection_due}))
        starts, ends, event_kind = TRANSITIONS[action]
        if cylinder.state not in starts:
            reasons.append(_reason(Reason.WRONG_STATE, _wrong_state(action, cylinder.state)))
        reasons.extend(_target_reasons(action, cylinder, courier, customer))
    verdict = "refuse" if reasons else "allow"
    event = None
    if verdict == "allow":
        starts, ends, event_kind = TRANSITIONS[action]
        holder = {"courier": None, "customer": None}
        if action == Action.DISPATCH:
            holder["courier"] = courier
        elif action == Action.DELIVER:
            holder["customer"] = customer
        # Compare-and-set: only a cylinder still in an allowed state moves.
        moved = Cylinder.objects.filter(pk=cylinder.pk, state__in=starts).update(
            state=ends, updated_at=timezone.now(), **holder)
        if not moved:
            verdict = "refuse"
            reasons.append(_reason(Reason.WRONG_STATE, _("Someone else changed it a moment ago.")))
        else:
            event = CylinderEvent.objects.create(
                cylinder=cylinder, kind=event_kind, actor=actor, station_id=cylinder.station_id,
                courier_id=courier.pk if action == Action.DISPATCH else cylinder.courier_id,
                customer_id=customer.pk if action == Action.DELIVER else cylinder.customer_id,
                net_weight_kg=net_weight_kg if action == Action.FILL else None,
                filling_line=filling_line if action == Action.FILL else "")
            cylinder.state, cylinder.courier, cylinder.customer = (
                ends, holder["courier"], holder["customer"])
    response = {"verdict": verdict, "reasons": reasons, "cylinder": cylinder_public(cylinder)}
    Scan.objects.create(client_id=client_id, actor=actor, code=code[:40], cylinder=cylinder,
                        action=action, payload=payload, verdict=verdict, response=response,
                        event=event)
    return response


def _own_station_or_refuse(actor, station) -> None:
    if actor.is_superuser:
        return
    require(actor, "cylinders.register", _("Only a station manager may do this."))
    ids = enterprise_ids(actor)
    if ids is None or station.pk not in ids:
        raise PermissionDenied(_("This cylinder belongs to another station."))


@transaction.atomic
def cylinder_record(*, actor, cylinder: Cylinder, record: str, on: datetime.date | None = None,
                    note: str = "") -> CylinderEvent:
    """The steps of the recall and inspection loop recorded from the cylinder's page:
    holder told of the recall, sent to inspection, inspection passed (a new inspection date:
    the next due date and, at the end of the design life, the extension are derived again),
    inspection failed (scrapped), scrapped, lost. The transition is checked like a scan's."""
    if record not in Record.values:
        raise ValidationError({"record": _("Unknown step.")})
    _own_station_or_refuse(actor, cylinder.station)
    starts, ends, event_kind = RECORDS[record]
    today = timezone.localdate()
    on = on or today
    note = (note or "").strip()
    if on > today:
        raise ValidationError({"on": _("%(date)s is in the future.") % {"date": on}})
    if on < cylinder.made_on:
        raise ValidationError({"on": _("Before the cylinder was made.")})
    if len(note) > 500:
        raise ValidationError({"note": _("At most 500 characters.")})
    if record == Record.RECALL_NOTICE and not note:
        raise ValidationError({"note": _("Say who was told, and how.")})
    current = Cylinder.objects.select_for_update().select_related("type").get(pk=cylinder.pk)
    if current.state not in starts:
        raise ValidationError({"record": _("It is “%(state)s”: “%(step)s” is not possible.") % {
            "state": State(current.state).label, "step": Record(record).label}})
    changes: dict = {}
    if ends is not None:
        changes["state"] = ends
        changes["courier"] = None
        changes["customer"] = None
    if record == Record.INSPECTION_PASSED:
        # The inspection in the last year of the design life grants the extension (DOMAIN.md:
        # 8 years, +4 after a passed inspection, 12 at the latest: derive_dates caps it).
        rules = current.type
        changes["last_inspected_on"] = on
        changes["life_extended"] = current.life_extended or (
            on >= add_years(current.made_on, rules.design_life_years - 1))
    before = audit.snapshot(current)
    for field, value in changes.items():
        setattr(current, field, value)
    if record == Record.INSPECTION_PASSED:
        current.derive_dates()
        if current.next_inspection_due > today + datetime.timedelta(days=30) and (
                current.scrap_on > today + datetime.timedelta(days=30)):
            current.recall_from = None
    current.save()
    event = CylinderEvent.objects.create(
        cylinder=current, kind=event_kind, actor=actor, station=current.station,
        customer=cylinder.customer if record == Record.RECALL_NOTICE else None,
        details={"on": on.isoformat(), "note": note} if note or on != today else {})
    audit.record_update(actor=actor, instance=current, before=before)
    cylinder.__dict__.update(current.__dict__)
    return event


LABEL_GRIDS = {
    # name: (columns, rows, label width mm, label height mm, left margin, top margin, gap x, gap y)
    "3x8": (3, 8, 70, 36, 0, 4.5, 0, 0),
    "4x10": (4, 10, 48.5, 25.4, 8, 21.5, 0, 0),
    "2x5": (2, 5, 99.1, 57, 4.65, 8.5, 2.5, 0),
    "5x13": (5, 13, 38.1, 21.2, 4.75, 10.7, 2.5, 0),
}
MAX_LABELS = 2000


@transaction.atomic
def label_batch_create(*, actor, station, count: int, grid: str) -> LabelBatch:
    """Issue `count` new random codes to `station` (never one registered or issued before)."""
    _own_station_or_refuse(actor, station)
    if grid not in LABEL_GRIDS:
        raise ValidationError({"grid": _("Unknown label grid.")})
    if not 1 <= count <= MAX_LABELS:
        raise ValidationError({"count": _("Between %(low)d and %(high)d.") % {
            "low": 1, "high": MAX_LABELS}})
    batch = LabelBatch.objects.create(station=station, count=count, grid=grid, created_by=actor)
    wanted: set[str] = set()
    while len(wanted) < count:
        fresh = {codes.new_code() for _ in range(count - len(wanted))} - wanted
        taken = set(IssuedCode.objects.filter(code__in=fresh).values_list("code", flat=True))
        taken |= set(Cylinder.objects.filter(code__in=fresh).values_list("code", flat=True))
        wanted |= fresh - taken
    IssuedCode.objects.bulk_create([IssuedCode(code=c, batch=batch) for c in sorted(wanted)])
    audit.record_create(actor=actor, instance=batch)
    return batch


# --- Cylinder types: a province's rules (national ones have no province) ------------------------

TYPE_FIELDS = ("name", "size_kg", "province", "inspection_years", "design_life_years",
               "extension_years", "max_life_years", "price")


def _type_checks(actor, kind: CylinderType) -> None:
    """An administrator keeps its own province's types; the national ones (no province) are
    a superuser's. Field rules, then the model's, then the name once per province."""
    from ranan.cylinders.selectors import province_ids

    if kind.province_id is None and not actor.is_superuser:
        raise ValidationError({"province": _("Say which province: national types are kept "
                                             "by the platform.")})
    if not actor.is_superuser and kind.province_id not in province_ids(actor):
        raise ValidationError({"province": _("Not a province of your area.")})
    kind.full_clean(validate_unique=False, validate_constraints=False)
    if kind.max_life_years < kind.design_life_years:
        raise ValidationError({"max_life_years": _("At least the design life.")})
    same = CylinderType.objects.filter(name=kind.name, province_id=kind.province_id)
    if same.exclude(pk=kind.pk).exists():
        raise ValidationError({"name": _("This province already has a type of this name.")})


def _save_type(actor, kind: CylinderType, before: dict | None) -> CylinderType:
    with transaction.atomic():
        try:
            with transaction.atomic():
                kind.save()
        except IntegrityError:
            raise ValidationError({"name": _("This province already has a type of this "
                                             "name.")}) from None
        audit.record_save(actor=actor, instance=kind, before=before)
    return kind


def cylinder_type_create(*, actor, **values) -> CylinderType:
    require(actor, "cylinders.types", _("Cylinder types are kept by administrators."))
    kind = CylinderType(**{k: v for k, v in values.items() if k in TYPE_FIELDS})
    _type_checks(actor, kind)
    return _save_type(actor, kind, None)


def cylinder_type_update(*, actor, cylinder_type: CylinderType, **changes) -> CylinderType:
    """Change a type's rules: cylinders registered since use them (the dates of registered
    cylinders are kept)."""
    require(actor, "cylinders.types", _("Cylinder types are kept by administrators."))
    before = audit.snapshot(cylinder_type)
    if cylinder_type.province_id is None and not actor.is_superuser:
        raise ValidationError({"province": _("National types are kept by the platform.")})
    for name in TYPE_FIELDS:
        if name in changes:
            setattr(cylinder_type, name, changes[name])
    _type_checks(actor, cylinder_type)
    return _save_type(actor, cylinder_type, before)
