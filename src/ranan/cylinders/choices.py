"""Codes and labels of the cylinders app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    EMPTY_AT_STATION = "empty", _("Empty, at the station")
    FULL_AT_STATION = "full", _("Full, at the station")
    WITH_COURIER = "with_courier", _("With a courier")
    AT_CUSTOMER = "at_customer", _("At a customer")
    AT_INSPECTION = "at_inspection", _("At the inspection body")
    SCRAPPED = "scrapped", _("Scrapped")
    LOST = "lost", _("Lost")


# In circulation: between the station and the kitchen (not at inspection, scrapped or lost).
CIRCULATING = ["empty", "full", "with_courier", "at_customer"]


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    FILLED = "filled", _("Filled")
    DISPATCHED = "dispatched", _("Dispatched to a courier")
    DELIVERED = "delivered", _("Delivered to a customer")
    COLLECTED = "collected", _("Collected empty")
    SENT_TO_INSPECTION = "sent_to_inspection", _("Sent to inspection")
    INSPECTION_PASSED = "inspection_passed", _("Inspection passed")
    INSPECTION_FAILED = "inspection_failed", _("Inspection failed")
    SCRAPPED = "scrapped", _("Scrapped")
    LOST = "lost", _("Reported lost")
    RECALL_NOTICE = "recall_notice", _("Holder told of the recall")


class Action(models.TextChoices):
    """What a scan asks to do."""

    FILL = "fill", _("Fill")
    DISPATCH = "dispatch", _("Dispatch")
    DELIVER = "deliver", _("Deliver")
    COLLECT = "collect", _("Collect")


class Record(models.TextChoices):
    """Steps recorded from the cylinder's page (not scans): the recall and inspection loop."""

    RECALL_NOTICE = "recall_notice", _("Holder told of the recall")
    SEND_TO_INSPECTION = "send_to_inspection", _("Send to inspection")
    INSPECTION_PASSED = "inspection_passed", _("Inspection passed")
    INSPECTION_FAILED = "inspection_failed", _("Inspection failed (scrap)")
    SCRAP = "scrap", _("Scrap")
    LOST = "lost", _("Report lost")


class Reason(models.TextChoices):
    """Why a scan is refused (the interlock's answers)."""

    UNKNOWN_CODE = "unknown_code", _("Unknown code")
    BAD_CHECK_CHARACTER = "bad_check_character", _("Wrong check character: mistyped code?")
    OVERDUE_INSPECTION = "overdue_inspection", _("Periodic inspection overdue")
    PAST_SCRAP_DATE = "past_scrap_date", _("Past its scrap date")
    OTHER_STATION = "other_station", _("Registered to another station")
    WRONG_STATE = "wrong_state", _("Not in a state that allows this")
    ROLE = "role", _("Your role may not do this")
    MISSING_TARGET = "missing_target", _("Say who receives it")
    # The customer may not be supplied (issue 14 item 1): its status says why.
    SUPPLY_SHUT_OFF = "supply_shut_off", _("Gas shut off at this household (已停气)")
    CUSTOMER_CONVERTED = "customer_converted", _("Premises converted off bottled LPG")
    CUSTOMER_MOVED_OUT = "customer_moved_out", _("The customer moved out")


# action -> (states it may start from, state it ends in, event it records)
TRANSITIONS = {
    Action.FILL: ({State.EMPTY_AT_STATION}, State.FULL_AT_STATION, EventKind.FILLED),
    Action.DISPATCH: ({State.FULL_AT_STATION}, State.WITH_COURIER, EventKind.DISPATCHED),
    Action.DELIVER: ({State.WITH_COURIER}, State.AT_CUSTOMER, EventKind.DELIVERED),
    Action.COLLECT: ({State.AT_CUSTOMER}, State.EMPTY_AT_STATION, EventKind.COLLECTED),
}

AT_STATION = {State.EMPTY_AT_STATION, State.FULL_AT_STATION}
ALIVE = AT_STATION | {State.WITH_COURIER, State.AT_CUSTOMER, State.AT_INSPECTION}
# record -> (states it may start from, state it ends in (None: unchanged), event it records)
RECORDS = {
    Record.RECALL_NOTICE: (ALIVE, None, EventKind.RECALL_NOTICE),
    Record.SEND_TO_INSPECTION: (AT_STATION, State.AT_INSPECTION, EventKind.SENT_TO_INSPECTION),
    Record.INSPECTION_PASSED: ({State.AT_INSPECTION}, State.EMPTY_AT_STATION,
                               EventKind.INSPECTION_PASSED),
    Record.INSPECTION_FAILED: ({State.AT_INSPECTION}, State.SCRAPPED, EventKind.INSPECTION_FAILED),
    Record.SCRAP: (AT_STATION | {State.AT_INSPECTION}, State.SCRAPPED, EventKind.SCRAPPED),
    Record.LOST: (ALIVE, State.LOST, EventKind.LOST),
}
