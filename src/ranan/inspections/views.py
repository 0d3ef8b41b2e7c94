"""Inspection pages: the inspector's list for today and the visit form (both phone-sized),
a visit with its answers, findings, photos and signature (images served only to accounts
that see the visit, never as public media), the unreached list of an area with its
measures, and plans with their progress per grid. Rules live in services and selectors."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ranan.core import selectors as core_selectors
from ranan.core.forms import apply_service_errors
from ranan.core.models import Jurisdiction
from ranan.core.permissions import can, require, requires
from ranan.core.selectors import jurisdiction_by_code
from ranan.customers.choices import DeviceKind, HoseMaterial
from ranan.customers.models import Customer
from ranan.inspections import register, selectors, services
from ranan.inspections.choices import (
    GRADE_COLOURS,
    OUTCOME_COLOURS,
    TIER_COLOURS,
    AnswerType,
    MeasureKind,
    Outcome,
    Tier,
    VisitKind,
)
from ranan.inspections.forms import (
    MeasureForm,
    PlanForm,
    VisitForm,
    blank_entries,
    place_errors,
    read_checklist,
)
from ranan.inspections.models import Answer, Photo, Plan, Visit
from ranan.lib import images
from ranan.lib.i18n import english
from ranan.lib.naturalsort import by_name

WORK_PAGE = 30
UNREACHED_PAGE = 50


def _context(request, **extra) -> dict:
    user = request.user
    return {"can_visit": can(user, "inspections.visit"), "can_plan": can(user, "inspections.plan"),
            "can_measure": can(user, "inspections.measure"),
            "can_checklists": can(user, "inspections.checklist"), "outcome_colours": OUTCOME_COLOURS,
            "tier_colours": TIER_COLOURS, "grade_colours": GRADE_COLOURS,
            "tier_labels": dict(Tier.choices), "outcome_labels": dict(Outcome.choices), **extra}


plans_for = selectors.plans_for


# --- Today's list ---------------------------------------------------------------------------


@requires("inspections.read")
def home(request):
    """An inspector's households for today; for those who plan and follow up, their running
    plans and the way to the unreached lists of their area."""
    user = request.user
    context = _context(request)
    if context["can_visit"]:
        rows = selectors.work_list(user)
        page = Paginator(rows, WORK_PAGE).get_page(request.GET.get("page"))
        context.update(page=page, rows=page.object_list, total=len(rows),
                       booked=selectors.booked_visits(user))
    today = timezone.localdate()
    context["running"] = (plans_for(user).filter(start__lte=today, end__gte=today)
                          .select_related("jurisdiction")
                          .annotate(n_targets=Count("targets")).order_by("-start", "-id")[:20])
    context["areas"] = list(user.area.all()) if not user.is_superuser else []
    context["today"] = today
    return render(request, "inspections/home.html", context)


# --- The visit form ---------------------------------------------------------------------------


def _corrected_visit(user, raw, customer) -> Visit | None:
    if raw in (None, ""):
        return None
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(Visit.objects.visible_to(user).prefetch_related("answers__item"),
                             pk=pk, customer=customer)


def _plan(raw, customer) -> Plan | None:
    """The plan a visit counts for: one that targets this (visible) customer. Not
    `Plan.objects.visible_to`: a plan made for the district is above the inspector's area,
    yet its targets in that area are theirs."""
    if raw in (None, ""):
        return None
    try:
        return Plan.objects.filter(pk=int(raw), targets__customer=customer).first()
    except (TypeError, ValueError):
        return None


@requires("inspections.visit")
def visit_form(request, customer_pk):
    """Record a visit: the outcome first; for an inspection the checklist of the
    customer's kind, fixes on the spot, photos and the customer's signature."""
    user = request.user
    customer = get_object_or_404(
        Customer.objects.visible_to(user).select_related("jurisdiction"), pk=customer_pk)
    source = request.POST if request.method == "POST" else request.GET
    corrects = _corrected_visit(user, source.get("corrects"), customer)
    if corrects is not None and services.correction_refusal(user, corrects) is not None:
        raise PermissionDenied  # not the visit's author (issue 16)
    plan = _plan(source.get("plan"), customer)
    checklist = services.current_checklist(services.audience_for(customer))
    items = list(checklist.items.all()) if checklist is not None else []
    placed: dict[str, list[str]] = {"signature": [], "photos": []}
    files_lost = False

    if request.method == "POST":
        form = VisitForm(request.POST)
        inspected = request.POST.get("outcome") == Outcome.INSPECTED
        given = read_checklist(items, request.POST, request.FILES, inspected=inspected)
        entries = given.entries
        errors = dict(given.errors)
        signature = None
        if form.is_valid() and not errors:
            data = form.cleaned_data
            try:
                if inspected and data["signature"]:
                    signature = images.decode_data_url(data["signature"], "signature")
                visit = services.visit_submit(
                    actor=user, customer=customer, kind=data["kind"], outcome=data["outcome"],
                    client_id=data["client_id"], started_at=data.get("started_at"),
                    # A correction tells what happened at the original's time.
                    ended_at=corrects.ended_at if corrects is not None else None,
                    answers=given.answers, fixes=given.fixes, photos=given.uploads,
                    signature=signature, notes=data["notes"], corrects=corrects, plan=plan)
            except ValidationError as exc:
                errors.update({k: v for k, v in exc.message_dict.items()})
            except services.VisitConflict:
                form.add_error(None, _("This form was already sent for another household: "
                                       "open the visit form again."))
            except Customer.DoesNotExist:
                raise Http404 from None
            else:
                messages.success(request, _("Visit recorded: %(outcome)s.") % {
                    "outcome": visit.get_outcome_display()})
                return redirect("inspection-visit", pk=visit.pk)
        placed = place_errors(errors, form, entries, given.upload_labels)
        files_lost = bool(request.FILES)
    else:
        initial = {"client_id": uuid.uuid4(), "started_at": timezone.now(),
                   "kind": VisitKind.DELIVERY if user.has_role("courier") else VisitKind.PERIODIC,
                   "corrects": corrects.pk if corrects else None,
                   "plan": plan.pk if plan else None}
        if corrects is not None:
            initial.update(outcome=corrects.outcome, kind=corrects.kind, notes=corrects.notes,
                           started_at=corrects.started_at)
        form = VisitForm(initial=initial)
        entries = blank_entries(
            items, corrects.answers.all() if corrects else None,
            prefill=None if corrects else register.prefill(customer, timezone.localdate()))

    item_errors = sum(1 for entry in entries if entry.errors)
    return render(request, "inspections/visit_form.html", _context(
        request, customer=customer, form=form, checklist=checklist, entries=entries,
        corrects=corrects, plan=plan, placed=placed, files_lost=files_lost,
        item_errors=item_errors, english=english(), outcomes=Outcome.choices,
        parts=DeviceKind.choices, materials=HoseMaterial.choices,
        previous=(Visit.objects.visible_to(user).filter(customer=customer)
                  .select_related("inspector")[:5]),
        home_rank=selectors.home_rank(customer.home_times, timezone.now()),
        max_photo_mb=images.MAX_PHOTO_MB))


# --- One visit and its images -----------------------------------------------------------------


def _visits(user):
    return Visit.objects.visible_to(user)


def _answer_text(answer: Answer, english: bool) -> str:
    """The answer as read (a pass/fail item's answer is its result: no text)."""
    item = answer.item
    if item.answer_type == AnswerType.PASS_FAIL:
        return ""
    if item.answer_type == AnswerType.NUMBER:
        return f"{answer.value} {item.unit}".strip()
    for choice in item.choices:
        if choice.get("value") == answer.value:
            return (choice.get("label_en") if english else choice.get("label")) or answer.value
    return answer.value


@requires("inspections.read")
def visit_detail(request, pk):
    user = request.user
    visit = get_object_or_404(
        _visits(user).select_related("customer__jurisdiction", "inspector", "checklist",
                                     "corrects", "plan")
        .prefetch_related(Prefetch("answers", Answer.objects.select_related("item")),
                          "findings__item", "photos__item"), pk=pk)
    correction = Visit.objects.filter(corrects=visit).select_related("inspector").first()
    in_english = english()
    photos = list(visit.photos.all())
    by_item: dict[int | None, list[Photo]] = {}
    for photo in photos:
        by_item.setdefault(photo.item_id, []).append(photo)
    answers = [{"answer": a, "question": a.item.question_en if in_english else a.item.question,
                "text": _answer_text(a, in_english), "photos": by_item.get(a.item_id, [])}
               for a in visit.answers.all()]
    findings = [{"finding": f, "question": f.item.question_en if in_english else f.item.question}
                for f in visit.findings.all()]
    duration = None
    if visit.ended_at:
        duration = max(0, int((visit.ended_at - visit.started_at).total_seconds() // 60))
    return render(request, "inspections/visit_detail.html", _context(
        request, visit=visit, correction=correction, answers=answers, findings=findings,
        general_photos=by_item.get(None, []), duration=duration,
        can_correct=(can(user, "inspections.visit") and correction is None
                     and services.correction_refusal(user, visit) is None)))


@require_GET
@requires("inspections.read")
def photo(request, pk):
    row = get_object_or_404(Photo.objects.filter(
        visit__in=_visits(request.user).values("pk")), pk=pk)
    return images.image_response(row.image)


@require_GET
@requires("inspections.read")
def signature(request, pk):
    visit = get_object_or_404(_visits(request.user), pk=pk)
    if not visit.signature:
        raise Http404
    return images.image_response(visit.signature)


# --- The unreached list -----------------------------------------------------------------------


def measure_photo(request) -> bytes | None:
    """The photo of the sealed valve posted with a measure form (`photo`), or None; one
    too large is refused naming the field."""
    upload = request.FILES.get("photo")
    if upload is None or upload.size == 0:
        return None
    if upload.size > images.MAX_PHOTO_BYTES:
        raise ValidationError({"photo": _("An image is at most %(mb)d MB.") % {
            "mb": images.MAX_PHOTO_MB}})
    return upload.read()


def _area_code(node: Jurisdiction) -> str:
    return node.code or f"#{node.pk}"


@requires("inspections.read")
def unreached(request):
    """The households of an area on the ladder, with counts per tier; a shut-off or a
    referral to law enforcement is recorded from the row (POST)."""
    user = request.user
    node, area_error = core_selectors.asked_area(request.user, request.GET)
    tier = request.GET.get("tier") or ""
    if tier and tier not in Tier.values:
        tier = ""
    measure_form, measure_for = None, None
    if request.method == "POST":
        require(user, "inspections.measure")
        measure_form = MeasureForm(request.POST)
        if measure_form.is_valid():
            data = measure_form.cleaned_data
            customer = get_object_or_404(Customer.objects.visible_to(user), pk=data["customer"])
            measure_for = customer.pk
            organisation = (services.referral_departments(customer)
                            .filter(pk=data["organisation"]).first()
                            if data["organisation"] else None)
            try:
                services.measure_record(actor=user, customer=customer, kind=data["kind"],
                                        organisation=organisation, note=data["note"],
                                        photo=measure_photo(request))
            except ValidationError as exc:
                apply_service_errors(measure_form, exc)
            except Customer.DoesNotExist:
                raise Http404 from None
            else:
                messages.success(request, _("%(measure)s recorded for %(name)s.") % {
                    "measure": MeasureKind(data["kind"]).label, "name": customer.name})
                return redirect(request.get_full_path())
        else:
            measure_for = measure_form.data.get("customer")
            if not (measure_for or "").isdigit():
                measure_for = None
            else:
                measure_for = int(measure_for)
    rows, counts, page = [], {}, None
    if node is not None:
        everyone = selectors.unreached(user, node.path)
        counts = {t: 0 for t in Tier.values}
        for row in everyone:
            counts[row["tier"]] += 1
        rows = [r for r in everyone if r["tier"] == tier] if tier else everyone
        page = Paginator(rows, UNREACHED_PAGE).get_page(request.GET.get("page"))
    children, parent = [], None
    if node is not None:
        visible = Jurisdiction.objects.visible_to(user)
        children = by_name(visible.filter(parent=node))[:60]
        if node.parent_id:
            parent = visible.filter(pk=node.parent_id).first()
    status = 400 if measure_form is not None and measure_form.errors else 200
    return render(request, "inspections/unreached.html", _context(
        request, node=node, area_error=area_error, area_code=_area_code(node) if node else "",
        tier=tier, tiers=[(t, label, counts.get(t, 0)) for t, label in Tier.choices],
        total=sum(counts.values()), page=page, rows=page.object_list if page else [],
        children=children, parent=parent, measure_form=measure_form, measure_for=measure_for,
        shut_off=MeasureKind.SHUT_OFF, enforcement=MeasureKind.ENFORCEMENT,
        void_minutes=services.void_minutes(),
        departments=list(services.referral_departments(node.path)) if node else [],
        can_restore=can(user, "inspections.restore"),
        area_codes={n.pk: _area_code(n) for n in [*children, *([parent] if parent else [])]}),
        status=status)


# --- Plans ------------------------------------------------------------------------------------


@requires("inspections.read")
def plans(request):
    user = request.user
    form = None
    if can(user, "inspections.plan"):
        first = user.area.order_by("path").first()
        form = PlanForm(request.POST or None,
                        initial={"jurisdiction": _area_code(first) if first else ""})
    if request.method == "POST":
        require(user, "inspections.plan")
        if form.is_valid():
            data = form.cleaned_data
            node = jurisdiction_by_code(user, data["jurisdiction"])
            if node is None:
                form.add_error("jurisdiction", _("Unknown area code “%(code)s”.") % {
                    "code": data["jurisdiction"]})
            else:
                try:
                    plan = services.plan_create(actor=user, jurisdiction=node,
                                                title=data["title"], start=data["start"],
                                                end=data["end"])
                except ValidationError as exc:
                    apply_service_errors(form, exc)
                except Jurisdiction.DoesNotExist:  # left the area since: like a wrong code
                    form.add_error("jurisdiction", _("Unknown area code “%(code)s”.") % {
                        "code": data["jurisdiction"]})
                else:
                    messages.success(request, _("Plan made: %(n)d households to inspect.") % {
                        "n": plan.targets.count()})
                    return redirect("inspection-plan", pk=plan.pk)
    rows = (plans_for(user).select_related("jurisdiction", "created_by")
            .annotate(n_targets=Count("targets")).order_by("-start", "-id"))
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "inspections/plans.html", _context(
        request, form=form, page=page, rows=page.object_list, today=timezone.localdate()),
        status=400 if form is not None and form.errors else 200)


@requires("inspections.read")
def plan_detail(request, pk):
    user = request.user
    plan = get_object_or_404(plans_for(user).select_related("jurisdiction", "created_by"),
                             pk=pk)
    rows = selectors.plan_progress(user, plan)
    # In the tree's order (第一, 第二 … 网格), not by the characters of their names.
    paths = dict(Jurisdiction.objects.filter(pk__in=[r["jurisdiction_id"] for r in rows[:-1]])
                 .values_list("pk", "path"))
    grids, total = sorted(rows[:-1], key=lambda r: paths.get(r["jurisdiction_id"], "")), rows[-1]
    for row in rows:
        row["unreached"] = sum(row[t] for t in Tier.values)
        row["percent"] = round(100 * row["rate"]) if row["rate"] is not None else None
        if row.get("jurisdiction_id"):
            row["unreached_url"] = (reverse("inspection-unreached") + "?" + urlencode(
                {"jurisdiction": f"#{row['jurisdiction_id']}"}))
    return render(request, "inspections/plan_detail.html", _context(
        request, plan=plan, grids=grids, total=total, tiers=Tier.choices,
        plan_area=_area_code(plan.jurisdiction)))


# --- The customer page's panel ----------------------------------------------------------------


def customer_panel(request, customer) -> dict:
    """The customer's visits, newest first, for the customer page."""
    user = request.user
    visits = (Visit.objects.visible_to(user).filter(customer=customer)
              .select_related("inspector", "correction")[:20])
    return {"customer": customer, "visits": visits,
            "can_visit": can(user, "inspections.visit"),
            "outcome_colours": OUTCOME_COLOURS}
