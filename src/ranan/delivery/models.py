"""Orders and home delivery: prices with validity dates, a station's service hours, the
villages' delivery cycles and coordinates, a station's own distance table, orders (keeping
the price they were taken at) and their history, rounds and their stops, the real-name record
of buyers."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ranan.core.models import Account, Jurisdiction, Organisation, ScopedQuerySet, ScopeSpec
from ranan.customers.models import Customer
from ranan.cylinders.models import CylinderType
from ranan.delivery.choices import (
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
from ranan.lib.appendonly import AppendOnlyModel


class Price(models.Model):
    station = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="prices")
    cylinder_type = models.ForeignKey(CylinderType, on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(_("price (yuan)"), max_digits=8, decimal_places=2,
                                validators=[MinValueValidator(0)])
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="station__jurisdictions__path", enterprise=("station",), multi=True)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["station", "cylinder_type", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["station", "cylinder_type", "valid_from"],
                                               name="price_once_a_day")]

    def __str__(self) -> str:
        return f"{self.cylinder_type} {self.price}"


class StationService(models.Model):
    """A station's service hours (local time) and delivery fee, and its policies as data:
    what happens to an order for a household whose gas is shut off, to a delivery whose
    safety check the customer refuses, and to an order asked after hours."""

    station = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                   related_name="service")
    opens = models.TimeField(_("opens"), default="08:00")
    closes = models.TimeField(_("closes"), default="18:00")
    timezone = models.CharField(_("time zone"), max_length=40, default="Asia/Shanghai")
    delivery_fee = models.DecimalField(_("delivery fee (yuan)"), max_digits=6, decimal_places=2,
                                       default=0)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    road_factor = models.DecimalField(_("road factor"), max_digits=4, decimal_places=2,
                                      default=1.4, validators=[MinValueValidator(1),
                                                               MaxValueValidator(5)])
    speed_kmh = models.PositiveSmallIntegerField(_("average speed (km/h)"), default=30)
    shut_off_orders = models.CharField(_("orders for a household with gas shut off"),
                                       max_length=10, choices=ShutOffOrders.choices,
                                       default=ShutOffOrders.REFUSE)
    refused_check = models.CharField(_("when the customer refuses the check"), max_length=10,
                                     choices=RefusedCheck.choices, default=RefusedCheck.COUNT)
    evening_orders = models.CharField(_("orders asked after hours"), max_length=15,
                                      choices=EveningOrders.choices,
                                      default=EveningOrders.NEXT_CYCLE)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="station__jurisdictions__path", enterprise=("station",), multi=True)

    class Meta:
        verbose_name = _("station service")
        verbose_name_plural = _("station services")

    def __str__(self) -> str:
        return f"{self.station} {self.opens}-{self.closes}"


class VillageRound(models.Model):
    """A village's fixed delivery days: weekdays (0 = Monday), or every N days from a date;
    and where the village is (for route planning)."""

    station = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True)
    every_days = models.PositiveSmallIntegerField(_("every N days"), null=True, blank=True,
                                                  validators=[MinValueValidator(1),
                                                              MaxValueValidator(60)])
    anchor = models.DateField(_("starting"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="station__jurisdictions__path", enterprise=("station",), multi=True)

    class Meta:
        verbose_name = _("village delivery cycle")
        verbose_name_plural = _("village delivery cycles")
        constraints = [models.UniqueConstraint(fields=["station", "village"],
                                               name="village_round_once")]

    def __str__(self) -> str:
        return f"{self.village}"


class Distance(models.Model):
    """Road distance between two villages (or the station, village null) entered by the
    station: mountain roads make straight lines wrong."""

    station = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    a = models.ForeignKey(Jurisdiction, null=True, blank=True, on_delete=models.CASCADE,
                          related_name="+")
    b = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    km = models.DecimalField(max_digits=6, decimal_places=1, validators=[MinValueValidator(0)])
    minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "a", "b"],
                                               name="distance_once")]

    def __str__(self) -> str:
        return f"{self.a_id}-{self.b_id} {self.km}"


class RealName(models.Model):
    """The buyer checked at the first purchase (name and ID number), kept with the customer."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="real_name")
    buyer_name = models.CharField(_("buyer"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18)
    checked_at = models.DateTimeField()
    checked_by = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.buyer_name


class Round(models.Model):
    station = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="rounds")
    date = models.DateField(_("date"))
    courier = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="rounds")
    vehicle = models.CharField(_("vehicle"), max_length=30, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=RoundState.choices,
                             default=RoundState.PLANNED)
    km_before = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    km_after = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    minutes_after = models.PositiveIntegerField(null=True, blank=True)
    planned_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="station__jurisdictions__path", enterprise=("station",), multi=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-date", "id"]
        constraints = [models.UniqueConstraint(fields=["station", "date", "courier"],
                                               name="round_once_a_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.courier or self.vehicle}"


class Order(models.Model):
    station = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="orders")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    jpath = models.CharField(max_length=64, editable=False)
    cylinder_type = models.ForeignKey(CylinderType, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), validators=[MinValueValidator(1), MaxValueValidator(10)])
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField(_("asked at"))
    wanted_date = models.DateField(_("wanted on"), null=True, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=8, decimal_places=2)
    delivery_fee = models.DecimalField(_("delivery fee"), max_digits=6, decimal_places=2,
                                       default=0)
    total = models.DecimalField(_("total"), max_digits=9, decimal_places=2)
    payment = models.CharField(_("payment"), max_length=10, choices=Payment.choices,
                               default=Payment.UNPAID)
    payment_ref = models.CharField(_("payment reference"), max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=OrderState.choices,
                             default=OrderState.NEW)
    fail_reason = models.CharField(_("why it failed"), max_length=20,
                                   choices=FailReason.choices, blank=True)
    held_reason = models.CharField(_("why it is held"), max_length=300, blank=True)
    scheduled_date = models.DateField(_("delivery date"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    after_hours = models.BooleanField(default=False)
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="orders")
    sequence = models.PositiveSmallIntegerField(null=True, blank=True)
    entered_by = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    client_id = models.UUIDField(unique=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    delivery_client_id = models.UUIDField(null=True, blank=True, unique=True)
    visit = models.ForeignKey("inspections.Visit", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="jpath", enterprise=("station",))

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["scheduled_date", "priority", "received_at", "id"]
        indexes = [
            models.Index(fields=["station", "state", "scheduled_date"], name="order_station_state"),
            models.Index(fields=["jpath", "received_at"], name="order_area_time"),
            models.Index(fields=["round", "sequence"], name="order_round_stop"),
            # The deliveries of a period (issue 8's delivery KPIs and median wait), read from
            # the index alone.
            models.Index(fields=["delivered_at"], include=["jpath", "received_at"],
                         condition=models.Q(state="delivered"), name="order_delivered_time"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} ×{self.quantity}"

    def history(self):
        """The order's state changes, oldest first (the page's timeline, the API's `history`)."""
        return self.events.select_related("actor", "round__courier").order_by("at", "id")


class OrderEvent(AppendOnlyModel):
    """One state change of an order: taken (no `from_state`), put on or moved to a round,
    out with its round, delivered, failed (with the reason), cancelled; who made it and when.
    Written by the service that makes the change, in its transaction. Never edited or deleted.

    Orders taken before the history began got their rows from migration 0003, `backfilled`
    set: reconstructed from the order (its creation and delivery at their own times; any
    other state it had reached at the migration's time, the moment of that change was not
    kept), not recorded as they happened."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events",
                              db_index=False)  # the (order, at) index below serves it
    from_state = models.CharField(_("earlier state"), max_length=10,
                                  choices=OrderState.choices, blank=True)
    to_state = models.CharField(_("new state"), max_length=10, choices=OrderState.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    reason = models.CharField(_("why it failed"), max_length=20, choices=FailReason.choices,
                              blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    backfilled = models.BooleanField(_("reconstructed"), default=False)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="order_event_history")]

    append_only_message = "The order history is append-only."

    def __str__(self) -> str:
        return f"{self.order_id} {self.from_state or '-'}→{self.to_state}"




class RoundLoad(models.Model):
    """One "load the round" request of the station: the codes it scanned out to the round's
    courier (each through the interlock, a dispatch scan of its own) and the answer it gave.
    The request's client_id makes a repeat answer the first result."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="loads")
    actor = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    client_id = models.UUIDField(unique=True)
    codes = models.JSONField(_("codes"), default=list)
    loaded = models.PositiveSmallIntegerField(_("loaded"), default=0)
    refused = models.PositiveSmallIntegerField(_("refused"), default=0)
    response = models.JSONField(default=dict)
    at = models.DateTimeField(_("time"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="round__station__jurisdictions__path", enterprise=("round__station",),
                      multi=True)

    class Meta:
        verbose_name = _("round load")
        verbose_name_plural = _("round loads")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.round_id} +{self.loaded}"
