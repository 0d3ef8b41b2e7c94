"""What a customer is missing, computed from its current devices (DOMAIN.md rules)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from ranan.customers.choices import Condition, DeviceKind, HeaterType, HoseMaterial, Missing, Supply

HOSE_RUBBER_MONTHS = 18  # local "ten checks" leaflets: rubber hose replaced every 18 months
HOSE_MAX_LENGTH_M = 2
STOVE_LIFE_YEARS = 8


def _months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def missing_mask(supply: str, devices: Iterable, today: datetime.date | None = None) -> int:
    """Bits of `Missing` for a customer with these current devices.

    Absent devices count where the rule asks for one (a valve, an alarm, an LPG regulator
    with cut-off); absent stoves or hoses are simply not known yet.
    """
    today = today or datetime.date.today()
    mask = 0
    kinds = set()
    for d in devices:
        kinds.add(d.kind)
        if d.kind == DeviceKind.HOSE:
            mask |= _hose_bits(d, today)
        elif d.kind == DeviceKind.VALVE:
            if d.self_closing is False:
                mask |= Missing.NO_SELF_CLOSING_VALVE
        elif d.kind == DeviceKind.STOVE:
            mask |= _stove_bits(d, today)
        elif d.kind == DeviceKind.REGULATOR:
            if supply == Supply.LPG and d.has_cutoff is False:
                mask |= Missing.REGULATOR_NO_CUTOFF
        elif d.kind == DeviceKind.WATER_HEATER:
            if d.heater_type == HeaterType.FLUELESS:
                mask |= Missing.HEATER_NO_FLUE
        elif d.kind == DeviceKind.INDOOR_PIPE:
            if d.condition in (Condition.CORRODED, Condition.LEAKING):
                mask |= Missing.PIPE_CORRODED
    if DeviceKind.VALVE not in kinds:
        mask |= Missing.NO_SELF_CLOSING_VALVE
    if DeviceKind.ALARM not in kinds:
        mask |= Missing.NO_ALARM
    if supply == Supply.LPG and DeviceKind.REGULATOR not in kinds:
        mask |= Missing.REGULATOR_NO_CUTOFF
    return mask


def _hose_bits(d, today: datetime.date) -> int:
    """A rubber hose (expired after HOSE_RUBBER_MONTHS), one past its expiry date, one too
    long."""
    mask = 0
    if d.material == HoseMaterial.RUBBER:
        mask |= Missing.RUBBER_HOSE
        if d.installed_on and _months_between(d.installed_on, today) >= HOSE_RUBBER_MONTHS:
            mask |= Missing.HOSE_EXPIRED
    if d.expires_on and d.expires_on < today:
        mask |= Missing.HOSE_EXPIRED
    if d.length_m is not None and d.length_m > HOSE_MAX_LENGTH_M:
        mask |= Missing.HOSE_TOO_LONG
    return mask


def _stove_bits(d, today: datetime.date) -> int:
    """A stove without flame-out protection, or older than STOVE_LIFE_YEARS (from when it
    was made, else installed)."""
    mask = 0
    if d.flame_out is False:
        mask |= Missing.STOVE_NO_FLAMEOUT
    born = d.made_on or d.installed_on
    if born and _months_between(born, today) >= STOVE_LIFE_YEARS * 12:
        mask |= Missing.STOVE_TOO_OLD
    return mask
