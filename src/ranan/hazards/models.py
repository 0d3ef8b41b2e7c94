"""Hazards and their closed loop: the catalogue (categories with a default grade, the device
a fix installs and the department competent for them; a deadline per grade), the hazard, its
append-only events (each state change and escalation step, with who, when, the note and
photos), the photos, and the appointments agreed with residents for fixes that need a visit."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ranan.core.choices import RegulatorType
from ranan.core.models import Account, Jurisdiction, ScopedQuerySet, ScopeSpec
from ranan.customers.choices import DeviceKind
from ranan.customers.models import Customer
from ranan.hazards.choices import AppointmentState, EventKind, Responsible, Source, State, Step
from ranan.inspections.choices import Grade
from ranan.lib.appendonly import AppendOnlyModel


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    default_grade = models.CharField(_("default grade"), max_length=10, choices=Grade.choices)
    is_active = models.BooleanField(_("in use"), default=True)
    # Closing a hazard of the category records this device at the customer (a rubber hose
    # replaced by a metal one, a regulator with cut-off...): customers.services.SAFE_DEVICE.
    fix_device = models.CharField(
        _("device the fix installs"), max_length=20, choices=DeviceKind.choices, blank=True,
        help_text=_("Closing such a hazard records this device at the customer."))
    # The department competent for the category: its escalation messages and supervision
    # list go to the area's regulators of this type (all of them when empty, or when the
    # area has none of it).
    regulator_type = models.CharField(
        _("competent department"), max_length=20, choices=RegulatorType.choices, blank=True)

    class Meta:
        verbose_name = _("hazard category")
        verbose_name_plural = _("hazard categories")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class GradeDeadline(models.Model):
    """Days allowed to fix a hazard of a grade (defaults: major 1, large 3, general 7,
    minor 15)."""

    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, unique=True)
    days = models.PositiveSmallIntegerField(
        _("days to fix"), validators=[MinValueValidator(1), MaxValueValidator(365)])

    class Meta:
        verbose_name = _("deadline per grade")
        verbose_name_plural = _("deadlines per grade")

    def __str__(self) -> str:
        return f"{self.grade}: {self.days}"


class Hazard(models.Model):
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="hazards")
    premises = models.CharField(_("premises"), max_length=200, blank=True,
                                help_text=_("When the hazard is not at a customer (a pipe in "
                                            "the street, a shop without a gas account)."))
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    jpath = models.CharField(max_length=64, editable=False)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    description = models.CharField(_("description"), max_length=500)
    found_by = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    found_at = models.DateTimeField(_("found"))
    responsible = models.CharField(_("responsible party"), max_length=20,
                                   choices=Responsible.choices, default=Responsible.CUSTOMER)
    responsible_name = models.CharField(_("responsible (name)"), max_length=100, blank=True)
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.OPEN)
    escalation = models.PositiveSmallIntegerField(_("escalation"), choices=Step.choices,
                                                  default=Step.NONE)
    fixed_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    fixed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    finding = models.OneToOneField("inspections.Finding", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="hazard")
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="jpath", enterprise=("customer__gas_company",
                                                "customer__lpg_station"))

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["jpath", "state", "deadline"], name="hazard_area_state"),
            models.Index(fields=["state", "deadline"], name="hazard_state_deadline"),
            models.Index(fields=["jpath", "escalation", "deadline"], name="hazard_supervision"),
            models.Index(fields=["jpath", "found_at"], name="hazard_area_found"),
            # The supervision list: its rows in deadline order, and its count per area.
            models.Index(fields=["deadline", "id"], name="hazard_supervision_due",
                         condition=models.Q(escalation__gte=3,
                                            state__in=["open", "rectifying", "rejected"])),
            models.Index(fields=["jpath"], name="hazard_supervision_area",
                         condition=models.Q(escalation__gte=3,
                                            state__in=["open", "rectifying", "rejected"])),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.where}"

    @property
    def where(self) -> str:
        return self.customer.full_address if self.customer_id else self.premises


class HazardEvent(AppendOnlyModel):
    # Indexed by the (hazard, step) constraint below: one index less for the daily job.
    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="events",
                               db_index=False)
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    step = models.PositiveSmallIntegerField(null=True, blank=True, choices=Step.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    note = models.CharField(max_length=500, blank=True)
    client_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["at", "id"]
        # A step is recorded once per hazard; other events have no step (NULLs never clash).
        constraints = [models.UniqueConstraint(fields=["hazard", "step"],
                                               name="hazard_step_once")]

    append_only_message = "Hazard events are never edited nor deleted."

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.kind} {self.to_state or self.step}"


class HazardPhoto(models.Model):
    event = models.ForeignKey(HazardEvent, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to="hazards/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.sha256[:12]


class Appointment(models.Model):
    """A visit agreed with the resident to fix a hazard that needs one (a large hazard, a
    joint visit: Ningbo's "fixed within 3 days"): when, who goes (inspectors of the area) and
    the number the resident is told on. It shows on those inspectors' work list that day."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="appointments")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    jpath = models.CharField(max_length=64, editable=False)
    starts_at = models.DateTimeField(_("time"))
    inspectors = models.ManyToManyField(Account, verbose_name=_("inspectors"),
                                        related_name="hazard_appointments")
    phone = models.CharField(_("resident's phone"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=AppointmentState.choices,
                             default=AppointmentState.BOOKED)
    booked_by = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    client_id = models.UUIDField(null=True, blank=True, unique=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="jpath", enterprise=("customer__gas_company",
                                                "customer__lpg_station"))

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["jpath", "starts_at"], name="appointment_area_time")]

    def __str__(self) -> str:
        return f"{self.hazard} @ {self.starts_at:%Y-%m-%d %H:%M}"
