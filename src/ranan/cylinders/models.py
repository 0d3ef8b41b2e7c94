"""One bottle, one code: cylinder types (the rules as data), cylinders, their event chain,
and the record of every scan (the interlock's answers, kept for idempotency and review)."""

from __future__ import annotations

import datetime

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ranan.core.models import Account, Jurisdiction, Organisation, ScopedQuerySet, ScopeSpec
from ranan.customers.models import Customer
from ranan.cylinders.choices import CIRCULATING, EventKind, State
from ranan.lib.appendonly import AppendOnlyModel


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class CylinderType(models.Model):
    """A kind of cylinder and its rules. Defaults from DOMAIN.md (LPG steel cylinders, GB
    5842-2006): inspection every 4 years; design life 8 years, +4 after a passed inspection,
    12 at the latest. A province may set its own (`province`); rules are data, not code."""

    name = models.CharField(_("name"), max_length=50)
    size_kg = models.DecimalField(_("size (kg)"), max_digits=5, decimal_places=1,
                                  validators=[MinValueValidator(1)])
    province = models.ForeignKey(Jurisdiction, verbose_name=_("province"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    inspection_years = models.PositiveSmallIntegerField(_("inspection interval (years)"), default=4)
    design_life_years = models.PositiveSmallIntegerField(_("design life (years)"), default=8)
    extension_years = models.PositiveSmallIntegerField(_("extension after inspection (years)"),
                                                       default=4)
    max_life_years = models.PositiveSmallIntegerField(_("longest life (years)"), default=12)
    price = models.DecimalField(_("price (yuan)"), max_digits=8, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("cylinder type")
        verbose_name_plural = _("cylinder types")
        constraints = [
            models.UniqueConstraint(fields=["name", "province"], name="cylinder_type_unique"),
            models.CheckConstraint(condition=models.Q(inspection_years__gte=1),
                                   name="cylinder_type_interval_positive"),
            models.CheckConstraint(
                condition=models.Q(max_life_years__gte=models.F("design_life_years")),
                name="cylinder_type_life_order"),
        ]

    def __str__(self) -> str:
        return self.name


class Cylinder(models.Model):
    """A cylinder with its code. `next_inspection_due` and `scrap_on` are derived from the
    type's rules by `derive_dates()` whenever the dates they depend on change."""

    code = models.CharField(_("code"), max_length=11, unique=True)
    type = models.ForeignKey(CylinderType, verbose_name=_("type"), on_delete=models.PROTECT)
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    serial = models.CharField(_("factory serial"), max_length=40, blank=True)
    made_on = models.DateField(_("manufactured on"))
    last_inspected_on = models.DateField(_("last periodic inspection"), null=True, blank=True)
    life_extended = models.BooleanField(_("life extended by an inspection"), default=False)
    next_inspection_due = models.DateField(_("next inspection due"), editable=False)
    scrap_on = models.DateField(_("scrap date"), editable=False)
    station = models.ForeignKey(Organisation, verbose_name=_("owning station"),
                                on_delete=models.PROTECT, related_name="cylinders")
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.EMPTY_AT_STATION)
    courier = models.ForeignKey(Account, verbose_name=_("courier"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="cylinders")
    recall_from = models.DateField(_("on the recall list since"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="station__jurisdictions__path", enterprise=("station",), multi=True)

    class Meta:
        verbose_name = _("cylinder")
        verbose_name_plural = _("cylinders")
        indexes = [
            models.Index(fields=["station", "next_inspection_due"], name="cylinder_station_due"),
            models.Index(fields=["station", "scrap_on"], name="cylinder_station_scrap"),
            # The overdue count of the dashboards (issue 8) by station, read from the index
            # alone: in circulation and past inspection, or past scrap only.
            models.Index(fields=["next_inspection_due"], include=["station"],
                         condition=models.Q(state__in=CIRCULATING),
                         name="cylinder_circulating_due"),
            models.Index(fields=["scrap_on"], include=["station", "next_inspection_due"],
                         condition=models.Q(state__in=CIRCULATING),
                         name="cylinder_circulating_scrap"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_inspected_on__isnull=True)
                | models.Q(last_inspected_on__gte=models.F("made_on")),
                name="cylinder_inspected_after_made",
                violation_error_message=_("The last inspection cannot be before manufacture.")),
        ]

    def __str__(self) -> str:
        return self.code

    def derive_dates(self) -> None:
        self.next_inspection_due, self.scrap_on = derived_dates(
            self.type, self.made_on, self.last_inspected_on, self.life_extended)


def derived_dates(rules: CylinderType, made_on: datetime.date,
                  last_inspected_on: datetime.date | None,
                  life_extended: bool) -> tuple[datetime.date, datetime.date]:
    """(next inspection due, scrap date) from a type's rules: the one place they are computed,
    for `Cylinder.derive_dates()` and for the stock import (which has no model instances)."""
    next_due = add_years(last_inspected_on or made_on, rules.inspection_years)
    life = rules.design_life_years + (rules.extension_years if life_extended else 0)
    return next_due, add_years(made_on, min(life, rules.max_life_years))


class CylinderEvent(AppendOnlyModel):
    """One step of a cylinder's chain. Never edited or deleted."""

    cylinder = models.ForeignKey(Cylinder, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    # A default, not auto_now_add: an import of existing stock brings its own history.
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    station = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    courier = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="cylinder_events")
    net_weight_kg = models.DecimalField(_("net weight (kg)"), max_digits=5, decimal_places=2,
                                        null=True, blank=True)
    filling_line = models.CharField(_("filling line"), max_length=20, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("cylinder event")
        verbose_name_plural = _("cylinder events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["cylinder", "at"], name="cylinder_event_chain")]

    append_only_message = "The cylinder chain is append-only."

    def __str__(self) -> str:
        return f"{self.cylinder} {self.kind}"


class Scan(models.Model):
    """Every scan and its verdict: allowed ones point at their event, refusals are kept too.
    `client_id` makes a repeated scan from the field app answer the first verdict again."""

    client_id = models.UUIDField(unique=True)
    actor = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40)
    cylinder = models.ForeignKey(Cylinder, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="scans")
    action = models.CharField(max_length=20)
    payload = models.JSONField(default=dict)
    verdict = models.CharField(max_length=10)
    response = models.JSONField(default=dict)
    event = models.OneToOneField(CylinderEvent, null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")

    def __str__(self) -> str:
        return f"{self.code} {self.action} {self.verdict}"


class LabelBatch(models.Model):
    """A batch of new codes issued to a station and printed as a sheet of QR labels."""

    station = models.ForeignKey(Organisation, verbose_name=_("station"), on_delete=models.PROTECT,
                                related_name="label_batches")
    count = models.PositiveIntegerField(_("labels"))
    grid = models.CharField(_("label grid"), max_length=20)
    created_by = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="station__jurisdictions__path", enterprise=("station",), multi=True)

    class Meta:
        verbose_name = _("label batch")
        verbose_name_plural = _("label batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.station} #{self.pk}"


class IssuedCode(models.Model):
    """A code printed on a label and not necessarily registered yet: a registration with a
    code issued to another station is refused."""

    code = models.CharField(max_length=11, unique=True)
    batch = models.ForeignKey(LabelBatch, on_delete=models.PROTECT, related_name="codes")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.code
