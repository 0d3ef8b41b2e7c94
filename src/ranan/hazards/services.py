"""Hazard writes: recording a hazard (from a visit's finding or by hand), the state machine
(one service, each step an append-only event with who, when, note and photos), and the
daily escalation ladder.

States: open → rectifying → fixed (a photo as evidence) → verified (by someone other than the
fixer) → closed; fixed → rejected → rectifying; open / rectifying / rejected → unfixable
(converted, with a note). Moves are compare-and-set: of two verifiers at once, exactly one
succeeds. The same `client_id` sent twice answers the first result.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ranan.core import audit
from ranan.core.choices import OrgKind
from ranan.core.models import Jurisdiction, Organisation
from ranan.core.notify import notify
from ranan.core.permissions import require
from ranan.customers.models import Customer
from ranan.hazards.choices import (
    DONE,
    ESCALATING,
    TRANSITIONS,
    EventKind,
    Responsible,
    Source,
    State,
    Step,
)
from ranan.hazards.models import Category, GradeDeadline, Hazard, HazardEvent, HazardPhoto
from ranan.inspections.choices import Grade
from ranan.lib.idempotency import Conflict, replay
from ranan.lib.images import image_extension

# Days past the deadline at which each step of the ladder is taken.
ESCALATION_DAYS = {Step.REMINDER: 1, Step.NOTICE: 3, Step.SUPERVISION: 7, Step.ENFORCEMENT: 15}
MAX_PHOTOS = 10


class TransitionConflict(Conflict):
    """The client_id was used for another transition."""


def escalation_days() -> dict[int, int]:
    return getattr(settings, "HAZARD_ESCALATION_DAYS", None) or ESCALATION_DAYS


def deadline_for(grade: str, found: datetime.date) -> datetime.date:
    days = (GradeDeadline.objects.filter(grade=grade).values_list("days", flat=True).first()
            or {"major": 1, "large": 3, "general": 7, "minor": 15}[grade])
    return found + datetime.timedelta(days=days)


def _require_writer(actor) -> None:
    require(actor, "hazards.work", _("Your role does not work on hazards."))


def _save_photos(event: HazardEvent, photos: list[bytes]) -> None:
    for content in photos:
        ext = image_extension(content, "photos")
        digest = hashlib.sha256(content).hexdigest()
        row = HazardPhoto(event=event, sha256=digest, size=len(content))
        row.image.save(f"{digest[:32]}.{ext}", ContentFile(content), save=False)
        row.save()


def _check_photos(photos: list[bytes]) -> None:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)d photos.") % {"n": MAX_PHOTOS}})
    for index, content in enumerate(photos):
        image_extension(content, f"photos.{index}")


@transaction.atomic
def hazard_create(*, actor, category: str | Category, description: str, source: str,
                  customer: Customer | None = None, jurisdiction: Jurisdiction | None = None,
                  premises: str = "", grade: str | None = None,
                  deadline: datetime.date | None = None,
                  responsible: str = Responsible.CUSTOMER, responsible_name: str = "",
                  found_at: datetime.datetime | None = None, photos: list[bytes] | None = None,
                  finding=None, client_id: uuid.UUID | None = None) -> Hazard:
    """Record a hazard. Its deadline defaults to the grade's; one in the past is refused.
    The same `client_id` again answers the first hazard."""
    _require_writer(actor)
    photos = photos or []
    previous = replay(Hazard.objects, client_id, conflict=TransitionConflict,
                      same=lambda h: h.found_by_id == actor.pk)
    if previous is not None:
        return previous
    if customer is not None:
        if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
            raise Customer.DoesNotExist
        jurisdiction = customer.jurisdiction
    errors: dict[str, str] = {}
    if isinstance(category, str):
        found = Category.objects.filter(code=category, is_active=True).first()
        if found is None:
            errors["category"] = _("Unknown hazard category “%(code)s”.") % {"code": category}
        category = found
    if jurisdiction is None:
        errors["jurisdiction"] = _("Say where: a customer, or a jurisdiction and premises.")
    elif customer is None:
        if not Jurisdiction.objects.visible_to(actor).filter(pk=jurisdiction.pk).exists():
            raise Jurisdiction.DoesNotExist
        if not premises.strip():
            errors["premises"] = _("Describe the premises.")
    grade = grade or (category.default_grade if category else None)
    if grade not in Grade.values:
        errors["grade"] = _("Unknown grade.")
    if source not in Source.values:
        errors["source"] = _("Unknown source.")
    if responsible not in Responsible.values:
        errors["responsible"] = _("Unknown responsible party.")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Describe the hazard.")
    elif len(description) > 500:
        errors["description"] = _("At most 500 characters.")
    now = timezone.now()
    found_at = found_at or now
    today = timezone.localdate()
    if deadline is not None and deadline < today:
        errors["deadline"] = _("The deadline is in the past.")
    if found_at > now + datetime.timedelta(minutes=5):
        errors["found_at"] = _("Cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    _check_photos(photos)
    hazard = Hazard.objects.create(
        customer=customer, premises=premises.strip(), jurisdiction=jurisdiction,
        jpath=jurisdiction.path, category=category, grade=grade, source=source,
        description=description, found_by=actor, found_at=found_at,
        responsible=responsible, responsible_name=responsible_name.strip()[:100],
        deadline=deadline or deadline_for(grade, timezone.localtime(found_at).date()),
        finding=finding, client_id=client_id)
    event = HazardEvent.objects.create(hazard=hazard, kind=EventKind.CREATED,
                                       to_state=State.OPEN, at=found_at, by=actor)
    _save_photos(event, photos)
    audit.record_create(actor=actor, instance=hazard)
    return hazard


def take_over_findings(findings) -> int:
    """The hazards of a visit's failed items not fixed on the spot (inspections.Finding):
    one hazard each, from the visit (inspection or delivery check), by its inspector."""
    categories = {c.code: c for c in Category.objects.all()}
    rows = []
    for finding in findings:
        visit = finding.visit
        found = timezone.localtime(finding.found_at).date()
        rows.append(Hazard(
            customer_id=finding.customer_id, jurisdiction_id=int(finding.jpath[-8:]),
            jpath=finding.jpath, category=categories.get(finding.category, categories["other"]),
            grade=finding.grade,
            source=Source.DELIVERY if visit.kind == "delivery" else (
                Source.JOINT if visit.kind == "joint" else Source.INSPECTION),
            description=finding.description, found_by_id=visit.inspector_id,
            found_at=finding.found_at, deadline=deadline_for(finding.grade, found),
            finding=finding))
    Hazard.objects.bulk_create(rows, batch_size=2000)
    HazardEvent.objects.bulk_create(
        [HazardEvent(hazard=h, kind=EventKind.CREATED, to_state=State.OPEN, at=h.found_at,
                     by_id=h.found_by_id) for h in rows], batch_size=2000)
    return len(rows)


def hazard_transition(*, actor, hazard: Hazard, to: str, note: str = "",
                      photos: list[bytes] | None = None,
                      client_id: uuid.UUID | None = None) -> Hazard:
    """Move a hazard one step. Refusals name the field: `to` (not allowed from the current
    state, or the state moved on), `photos` (a fix needs a photo as evidence), `actor` (the
    fixer cannot verify), `note` (a conversion or a rejection says why)."""
    _require_writer(actor)
    photos = photos or []
    def same(event) -> bool:
        return event.hazard_id == hazard.pk and event.to_state == to and event.by_id == actor.pk

    if replay(HazardEvent.objects, client_id, same=same, conflict=TransitionConflict):
        return Hazard.objects.get(pk=hazard.pk)
    if not Hazard.objects.visible_to(actor).filter(pk=hazard.pk).exists():
        raise Hazard.DoesNotExist
    note = (note or "").strip()
    if to not in TRANSITIONS:
        raise ValidationError({"to": _("Unknown state “%(to)s”.") % {"to": to}})
    current = Hazard.objects.get(pk=hazard.pk)
    if current.state not in TRANSITIONS[to]:
        raise ValidationError({"to": _("A hazard that is “%(state)s” cannot become “%(to)s”.") % {
            "state": State(current.state).label, "to": State(to).label}})
    if to == State.FIXED and not photos:
        raise ValidationError({"photos": _("A fix needs a photo as evidence.")})
    if to == State.FIXED and not note:
        raise ValidationError({"note": _("Say what was done.")})
    if to in (State.VERIFIED, State.REJECTED) and current.fixed_by_id == actor.pk:
        raise ValidationError({"actor": _("Someone other than the fixer verifies the fix.")})
    if to in (State.REJECTED, State.UNFIXABLE) and not note:
        raise ValidationError({"note": _("Say why.")})
    if len(note) > 500:
        raise ValidationError({"note": _("At most 500 characters.")})
    _check_photos(photos)
    now = timezone.now()
    changes = {"state": to, "updated_at": now}
    if to == State.FIXED:
        changes.update(fixed_by=actor, fixed_at=now)
    if to in DONE:
        changes["closed_at"] = now
    try:
        with transaction.atomic():
            # Compare-and-set: if the state moved on meanwhile, nothing changes.
            moved = Hazard.objects.filter(pk=hazard.pk, state=current.state).update(**changes)
            if not moved:
                raise ValidationError({"to": _("Someone else changed this hazard a moment ago: "
                                               "reload it.")})
            event = HazardEvent.objects.create(hazard=current, kind=EventKind.TRANSITION,
                                               from_state=current.state, to_state=to, at=now,
                                               by=actor, note=note, client_id=client_id)
            _save_photos(event, photos)
            audit.record(actor=actor, action="update", model="hazards.hazard",
                         object_pk=str(hazard.pk), object_repr=str(current)[:200],
                         changes={"state": [current.state, to]})
    except IntegrityError:
        if not replay(HazardEvent.objects, client_id, conflict=TransitionConflict,
                      same=lambda e: e.hazard_id == hazard.pk and e.to_state == to):
            raise
    return Hazard.objects.get(pk=hazard.pk)


def escalate(today: datetime.date | None = None) -> dict[int, int]:
    """The daily ladder: every hazard still open, rectifying or rejected climbs to the step
    its days past the deadline warrant, each step recorded as an event. Set-based SQL, four
    statements whatever the number of hazards: the hazards reaching each step grouped by
    whom to tell; one INSERT of the events of every step; one UPDATE that moves each hazard
    once. Idempotent: a step is recorded once per hazard (a unique index too), so a second
    run the same day changes nothing and sends nothing new. Each organisation told gets one
    message per step and day. Returns {step: hazards that reached it now}."""
    today = today or timezone.localdate()
    now = timezone.now()
    ops = connection.ops
    steps = sorted(escalation_days().items())
    # (step, the latest deadline that warrants it), as SQL VALUES.
    ladder = ", ".join(["(%s, %s)"] * len(steps))
    ladder_params = []
    for step, days in steps:
        ladder_params += [step, ops.adapt_datefield_value(today - datetime.timedelta(days=days))]
    states = ", ".join(["%s"] * len(ESCALATING))
    cte = f"WITH s(step, lim) AS (VALUES {ladder}) "
    climbing = ("FROM hazards_hazard h JOIN s "
                "ON h.deadline <= CAST(s.lim AS date) AND h.escalation < s.step "
                f"WHERE h.state IN ({states})")
    if connection.vendor == "sqlite":  # dates are ISO text there; CAST would make a number
        climbing = climbing.replace("CAST(s.lim AS date)", "s.lim")
    where_params = [*ladder_params, *ESCALATING]
    counts = {step: 0 for step, _days in steps}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            cte + "SELECT s.step, c.gas_company_id, c.lpg_station_id, substr(h.jpath, 1, 24), count(*) "
            f"{climbing} GROUP BY 1, 2, 3, 4".replace("FROM hazards_hazard h",
                                                     "FROM hazards_hazard h LEFT JOIN "
                                                     "customers_customer c ON c.id = "
                                                     "h.customer_id"),
            where_params)
        groups = cur.fetchall()
        if not groups:
            return counts
        cur.execute(
            cte + "INSERT INTO hazards_hazardevent (hazard_id, kind, from_state, to_state, step, at, "
            "by_id, note, client_id) "
            f"SELECT h.id, %s, h.state, h.state, s.step, %s, NULL, '', NULL {climbing}",
            # The CTE's values come first in the statement, then the SELECT's.
            [*ladder_params, EventKind.ESCALATION, ops.adapt_datetimefield_value(now),
             *ESCALATING])
        cases = " ".join(["WHEN deadline <= %s THEN %s"] * len(steps))
        case_params = []
        for step, days in reversed(steps):
            case_params += [ops.adapt_datefield_value(today - datetime.timedelta(days=days)),
                            step]
        cur.execute(
            f"UPDATE hazards_hazard SET escalation = CASE {cases} ELSE escalation END "
            f"WHERE state IN ({states}) AND deadline <= %s AND escalation < "
            f"CASE {cases} ELSE 0 END",
            [*case_params, *ESCALATING, ladder_params[1], *case_params])
        for step, _company, _station, _district, n in groups:
            counts[step] += n
        _tell(groups, today)
    return counts


def _tell(groups, today: datetime.date) -> None:
    """One message per organisation and step for the hazards that reached it in this run:
    the responsible enterprise (steps 1 and 2), the district's regulators (3 and 4)."""
    per_org: dict[tuple[int, int], int] = {}
    per_district: dict[tuple[int, str], int] = {}
    for step, company, station, district, n in groups:
        if step <= Step.NOTICE:
            for org_id in (company, station):
                if org_id:
                    per_org[(step, org_id)] = per_org.get((step, org_id), 0) + n
        else:
            per_district[(step, district)] = per_district.get((step, district), 0) + n
    if per_district:
        regulators = (Organisation.objects.filter(
            kind=OrgKind.REGULATOR, is_active=True,
            jurisdictions__path__in={d for _s, d in per_district})
            .prefetch_related("jurisdictions").distinct())
        for org in regulators:
            for node in org.jurisdictions.all():
                for step in (Step.SUPERVISION, Step.ENFORCEMENT):
                    n = per_district.get((step, node.path), 0)
                    if n:
                        per_org[(step, org.pk)] = per_org.get((step, org.pk), 0) + n
    orgs = Organisation.objects.in_bulk({org_id for _s, org_id in per_org})
    for (step, org_id), n in sorted(per_org.items()):
        with translation.override(settings.LANGUAGE_CODE):  # messages are written in Chinese
            label = str(Step(step).label)
        notify(kind=f"hazard_step_{step}", to_organisation=orgs[org_id],
               subject=f"隐患逾期升级：{label}（{n} 处）",
               body=f"{today}：{n} 处逾期未整改的隐患升级为“{label}”，请登录燃安查看并处理。",
               dedupe_key=f"hazard-step:{step}:{org_id}:{today.isoformat()}")


# --- The catalogue: categories (retired, never deleted: hazards refer to them) and deadlines ---

CATEGORY_FIELDS = ("code", "name", "name_en", "default_grade", "is_active")


def _save_catalogue_row(actor, row, before: dict | None):
    row.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise ValidationError({"code": _("A category with this code exists.")}) from None
        audit.record_save(actor=actor, instance=row, before=before)
    return row


def category_create(*, actor, **values) -> Category:
    """A hazard category; new hazards can use it at once."""
    require(actor, "hazards.catalogue", _("The hazard catalogue is kept by administrators."))
    row = Category(**{k: v for k, v in values.items() if k in CATEGORY_FIELDS})
    if Category.objects.filter(code=row.code).exists():
        raise ValidationError({"code": _("A category with this code exists.")})
    return _save_catalogue_row(actor, row, None)


def category_update(*, actor, category: Category, **changes) -> Category:
    """Rename, regrade or retire (`is_active`: false) a category; its code stays, since
    hazards and checklist items refer to it."""
    require(actor, "hazards.catalogue", _("The hazard catalogue is kept by administrators."))
    if "code" in changes and changes["code"] != category.code:
        raise ValidationError({"code": _("A category's code does not change: retire it and "
                                         "add another.")})
    before = audit.snapshot(category)
    for name in CATEGORY_FIELDS:
        if name in changes:
            setattr(category, name, changes[name])
    return _save_catalogue_row(actor, category, before)


def deadline_update(*, actor, deadline: GradeDeadline, days: int) -> GradeDeadline:
    """Days allowed to fix a hazard of the grade (1-365); hazards found from now on get it."""
    require(actor, "hazards.catalogue", _("The hazard catalogue is kept by administrators."))
    before = audit.snapshot(deadline)
    deadline.days = days
    return _save_catalogue_row(actor, deadline, before)
