"""Hazard writes: recording a hazard (from a visit's finding or by hand), the state machine
(one service, each step an append-only event with who, when, note and photos), and the
daily escalation ladder.

States: open → rectifying → fixed (a photo as evidence) → verified (by someone other than the
fixer) → closed; fixed → rejected → rectifying; open / rectifying / rejected → unfixable
(converted, with a note). Moves are compare-and-set: of two verifiers at once, exactly one
succeeds. The same `client_id` sent twice answers the first result.

Closing a hazard whose category's fix installs a device (`Category.fix_device`) records that
device at the customer, in the closing transaction (`_record_fix`). Appointments: a visit
agreed with the resident for a fix, told to the resident and the inspectors through the
outbox (`appointment_book`, `appointment_close`).
"""

from __future__ import annotations

import datetime
import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ranan.core import audit
from ranan.core.choices import OrgKind, Role
from ranan.core.models import PATH_SEGMENT, Account, Jurisdiction, Organisation
from ranan.core.notify import notify
from ranan.core.permissions import can, require
from ranan.customers import services as customer_services
from ranan.customers.choices import DeviceKind
from ranan.customers.models import Customer, Device
from ranan.hazards.choices import (
    DONE,
    ESCALATING,
    TRANSITIONS,
    AppointmentState,
    EventKind,
    Responsible,
    Source,
    State,
    Step,
)
from ranan.hazards.models import (
    Appointment,
    Category,
    GradeDeadline,
    Hazard,
    HazardEvent,
    HazardPhoto,
)
from ranan.inspections.choices import Grade
from ranan.lib import masking, normalise
from ranan.lib.idempotency import Conflict, replay, same_as
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
                      same=same_as(found_by_id=actor.pk, customer_id=getattr(customer, "pk", None),
                                   description=description or ""))
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
    # Audited like a hazard opened by hand: one entry each, by the visit's inspector.
    inspectors = Account.objects.in_bulk({h.found_by_id for h in rows})
    audit.record_create_many(rows, actor_of=lambda h: inspectors.get(h.found_by_id))
    return len(rows)


# Who may make a step beyond doing the work (issue 16): a fix is checked by someone else.
STEP_CAPABILITY = {State.VERIFIED: "hazards.verify", State.REJECTED: "hazards.verify",
                   State.CLOSED: "hazards.verify", State.UNFIXABLE: "hazards.convert"}


def step_refusal(actor, hazard: Hazard, to: str) -> Exception | None:
    """Why `actor` may not move `hazard` to `to` by who it is (None: it may): verifying,
    rejecting and closing take a role that checks work (never a courier: PermissionDenied)
    and someone other than the finder and the fixer; "not fixable" takes an inspector or a
    supervisor and someone other than the finder (ValidationError naming `actor`)."""
    capability = STEP_CAPABILITY.get(to)
    if capability is not None and not can(actor, capability):
        return PermissionDenied(_("Your role cannot make this step."))
    if to in (State.VERIFIED, State.REJECTED, State.CLOSED) and actor.pk == hazard.fixed_by_id:
        return ValidationError({"actor": _("Someone other than the fixer verifies the fix.")})
    if to in (State.VERIFIED, State.REJECTED, State.CLOSED, State.UNFIXABLE) \
            and actor.pk == hazard.found_by_id:
        return ValidationError({"actor": _("Someone other than the finder decides this step.")})
    return None


def hazard_transition(*, actor, hazard: Hazard, to: str, note: str = "",
                      photos: list[bytes] | None = None,
                      client_id: uuid.UUID | None = None) -> Hazard:
    """Move a hazard one step. Refusals name the field: `to` (not allowed from the current
    state, or the state moved on), `photos` (a fix needs a photo as evidence), `actor` (the
    fixer cannot verify), `note` (a conversion or a rejection says why)."""
    _require_writer(actor)
    photos = photos or []
    def same(event) -> bool:
        return (event.hazard_id == hazard.pk and event.to_state == to and event.by_id == actor.pk
                and event.note == (note or "").strip())

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
    refusal = step_refusal(actor, current, to)
    if refusal is not None:
        raise refusal
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
            device = _record_fix(actor, current, now) if to == State.CLOSED else None
            audit.record(actor=actor, action="update", model="hazards.hazard",
                         object_pk=str(hazard.pk), object_repr=str(current)[:200],
                         changes={"state": [current.state, to]},
                         details={"device": device.pk} if device else None)
    except IntegrityError:
        if not replay(HazardEvent.objects, client_id, conflict=TransitionConflict,
                      same=lambda e: e.hazard_id == hazard.pk and e.to_state == to):
            raise
    return Hazard.objects.get(pk=hazard.pk)


# What the device a fix installs is like, and which supply it belongs to: the customers
# app's SAFE_DEVICE and DEVICE_SUPPLY (a passing check confirms the same devices).
FIXED_DEVICE = customer_services.SAFE_DEVICE
DEVICE_SUPPLY = customer_services.DEVICE_SUPPLY


def _record_fix(actor, hazard: Hazard, now: datetime.datetime) -> Device | None:
    """The fix of a closed hazard in the customer's device register: the category's device
    (`Category.fix_device`), installed on the day of the fix, replacing the current one of
    its kind (kept in the history), so the customer's missing devices and the coverage KPIs
    count it at once. Called in the closing transaction: a refused device write undoes the
    closing.

    Why at closing and not at "fixed": a fix becomes a fact of the household only once
    someone other than the fixer has verified it; until the hazard is closed it may still be
    rejected and re-done, and the register would then hold a device that is not there. The
    device is dated the day of the fix (`fixed_at`), when it was put in.

    The closer writes the device when their role edits customers; otherwise (a regulator, the
    task force) it is written as the system, and the hazard's audit row names the device."""
    kind = hazard.category.fix_device
    if not kind or hazard.customer_id is None or kind not in FIXED_DEVICE:
        return None
    customer = Customer.objects.get(pk=hazard.customer_id)
    if DEVICE_SUPPLY.get(kind, customer.supply) != customer.supply:
        return None
    day = timezone.localtime(hazard.fixed_at or now).date()
    values = {"kind": kind, "installed_on": day, **FIXED_DEVICE[kind]}
    if kind == DeviceKind.STOVE:
        values["made_on"] = day
    values["note"] = (_("Fix of hazard %(id)s") % {"id": hazard.pk})[:200]
    replaces = (Device.objects.current().filter(customer=customer, kind=kind)
                .order_by("-installed_on", "-id").first())
    if replaces is not None and replaces.installed_on and replaces.installed_on > day:
        return None  # a newer device is already recorded: the fix is history
    writer = actor if can(actor, "customers.edit") else None
    return customer_services.device_add(actor=writer, customer=customer, replaces=replaces,
                                        **values)


def escalate(today: datetime.date | None = None,
             now: datetime.datetime | None = None) -> dict[int, int]:
    """The daily ladder: every hazard still open, rectifying or rejected climbs to the step
    its days past the deadline warrant, each step recorded as an event. Set-based SQL, four
    statements whatever the number of hazards: the hazards reaching each step grouped by
    whom to tell; one INSERT of the events of every step; one UPDATE that moves each hazard
    once. Idempotent: a step is recorded once per hazard (a unique index too), so a second
    run the same day changes nothing and sends nothing new. Each organisation told gets one
    message per step and day. Returns {step: hazards that reached it now}. `now`: the time
    the steps are recorded at (the demo replays the past days' runs at their hour)."""
    today = today or timezone.localdate()
    now = now or timezone.now()
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
        # Grouped by whom to tell: the enterprise, the place (its district's regulators and
        # the property managers covering it) and the category's competent department.
        cur.execute(
            cte + "SELECT s.step, c.gas_company_id, c.lpg_station_id, h.jpath, "
            "cat.regulator_type, count(*) "
            f"{climbing} GROUP BY 1, 2, 3, 4, 5".replace(
                "FROM hazards_hazard h",
                "FROM hazards_hazard h LEFT JOIN customers_customer c ON c.id = h.customer_id "
                "JOIN hazards_category cat ON cat.id = h.category_id"),
            where_params)
        groups = cur.fetchall()
        if not groups:
            return counts
        # Each hazard's climb, for the audit log (old step -> the highest step reached).
        cur.execute(cte + f"SELECT h.id, h.escalation, max(s.step) {climbing} "
                    "GROUP BY h.id, h.escalation", where_params)
        climbed = cur.fetchall()
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
        for step, _company, _station, _jpath, _duty, n in groups:
            counts[step] += n
        _audit_climbs(climbed)
        _tell(groups, today)
    return counts


def _audit_climbs(climbed) -> None:
    """One audit entry per hazard the ladder moved, by the system (like a referral's step)."""
    hazards = Hazard.objects.select_related("category", "customer").in_bulk(
        [pk for pk, _old, _new in climbed])
    audit.record_many(
        audit.entry(actor=None, action="update", instance=hazards[pk],
                    changes={"escalation": [old, new]})
        for pk, old, new in climbed if pk in hazards)


DISTRICT = PATH_SEGMENT * 3  # the length of a district's path (province, city, district)


def _tell(groups, today: datetime.date) -> None:
    """One message per organisation and step for the hazards that reached it in this run:
    the responsible enterprise (steps 1 and 2); the district's regulators of the category's
    competent department (steps 3 and 4: `Category.regulator_type`; every regulator of the
    district when the category names none or the district has none of that type, so that
    someone is always told); and, at every step, the property managers whose estates cover
    the hazard's place."""
    per_org: dict[tuple[int, int], int] = {}

    def add(step: int, org_ids, n: int) -> None:
        for org_id in set(org_ids):
            per_org[(step, org_id)] = per_org.get((step, org_id), 0) + n

    regulators = _district_regulators({jpath[:DISTRICT] for step, _c, _s, jpath, _d, _n in groups
                                       if step > Step.NOTICE})
    managers = _property_managers()
    for step, company, station, jpath, duty, n in groups:
        if step <= Step.NOTICE:
            add(step, [o for o in (company, station) if o], n)
        else:
            add(step, regulators_for(regulators.get(jpath[:DISTRICT], []), duty), n)
        add(step, [org for k in range(PATH_SEGMENT, len(jpath) + 1, PATH_SEGMENT)
                   for org in managers.get(jpath[:k], ())], n)
    orgs = Organisation.objects.in_bulk({org_id for _s, org_id in per_org})
    for (step, org_id), n in sorted(per_org.items()):
        with translation.override(settings.LANGUAGE_CODE):  # messages are written in Chinese
            label = str(Step(step).label)
        notify(kind=f"hazard_step_{step}", to_organisation=orgs[org_id],
               subject=f"隐患逾期升级：{label}（{n} 处）",
               body=f"{today}：{n} 处逾期未整改的隐患升级为“{label}”，请登录燃安查看并处理。",
               dedupe_key=f"hazard-step:{step}:{org_id}:{today.isoformat()}")


def _district_regulators(districts: set[str]) -> dict[str, list[tuple[int, str]]]:
    """{district path: [(organisation id, regulator type)]} of the active regulators."""
    out: dict[str, list[tuple[int, str]]] = {}
    if not districts:
        return out
    rows = (Organisation.objects.filter(kind=OrgKind.REGULATOR, is_active=True,
                                        jurisdictions__path__in=districts)
            .values_list("pk", "regulator_type", "jurisdictions__path").distinct())
    for org_id, kind, path in rows:
        out.setdefault(path, []).append((org_id, kind))
    return out


def regulators_for(regulators: list[tuple[int, str]], duty: str) -> list[int]:
    """Of a district's regulators, those competent for a category's department `duty`; all
    of them when `duty` is empty or none is of that type (the fallback)."""
    competent = [org_id for org_id, kind in regulators if duty and kind == duty]
    return competent or [org_id for org_id, _kind in regulators]


def _property_managers() -> dict[str, list[int]]:
    """{jurisdiction path: [property manager ids]}: the estates each manager covers."""
    out: dict[str, list[int]] = {}
    rows = (Organisation.objects.filter(kind=OrgKind.PROPERTY_MANAGER, is_active=True)
            .values_list("pk", "jurisdictions__path"))
    for org_id, path in rows:
        if path:
            out.setdefault(path, []).append(org_id)
    return out


# --- The catalogue: categories (retired, never deleted: hazards refer to them) and deadlines ---

CATEGORY_FIELDS = ("code", "name", "name_en", "default_grade", "is_active", "fix_device",
                   "regulator_type")


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


# --- Appointments: a visit agreed with the resident for a fix --------------------------------

# How long a visit is held in an inspector's day, and the hours visits are booked in (local
# time; the setting HAZARD_APPOINTMENT_HOURS, e.g. ("08:30", "18:00"), sets others).
APPOINTMENT_MINUTES = 60
WORKING_HOURS = ("08:00", "20:00")
MAX_INSPECTORS = 5


class AppointmentConflict(Conflict):
    """The client_id was used for another appointment."""


def working_hours() -> tuple[datetime.time, datetime.time]:
    start, end = getattr(settings, "HAZARD_APPOINTMENT_HOURS", None) or WORKING_HOURS
    return datetime.time.fromisoformat(start), datetime.time.fromisoformat(end)


def _require_booker(actor) -> None:
    require(actor, "hazards.appoint", _("Your role does not book visits to residents."))


def _check_time(starts_at, now: datetime.datetime) -> str | None:
    """Why a visit cannot start at `starts_at` (None when it can)."""
    if starts_at is None:
        return _("Say when.")
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if starts_at < now:
        return _("This time is in the past.")
    opens, closes = working_hours()
    local = timezone.localtime(starts_at)
    ends = local + datetime.timedelta(minutes=APPOINTMENT_MINUTES)
    if local.time() < opens or ends.date() != local.date() or ends.time() > closes:
        return _("Visits are booked between %(opens)s and %(closes)s (a visit takes %(n)d "
                 "minutes).") % {"opens": opens.strftime("%H:%M"),
                                 "closes": closes.strftime("%H:%M"), "n": APPOINTMENT_MINUTES}
    return None


def covers(account, jpath: str) -> bool:
    """Whether the account's area holds the place `jpath`."""
    return any(jpath.startswith(p) for p in account.area_paths)


def _check_inspectors(inspectors: list, hazard: Hazard) -> str | None:
    if not inspectors:
        return _("Name at least one inspector.")
    if len(inspectors) > MAX_INSPECTORS:
        return _("At most %(n)d inspectors.") % {"n": MAX_INSPECTORS}
    for account in inspectors:
        if not account.is_active or not account.has_role(Role.INSPECTOR):
            return _("%(name)s is not an inspector.") % {"name": account}
        if not covers(account, hazard.jpath):
            return _("%(name)s does not inspect this hazard's area.") % {"name": account}
    return None


def _busy(inspectors: list, starts_at: datetime.datetime, exclude: int | None = None):
    """A booked visit of one of these inspectors overlapping a visit at `starts_at`."""
    span = datetime.timedelta(minutes=APPOINTMENT_MINUTES)
    return (Appointment.objects.filter(state=AppointmentState.BOOKED,
                                       inspectors__in=[a.pk for a in inspectors],
                                       starts_at__gt=starts_at - span,
                                       starts_at__lt=starts_at + span)
            .exclude(pk=exclude).prefetch_related("inspectors").first())


def appointment_book(*, actor, hazard: Hazard, starts_at: datetime.datetime | None,
                     inspectors: list, phone: str = "", note: str = "",
                     client_id: uuid.UUID | None = None) -> Appointment:
    """Book a visit to fix a hazard, at a time agreed with the resident: in the future,
    inside the working hours, with inspectors whose area holds the hazard and who have no
    other visit then. The resident is told on their phone (the customer's unless another is
    given) and each inspector in their messages. Refusals name the field: `hazard` (already
    fixed or done), `starts_at`, `inspectors`, `phone`, `note`. A hazard out of the account's
    area is Hazard.DoesNotExist; the same `client_id` again answers the first booking."""
    _require_booker(actor)
    same = same_as(booked_by_id=actor.pk, hazard_id=hazard.pk, note=note or "")
    previous = replay(Appointment.objects, client_id, conflict=AppointmentConflict, same=same)
    if previous is not None:
        return previous
    if not Hazard.objects.visible_to(actor).filter(pk=hazard.pk).exists():
        raise Hazard.DoesNotExist
    hazard = Hazard.objects.select_related("customer", "category").get(pk=hazard.pk)
    inspectors = list(inspectors or [])
    errors: dict[str, str] = {}
    if hazard.state not in ESCALATING:
        errors["hazard"] = _("This hazard is “%(state)s”: no visit to book.") % {
            "state": State(hazard.state).label}
    now = timezone.now()
    problem = _check_time(starts_at, now)
    if problem:
        errors["starts_at"] = problem
    problem = _check_inspectors(inspectors, hazard)
    if problem:
        errors["inspectors"] = problem
    try:
        phone = normalise.phone((phone or "").strip() or (
            hazard.customer.phone if hazard.customer_id else ""))
    except normalise.Invalid as exc:
        errors["phone"] = str(exc)
    else:
        if not phone:
            errors["phone"] = _("The resident's phone is needed to tell them.")
    note = (note or "").strip()
    if len(note) > 500:
        errors["note"] = _("At most 500 characters.")
    if errors:
        raise ValidationError(errors)
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    try:
        with transaction.atomic():
            # The inspectors' rows locked (PostgreSQL; SQLite's write lock is taken at BEGIN):
            # two bookings of one inspector at once see each other.
            list(Account.objects.select_for_update().filter(pk__in=[a.pk for a in inspectors])
                 .values_list("pk", flat=True))
            clash = _busy(inspectors, starts_at)
            if clash is not None:
                names = ", ".join(str(a) for a in clash.inspectors.all() if a in inspectors)
                raise ValidationError({"starts_at": _(
                    "%(names)s already has a visit at %(time)s.") % {
                    "names": names, "time": timezone.localtime(clash.starts_at)
                    .strftime("%Y-%m-%d %H:%M")}})
            appointment = Appointment.objects.create(
                hazard=hazard, customer=hazard.customer, jpath=hazard.jpath,
                starts_at=starts_at, phone=phone, note=note, booked_by=actor,
                client_id=client_id)
            appointment.inspectors.set(inspectors)
            audit.record_create(actor=actor, instance=appointment, m2m=("inspectors",))
            tell_appointment(appointment, inspectors, "booked")
    except IntegrityError:
        previous = replay(Appointment.objects, client_id, conflict=AppointmentConflict,
                          same=same)
        if previous is None:
            raise
        return previous
    return appointment


def appointment_close(*, actor, appointment: Appointment, to: str,
                      note: str = "") -> Appointment:
    """A booked visit done, or cancelled (with why: the resident is told). Refusals name
    the field: `to` (not booked any more, or an unknown state), `note`."""
    _require_booker(actor)
    if not Appointment.objects.visible_to(actor).filter(pk=appointment.pk).exists():
        raise Appointment.DoesNotExist
    note = (note or "").strip()
    if to not in (AppointmentState.DONE, AppointmentState.CANCELLED):
        raise ValidationError({"to": _("Unknown state “%(to)s”.") % {"to": to}})
    if to == AppointmentState.CANCELLED and not note:
        raise ValidationError({"note": _("Say why.")})
    if len(note) > 500:
        raise ValidationError({"note": _("At most 500 characters.")})
    with transaction.atomic():
        before = audit.snapshot(appointment)
        now = timezone.now()
        changes = {"state": to, "closed_by": actor, "closed_at": now}
        if note:
            changes["note"] = note
        moved = Appointment.objects.filter(pk=appointment.pk,
                                           state=AppointmentState.BOOKED).update(**changes)
        if not moved:
            raise ValidationError({"to": _("This visit is no longer booked.")})
        appointment.refresh_from_db()
        audit.record_update(actor=actor, instance=appointment, before=before)
        if to == AppointmentState.CANCELLED:
            tell_appointment(appointment, list(appointment.inspectors.all()), "cancelled")
    return appointment


def tell_appointment(appointment: Appointment, inspectors: list, event: str) -> None:
    """The resident by SMS (the outbox's `to_phone`, sent through the SMS gateway) and each
    inspector in their messages."""
    with translation.override(settings.LANGUAGE_CODE):  # messages are written in Chinese
        category = str(appointment.hazard.category.name)
    when = timezone.localtime(appointment.starts_at).strftime("%Y-%m-%d %H:%M")
    names = "、".join(str(a) for a in inspectors)
    if event == "booked":
        subject = f"上门整改预约：{when}"
        resident = (f"【燃安】您好，您家的燃气安全隐患（{category}）整改上门时间已约定为 {when}，"
                    f"届时安检员 {names} 将上门，请留人在家。")
        staff = (f"{when} 上门整改：{appointment.hazard.where}（{category}）。"
                 f"{appointment.note}".strip())
    else:
        subject = f"上门整改预约已取消：{when}"
        resident = (f"【燃安】您好，原定 {when} 的燃气隐患整改上门已取消（{appointment.note}），"
                    "我们将另行与您约定时间。")
        staff = f"{when} 的上门整改已取消：{appointment.hazard.where}（{appointment.note}）。"
    key = f"appointment:{appointment.pk}:{event}"
    notify(kind="appointment_resident", to_phone=appointment.phone,
           subject=f"致 {masking.mask_phone(appointment.phone)}：{subject}", body=resident,
           dedupe_key=f"{key}:resident")
    for account in inspectors:
        notify(kind="appointment", to_account=account, subject=subject, body=staff,
               dedupe_key=f"{key}:{account.pk}")
