"""Inspection writes: submitting a visit (with its answers, fixes, photos, signature and
findings, all in one transaction), correcting one, the measures for households never reached,
inspection cycles, plans, and new checklist versions.

A submitted visit is never edited: a correction is a new visit that `corrects` the original,
which then stops counting. The same `client_id` sent twice answers the first visit.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core import audit, contract
from ranan.core.choices import OrgKind, Role
from ranan.core.models import PATH_SEGMENT, Jurisdiction, Organisation, subtree_q
from ranan.core.permissions import require
from ranan.customers import services as customer_services
from ranan.customers.choices import CustomerKind, CustomerStatus, DeviceKind, HoseMaterial, Supply
from ranan.customers.models import Customer, Device
from ranan.inspections import register
from ranan.inspections.choices import (
    STOPS_SUPPLY,
    AnswerType,
    Audience,
    KindGroup,
    MeasureKind,
    Outcome,
)
from ranan.inspections.models import (
    DEFAULT_CYCLE_MONTHS,
    Answer,
    Checklist,
    ChecklistItem,
    Cycle,
    Finding,
    Measure,
    Photo,
    Plan,
    Target,
    Visit,
)
from ranan.lib.idempotency import Conflict, replay, same_as
from ranan.lib.images import image_extension

# Apps that act on the findings of each submitted visit, in its transaction, declare a hook
# "inspections.findings" (the hazards app opens one hazard per finding).
FINDINGS_HOOK = "inspections.findings"
# Apps that can hold back a restore of supply declare "inspections.restore_blockers":
# fn(customer) -> [why, ...] (the hazards app: the household's hazards still open).
RESTORE_HOOK = "inspections.restore_blockers"
# ... and "inspections.supply_restored": fn(*, actor, customer), in the restore's transaction
# (the delivery app schedules the household's held orders).
RESTORED_HOOK = "inspections.supply_restored"
MAX_PHOTOS = 20
CLOCK_SKEW = datetime.timedelta(minutes=5)
# How long after recording it its author may void a measure (a setting:
# RANAN_MEASURE_VOID_MINUTES).
MEASURE_VOID_MINUTES = 30
# The measures that say why in a note (a shut-off, a seal, a referral) and those that show
# the sealed valve in a photo.
NOTE_REQUIRED = {MeasureKind.SHUT_OFF, MeasureKind.SEALED, MeasureKind.ENFORCEMENT}
PHOTO_REQUIRED = STOPS_SUPPLY
# The measures their author may void (a referral is answered by its department instead).
VOIDABLE = STOPS_SUPPLY


def void_minutes() -> int:
    return int(getattr(settings, "RANAN_MEASURE_VOID_MINUTES", MEASURE_VOID_MINUTES))


class VisitConflict(Conflict):
    """The same client_id was used for another visit."""


@dataclass
class Upload:
    content: bytes
    item: str | None = None  # the checklist item code the photo documents


def audience_for(customer: Customer) -> str:
    if customer.kind != CustomerKind.RESIDENTIAL:
        return Audience.NON_RESIDENTIAL
    return Audience.LPG_HOUSEHOLD if customer.supply == Supply.LPG else Audience.PIPELINE_HOUSEHOLD


def current_checklist(audience: str) -> Checklist | None:
    return (Checklist.objects.filter(audience=audience, published=True)
            .order_by("-version", "-id").first())


def evaluate(item: ChecklistItem, raw) -> tuple[str, bool]:
    """(normalised value, failed) for an answer; ValidationError names the item."""
    field = f"answers.{item.code}"
    value = "" if raw is None else str(raw).strip()
    if item.answer_type == AnswerType.PASS_FAIL:
        value = value.lower()
        if value not in ("pass", "fail", "na"):
            raise ValidationError({field: _("Answer pass, fail or na.")})
        return value, value == "fail"
    if item.answer_type == AnswerType.NUMBER:
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValidationError({field: _("A number, please.")}) from None
        if not number.is_finite() or number < 0 or number > 100000:
            raise ValidationError({field: _("Between 0 and 100000.")})
        failed = ((item.fail_above is not None and number > item.fail_above)
                  or (item.fail_below is not None and number < item.fail_below))
        return str(number.normalize()) if number == number.to_integral() else str(number), failed
    options = {c["value"]: c for c in item.choices}
    if value not in options:
        raise ValidationError({field: _("One of: %(values)s.") % {
            "values": ", ".join(options)}})
    return value, bool(options[value].get("fails"))


def _visible_customer(actor, customer: Customer) -> None:
    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise Customer.DoesNotExist  # out of the actor's area: the caller answers 404


def correction_days() -> int:
    """How long after submitting it the author may correct a visit (issue 16)."""
    return int(getattr(settings, "RANAN_VISIT_CORRECTION_DAYS", 7))


def correction_refusal(actor, visit: Visit, now: datetime.datetime | None = None) -> str | None:
    """Why `actor` may not correct (supersede) `visit`, or None. A submitted visit is the
    record of what its author saw: only its author corrects it, within
    `correction_days()` of submitting it; a station manager or anyone else does not
    overwrite a courier's visit (issue 16). The correction is a new, audited visit."""
    if visit.inspector_id != actor.pk:
        return _("Only the person who made a visit may correct it.")
    now = now or timezone.now()
    if visit.created_at and now - visit.created_at > datetime.timedelta(days=correction_days()):
        return _("A visit can be corrected within %(n)d days of its submission.") % {
            "n": correction_days()}
    return None


def visit_submit(*, actor, customer: Customer, kind: str, outcome: str, client_id: uuid.UUID,
                 started_at: datetime.datetime | None = None,
                 ended_at: datetime.datetime | None = None, answers: dict | None = None,
                 fixes: dict | None = None, photos: list[Upload] | None = None,
                 signature: bytes | None = None, notes: str = "",
                 corrects: Visit | None = None, plan: Plan | None = None,
                 checklist: Checklist | None = None) -> Visit:
    """Record a visit. `answers`: {item code: value}; `fixes`: {item code: {"part": device
    kind, "material", "length_m", "note"}} for failed items fixed on the spot (the customer's
    devices are updated); every other failed item becomes a Finding.

    The steps: answer a repeat, check the visit's own fields, check the answers against the
    checklist (or that there are none), check the images, then write everything in one
    transaction."""
    require(actor, "inspections.visit", _("Your role does not visit households."))
    same = _same_visit(actor, customer, kind=kind, outcome=outcome, notes=notes)
    previous = replay(Visit.objects, client_id, same=same, conflict=VisitConflict)
    if previous is not None:
        return previous
    _visible_customer(actor, customer)
    answers, fixes, photos = answers or {}, fixes or {}, photos or []
    now = timezone.now()
    if corrects is not None and (refusal := correction_refusal(actor, corrects, now)):
        raise ValidationError({"corrects": refusal})
    started_at = started_at or now
    _check_visit_fields(customer, kind=kind, outcome=outcome, started_at=started_at,
                        ended_at=ended_at, notes=notes, corrects=corrects, photos=photos,
                        now=now)
    errors: dict[str, str] = {}
    if outcome == Outcome.INSPECTED:
        checked = _check_inspection(customer, checklist, answers, fixes, photos, signature,
                                    errors)
    else:
        checked = _Checked()
        if answers or fixes:
            errors["answers"] = _("No answers without an inspection (the outcome is “%(o)s”).") % {
                "o": Outcome(outcome).label}
    _check_images(checked, photos, signature, errors)
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            visit = _write_visit(actor, customer, checked, kind=kind, outcome=outcome,
                                 client_id=client_id, started_at=started_at,
                                 ended_at=ended_at or now, fixes=fixes, signature=signature,
                                 notes=notes, corrects=corrects, plan=plan)
    except IntegrityError as error:
        return _after_lost_race(error, same, client_id, corrects)
    return visit


@dataclass
class _Checked:
    """What the checks found, for the writing step: the checklist and its items by code,
    each answered item's (normalised value, failed), and the extensions of the valid images."""
    checklist: Checklist | None = None
    items: dict[str, ChecklistItem] = dataclasses.field(default_factory=dict)
    evaluated: dict[str, tuple[str, bool]] = dataclasses.field(default_factory=dict)
    photo_files: list[tuple[Upload, str]] = dataclasses.field(default_factory=list)
    signature_ext: str | None = None


def _same_visit(actor, customer: Customer, *, kind: str, outcome: str, notes: str):
    """The same client_id sent again answers the first visit; used for another actor's or
    customer's visit, or another kind, outcome or notes, it is a conflict."""
    return same_as(inspector_id=actor.pk, customer_id=customer.pk, kind=kind, outcome=outcome,
                   notes=notes or "")


def _after_lost_race(error: IntegrityError, same, client_id: uuid.UUID,
                     corrects: Visit | None) -> Visit:
    """The write hit a unique index: a concurrent submit with the same client_id won (answer
    its visit), or another correction of the same visit did (say so); any other `error` is
    raised again."""
    previous = replay(Visit.objects, client_id, same=same, conflict=VisitConflict)
    if previous is None:
        if corrects is not None:
            raise ValidationError({"corrects": _(
                "This visit was already corrected: correct the correction.")}) from None
        raise error
    return previous


def _check_visit_fields(customer: Customer, *, kind: str, outcome: str,
                        started_at: datetime.datetime, ended_at: datetime.datetime | None,
                        notes: str, corrects: Visit | None, photos: list[Upload],
                        now: datetime.datetime) -> None:
    """The visit's own fields (kind, outcome, times, notes, what it corrects, how many
    photos): all their errors at once, before the answers are looked at."""
    errors: dict[str, str] = {}
    if kind not in {k for k, _label in Visit._meta.get_field("kind").choices}:
        errors["kind"] = _("Unknown kind of visit.")
    if outcome not in Outcome.values:
        errors["outcome"] = _("Unknown outcome.")
    if started_at > now + CLOCK_SKEW:
        errors["started_at"] = _("The visit cannot start in the future.")
    elif started_at < customer.created_at - CLOCK_SKEW:
        errors["started_at"] = _("Before the customer was registered.")
    if ended_at is not None and ended_at < started_at:
        errors["ended_at"] = _("The end is before the start.")
    if ended_at is not None and ended_at > now + CLOCK_SKEW:
        errors["ended_at"] = _("The visit cannot end in the future.")
    if len(notes or "") > 1000:
        errors["notes"] = _("At most 1000 characters.")
    if corrects is not None:
        if corrects.customer_id != customer.pk:
            errors["corrects"] = _("A correction is for the same customer.")
        elif Visit.objects.filter(corrects=corrects).exists():
            errors["corrects"] = _("This visit was already corrected: correct the correction.")
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("At most %(n)d photos.") % {"n": MAX_PHOTOS}
    if errors:
        raise ValidationError(errors)


def _check_inspection(customer: Customer, checklist: Checklist | None, answers: dict,
                      fixes: dict, photos: list[Upload], signature: bytes | None,
                      errors: dict) -> _Checked:
    """An inspection: its checklist (the customer's current one unless given), the answers,
    the signature, the photos of failed items and the fixes. Errors are added to `errors`
    (in this order, which is the order the API lists them in); a missing checklist is
    refused at once."""
    checklist = checklist or current_checklist(audience_for(customer))
    if checklist is None:
        raise ValidationError({"checklist": _("No published checklist for this customer.")})
    checked = _Checked(checklist=checklist,
                       items={item.code: item for item in checklist.items.all()})
    checked.evaluated = _evaluate_answers(checked.items, answers, errors)
    if not signature:
        errors["signature"] = _("The customer's signature is required for an inspection.")
    _check_failed_items(checked, fixes, photos, errors)
    return checked


def _evaluate_answers(items: dict[str, ChecklistItem], answers: dict,
                      errors: dict) -> dict[str, tuple[str, bool]]:
    """{item code: (normalised value, failed)} for the answered items; unknown items,
    missing required answers and invalid values go to `errors`."""
    for code in answers:
        if code not in items:
            errors[f"answers.{code}"] = _("Not an item of this checklist.")
    evaluated: dict[str, tuple[str, bool]] = {}
    for code, item in items.items():
        if code not in answers or answers[code] in (None, ""):
            if item.required:
                errors[f"answers.{code}"] = _("An answer is required.")
            continue
        try:
            evaluated[code] = evaluate(item, answers[code])
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    return evaluated


def _check_failed_items(checked: _Checked, fixes: dict, photos: list[Upload],
                        errors: dict) -> None:
    """A failed item that wants a photo has one; only failed items are fixed, with a known
    part; a photo names an item of the checklist."""
    items, evaluated = checked.items, checked.evaluated
    photographed = {p.item for p in photos if p.item}
    for code, (_value, failed) in evaluated.items():
        if failed and items[code].photo_on_fail and code not in photographed:
            errors[f"photos.{code}"] = _("A photo is required for this failed item.")
    for code, fix in fixes.items():
        if code not in evaluated or not evaluated[code][1]:
            errors[f"fixes.{code}"] = _("Only a failed item can be fixed.")
            continue
        part = (fix or {}).get("part") or items[code].fix_part
        if part and part not in DeviceKind.values:
            errors[f"fixes.{code}"] = _("Unknown part.")
    for photo in photos:
        if photo.item and photo.item not in items:
            errors["photos"] = _("A photo names an item that is not on the checklist.")


def _check_images(checked: _Checked, photos: list[Upload], signature: bytes | None,
                  errors: dict) -> None:
    """Each photo and the signature is a real image of an accepted type; their extensions
    go to `checked`, their errors to `errors`."""
    for index, photo in enumerate(photos):
        try:
            checked.photo_files.append((photo, image_extension(photo.content,
                                                                f"photos.{index}")))
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if signature:
        try:
            checked.signature_ext = image_extension(signature, "signature")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})


def _write_visit(actor, customer: Customer, checked: _Checked, *, kind: str, outcome: str,
                 client_id: uuid.UUID, started_at: datetime.datetime,
                 ended_at: datetime.datetime, fixes: dict, signature: bytes | None, notes: str,
                 corrects: Visit | None, plan: Plan | None) -> Visit:
    """Write the checked visit with its answers and photos, apply the fixes to the
    customer's devices, write what the passing answers saw into the device register
    (`register.confirm_devices`) and hand the findings to the hooks (inside the caller's
    transaction)."""
    visit = Visit(customer=customer, jpath=customer.jpath, inspector=actor, kind=kind,
                  outcome=outcome, started_at=started_at, ended_at=ended_at,
                  checklist=checked.checklist, notes=(notes or "").strip(), client_id=client_id,
                  corrects=corrects, plan=plan)
    if signature:
        visit.signature.save(f"{client_id}.{checked.signature_ext}", ContentFile(signature),
                             save=False)
    visit.failed_count = sum(1 for _v, failed in checked.evaluated.values() if failed)
    visit.fixed_count = len(fixes)
    visit.save()
    _write_answers(visit, checked, fixes)
    _write_photos(visit, checked)
    day = timezone.localtime(started_at).date()
    _record_fixes(actor, customer, checked, fixes, day)
    fixed_kinds = {(fixes[code] or {}).get("part") or checked.items[code].fix_part
                   for code in fixes}
    register.confirm_devices(actor, customer, checked.evaluated, fixed_kinds, day)
    _record_findings(visit, customer, checked, fixes)
    audit.record_create(actor=actor, instance=visit)
    return visit


def _write_answers(visit: Visit, checked: _Checked, fixes: dict) -> None:
    """One Answer per answered item, marked fixed (with the part) when fixed on the spot."""
    answer_rows = []
    for code, (value, failed) in checked.evaluated.items():
        fix = fixes.get(code)
        part = ((fix or {}).get("part") or checked.items[code].fix_part) if fix is not None else ""
        answer_rows.append(Answer(visit=visit, item=checked.items[code], value=value,
                                  failed=failed, fixed=fix is not None, part=part,
                                  note=str((fix or {}).get("note", ""))[:200]))
    Answer.objects.bulk_create(answer_rows)


def _write_photos(visit: Visit, checked: _Checked) -> None:
    """The photos, stored under their content hash, each with the item it documents."""
    for photo, ext in checked.photo_files:
        digest = hashlib.sha256(photo.content).hexdigest()
        row = Photo(visit=visit, item=checked.items.get(photo.item) if photo.item else None,
                    sha256=digest, size=len(photo.content))
        row.image.save(f"{digest[:32]}.{ext}", ContentFile(photo.content), save=False)
        row.save()


def _record_fixes(actor, customer: Customer, checked: _Checked, fixes: dict,
                  day: datetime.date) -> None:
    """Each failed item fixed on the spot updates the customer's devices, as the visitor."""
    for code, (_value, failed) in checked.evaluated.items():
        if failed and code in fixes:
            _install_part(actor, customer, fixes[code] or {}, checked.items[code], day)


def _record_findings(visit: Visit, customer: Customer, checked: _Checked, fixes: dict) -> None:
    """Every failed item not fixed on the spot becomes a Finding; the findings go to the
    apps' "inspections.findings" hooks (the hazards app opens one hazard per finding)."""
    findings = []
    for code, (value, failed) in checked.evaluated.items():
        if not failed or code in fixes:
            continue
        item = checked.items[code]
        findings.append(Finding(
            visit=visit, customer=customer, jpath=customer.jpath, item=item,
            category=item.hazard_category or "other", grade=item.default_grade or "general",
            description=item.finding_text(value), found_at=visit.started_at))
    Finding.objects.bulk_create(findings)
    if findings:
        for finding in findings:
            finding.visit = visit
        for hook in contract.hooks(FINDINGS_HOOK):
            hook(findings)


def _install_part(actor, customer, fix: dict, item: ChecklistItem, day) -> None:
    """A fix on the spot updates the customer's devices: the new part replaces the current
    device of its kind (kept in the history). The visitor is the actor of the device's audit
    rows (every visiting role may edit customers)."""
    part = fix.get("part") or item.fix_part
    if not part:
        return
    values = {"kind": part, "installed_on": day}
    if part == DeviceKind.HOSE:
        values["material"] = fix.get("material") or HoseMaterial.METAL
        if fix.get("length_m"):
            values["length_m"] = Decimal(str(fix["length_m"]))
    elif part == DeviceKind.REGULATOR:
        values["has_cutoff"] = True
    elif part == DeviceKind.VALVE:
        values["self_closing"] = True
    elif part == DeviceKind.STOVE:
        values["flame_out"] = True
        values["made_on"] = day
    note = str(fix.get("note", ""))[:200]
    if note:
        values["note"] = note
    replaces = Device.objects.current().filter(customer=customer, kind=part).first()
    customer_services.device_add(actor=actor, customer=customer, replaces=replaces, **values)


def _supply_stopped_since(customer: Customer) -> Measure | None:
    """The measure that stopped the household's supply last (shut off or sealed, not
    voided)."""
    return (Measure.objects.filter(customer=customer, kind__in=list(STOPS_SUPPLY),
                                   voided_at__isnull=True)
            .order_by("-at", "-id").first())


def _referral_department(customer: Customer, organisation) -> list[str]:
    """Why `organisation` cannot take a referral of this household ([] when it can): it
    must be a department (regulator) whose area covers the household's place."""
    if organisation is None:
        return [_("Choose the department it is referred to.")]
    if organisation.kind != OrgKind.REGULATOR:
        return [_("Referrals go to a department (a regulator), not to “%(name)s”.") % {
            "name": organisation.name}]
    paths = list(organisation.jurisdictions.values_list("path", flat=True))
    if not any(customer.jpath.startswith(p) for p in paths):
        return [_("“%(name)s” does not cover this household's area.") % {
            "name": organisation.name}]
    return []


def referral_departments(customer_or_path) -> QuerySet:
    """The departments a household (or an area, by path) can be referred to: regulators
    whose area covers it, nearest first."""
    path = getattr(customer_or_path, "jpath", customer_or_path)
    prefixes = [path[:i] for i in range(PATH_SEGMENT, len(path) + 1, PATH_SEGMENT)]
    return (Organisation.objects.filter(kind=OrgKind.REGULATOR, is_active=True,
                                        jurisdictions__path__in=prefixes)
            .distinct().order_by("name"))


def measure_record(*, actor, customer: Customer, kind: str, at: datetime.datetime | None = None,
                   department: str = "", organisation=None, visit: Visit | None = None,
                   note: str = "", photo: bytes | None = None) -> Measure:
    """A valve shut off or removed and sealed (the customer's status becomes "shut off",
    from that day), a referral to law enforcement (to a department, which is told at once
    and answers it: `referrals`), or supply restored (`supply_restore`), with who and
    when. A shut-off, a seal and a referral say why (`note`); a shut-off and a seal carry
    the photo of the sealed valve (`photo`, image bytes)."""
    if kind == MeasureKind.RESTORED:
        return supply_restore(actor=actor, customer=customer, visit=visit, note=note)
    require(actor, "inspections.measure", _("Your role does not record shut-offs or referrals."))
    _visible_customer(actor, customer)
    now = timezone.now()
    at = at or now
    note = (note or "").strip()
    errors = _measure_errors(customer, kind=kind, at=at, now=now, organisation=organisation,
                             note=note, photo=photo)
    photo_ext = None
    if photo and kind in PHOTO_REQUIRED and "photo" not in errors:
        try:
            photo_ext = image_extension(photo, "photo")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        measure = Measure(
            customer=customer, jpath=customer.jpath, kind=kind, at=at, by=actor,
            organisation=organisation if kind == MeasureKind.ENFORCEMENT else None,
            department=(organisation.name if kind == MeasureKind.ENFORCEMENT and organisation
                        else department.strip())[:100], note=note)
        if photo_ext:
            digest = hashlib.sha256(photo).hexdigest()
            measure.photo_sha256 = digest
            measure.photo.save(f"{digest[:32]}.{photo_ext}", ContentFile(photo), save=False)
        stops = kind in STOPS_SUPPLY and customer.status != CustomerStatus.SHUT_OFF
        if stops:
            measure.prior_status = customer.status
            measure.prior_status_date = customer.status_date
        measure.save()
        if stops:
            before = audit.snapshot(customer)
            day = timezone.localtime(at).date()
            Customer.objects.filter(pk=customer.pk).update(status=CustomerStatus.SHUT_OFF,
                                                           status_date=day)
            customer.status, customer.status_date = CustomerStatus.SHUT_OFF, day
            audit.record_update(actor=actor, instance=customer, before=before)
        audit.record_create(actor=actor, instance=measure)
        if kind == MeasureKind.ENFORCEMENT:
            from ranan.inspections import referrals

            referrals.referral_open(actor=actor, measure=measure)
    return measure


def _measure_errors(customer: Customer, *, kind: str, at: datetime.datetime,
                    now: datetime.datetime, organisation, note: str,
                    photo: bytes | None) -> dict[str, str]:
    """What is wrong with a measure before it is written, each error naming its field."""
    errors = {}
    if kind not in MeasureKind.values:
        errors["kind"] = _("Unknown measure.")
    if at > now + CLOCK_SKEW:
        errors["at"] = _("Cannot be in the future.")
    if kind == MeasureKind.ENFORCEMENT:
        problems = _referral_department(customer, organisation)
        if problems:
            errors["organisation"] = problems[0]
    if len(note) > 500:
        errors["note"] = _("At most 500 characters.")
    elif kind in NOTE_REQUIRED and not note:
        errors["note"] = _("Say why in a note: it is required for this measure.")
    if kind in PHOTO_REQUIRED and not photo:
        errors["photo"] = _("A photo of the sealed valve is required.")
    if kind in STOPS_SUPPLY and customer.status == CustomerStatus.SHUT_OFF:
        last = _supply_stopped_since(customer)
        if kind == MeasureKind.SHUT_OFF or (last and last.kind == MeasureKind.SEALED):
            errors["kind"] = (_("The valve of this household is already shut off.")
                              if kind == MeasureKind.SHUT_OFF else
                              _("The valve of this household is already removed and sealed."))
    return errors


def voidable_until(measure: Measure) -> datetime.datetime | None:
    """Until when its author may void the measure (None: never, or no longer voidable)."""
    if measure.kind not in VOIDABLE or measure.voided_at is not None:
        return None
    return measure.created_at + datetime.timedelta(minutes=void_minutes())


def can_void(actor, measure: Measure, now: datetime.datetime | None = None) -> bool:
    """Whether the page offers `actor` to void the measure (the service decides)."""
    until = voidable_until(measure)
    return (until is not None and measure.by_id == actor.pk
            and (now or timezone.now()) <= until)


def measure_void(*, actor, measure: Measure, reason: str) -> Measure:
    """Void a shut-off or a seal recorded by mistake: only its author, within
    `void_minutes()` of recording it, with a reason, once. The measure keeps its row with
    who voided it, when and why (audited); it stops counting in the ladder and the KPIs,
    and when it was what stopped the household's supply, the customer's status goes back
    to what it was (and the apps' "inspections.supply_restored" hooks run, as for a
    restore: held orders are scheduled)."""
    require(actor, "inspections.measure", _("Your role does not record shut-offs or referrals."))
    if not Measure.objects.visible_to(actor).filter(pk=measure.pk).exists():
        raise Measure.DoesNotExist  # out of the actor's area: the caller answers 404
    if measure.by_id != actor.pk:
        raise PermissionDenied(_("Only the person who recorded a measure can void it."))
    reason = (reason or "").strip()
    now = timezone.now()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Say why the measure is voided.")
    elif len(reason) > 500:
        errors["reason"] = _("At most 500 characters.")
    if measure.voided_at is not None:
        errors["measure"] = _("This measure is already voided.")
    elif measure.kind not in VOIDABLE:
        errors["measure"] = _("Only a shut-off or a seal can be voided; a referral is answered "
                              "by its department.")
    elif now - measure.created_at > datetime.timedelta(minutes=void_minutes()):
        errors["measure"] = _("A measure can be voided within %(n)d minutes of recording it; "
                              "restore the supply instead.") % {"n": void_minutes()}
    elif Measure.objects.filter(customer_id=measure.customer_id, voided_at__isnull=True,
                                kind__in=[*STOPS_SUPPLY, MeasureKind.RESTORED],
                                created_at__gt=measure.created_at).exists():
        errors["measure"] = _("A later measure of this household rests on this one: it "
                              "cannot be voided.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = audit.snapshot(measure)
        moved = Measure.objects.filter(pk=measure.pk, voided_at__isnull=True).update(
            voided_at=now, voided_by=actor, void_reason=reason)
        if not moved:
            raise ValidationError({"measure": _("This measure is already voided.")})
        measure.voided_at, measure.voided_by, measure.void_reason = now, actor, reason
        audit.record_update(actor=actor, instance=measure, before=before)
        _unstop_after_void(actor, measure)
    return measure


def _unstop_after_void(actor, measure: Measure) -> None:
    """The household's status once `measure` is voided: still shut off when another shut-off
    or seal stands, else what it was before the measure (active)."""
    customer = Customer.objects.get(pk=measure.customer_id)
    standing = Measure.objects.filter(customer=customer, voided_at__isnull=True)
    restored = (standing.filter(kind=MeasureKind.RESTORED).order_by("-at", "-id")
                .values_list("at", flat=True).first())
    still_stopped = standing.filter(kind__in=list(STOPS_SUPPLY))
    if restored is not None:
        still_stopped = still_stopped.filter(at__gt=restored)
    if customer.status != CustomerStatus.SHUT_OFF or still_stopped.exists():
        return
    status = measure.prior_status or CustomerStatus.ACTIVE
    before = audit.snapshot(customer)
    Customer.objects.filter(pk=customer.pk, status=CustomerStatus.SHUT_OFF).update(
        status=status, status_date=measure.prior_status_date)
    customer.status, customer.status_date = status, measure.prior_status_date
    audit.record_update(actor=actor, instance=customer, before=before)
    if status == CustomerStatus.ACTIVE:
        for hook in contract.hooks(RESTORED_HOOK):
            hook(actor=actor, customer=customer)


def supply_restore(*, actor, customer: Customer, visit: Visit | None, note: str = "") -> Measure:
    """Restore the supply of a household shut off (恢复供气): it rests on a completed
    inspection of the household since the shut-off (`visit`), and none of its hazards may be
    left open (the apps' "inspections.restore_blockers" hooks say which). The status goes
    back to "active" by compare-and-set: two people restoring at once, one wins."""
    require(actor, "inspections.restore", _("Your role does not restore gas supply."))
    _visible_customer(actor, customer)
    errors: dict[str, str] = {}
    if len(note) > 500:
        errors["note"] = _("At most 500 characters.")
    stopped = _supply_stopped_since(customer)
    if customer.status != CustomerStatus.SHUT_OFF:
        errors["customer"] = _("The supply of this household is not shut off.")
    elif visit is None:
        errors["visit"] = _("Choose the completed inspection since the shut-off that the "
                            "restore rests on.")
    elif (visit.customer_id != customer.pk or visit.outcome != Outcome.INSPECTED
          or Visit.objects.filter(corrects=visit).exists()
          or (stopped is not None and visit.started_at < stopped.at)):
        errors["visit"] = _("Not a completed inspection of this household since the shut-off "
                            "(%(day)s): inspect it first.") % {
            "day": timezone.localdate(stopped.at).isoformat() if stopped else "—"}
    if not errors:
        blockers = [message for hook in contract.hooks(RESTORE_HOOK) for message in hook(customer)]
        if blockers:
            errors["customer"] = "；".join(blockers)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        before = audit.snapshot(customer)
        moved = Customer.objects.filter(pk=customer.pk, status=CustomerStatus.SHUT_OFF).update(
            status=CustomerStatus.ACTIVE, status_date=timezone.localdate(now))
        if not moved:
            raise ValidationError({"customer": _("Someone else restored the supply of this "
                                                 "household a moment ago.")})
        customer.status, customer.status_date = CustomerStatus.ACTIVE, timezone.localdate(now)
        measure = Measure.objects.create(customer=customer, jpath=customer.jpath,
                                         kind=MeasureKind.RESTORED, at=now, by=actor,
                                         visit=visit, note=note.strip())
        audit.record_update(actor=actor, instance=customer, before=before)
        audit.record_create(actor=actor, instance=measure)
        for hook in contract.hooks(RESTORED_HOOK):
            hook(actor=actor, customer=customer)
    return measure


def group_of(kind: str) -> str:
    return KindGroup.RESIDENTIAL if kind == CustomerKind.RESIDENTIAL else KindGroup.NON_RESIDENTIAL


def path_ids(path: str) -> list[int]:
    """The jurisdiction ids of a materialised path, root first (the node itself last)."""
    return [int(path[i:i + PATH_SEGMENT]) for i in range(0, len(path), PATH_SEGMENT)]


def cycle_months(path: str, kind: str, rules: dict | None = None) -> int:
    """The inspection cycle of a customer kind in a jurisdiction: the nearest jurisdiction up
    the tree that sets one wins; at one level a rule for the kind beats one for its group.
    `rules`: {(jurisdiction id, applies_to): months}, pass it when resolving many customers."""
    ids = path_ids(path)
    if rules is None:
        rules = cycle_rules(ids)
    group = group_of(kind)
    for node_id in reversed(ids):
        for key in ((node_id, kind), (node_id, group)):
            if key in rules:
                return rules[key]
    return DEFAULT_CYCLE_MONTHS[group]


def cycle_rules(ids) -> dict:
    return {(c.jurisdiction_id, c.applies_to): c.months
            for c in Cycle.objects.filter(jurisdiction_id__in=ids)}


def cycle_set(*, actor, jurisdiction, applies_to: str, months: int | None) -> Cycle | None:
    """Set (or, with months=None, remove) the cycle of a kind in a jurisdiction. Everything is
    checked before the first write; the change and its audit row are one transaction."""
    require(actor, "inspections.cycle", _("Only administrators and regulators set inspection "
                                          "cycles."))
    if not Jurisdiction.objects.visible_to(actor).filter(pk=jurisdiction.pk).exists():
        raise Jurisdiction.DoesNotExist  # out of the actor's area: as if there were none
    allowed = set(KindGroup.values) | set(CustomerKind.values)
    if applies_to not in allowed:
        raise ValidationError({"applies_to": _("Unknown customer kind.")})
    if months is not None and not 1 <= months <= 120:
        raise ValidationError({"months": _("Between 1 and 120 months.")})
    with transaction.atomic():
        existing = (Cycle.objects.select_for_update()
                    .filter(jurisdiction=jurisdiction, applies_to=applies_to).first())
        if months is None:
            if existing:
                audit.record_delete(actor=actor, instance=existing)
                existing.delete()
            return None
        if existing:
            before = audit.snapshot(existing)
            existing.months = months
            existing.save(update_fields=["months"])
            audit.record_update(actor=actor, instance=existing, before=before)
            return existing
        cycle = Cycle.objects.create(jurisdiction=jurisdiction, applies_to=applies_to,
                                     months=months)
        audit.record_create(actor=actor, instance=cycle)
        return cycle


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def due_customers(jurisdiction: Jurisdiction, on: datetime.date):
    """Active customers of the jurisdiction's subtree due for inspection by `on`: never
    inspected, or last inspected longer ago than their cycle. Yields (customer id, jpath)."""
    customers = (Customer.objects.filter(subtree_q("jpath", jurisdiction.path),
                                         status=CustomerStatus.ACTIVE)
                 .annotate(last=Max("visits__started_at", filter=Q(
                     visits__outcome=Outcome.INSPECTED, visits__correction__isnull=True)))
                 .values_list("id", "jpath", "kind", "last"))
    below = Jurisdiction.objects.filter(subtree_q("path", jurisdiction.path))
    rules = cycle_rules([*below.values_list("pk", flat=True), *path_ids(jurisdiction.path)])
    for pk, jpath, kind, last in customers.iterator(chunk_size=5000):
        if last is None or add_months(timezone.localtime(last).date(),
                                      cycle_months(jpath, kind, rules)) <= on:
            yield pk, jpath


def _assignees(jurisdiction: Jurisdiction) -> dict[str, int]:
    """Inspectors (and grid workers) by the path of the area they cover: a target goes to the
    one whose area is nearest above the customer."""
    from ranan.core.models import Account

    out: dict[str, int] = {}
    above = [jurisdiction.path[:i] for i in range(PATH_SEGMENT, len(jurisdiction.path) + 1,
                                                  PATH_SEGMENT)]
    accounts = (Account.objects.filter(is_active=True, role_rows__role__in=[
        Role.INSPECTOR, Role.GRID_WORKER])
        .filter(subtree_q("area__path", jurisdiction.path) | Q(area__path__in=above))
        .order_by("role_rows__role", "id").values_list("area__path", "id", "role_rows__role"))
    for path, account_id, role in accounts:
        # Inspectors first: a grid worker only takes an area no inspector covers.
        if path not in out or role == Role.INSPECTOR:
            out.setdefault(path, account_id)
    return out


@transaction.atomic
def plan_create(*, actor, jurisdiction: Jurisdiction, title: str, start: datetime.date,
                end: datetime.date) -> Plan:
    """A plan for a period: its targets are the active customers of the jurisdiction due for
    inspection by the end, each assigned to the inspector (or grid worker) of its area."""
    require(actor, "inspections.plan", _("Your role does not make inspection plans."))
    if not actor.is_superuser and not Jurisdiction.objects.visible_to(actor).filter(
            pk=jurisdiction.pk).exists():
        raise Jurisdiction.DoesNotExist  # out of the actor's area: as if there were none
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the plan a title.")
    elif len(title) > 100:
        errors["title"] = _("At most 100 characters.")
    if end < start:
        errors["end"] = _("The end is before the start.")
    elif (end - start).days > 731:
        errors["end"] = _("A plan covers at most two years.")
    if errors:
        raise ValidationError(errors)
    plan = Plan.objects.create(jurisdiction=jurisdiction, jpath=jurisdiction.path, title=title,
                               start=start, end=end, created_by=actor)
    assignees = _assignees(jurisdiction)
    batch = []
    targets = 0
    for customer_id, jpath in due_customers(jurisdiction, end):
        assignee = None
        for cut in range(len(jpath), 0, -PATH_SEGMENT):
            if jpath[:cut] in assignees:
                assignee = assignees[jpath[:cut]]
                break
        batch.append(Target(plan=plan, customer_id=customer_id, jpath=jpath, assignee_id=assignee))
        targets += 1
        if len(batch) >= 5000:
            Target.objects.bulk_create(batch)
            batch = []
    Target.objects.bulk_create(batch)
    # The targets (up to a district's households) are the plan's, written once with it and
    # never edited: its entry counts them rather than one entry each.
    audit.record_create(actor=actor, instance=plan, details={"targets": targets})
    return plan


@transaction.atomic
def checklist_new_version(*, actor, checklist: Checklist, title: str | None = None,
                          items: list[dict] | None = None, publish: bool = True) -> Checklist:
    """The next version of a checklist: a copy with the changes (`items`: the full new list
    of item dicts with the ChecklistItem fields, or None to keep them). Published versions
    are never changed; visits keep the version they used."""
    require(actor, "inspections.checklist", _("Only administrators edit checklists."))
    latest = Checklist.objects.select_for_update().filter(key=checklist.key).order_by(
        "-version").first()
    new = Checklist.objects.create(key=checklist.key, version=latest.version + 1,
                                   title=(title or checklist.title).strip()[:100],
                                   audience=checklist.audience, published=publish,
                                   created_by=actor)
    fields = ["position", "code", "question", "question_en", "answer_type", "fail_above",
              "fail_below", "unit", "choices", "required", "photo_on_fail", "hazard_category",
              "default_grade", "fix_part"]
    source = items if items is not None else [
        {f: getattr(item, f) for f in fields} for item in checklist.items.all()]
    seen = set()
    rows = []
    for index, data in enumerate(source):
        row = ChecklistItem(checklist=new, **{f: data[f] for f in fields if f in data})
        if row.code in seen:
            raise ValidationError({f"items.{index}.code": _("Twice in one checklist.")})
        seen.add(row.code)
        try:
            row.full_clean(exclude=["checklist"])
        except ValidationError as exc:
            raise ValidationError({f"items.{index}.{k}": v for k, v in
                                   exc.message_dict.items()}) from None
        row.save()
        rows.append(row)
    if publish:
        older = list(Checklist.objects.filter(key=checklist.key, published=True)
                     .exclude(pk=new.pk))
        Checklist.objects.filter(pk__in=[c.pk for c in older]).update(published=False)
        audit.record_many(audit.entry(actor=actor, action="update", instance=c,
                                      changes={"published": [True, False]}) for c in older)
    audit.record_create(actor=actor, instance=new)
    audit.record_create_many(rows, actor=actor)
    return new
