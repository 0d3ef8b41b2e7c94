"""Codes and labels of the inspections app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Which households a checklist is for."""

    LPG_HOUSEHOLD = "lpg_household", _("LPG households")
    PIPELINE_HOUSEHOLD = "pipeline_household", _("Pipeline gas households")
    NON_RESIDENTIAL = "non_residential", _("Non-residential premises")


class AnswerType(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Pass / fail / not applicable")
    NUMBER = "number", _("A number")
    CHOICE = "choice", _("A choice")


class Grade(models.TextChoices):
    """Hazard grades (four levels, DOMAIN.md)."""

    MAJOR = "major", _("Major")
    LARGE = "large", _("Large")
    GENERAL = "general", _("General")
    MINOR = "minor", _("Minor")


class HazardCategory(models.TextChoices):
    """The hazard categories of issue 6's catalogue; a failed checklist item names one."""

    HOSE = "hose", _("Hose")
    VALVE = "valve", _("Valve")
    REGULATOR = "regulator", _("Regulator")
    STOVE = "stove", _("Stove without flame-out protection")
    CLOSED_ROOM = "closed_room", _("Use in a closed room")
    PRIVATE_CONNECTION = "private_connection", _("Private connection / illegal modification")
    CORROSION = "corrosion", _("Corrosion")
    WATER_HEATER = "water_heater", _("Water heater")
    VENTILATION = "ventilation", _("Ventilation")
    CYLINDER_PLACEMENT = "cylinder_placement", _("Cylinder in a high-rise or basement")
    OVERDUE_CYLINDER = "overdue_cylinder", _("Overdue cylinder")
    ILLEGAL_STORAGE = "illegal_storage", _("Illegal storage")
    THIRD_PARTY = "third_party", _("Third-party damage to a pipe")
    ALARM = "alarm", _("No working gas alarm")
    METER = "meter", _("Meter")
    OTHER = "other", _("Other")


class VisitKind(models.TextChoices):
    PERIODIC = "periodic", _("Periodic inspection")
    DELIVERY = "delivery", _("With a delivery")
    RECHECK = "recheck", _("Re-check")
    JOINT = "joint", _("Joint check by departments")
    SPECIAL = "special", _("Special inspection")


class Outcome(models.TextChoices):
    INSPECTED = "inspected", _("Inspected")
    NOT_HOME = "not_home", _("Not at home")
    REFUSED = "refused", _("Refused")
    ADDRESS_NOT_FOUND = "address_not_found", _("Address not found")


class Tier(models.TextChoices):
    """Where an unreached household stands (the gas butler's ladder)."""

    REVISIT = "revisit", _("Revisit at another time")
    SHUT_OFF = "shut_off", _("To be shut off")
    SHUT = "shut", _("Valve shut off")
    ENFORCEMENT = "enforcement", _("Referred to law enforcement")


TIER_ORDER = {Tier.ENFORCEMENT: 0, Tier.SHUT_OFF: 1, Tier.SHUT: 2, Tier.REVISIT: 3}


class MeasureKind(models.TextChoices):
    SHUT_OFF = "shut_off", _("Valve shut off")
    SEALED = "sealed", _("Valve removed and sealed")
    ENFORCEMENT = "enforcement", _("Referred to law enforcement")
    RESTORED = "restored", _("Supply restored")


# The measures that stop a household's supply (its status becomes "shut off").
STOPS_SUPPLY = {MeasureKind.SHUT_OFF, MeasureKind.SEALED}


class ReferralState(models.TextChoices):
    SENT = "sent", _("Sent, awaiting the department")
    ACCEPTED = "accepted", _("Accepted by the department")
    CLOSED = "closed", _("Closed with an outcome")


class ReferralOutcome(models.TextChoices):
    ORDER = "order", _("Rectification order")
    FINE = "fine", _("Fine")
    SEAL = "seal", _("Premises or equipment sealed")
    COMPLIED = "complied", _("Complied after the department's visit")
    OTHER = "other", _("Other")


class ReferralStep(models.IntegerChoices):
    """The escalation ladder of a referral the department leaves unanswered (like a
    hazard's): the days after the referral each step is taken at, in REFERRAL_STEP_DAYS."""

    NONE = 0, _("Not escalated")
    REMINDER = 1, _("Reminder to the department")
    NOTICE = 2, _("Reported to the task force")
    SUPERVISION = 3, _("Listed for supervision (挂牌督办)")


# step -> days since the referral without an answer: not accepted by then (reminder), not
# closed by then (notice, supervision).
REFERRAL_STEP_DAYS = {ReferralStep.REMINDER: 2, ReferralStep.NOTICE: 7,
                      ReferralStep.SUPERVISION: 15}
REFERRAL_COLOURS = {ReferralState.SENT: "orange", ReferralState.ACCEPTED: "azure",
                    ReferralState.CLOSED: "green"}


class KindGroup(models.TextChoices):
    """What an inspection cycle applies to: a group of customer kinds or one kind."""

    RESIDENTIAL = "residential", _("Households")
    NON_RESIDENTIAL = "non_residential", _("Non-residential premises")


# Badge colours (Tabler): pages show outcomes and tiers with these.
OUTCOME_COLOURS = {Outcome.INSPECTED: "green", Outcome.NOT_HOME: "orange",
                   Outcome.REFUSED: "red", Outcome.ADDRESS_NOT_FOUND: "purple"}
TIER_COLOURS = {Tier.REVISIT: "orange", Tier.SHUT_OFF: "red", Tier.SHUT: "secondary",
                Tier.ENFORCEMENT: "purple"}
GRADE_COLOURS = {Grade.MAJOR: "red", Grade.LARGE: "orange", Grade.GENERAL: "yellow",
                 Grade.MINOR: "azure"}
