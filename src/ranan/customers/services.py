"""Every write of the customers app: `<entity>_<verb>(*, actor, ...)`, atomic, audited.

`check_customer` holds the rules shared by the page, the API and the Excel importer, so a
row is accepted or refused for the same reasons whichever way it comes in.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ranan.core import audit
from ranan.core.choices import Level, OrgKind
from ranan.core.models import Jurisdiction, Organisation
from ranan.core.permissions import can
from ranan.customers.choices import CustomerKind, CustomerStatus, DeviceKind, HoseMaterial, Supply
from ranan.customers.models import Customer, Device
from ranan.customers.rules import missing_mask
from ranan.lib import masking, normalise

CUSTOMER_FIELDS = (
    "kind", "name", "address", "building", "unit", "room", "jurisdiction", "supply",
    "meter_number", "gas_company", "lpg_station", "contact_name", "phone", "contact2_name",
    "phone2", "id_number", "elderly_alone", "disabled", "tenant", "high_rise", "home_times",
    "status", "status_date", "latitude", "longitude",
)
TEXT_FIELDS = ("name", "address", "building", "unit", "room", "meter_number", "contact_name",
               "contact2_name", "home_times")


def normalise_values(values: dict) -> dict:
    """Clean the free-text fields and the phone / ID numbers; raise ValidationError per field."""
    out = dict(values)
    errors = {}
    for key in TEXT_FIELDS:
        if key in out:
            out[key] = normalise.text(out[key])
    for key in ("phone", "phone2"):
        if key in out:
            try:
                out[key] = normalise.phone(out[key])
            except normalise.Invalid as exc:
                errors[key] = str(exc)
    if "id_number" in out:
        try:
            out["id_number"] = normalise.id_number(out["id_number"])
        except normalise.Invalid as exc:
            errors["id_number"] = str(exc)
    if errors:
        raise ValidationError(errors)
    return out


_UNSET = object()


def check_customer(values: dict, *, actor, today: datetime.date | None = None,
                   enterprise=_UNSET) -> dict[str, str]:
    """Business rules of a customer record: {field: reason} for each broken one.

    `enterprise`: the actor's enterprise ids (None: not limited), when the caller has them
    already (the importer checks a million rows for one actor)."""
    errors: dict[str, str] = {}
    today = today or datetime.date.today()
    j: Jurisdiction | None = values.get("jurisdiction")
    if j is None:
        errors["jurisdiction"] = _("A customer belongs to a village / community or a grid.")
    elif j.level not in (Level.VILLAGE, Level.GRID):
        errors["jurisdiction"] = _("%(name)s is a %(level)s: choose a village / community or grid.") % {
            "name": j.name, "level": Level(j.level).label}
    supply = values.get("supply")
    company: Organisation | None = values.get("gas_company")
    station: Organisation | None = values.get("lpg_station")
    if supply == Supply.PIPELINE:
        if company is None:
            errors["gas_company"] = _("A pipeline customer needs its gas company.")
        elif company.kind != OrgKind.PIPELINE_GAS:
            errors["gas_company"] = _("%(name)s is not a pipeline gas company.") % {"name": company.name}
        if station is not None:
            errors["lpg_station"] = _("A pipeline customer has no LPG station.")
    elif supply == Supply.LPG:
        if station is None:
            errors["lpg_station"] = _("An LPG customer needs its LPG station.")
        elif station.kind != OrgKind.LPG_STATION:
            errors["lpg_station"] = _("%(name)s is not an LPG station.") % {"name": station.name}
        if values.get("meter_number"):
            errors["meter_number"] = _("An LPG customer has no gas meter.")
        if company is not None:
            errors["gas_company"] = _("An LPG customer has no pipeline gas company.")
    if not values.get("name"):
        errors["name"] = _("This field is required.")
    if not values.get("address"):
        errors["address"] = _("This field is required.")
    status_date = values.get("status_date")
    if status_date and status_date > today:
        errors["status_date"] = _("%(date)s is in the future.") % {"date": status_date.isoformat()}
    if actor is not None and not actor.is_superuser:
        from ranan.core.scoping import enterprise_ids

        ids = enterprise_ids(actor) if enterprise is _UNSET else enterprise
        if ids is not None:
            owner = company if supply == Supply.PIPELINE else station
            if owner is not None and owner.pk not in ids:
                field = "gas_company" if supply == Supply.PIPELINE else "lpg_station"
                errors[field] = _("You can only add customers of your own enterprise.")
    return errors


def suppliers_for(user):
    """The gas companies and LPG stations `user` may name as a customer's supplier: those
    of its area, and its own enterprise's whatever their registered area (issue 16: a
    courier's area is its villages, its station is registered for the district, and the
    courier could register no LPG household). Enterprise staff name only their own."""
    from ranan.core.scoping import enterprise_ids

    visible = Organisation.objects.visible_to(user)
    if user is None or not user.is_authenticated or user.is_superuser:
        return visible
    ids = enterprise_ids(user)
    if ids is None:
        return visible
    return Organisation.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=ids),
                                       is_active=True)


def _require_editor(actor) -> None:
    if actor is not None and not can(actor, "customers.edit"):
        raise PermissionDenied(_("Your role cannot change customers."))


def _require_area(actor, jurisdiction: Jurisdiction | None) -> None:
    if actor is None or actor.is_superuser or jurisdiction is None:
        return
    if not Jurisdiction.objects.visible_to(actor).filter(pk=jurisdiction.pk).exists():
        raise ValidationError({"jurisdiction": _("Outside your area.")})


MASKERS = (("phone", masking.mask_phone), ("phone2", masking.mask_phone),
           ("id_number", masking.mask_id))


def keep_masked(customer: Customer, values: dict) -> dict:
    """A masked number sent back exactly as it was shown keeps the real number: editors who
    only see masks (and exported files) must not overwrite phones and IDs with asterisks."""
    values = dict(values)
    for key, masker in MASKERS:
        if values.get(key) and values[key] == masker(getattr(customer, key)):
            values[key] = getattr(customer, key)
    return values


def _check_meter_unique(customer: Customer) -> None:
    if customer.meter_number and customer.gas_company_id and Customer.objects.filter(
            gas_company_id=customer.gas_company_id, meter_number=customer.meter_number).exclude(
            pk=customer.pk).exists():
        raise ValidationError({"meter_number": _("This meter number is already registered.")})


def _save(customer: Customer) -> None:
    """Validate and save; a meter number taken concurrently since the check is answered on
    the same field (the unique index decides the race)."""
    _check_meter_unique(customer)
    try:
        customer.full_clean()
    except ValidationError as exc:
        # The unique constraint reports on no field; it is the meter number's.
        errors = exc.update_error_dict({})
        taken = [e for e in errors.get("__all__", []) if getattr(e, "code", "") == "meter_taken"]
        if taken:
            errors["__all__"] = [e for e in errors["__all__"] if e not in taken]
            errors.setdefault("meter_number", []).extend(taken)
            errors = {k: v for k, v in errors.items() if v}
        raise ValidationError(errors) from None
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        raise ValidationError({"meter_number": _("This meter number is already registered.")}) from None


def _derive(customer: Customer) -> None:
    customer.jpath = customer.jurisdiction.path
    customer.name_initials = normalise.initials(customer.name)[:100]
    customer.phone_tail = customer.phone.replace("-", "")[-4:] if customer.phone else ""


@transaction.atomic
def customer_create(*, actor, **values) -> Customer:
    _require_editor(actor)
    unknown = set(values) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    values = normalise_values(values)
    values.setdefault("kind", CustomerKind.RESIDENTIAL)
    values.setdefault("status", CustomerStatus.ACTIVE)
    errors = check_customer(values, actor=actor)
    if errors:
        raise ValidationError(errors)
    _require_area(actor, values["jurisdiction"])
    customer = Customer(**values)
    _derive(customer)
    customer.missing = missing_mask(customer.supply, [])
    _save(customer)
    audit.record_create(actor=actor, instance=customer)
    return customer


@transaction.atomic
def customer_update(*, actor, customer: Customer, **values) -> Customer:
    _require_editor(actor)
    unknown = set(values) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    before = audit.snapshot(customer)
    values = normalise_values(values)
    merged = {f: getattr(customer, f) for f in CUSTOMER_FIELDS}
    merged.update(values)
    errors = check_customer(merged, actor=actor)
    if errors:
        raise ValidationError(errors)
    if "jurisdiction" in values:
        _require_area(actor, values["jurisdiction"])
    for key, value in values.items():
        setattr(customer, key, value)
    _derive(customer)
    if "supply" in values:
        customer.missing = missing_mask(customer.supply, customer.devices.current())
    _save(customer)
    audit.record_update(actor=actor, instance=customer, before=before)
    return customer


# --- Devices -------------------------------------------------------------------------------

DEVICE_FIELDS = ("kind", "installed_on", "made_on", "flame_out", "material", "length_m",
                 "expires_on", "self_closing", "has_cutoff", "heater_type", "condition",
                 "meter_number", "note")


def _check_device(customer: Customer, values: dict, today: datetime.date) -> None:
    errors = {}
    kind = values.get("kind")
    if kind not in DeviceKind.values:
        errors["kind"] = _("Unknown device.")
    if kind == DeviceKind.METER and customer.supply != Supply.PIPELINE:
        errors["kind"] = _("A gas meter belongs to a pipeline customer, not an LPG one.")
    if kind == DeviceKind.REGULATOR and customer.supply != Supply.LPG:
        errors["kind"] = _("A cylinder regulator belongs to an LPG customer.")
    for key in ("installed_on", "made_on"):
        if values.get(key) and values[key] > today:
            errors[key] = _("%(date)s is in the future.") % {"date": values[key].isoformat()}
    if values.get("material") and kind != DeviceKind.HOSE:
        errors["material"] = _("Only a hose has a material.")
    if values.get("length_m") is not None and kind not in (DeviceKind.HOSE, DeviceKind.INDOOR_PIPE):
        errors["length_m"] = _("Only a hose or pipe has a length.")
    if values.get("flame_out") is not None and kind != DeviceKind.STOVE:
        errors["flame_out"] = _("Only a stove has flame-out protection.")
    if values.get("self_closing") is not None and kind != DeviceKind.VALVE:
        errors["self_closing"] = _("Only a valve is self-closing.")
    if values.get("has_cutoff") is not None and kind != DeviceKind.REGULATOR:
        errors["has_cutoff"] = _("Only a regulator has a cut-off.")
    if values.get("heater_type") and kind != DeviceKind.WATER_HEATER:
        errors["heater_type"] = _("Only a water heater has a heater type.")
    if errors:
        raise ValidationError(errors)


def refresh_missing(customer: Customer) -> None:
    mask = missing_mask(customer.supply, customer.devices.current())
    if mask != customer.missing:
        Customer.objects.filter(pk=customer.pk).update(missing=mask)
        customer.missing = mask


@transaction.atomic
def device_add(*, actor, customer: Customer, replaces: Device | None = None, **values) -> Device:
    """Record a device; `replaces` closes the old one on the new one's install date."""
    _require_editor(actor)
    unknown = set(values) - set(DEVICE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    today = datetime.date.today()
    _check_device(customer, values, today)
    device = Device(customer=customer, **values)
    device.full_clean()
    if replaces is not None:
        if replaces.customer_id != customer.pk or replaces.removed_on is not None:
            raise ValidationError({"replaces": _("Replace a current device of this customer.")})
        device_remove(actor=actor, device=replaces, removed_on=values.get("installed_on") or today)
    device.save()
    audit.record_create(actor=actor, instance=device)
    refresh_missing(customer)
    return device


@transaction.atomic
def device_remove(*, actor, device: Device, removed_on: datetime.date | None = None) -> Device:
    _require_editor(actor)
    today = datetime.date.today()
    removed_on = removed_on or today
    if removed_on > today:
        raise ValidationError({"removed_on": _("%(date)s is in the future.") % {"date": removed_on}})
    if device.installed_on and removed_on < device.installed_on:
        raise ValidationError({"removed_on": _("A device cannot be removed before it was installed.")})
    before = audit.snapshot(device)
    # Compare-and-set: a device removed twice concurrently is removed once.
    updated = Device.objects.filter(pk=device.pk, removed_on__isnull=True).update(removed_on=removed_on)
    if not updated:
        raise ValidationError({"device": _("This device was already removed.")})
    device.removed_on = removed_on
    audit.record_update(actor=actor, instance=device, before=before)
    refresh_missing(device.customer)
    return device


# Devices that belong to one supply only (a regulator to LPG, a meter to pipeline gas): a
# check or a fix of the other kind of customer records none.
DEVICE_SUPPLY = {DeviceKind.REGULATOR: Supply.LPG, DeviceKind.METER: Supply.PIPELINE}
# The safe kind of each device (DOMAIN.md's rules): what a hazard's fix installs and what a
# passing check confirms.
SAFE_DEVICE = {DeviceKind.HOSE: {"material": HoseMaterial.METAL},
               DeviceKind.REGULATOR: {"has_cutoff": True},
               DeviceKind.VALVE: {"self_closing": True},
               DeviceKind.STOVE: {"flame_out": True},
               DeviceKind.ALARM: {}}


@transaction.atomic
def device_confirm(*, actor, customer: Customer, kind: str, seen_on: datetime.date,
                   note: str = "", **values) -> Device | None:
    """A check saw a device of `kind` like `values` at the customer on `seen_on` (a metal
    hose, an alarm, a self-closing valve): bring the register in line. Nothing is written
    when the current device of that kind already is like that, or was recorded after
    `seen_on` (newer news); otherwise a new row replaces it (the old one kept in the
    history) with the install date unknown: the check saw it, not when it was put in. The
    customer's missing devices follow (`device_add`). Returns the new row, or None."""
    if DEVICE_SUPPLY.get(kind, customer.supply) != customer.supply:
        return None
    current = (Device.objects.current().filter(customer=customer, kind=kind)
               .order_by("-installed_on", "-id").first())
    if current is not None:
        if all(getattr(current, key) == value for key, value in values.items()):
            return None
        if current.installed_on and current.installed_on > seen_on:
            return None
    return device_add(actor=actor, customer=customer, replaces=current, kind=kind,
                      note=note[:200], **values)

