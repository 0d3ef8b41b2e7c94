"""Codes and labels of the delivery app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    COURIER = "courier", _("Entered by the courier for a villager")
    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("At the counter")
    SELF = "self", _("Self-service page")


class OrderState(models.TextChoices):
    NEW = "new", _("New")
    SCHEDULED = "scheduled", _("Scheduled in a round")
    OUT = "out", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    # Kept for a household whose supply is shut off (the station's policy says hold rather
    # than refuse): not scheduled, released when supply is restored, or cancelled.
    HELD = "held", _("Held: gas shut off")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = {OrderState.NEW, OrderState.SCHEDULED, OrderState.OUT}


class FailReason(models.TextChoices):
    NOT_HOME = "not_home", _("Not at home")
    ADDRESS_WRONG = "address_wrong", _("Address wrong")
    REFUSED = "refused", _("Refused by the customer")
    INTERLOCK = "interlock", _("Cylinder refused by the interlock")
    # "No check, no gas" (不安检不送气): the customer refused the safety check at the door.
    CHECK_REFUSED = "check_refused", _("Refused the safety check: no check, no gas")
    SHUT_OFF = "shut_off", _("Gas shut off (已停气)")


class Payment(models.TextChoices):
    CASH = "cash", _("Cash")
    MOBILE = "mobile", _("Mobile payment")
    UNPAID = "unpaid", _("Unpaid")


class RoundState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OUT = "out", _("Out")
    DONE = "done", _("Done")


# Lower is served first.
class Priority(models.IntegerChoices):
    URGENT = 0, _("Urgent")
    CARE = 1, _("Care household")
    AFTER_HOURS = 2, _("Asked after hours")
    NORMAL = 3, _("Normal")


# The station's policies, as data (StationService).
class ShutOffOrders(models.TextChoices):
    """An order for a household whose supply is shut off (已停气)."""

    REFUSE = "refuse", _("Refuse it, with the reason")
    HOLD = "hold", _("Hold it until supply is restored")


class RefusedCheck(models.TextChoices):
    """The customer refuses the safety check at the door."""

    COUNT = "count", _("Deliver and count the refusal")
    NO_GAS = "no_gas", _("No check, no gas (不安检不送气): the order fails")


class EveningOrders(models.TextChoices):
    """An order asked after hours, of a village with a delivery cycle."""

    NEXT_CYCLE = "next_cycle", _("The village's next cycle day")
    NEXT_MORNING = "next_morning", _("Next morning, served first (晚间登记，次日优先)")
