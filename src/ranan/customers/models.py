"""Customers (households and non-residential premises) and their gas devices."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ranan.core.models import Jurisdiction, Organisation, ScopedQuerySet, ScopeSpec
from ranan.customers.choices import (
    Condition,
    CustomerKind,
    CustomerStatus,
    DeviceKind,
    HeaterType,
    HoseMaterial,
    Missing,
    Supply,
)


class Customer(models.Model):
    """A household or premises that uses gas: everything else (cylinders, orders, visits,
    hazards, campaigns) hangs off it.

    `jpath` copies the jurisdiction's materialised path so that scoping a million customers
    to a district is one range scan on this table, with no join. `missing` holds the
    `Missing` bits computed from the current devices (services keep it in step).
    """

    kind = models.CharField(_("type"), max_length=20, choices=CustomerKind.choices,
                            default=CustomerKind.RESIDENTIAL)
    name = models.CharField(_("name"), max_length=100)
    name_initials = models.CharField(max_length=100, blank=True, editable=False)
    address = models.CharField(_("address"), max_length=200)
    building = models.CharField(_("building"), max_length=20, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)
    # No index of its own on the foreign keys below: the composite indexes lead with them
    # (and jpath covers the jurisdiction); every index costs a million-row import time.
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("village / community or grid"),
                                     on_delete=models.PROTECT, related_name="customers",
                                     db_index=False)
    jpath = models.CharField(max_length=64, editable=False)
    supply = models.CharField(_("gas supply"), max_length=10, choices=Supply.choices)
    meter_number = models.CharField(_("meter number"), max_length=40, blank=True)
    gas_company = models.ForeignKey(
        Organisation, verbose_name=_("gas company"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="pipeline_customers", db_index=False)
    lpg_station = models.ForeignKey(
        Organisation, verbose_name=_("LPG station"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="lpg_customers", db_index=False)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_tail = models.CharField(max_length=4, blank=True, editable=False)
    contact2_name = models.CharField(_("second contact"), max_length=50, blank=True)
    phone2 = models.CharField(_("second phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    elderly_alone = models.BooleanField(_("elderly living alone"), default=False)
    disabled = models.BooleanField(_("disabled"), default=False)
    tenant = models.BooleanField(_("rented / tenant"), default=False)
    high_rise = models.BooleanField(_("high-rise"), default=False)
    home_times = models.CharField(_("usually at home"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CustomerStatus.choices,
                              default=CustomerStatus.ACTIVE)
    status_date = models.DateField(_("status since"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True,
                                   blank=True, validators=[MinValueValidator(-90),
                                                           MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True,
                                    blank=True, validators=[MinValueValidator(-180),
                                                            MaxValueValidator(180)])
    missing = models.PositiveIntegerField(_("missing devices"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="jpath", enterprise=("gas_company", "lpg_station"))

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["jpath", "id"], name="customer_jpath_id"),
            models.Index(fields=["lpg_station", "jpath", "id"], name="customer_station_jpath"),
            models.Index(fields=["gas_company", "jpath", "id"], name="customer_company_jpath"),
            models.Index(fields=["phone", "address"], name="customer_phone_address"),
            models.Index(fields=["phone_tail"], name="customer_phone_tail"),
            models.Index(fields=["missing"], name="customer_missing"),
            # Pattern ops: `LIKE 'zs%'` uses it whatever the database's collation.
            models.Index(fields=["name_initials"], name="customer_initials",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name"], name="customer_name_prefix",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["meter_number"], name="customer_meter_prefix",
                         opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            # One meter, one customer (per gas company).
            models.UniqueConstraint(fields=["gas_company", "meter_number"],
                                    condition=~Q(meter_number=""), name="customer_meter_unique",
                                    violation_error_code="meter_taken",
                                    violation_error_message=_("This meter number is already "
                                                              "registered.")),
            models.CheckConstraint(
                condition=Q(supply=Supply.LPG, meter_number="") | Q(supply=Supply.PIPELINE),
                name="customer_meter_only_pipeline"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="customer_latitude_range"),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="customer_longitude_range"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_residential(self) -> bool:
        return self.kind == CustomerKind.RESIDENTIAL

    @property
    def full_address(self) -> str:
        parts = [self.address]
        if self.building:
            parts.append(f"{self.building}幢")
        if self.unit:
            parts.append(f"{self.unit}单元")
        if self.room:
            parts.append(f"{self.room}室")
        return "".join(parts)

    @property
    def care_flags(self) -> list[str]:
        from ranan.customers.choices import CareFlag

        return [str(CareFlag(f).label) for f in CareFlag.values if getattr(self, f)]

    @property
    def missing_labels(self) -> list[str]:
        return [str(m.label) for m in Missing if self.missing & m.value]


class DeviceQuerySet(models.QuerySet):
    def current(self):
        return self.filter(removed_on__isnull=True)


class Device(models.Model):
    """A gas device at a customer. Replacing one closes the old row (`removed_on`) and adds a
    new one, so the history of what was installed when is kept."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(_("device"), max_length=20, choices=DeviceKind.choices)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    made_on = models.DateField(_("made on"), null=True, blank=True,
                               help_text=_("For a stove: its age counts from here."))
    flame_out = models.BooleanField(_("flame-out protection"), null=True, blank=True)
    material = models.CharField(_("hose material"), max_length=10, choices=HoseMaterial.choices,
                                blank=True)
    length_m = models.DecimalField(_("length (m)"), max_digits=4, decimal_places=2, null=True,
                                   blank=True, validators=[MinValueValidator(Decimal("0.01")),
                                                           MaxValueValidator(50)])
    expires_on = models.DateField(_("replace by"), null=True, blank=True)
    self_closing = models.BooleanField(_("self-closing"), null=True, blank=True)
    has_cutoff = models.BooleanField(_("with cut-off"), null=True, blank=True)
    heater_type = models.CharField(_("heater type"), max_length=10, choices=HeaterType.choices,
                                   blank=True)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices,
                                 blank=True)
    meter_number = models.CharField(_("meter number"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("gas device")
        verbose_name_plural = _("gas devices")
        ordering = ["kind", "-installed_on", "-id"]
        indexes = [
            models.Index(fields=["customer", "removed_on"], name="device_customer_current"),
            # The coverage KPIs ask, per household, "has it such a device in place?": answered
            # from this index alone (bench/dashboard.py: a district's 800 ms -> 30 ms).
            models.Index(fields=["customer", "kind"], name="device_current_cover",
                         include=["material", "self_closing", "has_cutoff", "installed_on"],
                         condition=Q(removed_on__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(length_m__isnull=True) | Q(length_m__gt=0, length_m__lte=50),
                name="device_length_range"),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(installed_on__isnull=True)
                | Q(removed_on__gte=models.F("installed_on")),
                name="device_removed_after_installed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.customer})"
