"""A property manager's pages (物业, issue 14 item 7), made for a phone on the estate: its
estates with their hazards, unreached households and messages; one hazard, read only; the
report of LPG used in a high-rise building; the home page's card. The rules are in
`hazards.property`."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ranan.core.choices import Level
from ranan.core.forms import StyledForm, apply_service_errors
from ranan.core.models import Jurisdiction
from ranan.core.permissions import can, requires
from ranan.core.selectors import jurisdiction_by_code
from ranan.hazards import property as estates
from ranan.hazards import services
from ranan.hazards.choices import STATE_COLOURS, STEP_COLOURS, State
from ranan.hazards.forms import category_label, read_photos
from ranan.hazards.models import Hazard
from ranan.inspections.choices import GRADE_COLOURS, TIER_COLOURS, Tier
from ranan.lib.images import MAX_PHOTO_BYTES

PAGE = 30
UNREACHED_SHOWN = 100
# The estates page's tabs, the first by default.
SECTIONS = ("hazards", "unreached", "messages")


def _decorate(rows) -> list[Hazard]:
    today = timezone.localdate()
    rows = list(rows)
    for h in rows:
        h.category_label = category_label(h.category)
        h.days_late = estates.days_late(h, today)
    return rows


def _colours() -> dict:
    return {"state_colours": STATE_COLOURS, "step_colours": STEP_COLOURS,
            "grade_colours": GRADE_COLOURS, "tier_colours": TIER_COLOURS,
            "tier_labels": dict(Tier.choices)}


def _estate_asked(user, code: str) -> Jurisdiction | None:
    """The estate of `?jurisdiction=` (a division code or #id under the account's area), None
    when not asked; 404 when not one of its places."""
    code = (code or "").strip()
    if not code:
        return None
    node = jurisdiction_by_code(user, code)
    if node is None:
        raise Http404
    return node


@requires("hazards.estates")
def estate_home(request):
    """My estates: each with its counts, then one tab (`?show=`): the hazards not closed
    (the most overdue first), the unreached households, or the latest messages;
    `?jurisdiction=` narrows to one estate."""
    user = request.user
    estate = _estate_asked(user, request.GET.get("jurisdiction", ""))
    show = request.GET.get("show", "")
    show = show if show in SECTIONS else SECTIONS[0]
    context = {**_colours(), "estate": estate, "summary": estates.estate_summary(user),
               "show": show, "can_report": can(user, "hazards.high_rise"),
               "estate_code": (estate.code or f"#{estate.pk}") if estate else ""}
    if show == "hazards":
        page = Paginator(estates.estate_hazards(user, estate).select_related(None)
                         .prefetch_related("category", "customer", "jurisdiction"),
                         PAGE).get_page(request.GET.get("page"))
        context.update(page=page, rows=_decorate(page.object_list))
    elif show == "unreached":
        unreached = estates.estate_unreached(user, estate)
        context.update(unreached=unreached[:UNREACHED_SHOWN], unreached_total=len(unreached))
    else:
        context["inbox"] = estates.messages_for(user)[:estates.MESSAGES]
    return render(request, "hazards/property/estates.html", context)


@requires("hazards.estates")
def estate_hazard(request, pk):
    """One hazard of the estates: the facts and the timeline (read only)."""
    hazard = get_object_or_404(estates.estate_hazards(request.user, closed=True)
                               .select_related("found_by", "fixed_by"), pk=pk)
    _decorate([hazard])
    labels = dict(State.choices)
    events = list(hazard.events.select_related("by"))
    for event in events:
        event.to_label = labels.get(event.to_state, "")
    return render(request, "hazards/property/hazard.html", {
        **_colours(), "hazard": hazard, "events": events})


class HighRiseForm(StyledForm):
    """The report of LPG used in a high-rise building: where (estate, building, flat,
    floor), what was seen, photos; the client_id made when the page was shown."""

    jurisdiction = forms.ChoiceField(label=gettext_lazy("Estate"),
                                     error_messages={"required": gettext_lazy(
                                         "Choose the estate.")})
    building = forms.CharField(label=gettext_lazy("Building"), max_length=60,
                               widget=forms.TextInput(attrs={"placeholder": "3号楼"}),
                               error_messages={"required": gettext_lazy("Say which building.")})
    room = forms.CharField(label=gettext_lazy("Unit and room"), max_length=60,
                           widget=forms.TextInput(attrs={"placeholder": "2单元1201"}),
                           error_messages={"required": gettext_lazy(
                               "Say which flat (unit and room).")})
    floor = forms.IntegerField(label=gettext_lazy("Floor"), required=False, min_value=1,
                               max_value=200, widget=forms.NumberInput(
                                   attrs={"inputmode": "numeric"}))
    description = forms.CharField(
        label=gettext_lazy("What was seen"), max_length=400, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Optional: how many cylinders, where they stand, who lives "
                               "there."))
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {str(p.pk): p for p in places}
        self.fields["jurisdiction"].choices = [
            ("", "—"), *[(str(p.pk), f"{p.parent.name} · {p.name}" if p.level == Level.GRID
                          else p.name) for p in places]]


@requires("hazards.high_rise")
def high_rise_report(request):
    """Report LPG used in a high-rise building of one's estates (the category
    `high_rise_lpg`); a second send of the same page records once."""
    user = request.user
    places = estates.places_for(user)
    photo_errors: list[str] = []
    status = 200
    if request.method == "POST":
        form = HighRiseForm(request.POST, places=places)
        photos, too_large = read_photos(request.FILES)
        if too_large:
            photo_errors.append(too_large)
        if form.is_valid() and not too_large:
            data = form.cleaned_data
            try:
                hazard = estates.high_rise_report(
                    actor=user, jurisdiction=form.places[data["jurisdiction"]],
                    building=data["building"], room=data["room"], floor=data["floor"],
                    description=data["description"], photos=photos,
                    client_id=data["client_id"])
            except ValidationError as exc:
                photo_errors += [t for name, texts in exc.message_dict.items()
                                 if name.startswith("photos") for t in texts]
                apply_service_errors(form, ValidationError({
                    k: v for k, v in exc.message_dict.items() if not k.startswith("photos")}))
            except services.TransitionConflict:
                form.add_error(None, _("This form was already sent: reload the page."))
            except Jurisdiction.DoesNotExist:
                raise Http404 from None
            else:
                messages.success(request, _("Reported: LPG in a high-rise building, %(where)s; "
                                            "deadline %(date)s.") % {
                    "where": hazard.premises, "date": hazard.deadline.isoformat()})
                return redirect("estate-hazard", pk=hazard.pk)
        status = 400
    else:
        initial = {"client_id": uuid.uuid4()}
        if len(places) == 1:
            initial["jurisdiction"] = str(places[0].pk)
        form = HighRiseForm(initial=initial, places=places)
    category = estates.high_rise_category()
    return render(request, "hazards/property/report.html", {
        "form": form, "photo_errors": photo_errors, "category": category,
        "category_label": category_label(category) if category else "",
        "max_photo_mb": MAX_PHOTO_BYTES // 1024 // 1024}, status=status)


def home_panel(request, obj=None):
    """The home page's card of a property manager: its estates with their counts, the way
    to report LPG in a high-rise building, the latest messages."""
    user = request.user
    if not can(user, "hazards.estates"):
        return None
    return {"summary": estates.estate_summary(user), "estates_url": reverse("estate-home"),
            "can_report": can(user, "hazards.high_rise"),
            "inbox": estates.messages_for(user)[:3], **_colours()}
