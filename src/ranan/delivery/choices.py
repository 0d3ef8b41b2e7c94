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
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = {OrderState.NEW, OrderState.SCHEDULED, OrderState.OUT}


class FailReason(models.TextChoices):
    NOT_HOME = "not_home", _("Not at home")
    ADDRESS_WRONG = "address_wrong", _("Address wrong")
    REFUSED = "refused", _("Refused by the customer")
    INTERLOCK = "interlock", _("Cylinder refused by the interlock")


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
