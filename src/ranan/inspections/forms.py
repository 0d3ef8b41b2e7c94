"""Inspection page forms. They check shape (a date, a size, a number); the rules are the
services'. The checklist part of the visit form is not a Django form: its fields come from
the checklist version in use, one group per item, read by `read_checklist`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ranan.core.forms import StyledForm
from ranan.customers.choices import DeviceKind, HoseMaterial
from ranan.inspections import services
from ranan.inspections.choices import MeasureKind, Outcome, VisitKind
from ranan.inspections.models import ChecklistItem
from ranan.lib import images
from ranan.lib.dates import utc_datetime_field

GENERAL = ""  # the label of a photo that documents no particular item


class VisitForm(StyledForm):
    """The fields of a visit that do not depend on the checklist."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    started_at = utc_datetime_field(widget=forms.HiddenInput, required=False)
    corrects = forms.IntegerField(widget=forms.HiddenInput, required=False)
    plan = forms.IntegerField(widget=forms.HiddenInput, required=False)
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=Outcome.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": gettext_lazy("Choose the outcome.")})
    kind = forms.ChoiceField(label=gettext_lazy("Kind of visit"), choices=VisitKind.choices,
                             initial=VisitKind.PERIODIC)
    notes = forms.CharField(label=gettext_lazy("Notes"), max_length=1000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))


@dataclass
class ItemEntry:
    """What the inspector entered for one checklist item (kept to show the form again)."""

    item: ChecklistItem
    value: str = ""
    fixed: bool = False
    part: str = ""
    material: str = HoseMaterial.METAL
    length_m: str = ""
    note: str = ""
    errors: list[str] = field(default_factory=list)
    # The answer came from the customer's device register (register.prefill): confirm it.
    prefilled: bool = False

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def failed(self) -> bool:
        if not self.value:
            return False
        try:
            return services.evaluate(self.item, self.value)[1]
        except ValidationError:
            return False


@dataclass
class ChecklistInput:
    entries: list[ItemEntry]
    answers: dict = field(default_factory=dict)
    fixes: dict = field(default_factory=dict)
    uploads: list[services.Upload] = field(default_factory=list)
    # For each upload, in order: the item code it documents, or GENERAL.
    upload_labels: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def blank_entries(items, previous=None, prefill: dict | None = None) -> list[ItemEntry]:
    """Entries for a new form; `previous`: the answers of a visit being corrected;
    `prefill`: {item code: answer} from the customer's device register (not for a
    correction, which starts from the original's answers)."""
    before = {a.item.code: a for a in previous} if previous is not None else {}
    prefill = prefill or {}
    entries = []
    for item in items:
        entry = ItemEntry(item=item, part=item.fix_part)
        answer = before.get(item.code)
        if answer is not None:
            entry.value, entry.fixed = answer.value, answer.fixed
            entry.part = answer.part or item.fix_part
        elif item.code in prefill and _valid(item, prefill[item.code]):
            entry.value, entry.prefilled = prefill[item.code], True
        entries.append(entry)
    return entries


def _valid(item: ChecklistItem, value: str) -> bool:
    """Whether a prefilled answer is one the item takes (a checklist version may differ)."""
    try:
        services.evaluate(item, value)
    except ValidationError:
        return False
    return True


def _read_files(files, name: str, label: str, out: ChecklistInput, error_key: str) -> None:
    for upload in files.getlist(name):
        if upload.size > images.MAX_PHOTO_BYTES:
            out.errors[error_key] = _("An image is at most %(mb)d MB.") % {
                "mb": images.MAX_PHOTO_BYTES // 1024 // 1024}
            continue
        if upload.size == 0:
            continue
        out.uploads.append(services.Upload(upload.read(), label or None))
        out.upload_labels.append(label)


def read_checklist(items, data, files, *, inspected: bool) -> ChecklistInput:
    """The answers, fixes and photos of a posted visit form. Answers, fixes and item photos
    count only for an inspection; a "fixed" box left ticked on an item that no longer fails
    is dropped (it is hidden on the page). The general photos count for every outcome."""
    out = ChecklistInput(entries=[])
    for item in items:
        code = item.code
        entry = ItemEntry(
            item=item, value=(data.get(f"answer-{code}") or "").strip(),
            fixed=data.get(f"fixed-{code}") == "on",
            part=data.get(f"part-{code}", item.fix_part) or "",
            material=data.get(f"material-{code}") or HoseMaterial.METAL,
            length_m=(data.get(f"length-{code}") or "").strip(),
            note=(data.get(f"fixnote-{code}") or "").strip()[:200])
        out.entries.append(entry)
        if not inspected:
            continue
        if entry.value:
            out.answers[code] = entry.value
        if entry.fixed and entry.failed:
            fix = {"part": entry.part, "note": entry.note}
            if entry.part == DeviceKind.HOSE:
                fix["material"] = entry.material
                if entry.length_m:
                    try:
                        length = Decimal(entry.length_m)
                    except InvalidOperation:
                        length = None
                    if length is None or not length.is_finite() or not 0 < length < 100:
                        out.errors[f"fixes.{code}"] = _(
                            "The length of the new hose: a number of metres.")
                    else:
                        fix["length_m"] = str(length)
            out.fixes[code] = fix
        _read_files(files, f"photo-{code}", code, out, f"photos.{code}")
    _read_files(files, "photos", GENERAL, out, "photos")
    return out


class MeasureForm(StyledForm):
    customer = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=MeasureKind.choices, widget=forms.HiddenInput)
    organisation = forms.IntegerField(label=gettext_lazy("Referred to (department)"),
                                      required=False, min_value=1)
    # Required by the service for a shut-off and a referral (its error names the field).
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)
    photo = forms.FileField(label=gettext_lazy("Photo of the sealed valve"), required=False)


class PlanForm(StyledForm):
    jurisdiction = forms.CharField(
        label=gettext_lazy("Area (division code)"), max_length=20,
        help_text=gettext_lazy("The code of a community, sub-district or district; "
                               "#<id> for an area without a code."))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)
    start = forms.DateField(label=gettext_lazy("From"),
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))


def place_errors(errors: dict, form: VisitForm, entries, upload_labels) -> dict:
    """Put each service error next to what it names: an item (answers.<code>,
    fixes.<code>, photos.<code>, or photos.<n> of that item's photo), the signature, the
    general photos, or a field of the form; whatever else on top."""
    by_code = {entry.code: entry for entry in entries}
    placed: dict[str, list[str]] = {"signature": [], "photos": []}
    for key, message in errors.items():
        messages_ = message if isinstance(message, list) else [message]
        head, _dot, tail = key.partition(".")
        if head == "photos" and tail.isdigit() and int(tail) < len(upload_labels):
            label = upload_labels[int(tail)]
            tail = label
            if label == GENERAL:
                placed["photos"].extend(messages_)
                continue
        if head in ("answers", "fixes", "photos") and tail in by_code:
            by_code[tail].errors.extend(messages_)
        elif key in placed:
            placed[key].extend(messages_)
        elif key in ("outcome", "kind", "notes"):
            for text in messages_:
                form.add_error(key, text)
        else:
            for text in messages_:
                form.add_error(None, text)
    return placed
