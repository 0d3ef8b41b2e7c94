"""Codes and labels of the customers app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CustomerKind(models.TextChoices):
    RESIDENTIAL = "residential", _("Household")
    RESTAURANT = "restaurant", _("Restaurant")
    CANTEEN = "canteen", _("Canteen")
    MARKET = "market", _("Market")
    SCHOOL = "school", _("School / kindergarten")
    HOSPITAL = "hospital", _("Hospital / clinic")
    SHOP = "shop", _("Shop")
    HOTEL = "hotel", _("Hotel")
    ENTERTAINMENT = "entertainment", _("Entertainment venue")
    INTERNET_CAFE = "internet_cafe", _("Internet café")
    BATH = "bath", _("Beauty / bath house")
    FACTORY = "factory", _("Small factory")
    OTHER = "other", _("Other premises")


class Supply(models.TextChoices):
    PIPELINE = "pipeline", _("Pipeline gas")
    LPG = "lpg", _("Bottled LPG")


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("customer status", "Active")
    MOVED_OUT = "moved_out", _("Moved out")
    SHUT_OFF = "shut_off", _("Gas shut off")
    CONVERTED_PIPE = "converted_pipe", _("Converted to pipeline gas")
    CONVERTED_ELECTRIC = "converted_electric", _("Converted to electric")


STATUS_COLOURS = {
    CustomerStatus.ACTIVE: "green",
    CustomerStatus.MOVED_OUT: "secondary",
    CustomerStatus.SHUT_OFF: "red",
    CustomerStatus.CONVERTED_PIPE: "blue",
    CustomerStatus.CONVERTED_ELECTRIC: "azure",
}


class CareFlag(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    DISABLED = "disabled", _("Disabled")
    TENANT = "tenant", _("Rented / tenant")
    HIGH_RISE = "high_rise", _("High-rise")


class DeviceKind(models.TextChoices):
    STOVE = "stove", _("Stove")
    HOSE = "hose", _("Connector hose")
    VALVE = "valve", _("Valve")
    REGULATOR = "regulator", pgettext_lazy("device kind", "Regulator")
    ALARM = "alarm", _("Gas alarm")
    WATER_HEATER = "water_heater", _("Water heater")
    INDOOR_PIPE = "indoor_pipe", _("Indoor pipe")
    METER = "meter", _("Gas meter")


class HoseMaterial(models.TextChoices):
    RUBBER = "rubber", _("Rubber")
    METAL = "metal", _("Metal corrugated")
    OTHER = "other", _("Other")


class HeaterType(models.TextChoices):
    FLUED = "flued", _("Forced-flue / balanced")
    FLUELESS = "flueless", _("Flueless (direct discharge)")
    ELECTRIC = "electric", _("Electric")


class Condition(models.TextChoices):
    GOOD = "good", _("Good")
    CORRODED = "corroded", _("Corroded")
    LEAKING = "leaking", _("Leaking")


class Missing(models.IntegerChoices):
    """What a customer lacks, as bits of Customer.missing (filterable in one column).

    Rules from DOMAIN.md: rubber hoses replaced by metal, replaced every 18 months, ≤ 2 m;
    self-closing valve; LPG regulator with cut-off; stove with flame-out protection, service
    life 8 years; alarms encouraged; flued water heaters; sound indoor pipes.
    """

    RUBBER_HOSE = 1, _("Rubber hose")
    HOSE_EXPIRED = 2, _("Hose past its replacement date")
    HOSE_TOO_LONG = 4, _("Hose longer than 2 m")
    NO_SELF_CLOSING_VALVE = 8, _("No self-closing valve")
    STOVE_NO_FLAMEOUT = 16, _("Stove without flame-out protection")
    STOVE_TOO_OLD = 32, _("Stove older than 8 years")
    REGULATOR_NO_CUTOFF = 64, _("LPG regulator without cut-off")
    NO_ALARM = 128, _("No gas alarm")
    HEATER_NO_FLUE = 256, _("Water heater without flue")
    PIPE_CORRODED = 512, _("Corroded or leaking indoor pipe")
