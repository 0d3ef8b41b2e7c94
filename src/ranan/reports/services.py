"""Writes of the reports app: generating a numbered weekly briefing."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core import audit
from ranan.core.choices import AuditAction
from ranan.core.models import Jurisdiction
from ranan.core.permissions import require
from ranan.reports import briefing as briefing_doc
from ranan.reports.models import Briefing

# Task forces write the weekly briefing (DOMAIN.md, "Who uses it"); departments write their
# own (the table's reports.briefing); everyone else with a data role reads those of their area.
NUMBERING_ATTEMPTS = 3


class BriefingExists(ValidationError):
    """The week already has its issue; `briefing` is that issue."""

    def __init__(self, existing: Briefing):
        super().__init__({"week_start": ValidationError(_(
            "Issue %(number)s already covers the week of %(week)s.") % {
            "number": existing.number, "week": existing.week_start.isoformat()},
            code="duplicate")})
        self.briefing = existing


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def parse_week(value) -> datetime.date:
    """A date ("2026-11-16", any day of the week) or an ISO week ("2026-W47") → its Monday.
    Anything else is a ValidationError naming `week_start`."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return briefing_doc.monday_of(value)
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise _invalid("week_start", _("Choose a week."), "required")
    try:
        if "-W" in text.upper():
            year, week = text.upper().split("-W")
            return datetime.date.fromisocalendar(int(year), int(week), 1)
        return briefing_doc.monday_of(datetime.date.fromisoformat(text))
    except ValueError:
        raise _invalid("week_start", _("“%(value)s” is not a date (YYYY-MM-DD) or a "
                                       "week (YYYY-Www).") % {"value": text[:20]},
                       "invalid") from None


def briefing_create(*, actor, node: Jurisdiction, week_start, today: datetime.date | None = None
                    ) -> Briefing:
    """Generate the next issue of `node`'s briefing for the week holding `week_start`.

    The week must have ended (a briefing reports a finished week). The figures are computed
    first, outside the transaction (a province takes seconds); the number is then taken
    under a lock on the jurisdiction's row, and the unique constraints are the last line:
    on SQLite (no row locks) a concurrent issue that took the number makes the insert fail,
    and the numbering is retried.
    """
    require(actor, "reports.briefing", _("Your role does not write briefings."))
    if not Jurisdiction.objects.visible_to(actor).filter(pk=node.pk).exists():
        raise Jurisdiction.DoesNotExist
    monday = parse_week(week_start)
    today = today or timezone.localdate()
    sunday = monday + datetime.timedelta(days=6)
    if monday > today:
        raise _invalid("week_start", _("The week of %(week)s is in the future.") % {
            "week": monday.isoformat()}, "future")
    if sunday >= today:
        raise _invalid("week_start", _(
            "The week of %(week)s has not ended yet: a briefing can be written from "
            "%(day)s.") % {"week": monday.isoformat(),
                           "day": (sunday + datetime.timedelta(days=1)).isoformat()},
            "not_ended")
    existing = Briefing.objects.filter(jurisdiction=node, week_start=monday).first()
    if existing is not None:
        raise BriefingExists(existing)
    snapshot = briefing_doc.gather(actor, node, monday, today=today)
    for attempt in range(NUMBERING_ATTEMPTS):
        try:
            with transaction.atomic():
                # Serialises the numbering of one jurisdiction's issues on PostgreSQL.
                Jurisdiction.objects.select_for_update().filter(pk=node.pk).first()
                existing = Briefing.objects.filter(jurisdiction=node, week_start=monday).first()
                if existing is not None:
                    raise BriefingExists(existing)
                last = Briefing.objects.filter(jurisdiction=node).aggregate(
                    n=Max("number"))["n"] or 0
                issue = Briefing(jurisdiction=node, week_start=monday, number=last + 1,
                                 created_by=actor, snapshot=snapshot)
                issue.full_clean(validate_unique=False, validate_constraints=False)
                issue.save()
                audit.record(actor=actor, action=AuditAction.CREATE, instance=issue,
                             details={"number": issue.number, "week_start": monday.isoformat(),
                                      "jurisdiction": node.pk})
                return issue
        except IntegrityError:
            if attempt == NUMBERING_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
