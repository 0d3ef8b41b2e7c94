"""Referrals for enforcement (执法移交): the department named by the referral is told at once
through the outbox, its accounts accept the referral, record the outcome (a rectification
order, a fine, a seal…) and close it; a referral left unanswered climbs a ladder like an
overdue hazard (a reminder to the department, then the task force, then supervision).

Only the accounts of the department a referral names answer it; the other accounts of the
area (the task force, the community) follow it read-only."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core import audit
from ranan.core.choices import OrgKind
from ranan.core.models import PATH_SEGMENT, Organisation
from ranan.core.notify import notify
from ranan.core.permissions import require
from ranan.inspections.choices import (
    REFERRAL_STEP_DAYS,
    ReferralOutcome,
    ReferralState,
    ReferralStep,
)
from ranan.inspections.models import Measure, Referral


def _tell_department(referral: Referral, kind: str, subject: str, step: int = 0) -> None:
    customer = referral.customer
    body = _("%(customer)s, %(address)s: referred for enforcement on %(day)s.\n%(reason)s") % {
        "customer": customer.name, "address": customer.full_address,
        "day": timezone.localdate(referral.sent_at).isoformat(), "reason": referral.reason}
    notify(kind=kind, subject=subject, body=body, to_organisation=referral.organisation,
           dedupe_key=f"referral:{referral.pk}:{kind}:{step}")


def task_forces(path: str) -> QuerySet:
    """The task forces whose area covers a place."""
    prefixes = [path[:i] for i in range(PATH_SEGMENT, len(path) + 1, PATH_SEGMENT)]
    return Organisation.objects.filter(kind=OrgKind.TASK_FORCE, is_active=True,
                                       jurisdictions__path__in=prefixes).distinct()


def referral_open(*, actor, measure: Measure) -> Referral:
    """The referral of an enforcement measure (called by `measure_record`, in its
    transaction); the department is told at once."""
    referral = Referral.objects.create(
        measure=measure, customer=measure.customer, jpath=measure.jpath,
        organisation=measure.organisation, reason=measure.note, sent_at=measure.at)
    audit.record_create(actor=actor, instance=referral)
    _tell_department(referral, "referral.sent", _("Referral for enforcement: %(name)s") % {
        "name": measure.customer.name})
    return referral


def _own(actor, referral: Referral) -> Referral:
    """The referral re-read under lock, if `actor` answers it (an account of its
    department); a referral out of the actor's area does not exist for it."""
    require(actor, "inspections.referral", _("Your role does not answer referrals."))
    if not Referral.objects.visible_to(actor).filter(pk=referral.pk).exists():
        raise Referral.DoesNotExist
    if actor.organisation_id != referral.organisation_id:
        raise PermissionDenied(_("Only %(department)s answers this referral.") % {
            "department": referral.organisation.name})
    return Referral.objects.select_for_update().get(pk=referral.pk)


def referral_accept(*, actor, referral: Referral) -> Referral:
    with transaction.atomic():
        current = _own(actor, referral)
        if current.state != ReferralState.SENT:
            raise ValidationError({"state": _("This referral is already “%(state)s”.") % {
                "state": ReferralState(current.state).label}})
        before = audit.snapshot(current)
        moved = Referral.objects.filter(pk=current.pk, state=ReferralState.SENT).update(
            state=ReferralState.ACCEPTED, accepted_at=timezone.now(), accepted_by=actor)
        if not moved:
            raise ValidationError({"state": _("Someone else answered it a moment ago.")})
        current.refresh_from_db()
        audit.record_update(actor=actor, instance=current, before=before)
    return current


def referral_close(*, actor, referral: Referral, outcome: str, note: str = "") -> Referral:
    """Close an accepted referral with what the department did."""
    errors = {}
    if outcome not in ReferralOutcome.values:
        errors["outcome"] = _("Choose the outcome.")
    note = (note or "").strip()
    if len(note) > 500:
        errors["outcome_note"] = _("At most 500 characters.")
    elif not note:
        errors["outcome_note"] = _("Say what was done (the order's number, the fine…).")
    with transaction.atomic():
        current = _own(actor, referral)
        if current.state != ReferralState.ACCEPTED:
            errors["state"] = (_("Accept the referral first.") if current.state ==
                               ReferralState.SENT else _("This referral is already closed."))
        if errors:
            raise ValidationError(errors)
        before = audit.snapshot(current)
        Referral.objects.filter(pk=current.pk).update(
            state=ReferralState.CLOSED, outcome=outcome, outcome_note=note,
            closed_at=timezone.now(), closed_by=actor)
        current.refresh_from_db()
        audit.record_update(actor=actor, instance=current, before=before)
    return current


def step_due(referral: Referral, today: datetime.date) -> int:
    """The ladder's step a referral warrants today: not accepted after the reminder's days,
    not closed after the later steps' days."""
    days = (today - timezone.localdate(referral.sent_at)).days
    due = ReferralStep.NONE
    for step, after in sorted(REFERRAL_STEP_DAYS.items()):
        unanswered = (referral.state == ReferralState.SENT if step == ReferralStep.REMINDER
                      else referral.state != ReferralState.CLOSED)
        if days >= after and unanswered:
            due = step
    return due


def escalate_referrals(today: datetime.date | None = None) -> dict[int, int]:
    """The daily ladder of unanswered referrals: each climbs to the step its days warrant
    (never down), by compare-and-set; the department is reminded, and from the notice on the
    area's task force is told too. Idempotent: a second run the same day sends nothing new.
    Returns {step: referrals that reached it now}."""
    today = today or timezone.localdate()
    counts = {step: 0 for step in REFERRAL_STEP_DAYS}
    first = min(REFERRAL_STEP_DAYS.values())
    open_ = (Referral.objects.exclude(state=ReferralState.CLOSED)
             .filter(sent_at__lt=timezone.now() - datetime.timedelta(days=first - 1))
             .select_related("customer", "organisation"))
    for referral in open_:
        step = step_due(referral, today)
        if step <= referral.step:
            continue
        with transaction.atomic():
            if not Referral.objects.filter(pk=referral.pk, step__lt=step).update(step=step):
                continue
            label = ReferralStep(step).label
            subject = _("%(step)s: referral of %(name)s unanswered since %(day)s") % {
                "step": label, "name": referral.customer.name,
                "day": timezone.localdate(referral.sent_at).isoformat()}
            _tell_department(referral, "referral.escalated", subject, step)
            if step >= ReferralStep.NOTICE:
                for force in task_forces(referral.jpath):
                    notify(kind="referral.escalated", subject=subject,
                           body=_("%(department)s has not answered the referral.") % {
                               "department": referral.organisation.name},
                           to_organisation=force,
                           dedupe_key=f"referral:{referral.pk}:force:{force.pk}:{step}")
            audit.record(actor=None, action="update", model="inspections.referral",
                         object_pk=str(referral.pk), object_repr=str(referral)[:200],
                         changes={"step": [referral.step, step]})
        counts[step] += 1
    return counts
