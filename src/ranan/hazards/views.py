"""Hazard pages: my hazards (by deadline, phone-friendly), a hazard with its timeline,
photos and the action forms its state allows (each a POST to the one transition service,
with a client_id so that a double submit records once), recording a hazard by hand, the
district's supervision list, open hazards by category × grade with the KPIs, and the
printable rectification notice. Rules live in services and selectors."""

from __future__ import annotations

import datetime
import json
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ranan.core import kpis
from ranan.core import selectors as core_selectors
from ranan.core.choices import Role
from ranan.core.forms import apply_service_errors
from ranan.core.models import Jurisdiction
from ranan.core.permissions import can, require, requires
from ranan.core.selectors import jurisdiction_by_code
from ranan.customers.models import Customer
from ranan.hazards import selectors, services
from ranan.hazards.api import notice_response
from ranan.hazards.choices import (
    APPOINTMENT_COLOURS,
    DONE,
    ESCALATING,
    STATE_COLOURS,
    STEP_COLOURS,
    TRANSITIONS,
    Responsible,
    Source,
    State,
    Step,
)
from ranan.hazards.forms import HazardForm, TransitionForm, category_label, read_photos
from ranan.hazards.models import Category, Hazard, HazardPhoto
from ranan.inspections.choices import GRADE_COLOURS, Grade
from ranan.lib.images import MAX_PHOTO_BYTES, image_response

LIST_PAGE = 30
SUPERVISION_PAGE = 50
# A preference, not a permission: those who find and fix hazards see their own first; those
# who follow an area see it all.
MINE_FIRST = (Role.INSPECTOR, Role.COURIER, Role.STATION_MANAGER)
NOT_DONE = ",".join(s for s in State.values if s not in DONE)
FILTERS = ("q", "jurisdiction", "state", "grade", "category", "escalation", "overdue")
# Which form of the hazard page a posted state belongs to.
FORM_OF = {State.RECTIFYING: "rectify", State.FIXED: "fix", State.VERIFIED: "verify",
           State.REJECTED: "verify", State.CLOSED: "close", State.UNFIXABLE: "unfixable"}
FORMS = {"rectify": State.RECTIFYING, "fix": State.FIXED, "verify": State.VERIFIED,
         "close": State.CLOSED, "unfixable": State.UNFIXABLE}


def _context(request, **extra) -> dict:
    user = request.user
    return {"can_work": can(user, "hazards.work"), "can_supervise": can(user, "hazards.supervise"),
            "state_colours": STATE_COLOURS, "step_colours": STEP_COLOURS,
            "grade_colours": GRADE_COLOURS, "step_labels": dict(Step.choices),
            "today": timezone.localdate(), **extra}


def _decorate(hazards, today: datetime.date) -> list[Hazard]:
    """Each hazard with its category's label and, when overdue, its days late."""
    rows = list(hazards)
    for h in rows:
        h.category_label = category_label(h.category)
        h.days_late = ((today - h.deadline).days
                       if h.state in ESCALATING and h.deadline < today else 0)
    return rows


def _paged(qs):
    """The rows of a page with their category, customer and area fetched for that page
    alone: joined in the query, PostgreSQL joined all 100,000 hazards of a district before
    keeping the first 50 by deadline (175 ms against 50 ms, bench of the supervision list)."""
    return qs.select_related(None).prefetch_related("category", "customer", "jurisdiction")


def _area_code(node: Jurisdiction) -> str:
    return node.code or f"#{node.pk}"


def list_url(**params) -> str:
    return reverse("hazard-list") + "?" + urlencode({k: v for k, v in params.items() if v != ""})


# --- My hazards -------------------------------------------------------------------------------


@requires("hazards.read")
def hazard_list(request):
    """Hazards by deadline: an inspector's, courier's or station manager's own by default
    (found or fixed by them, not closed), everyone else's area; the filters of the API."""
    user = request.user
    params = request.GET.copy()
    params.pop("page", None)
    if not params.get("mine"):
        params["mine"] = "true" if user.has_role(*MINE_FIRST) else "false"
    if "state" not in params:
        # Closed ones only when asked for ("all states" sends an empty state).
        params["state"] = NOT_DONE
    mine = params["mine"].lower() in ("1", "true", "yes")
    today = timezone.localdate()
    try:
        qs = selectors.filter_hazards(user, params, today=today)
        errors = {}
    except ValidationError as exc:
        qs, errors = Hazard.objects.none(), exc.message_dict
    page = Paginator(_paged(qs), LIST_PAGE).get_page(request.GET.get("page"))
    rows = _decorate(page.object_list, today)
    toggle = params.copy()
    toggle["mine"] = "false" if mine else "true"
    return render(request, "hazards/list.html", _context(
        request, page=page, rows=rows, errors=errors, mine=mine, params=params,
        toggle_url="?" + toggle.urlencode(),
        filtered=sum(1 for key in FILTERS if params.get(key) and not (
            key == "state" and params[key] == NOT_DONE)),
        states=[(NOT_DONE, _("Not closed")), *State.choices], grades=Grade.choices,
        categories=[(c.code, category_label(c)) for c in Category.objects.all()],
        steps=Step.choices), status=400 if errors else 200)


# --- One hazard -------------------------------------------------------------------------------


def _forms_for(hazard: Hazard, user, posted: tuple[str, TransitionForm] | None) -> dict:
    """The action forms the hazard's state allows, each with its own client_id; the one
    just posted keeps what was typed and its errors."""
    forms = {}
    for key, to in FORMS.items():
        if hazard.state not in TRANSITIONS[to]:
            continue
        if services.step_refusal(user, hazard, to) is not None and (
                posted is None or posted[0] != key):
            continue  # not this account's step (issue 16: a courier closes nothing)
        if posted is not None and posted[0] == key:
            forms[key] = posted[1]
        else:
            forms[key] = TransitionForm(initial={"to": to, "client_id": uuid.uuid4()},
                                        prefix=key)
    return forms


@requires("hazards.read")
def hazard_detail(request, pk):
    """The facts, the timeline with photos, and the actions the state allows."""
    user = request.user
    hazard = get_object_or_404(
        selectors.hazards_for(user).select_related("found_by", "fixed_by",
                                                   "customer__jurisdiction", "finding__visit"),
        pk=pk)
    posted, placed = None, {"photos": [], "top": []}
    status = 200
    if request.method == "POST":
        require(user, "hazards.work")
        key, form, moved = _transition_posted(request, hazard, placed)
        if moved is not None:
            messages.success(request, _("Hazard now: %(state)s.") % {
                "state": moved.get_state_display()})
            return redirect("hazard-detail", pk=hazard.pk)
        posted = (key, form)
        status = 400
        hazard.refresh_from_db()
    forms = _forms_for(hazard, user, posted)
    is_fixer = hazard.fixed_by_id == user.pk
    if "verify" in forms and is_fixer and (posted is None or posted[0] != "verify"):
        forms.pop("verify")
    labels = dict(State.choices)
    events = _timeline(hazard, labels)
    _decorate([hazard], timezone.localdate())
    posted_key = posted[0] if posted else ""
    return render(request, "hazards/detail.html", _context(
        request, hazard=hazard, events=events, forms=forms, posted=posted_key, placed=placed,
        appointments=list(hazard.appointments.prefetch_related("inspectors")
                          .order_by("-starts_at")[:10]),
        can_book=can(user, "hazards.appoint") and hazard.state in ESCALATING,
        appointment_colours=APPOINTMENT_COLOURS,
        orphan_errors=placed["top"] if posted_key and posted_key not in forms else [],
        files_lost=bool(request.FILES), is_fixer=is_fixer,
        fixed_waiting=hazard.state == State.FIXED, max_photo_mb=_max_photo_mb(),
        main_line=[(s, labels[s]) for s in (State.OPEN, State.RECTIFYING, State.FIXED,
                                            State.VERIFIED, State.CLOSED)]), status=status)


def _transition_posted(request, hazard: Hazard,
                       placed: dict) -> tuple[str, TransitionForm, Hazard | None]:
    """Read the posted action form (which one: by the state it asks for) and move the
    hazard: (the form's key, the form, the moved hazard or None with the errors placed on
    the form and in `placed`)."""
    key = FORM_OF.get(request.POST.get("to", ""))
    if key is None:
        raise Http404
    form = TransitionForm(request.POST, prefix=key)
    # A verify form's two buttons say which way it went.
    form.data = form.data.copy()
    form.data[f"{key}-to"] = request.POST["to"]
    photos, too_large = read_photos(request.FILES, f"{key}-photos")
    if too_large:
        placed["photos"].append(too_large)
    elif form.is_valid():
        moved = _transition(request.user, hazard, form, photos, placed)
        if moved is not None:
            return key, form, moved
    placed["top"].extend(form.non_field_errors())
    for name in ("to", "client_id"):
        placed["top"].extend(form.errors.get(name, []))
    return key, form, None


def _transition(user, hazard: Hazard, form: TransitionForm, photos,
                placed: dict) -> Hazard | None:
    """Call the transition service with a valid form; its refusals go next to the photos,
    the note, or on top."""
    data = form.cleaned_data
    if data["to"] == State.FIXED and not data["note"].strip():
        form.add_error("note", _("Say what was done."))
        return None
    try:
        return services.hazard_transition(
            actor=user, hazard=hazard, to=data["to"], note=data["note"],
            photos=photos, client_id=data["client_id"])
    except ValidationError as exc:
        for name, texts in exc.message_dict.items():
            if name.startswith("photos"):
                placed["photos"].extend(texts)
            elif name == "note":
                for text in texts:
                    form.add_error("note", text)
            else:
                placed["top"].extend(texts)
    except services.TransitionConflict:
        placed["top"].append(_("This form was already sent for another step: "
                               "reload the page."))
    except Hazard.DoesNotExist:
        raise Http404 from None
    return None


def _timeline(hazard: Hazard, labels: dict) -> list:
    """The hazard's events with their photos, each with the labels of its states."""
    events = list(hazard.events.select_related("by").prefetch_related("photos"))
    for event in events:
        event.from_label = labels.get(event.from_state, "")
        event.to_label = labels.get(event.to_state, "")
    return events


def _max_photo_mb() -> int:
    return MAX_PHOTO_BYTES // 1024 // 1024


@require_GET
@requires("hazards.read")
def photo(request, pk):
    """A photo of a hazard's event, only to accounts that see the hazard."""
    row = get_object_or_404(HazardPhoto.objects.filter(
        event__hazard__in=Hazard.objects.visible_to(request.user).values("pk")), pk=pk)
    return image_response(row.image)


@require_GET
@requires("hazards.read")
def notice(request, pk):
    """The written rectification notice (PDF), with the legal basis typed on the page."""
    hazard = get_object_or_404(selectors.hazards_for(request.user), pk=pk)
    return notice_response(hazard, request.GET.get("basis", "").strip()[:300],
                           account=request.user)


# --- Recording a hazard -----------------------------------------------------------------------


@requires("hazards.work")
def hazard_create(request):
    """Record a hazard at a customer (?customer=<id>) or, without one, at premises in an
    area. The deadline defaults to the grade's; one in the past is refused."""
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    customer = _customer_asked(user, source.get("customer") or "")
    photo_errors: list[str] = []
    if request.method == "POST":
        form = HazardForm(request.POST, customer=customer)
        hazard = _create_posted(request, form, customer, photo_errors)
        if hazard is not None:
            messages.success(request, _("Hazard recorded; deadline %(date)s.") % {
                "date": hazard.deadline.isoformat()})
            return redirect("hazard-detail", pk=hazard.pk)
    else:
        form = HazardForm(initial=_create_initial(user, customer), customer=customer)
    today = timezone.localdate()
    # What the service would set: the grade's days from today (shown, and sent unless the
    # inspector changes it).
    deadlines = {g: services.deadline_for(g, today).isoformat() for g in Grade.values}
    return render(request, "hazards/new.html", _context(
        request, form=form, customer=customer, photo_errors=photo_errors,
        categories=[(c.code, category_label(c), c.default_grade) for c in form.categories],
        deadlines_json=json.dumps(deadlines),
        grade_labels_json=json.dumps({g: str(label) for g, label in Grade.choices},
                                     ensure_ascii=False),
        max_photo_mb=_max_photo_mb()),
        status=400 if form.errors or photo_errors else 200)


def _customer_asked(user, raw: str) -> Customer | None:
    """The customer of `?customer=<id>` (404 when malformed or out of scope), or None."""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(
        Customer.objects.visible_to(user).select_related("jurisdiction"), pk=int(raw))


def _create_initial(user, customer: Customer | None) -> dict:
    """A new form: the source by the role; at a customer the customer is responsible,
    elsewhere the property, in the account's (deepest) area."""
    initial = {"source": Source.DELIVERY if user.has_role(Role.COURIER)
               else Source.INSPECTION, "responsible": Responsible.CUSTOMER}
    if customer is None:
        first = user.area.order_by("-path").first()
        initial["jurisdiction"] = _area_code(first) if first else ""
        initial["responsible"] = Responsible.PROPERTY
    return initial


def _create_posted(request, form: HazardForm, customer: Customer | None,
                   photo_errors: list[str]) -> Hazard | None:
    """Record the posted hazard through the service: the hazard, or None with the errors on
    the form and in `photo_errors`."""
    photos, too_large = read_photos(request.FILES)
    if too_large:
        photo_errors.append(too_large)
    if not form.is_valid() or too_large:
        return None
    data = form.cleaned_data
    jurisdiction = None if customer is not None else _premises_area(request.user, form, data)
    if form.errors:
        return None
    try:
        return services.hazard_create(
            actor=request.user, customer=customer, jurisdiction=jurisdiction,
            premises=data.get("premises", ""), category=data["category"],
            grade=data["grade"] or None, source=data["source"],
            description=data["description"], responsible=data["responsible"],
            responsible_name=data["responsible_name"], deadline=data["deadline"],
            photos=photos)
    except ValidationError as exc:
        photo_errors.extend(
            text for name, texts in exc.message_dict.items()
            if name.startswith("photos") for text in texts)
        apply_service_errors(form, ValidationError({
            k: v for k, v in exc.message_dict.items() if not k.startswith("photos")}))
    except (Customer.DoesNotExist, Jurisdiction.DoesNotExist):
        raise Http404 from None
    return None


def _premises_area(user, form: HazardForm, data: dict) -> Jurisdiction | None:
    """Premises without a customer: the area of the code typed, or None with the error on
    the form."""
    code = data["jurisdiction"].strip()
    if not code:
        form.add_error("jurisdiction", _("Say where: a customer, or a jurisdiction and premises."))
        return None
    jurisdiction = jurisdiction_by_code(user, code)
    if jurisdiction is None:
        form.add_error("jurisdiction", _("Unknown area code “%(code)s”.") % {"code": code})
    return jurisdiction


# --- The supervision list ---------------------------------------------------------------------


@requires("hazards.supervise")
def supervision(request):
    """Hazards listed for supervision (step 3) or referred for enforcement (step 4) and
    still not fixed, the most overdue first: the district's desk."""
    user = request.user
    node, area_error = core_selectors.asked_area(request.user, request.GET)
    page, rows = None, []
    if node is not None:
        qs = selectors.supervision_list(user, node.path)
        page = Paginator(_paged(qs), SUPERVISION_PAGE).get_page(request.GET.get("page"))
        rows = _decorate(page.object_list, timezone.localdate())
    return render(request, "hazards/supervision.html", _context(
        request, node=node, area_error=area_error, area_code=_area_code(node) if node else "",
        page=page, rows=rows))


# --- Hazards by category and grade ------------------------------------------------------------


@requires("hazards.read")
def summary(request):
    """Open hazards of an area by category × grade (each cell a link to the same hazards
    in the list) and the KPIs of the hazards found in the last 365 days."""
    user = request.user
    node, area_error = core_selectors.asked_area(request.user, request.GET)
    context = _context(request, node=node, area_error=area_error, grades=Grade.choices)
    if node is not None:
        code = _area_code(node)
        categories, cells = selectors.by_category_and_grade(user, node.path)
        table = []
        for c in [*categories, None]:
            row = {"label": category_label(c) if c else _("Total"), "code": c.code if c else "",
                   "cells": []}
            for grade in [*Grade.values, ""]:
                n = cells.get((c.code if c else None, grade or None), 0)
                row["cells"].append({"n": n, "grade": grade, "url": list_url(
                    jurisdiction=code, state=NOT_DONE, category=row["code"], grade=grade,
                    mine="false")})
            table.append(row)
        end = timezone.localdate()
        start = end - datetime.timedelta(days=364)
        figures = {r["name"]: r for r in kpis.compute(user, node.path, start, end, [
            k.name for k in kpis.catalogue() if k.section in ("hazard", "escalation")])}
        visible = Jurisdiction.objects.visible_to(user)
        children = list(visible.filter(parent=node).order_by("path")[:60])
        parent = visible.filter(pk=node.parent_id).first() if node.parent_id else None
        context.update(
            area_code=code, table=table, kpis=figures, start=start, end=end,
            steps=[(s, label, figures[f"hazards_overdue_step_{s}"]["value"])
                   for s, label in Step.choices],
            children=[(n, _area_code(n)) for n in children],
            parent=(parent, _area_code(parent)) if parent else None)
    return render(request, "hazards/summary.html", context)


# --- The customer page's panel ----------------------------------------------------------------


def customer_panel(request, customer) -> dict:
    """The customer's hazards, those not closed first, for the customer page."""
    user = request.user
    rows = (Hazard.objects.visible_to(user).filter(customer=customer)
            .select_related("category")
            .order_by(F("closed_at").desc(nulls_first=True), "deadline", "id")[:20])
    today = timezone.localdate()
    return {"customer": customer, "hazards": _decorate(rows, today),
            "can_work": can(user, "hazards.work"),
            "state_colours": STATE_COLOURS, "step_colours": STEP_COLOURS,
            "grade_colours": GRADE_COLOURS}
