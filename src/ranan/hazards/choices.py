"""Codes and labels of the hazards app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ranan.inspections.choices import Grade  # noqa: F401 - the four grades, shared


class State(models.TextChoices):
    OPEN = "open", pgettext_lazy("hazard state", "Open")
    RECTIFYING = "rectifying", _("Being rectified")
    FIXED = "fixed", _("Fixed, to verify")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected at verification")
    UNFIXABLE = "unfixable", _("Not fixable, converted")


# to-state -> the states it may be reached from. No step is skipped; nothing goes back except
# through a new event (rejected → rectifying).
TRANSITIONS = {
    State.RECTIFYING: {State.OPEN, State.REJECTED},
    State.FIXED: {State.RECTIFYING},
    State.VERIFIED: {State.FIXED},
    State.REJECTED: {State.FIXED},
    State.CLOSED: {State.VERIFIED},
    State.UNFIXABLE: {State.OPEN, State.RECTIFYING, State.REJECTED},
}
DONE = {State.CLOSED, State.UNFIXABLE}
# Overdue means not fixed by the deadline: once fixed (awaiting verification) it has stopped
# climbing.
ESCALATING = {State.OPEN, State.RECTIFYING, State.REJECTED}


class Source(models.TextChoices):
    INSPECTION = "inspection", _("Inspection visit")
    DELIVERY = "delivery", _("Check with a delivery")
    JOINT = "joint", _("Joint check")
    PUBLIC = "public", _("Public report")
    HOTLINE = "hotline", _("Hotline")
    CYLINDER_SCAN = "cylinder_scan", _("Cylinder scan")


class Responsible(models.TextChoices):
    CUSTOMER = "customer", _("The customer")
    GAS_COMPANY = "gas_company", _("The gas company")
    PROPERTY = "property", _("The property manager")
    DEPARTMENT = "department", _("A department")


class Step(models.IntegerChoices):
    """The escalation ladder of an overdue hazard."""

    NONE = 0, _("Not escalated")
    REMINDER = 1, _("Reminder to the responsible party")
    NOTICE = 2, _("Written rectification notice")
    SUPERVISION = 3, _("Listed for supervision (挂牌督办)")
    ENFORCEMENT = 4, _("Enforcement or gas shut-off")


class EventKind(models.TextChoices):
    CREATED = "created", _("Recorded")
    TRANSITION = "transition", _("State change")
    ESCALATION = "escalation", _("Escalation")


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    DONE = "done", pgettext_lazy("appointment state", "Done")
    CANCELLED = "cancelled", _("Cancelled")


# Badge colours (Tabler), STYLE §6: pages show states and ladder steps with these.
STATE_COLOURS = {State.OPEN: "red", State.RECTIFYING: "orange", State.FIXED: "azure",
                 State.VERIFIED: "teal", State.CLOSED: "green", State.REJECTED: "pink",
                 State.UNFIXABLE: "secondary"}
STEP_COLOURS = {Step.NONE: "secondary", Step.REMINDER: "yellow", Step.NOTICE: "orange",
                Step.SUPERVISION: "red", Step.ENFORCEMENT: "purple"}
APPOINTMENT_COLOURS = {AppointmentState.BOOKED: "blue", AppointmentState.DONE: "green",
                       AppointmentState.CANCELLED: "secondary"}
