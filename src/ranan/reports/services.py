"""Writes of the reports app: the weekly briefing's life (generate a draft, edit its text,
issue it under the next number) and its per-jurisdiction numbering setting."""

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
from ranan.reports.choices import BriefingState
from ranan.reports.models import (
    DRAFTER_MAX,
    ISSUER_MAX,
    TITLE_MAX,
    Briefing,
    BriefingSetting,
)

# Task forces write the weekly briefing (DOMAIN.md, "Who uses it"); departments write their
# own (the table's reports.briefing); everyone else with a data role reads those of their area.
NUMBERING_ATTEMPTS = 3
# What the task force writes on a draft, and its bounds.
EDITABLE = ("title", "lead", "notes", "reported_to", "copied_to", "drafter")
LEAD_MAX = 5000
NOTE_MAX = 2000
RECIPIENT_MAX = 100
RECIPIENTS_MAX = 30
FIRST_NUMBER_MAX = 99999


class BriefingExists(ValidationError):
    """The week already has its briefing (a draft or an issue); `briefing` is that one."""

    def __init__(self, existing: Briefing):
        if existing.number is None:
            message = _("A draft already covers the week of %(week)s.") % {
                "week": existing.week_start.isoformat()}
        else:
            message = _("Issue %(number)s already covers the week of %(week)s.") % {
                "number": existing.number, "week": existing.week_start.isoformat()}
        super().__init__({"week_start": ValidationError(message, code="duplicate")})
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


def _writer(actor, node: Jurisdiction) -> None:
    """The actor writes briefings (403) of a jurisdiction in its area (DoesNotExist: 404)."""
    require(actor, "reports.briefing", _("Your role does not write briefings."))
    if not Jurisdiction.objects.visible_to(actor).filter(pk=node.pk).exists():
        raise Jurisdiction.DoesNotExist


def briefing_create(*, actor, node: Jurisdiction, week_start, today: datetime.date | None = None
                    ) -> Briefing:
    """Generate the draft of `node`'s briefing for the week holding `week_start`.

    The week must have ended (a briefing reports a finished week) and have no briefing yet
    (BriefingExists names the one it has). The figures are computed once, here, outside the
    transaction (a province takes seconds). The draft has no number: it takes one when it is
    issued (`briefing_issue`). Its drafter is its author until the task force says otherwise.
    """
    _writer(actor, node)
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
    try:
        with transaction.atomic():
            draft = Briefing(jurisdiction=node, week_start=monday, created_by=actor,
                             snapshot=snapshot, state=BriefingState.DRAFT,
                             drafter=(actor.full_name or actor.get_username())[:DRAFTER_MAX])
            draft.full_clean(validate_unique=False, validate_constraints=False)
            draft.save()
            audit.record(actor=actor, action=AuditAction.CREATE, instance=draft,
                         details={"week_start": monday.isoformat(), "jurisdiction": node.pk,
                                  "state": draft.state})
            return draft
    except IntegrityError:
        # The same week generated at the same moment: the other one won.
        existing = Briefing.objects.filter(jurisdiction=node, week_start=monday).first()
        if existing is None:
            raise
        raise BriefingExists(existing) from None


# --- Editing a draft ------------------------------------------------------------------------


def _frozen(issue: Briefing, fields) -> ValidationError:
    message = _("Issue %(number)s was issued on %(day)s: its text can no longer be "
                "changed.") % {"number": issue.number,
                               "day": timezone.localtime(issue.issued_at).date().isoformat()}
    return ValidationError({f: ValidationError(message, code="frozen") for f in fields})


def _text(field: str, value, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _invalid(field, _("Text is expected."), "invalid")
    value = value.strip()
    if required and not value:
        raise _invalid(field, _("This field cannot be empty."), "required")
    if len(value) > limit:
        raise _invalid(field, _("At most %(limit)s characters (this one has %(n)s).") % {
            "limit": limit, "n": len(value)}, "max_length")
    return value


def _recipients(field: str, value) -> list[str]:
    """A list of names (organisations or people), each once."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise _invalid(field, _("A list of names is expected."), "invalid")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise _invalid(field, _("Each recipient is a name, not empty."), "invalid")
        name = item.strip()
        if len(name) > RECIPIENT_MAX:
            raise _invalid(field, _("“%(name)s…” is longer than %(limit)s characters.") % {
                "name": name[:20], "limit": RECIPIENT_MAX}, "max_length")
        if name in out:
            raise _invalid(field, _("“%(name)s” is listed twice.") % {"name": name},
                           "duplicate")
        out.append(name)
    if len(out) > RECIPIENTS_MAX:
        raise _invalid(field, _("At most %(limit)s recipients.") % {"limit": RECIPIENTS_MAX},
                       "max_length")
    return out


def _notes(issue: Briefing, value) -> dict[str, str]:
    """{area id: note} for the child areas shown in the briefing; empty notes are dropped."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid("notes", _("An object {area id: note} is expected."), "invalid")
    areas = {str(c["id"]): c["name"] for c in issue.snapshot.get("children", [])}
    out: dict[str, str] = {}
    for key, note in value.items():
        area = str(key).strip()
        if area not in areas:
            raise _invalid("notes", _("Area %(area)s is not in this briefing: a note is "
                                      "written for one of its areas.") % {
                "area": str(key)[:20]}, "not_in_briefing")
        if not isinstance(note, str):
            raise _invalid("notes", _("The note of %(name)s is not text.") % {
                "name": areas[area]}, "invalid")
        note = note.strip()
        if len(note) > NOTE_MAX:
            raise _invalid("notes", _("The note of %(name)s has more than %(limit)s "
                                      "characters.") % {"name": areas[area],
                                                        "limit": NOTE_MAX}, "max_length")
        if note:
            out[area] = note
    return out


def briefing_update(*, actor, briefing: Briefing, **changes) -> Briefing:
    """Change the task force's text of a draft: any of `title` (not empty), `lead` (导语),
    `notes` ({area id: note}, replacing the notes: one per child area of the briefing),
    `reported_to` (抄报) and `copied_to` (抄送) (lists of names), `drafter` (拟稿人, not
    empty). An issued briefing is frozen: every field asked for is refused by name."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    _writer(actor, briefing.jurisdiction)
    if not Briefing.objects.visible_to(actor).filter(pk=briefing.pk).exists():
        raise Briefing.DoesNotExist
    current = Briefing.objects.get(pk=briefing.pk)
    if not current.is_draft:
        raise _frozen(current, changes or ["state"])
    values: dict = {}
    for field, value in changes.items():
        if field == "title":
            values[field] = _text(field, value, TITLE_MAX, required=True)
        elif field == "lead":
            values[field] = _text(field, value, LEAD_MAX)
        elif field == "drafter":
            values[field] = _text(field, value, DRAFTER_MAX, required=True)
        elif field == "notes":
            values[field] = _notes(current, value)
        else:
            values[field] = _recipients(field, value)
    with transaction.atomic():
        locked = Briefing.objects.select_for_update().get(pk=briefing.pk)
        if not locked.is_draft:  # issued meanwhile
            raise _frozen(locked, changes or ["state"])
        before = audit.snapshot(locked)
        for field, value in values.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(values) or None)
        audit.record_update(actor=actor, instance=locked, before=before)
    return locked


# --- Issuing --------------------------------------------------------------------------------


def next_number(node: Jurisdiction) -> int:
    """The number the next issued briefing of `node` takes: after the highest issued one, and
    not below the configured start."""
    last = Briefing.objects.filter(jurisdiction=node).aggregate(n=Max("number"))["n"] or 0
    setting = BriefingSetting.objects.filter(jurisdiction=node).first()
    return max(last + 1, setting.first_number if setting else 1)


def briefing_issue(*, actor, briefing: Briefing) -> Briefing:
    """Issue a draft under the next number of its jurisdiction: from now on it is frozen.

    The number is taken under a lock on the jurisdiction's row (PostgreSQL; SQLite runs one
    writer at a time), and the state moves by compare-and-set: of two people issuing the
    same draft at once, one issues it and the other is told it was issued. The unique
    (jurisdiction, number) constraint is the last line: two drafts issued at once on SQLite
    retry the numbering."""
    _writer(actor, briefing.jurisdiction)
    if not Briefing.objects.visible_to(actor).filter(pk=briefing.pk).exists():
        raise Briefing.DoesNotExist
    node = briefing.jurisdiction
    for attempt in range(NUMBERING_ATTEMPTS):
        try:
            with transaction.atomic():
                Jurisdiction.objects.select_for_update().filter(pk=node.pk).first()
                current = Briefing.objects.get(pk=briefing.pk)
                if not current.is_draft:
                    raise ValidationError({"state": ValidationError(
                        _("Issue %(number)s was already issued on %(day)s.") % {
                            "number": current.number,
                            "day": timezone.localtime(current.issued_at).date().isoformat()},
                        code="issued")})
                if not current.drafter.strip():
                    raise _invalid("drafter", _("Name the drafter (拟稿人) before issuing."),
                                   "required")
                number, now = next_number(node), timezone.now()
                setting = BriefingSetting.objects.filter(jurisdiction=node).first()
                moved = Briefing.objects.filter(pk=current.pk, state=BriefingState.DRAFT).update(
                    state=BriefingState.ISSUED, number=number, issued_at=now, issued_by=actor,
                    issuer=setting.issuer if setting else "")
                if not moved:
                    raise ValidationError({"state": ValidationError(
                        _("Someone else issued this briefing a moment ago: reload it."),
                        code="issued")})
                current.refresh_from_db()
                audit.record(actor=actor, action=AuditAction.UPDATE, instance=current,
                             changes={"state": [BriefingState.DRAFT, BriefingState.ISSUED],
                                      "number": [None, number]},
                             details={"issued": True})
                return current
        except IntegrityError:
            if attempt == NUMBERING_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


# --- Numbering ------------------------------------------------------------------------------


def _first_number(value) -> int:
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise _invalid("first_number", _("A whole number is expected."), "invalid")
    if value < 1 or value > FIRST_NUMBER_MAX:
        raise _invalid("first_number", _("Between 1 and %(max)s.") % {
            "max": FIRST_NUMBER_MAX}, "out_of_range")
    return value


def briefing_setting_save(*, actor, node: Jurisdiction, first_number, issuer=None
                          ) -> BriefingSetting:
    """Set where `node`'s numbering continues from (`first_number`: the next issue is
    第 first_number 期 unless a higher one was issued) and, when given, the issuing body.
    A start at or below a number already issued is refused (the numbers would run back)."""
    _writer(actor, node)
    number = _first_number(first_number)
    name = _text("issuer", issuer, ISSUER_MAX) if issuer is not None else None
    with transaction.atomic():
        Jurisdiction.objects.select_for_update().filter(pk=node.pk).first()
        setting = BriefingSetting.objects.filter(jurisdiction=node).first()
        before = audit.snapshot(setting) if setting else None
        if number != (setting.first_number if setting else 1):  # unchanged: no effect
            last = Briefing.objects.filter(jurisdiction=node).aggregate(
                n=Max("number"))["n"]
            if last is not None and number <= last:
                raise _invalid("first_number", _(
                    "Issue %(last)s is already issued: the numbering can only continue from "
                    "%(next)s or higher.") % {"last": last, "next": last + 1}, "used")
        setting = setting or BriefingSetting(jurisdiction=node)
        setting.first_number = number
        if name is not None:
            setting.issuer = name
        setting.updated_by = actor
        setting.save()
        audit.record_save(actor=actor, instance=setting, before=before)
    return setting
