"""The visit checklist and the customer's device register (issue 15 item 3), both ways:

- `prefill`: the answers the register already gives (a metal hose on record answers "type
  of hose: metal"; an alarm on record answers "an alarm is installed: pass"), so the
  inspector confirms or corrects them rather than starting blank;
- `confirm_devices`: what a passing answer saw goes into the register in the visit's
  transaction (a metal hose, an alarm, a self-closing valve …), through
  `customers.services.device_confirm` — the same register write as a fix on the spot and a
  closed hazard's fix — so a household checked with a metal hose and an alarm no longer
  shows "rubber hose / no alarm" as missing.

Both rest on the checklist item codes of the default checklists (catalogue.py). An item
an administrator adds under another code simply prefills nothing and writes nothing. Only
what the register positively records prefills an answer: a device not on record leaves the
item blank (the register does not know), it never answers "fail".
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from ranan.core.permissions import can
from ranan.customers import services as customer_services
from ranan.customers.choices import Condition, DeviceKind, HeaterType, HoseMaterial
from ranan.customers.models import Customer, Device
from ranan.customers.services import SAFE_DEVICE

PASS, FAIL = "pass", "fail"


def _years(born: datetime.date | None, today: datetime.date) -> str | None:
    if born is None or born > today:
        return None
    return str(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else (PASS if value else FAIL)


def current_devices(customer: Customer) -> dict[str, Device]:
    """The customer's current device of each kind (the newest when several)."""
    out: dict[str, Device] = {}
    for device in (Device.objects.current().filter(customer=customer)
                   .order_by("kind", "-installed_on", "-id")):
        out.setdefault(device.kind, device)
    return out


def prefill(customer: Customer, today: datetime.date) -> dict[str, str]:
    """{item code: answer} that the customer's device register gives."""
    devices = current_devices(customer)
    hose, stove = devices.get(DeviceKind.HOSE), devices.get(DeviceKind.STOVE)
    valve, regulator = devices.get(DeviceKind.VALVE), devices.get(DeviceKind.REGULATOR)
    heater, pipe = devices.get(DeviceKind.WATER_HEATER), devices.get(DeviceKind.INDOOR_PIPE)
    answers: dict[str, str | None] = {}
    if hose is not None:
        answers["hose_type"] = (hose.material if hose.material in (HoseMaterial.METAL,
                                                                    HoseMaterial.RUBBER)
                                else None)
        answers["hose_length"] = (str(hose.length_m.normalize()) if hose.length_m is not None
                                  else None)
    if stove is not None:
        answers["stove_flame_out"] = _yes_no(stove.flame_out)
        answers["stove_age"] = _years(stove.made_on or stove.installed_on, today)
    if valve is not None:
        answers["valve_condition"] = _yes_no(valve.self_closing)
    if regulator is not None:
        answers["regulator_cutoff"] = _yes_no(regulator.has_cutoff)
    if DeviceKind.ALARM in devices:
        answers["alarm"] = PASS
    if heater is not None and heater.heater_type:
        answers["water_heater_flue"] = FAIL if heater.heater_type == HeaterType.FLUELESS else PASS
    if pipe is not None and pipe.condition:
        answers["indoor_pipe"] = PASS if pipe.condition == Condition.GOOD else FAIL
    return {code: value for code, value in answers.items() if value is not None}


def _seen(evaluated: dict[str, tuple[str, bool]], code: str) -> str | None:
    """The answer of an item that passed (not "not applicable"), or None."""
    value, failed = evaluated.get(code, ("", True))
    return None if failed or value == "na" else value


def _hose(evaluated) -> dict | None:
    """The hose a passing check saw: metal, with its length when that passed too."""
    if _seen(evaluated, "hose_type") != HoseMaterial.METAL:
        return None
    values: dict = {"material": HoseMaterial.METAL}
    length = _seen(evaluated, "hose_length")
    if length is not None and Decimal(length) > 0:
        values["length_m"] = Decimal(length)
    return values


def seen_devices(evaluated: dict[str, tuple[str, bool]]) -> dict[str, dict]:
    """{device kind: values} of what the passing answers of a visit saw."""
    seen: dict[str, dict] = {}
    hose = _hose(evaluated)
    if hose is not None:
        seen[DeviceKind.HOSE] = hose
    for item, kind in (("stove_flame_out", DeviceKind.STOVE),
                       ("valve_condition", DeviceKind.VALVE),
                       ("regulator_cutoff", DeviceKind.REGULATOR), ("alarm", DeviceKind.ALARM)):
        if _seen(evaluated, item):
            seen[kind] = dict(SAFE_DEVICE[kind])
    return seen


def _corrected(devices: dict[str, Device], evaluated) -> dict[str, dict]:
    """A device on record as faulty that a check found sound: a water heater on record
    flueless whose flue passed, an indoor pipe on record corroded that passed."""
    out: dict[str, dict] = {}
    heater, pipe = devices.get(DeviceKind.WATER_HEATER), devices.get(DeviceKind.INDOOR_PIPE)
    if (heater is not None and heater.heater_type == HeaterType.FLUELESS
            and _seen(evaluated, "water_heater_flue")):
        out[DeviceKind.WATER_HEATER] = {"heater_type": HeaterType.FLUED}
    if (pipe is not None and pipe.condition in (Condition.CORRODED, Condition.LEAKING)
            and _seen(evaluated, "indoor_pipe")):
        out[DeviceKind.INDOOR_PIPE] = {"condition": Condition.GOOD}
    return out


def confirm_devices(actor, customer: Customer, evaluated: dict[str, tuple[str, bool]],
                    fixed_kinds: set[str], day: datetime.date) -> list[Device]:
    """Write into the register what the passing answers of a visit saw (inside the visit's
    transaction). Kinds a fix of this visit already installed are left to the fix; a
    rigid pipe instead of a hose closes the hose on record. The visitor writes when their
    role edits customers, else the system does (as a closed hazard's fix)."""
    writer = actor if can(actor, "customers.edit") else None
    note = _("Seen at the inspection of %(day)s") % {"day": day.isoformat()}
    devices = current_devices(customer)
    written = []
    wanted = {**seen_devices(evaluated), **_corrected(devices, evaluated)}
    for kind, values in wanted.items():
        if kind in fixed_kinds:
            continue
        device = customer_services.device_confirm(actor=writer, customer=customer, kind=kind,
                                                  seen_on=day, note=note, **values)
        if device is not None:
            written.append(device)
    hose = devices.get(DeviceKind.HOSE)
    if (_seen(evaluated, "hose_type") == "none" and hose is not None
            and DeviceKind.HOSE not in fixed_kinds
            and not (hose.installed_on and hose.installed_on > day)):
        customer_services.device_remove(actor=writer, device=hose, removed_on=min(
            day, datetime.date.today()))
    return written
