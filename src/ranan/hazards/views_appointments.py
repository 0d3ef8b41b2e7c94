"""Visits agreed with residents to fix a hazard (issue 14 item 6): booking one from the
hazard's page, the list of the area's visits (by day) with the done / cancelled actions. The
rules are the services'; the visits show on the inspectors' work list (the hook
"inspections.work_list")."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ranan.core.forms import apply_service_errors
from ranan.core.permissions import can, requires
from ranan.hazards import selectors, services
from ranan.hazards.choices import APPOINTMENT_COLOURS, AppointmentState
from ranan.hazards.forms import AppointmentCloseForm, AppointmentForm
from ranan.hazards.models import Appointment, Hazard
from ranan.lib.dates import parse_day
from ranan.lib.masking import mask_phone

PAGE = 30


@requires("hazards.appoint")
def book(request, pk):
    """Book a visit for a hazard: a day and time in the working hours, inspectors of the
    hazard's area."""
    user = request.user
    hazard = get_object_or_404(selectors.hazards_for(user), pk=pk)
    inspectors = selectors.inspectors_for(user, hazard)
    by_id = {str(a.pk): a for a in inspectors}
    if request.method == "POST":
        form = AppointmentForm(request.POST, inspectors=inspectors)
        if form.is_valid():
            data = form.cleaned_data
            starts_at = timezone.make_aware(datetime.datetime.combine(data["day"], data["time"]))
            try:
                services.appointment_book(
                    actor=user, hazard=hazard, starts_at=starts_at,
                    inspectors=[by_id[i] for i in data["inspectors"]], phone=data["phone"],
                    note=data["note"], client_id=data["client_id"])
            except ValidationError as exc:
                errors = exc.message_dict
                if "starts_at" in errors:
                    for text in errors.pop("starts_at"):
                        form.add_error("time", text)
                apply_service_errors(form, ValidationError(errors))
            except services.AppointmentConflict:
                form.add_error(None, _("This form was already sent: reload the page."))
            except Hazard.DoesNotExist:
                raise Http404 from None
            else:
                messages.success(request, _("Visit booked; the resident and the inspectors "
                                            "are told."))
                return redirect("hazard-detail", pk=hazard.pk)
    else:
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        form = AppointmentForm(inspectors=inspectors, initial={
            "day": tomorrow, "time": datetime.time(9), "client_id": uuid.uuid4(),
            "inspectors": [str(user.pk)] if str(user.pk) in by_id else []})
    opens, closes = services.working_hours()
    return render(request, "hazards/appointment_form.html", {
        "hazard": hazard, "form": form, "opens": opens, "closes": closes,
        "minutes": services.APPOINTMENT_MINUTES,
        "phone_hint": mask_phone(hazard.customer.phone) if hazard.customer_id else ""},
        status=400 if form.errors else 200)


@requires("hazards.read")
def appointment_list(request):
    """The area's visits of a day (default today; `day=`), or an inspector's own
    (`mine=true`), booked first."""
    user = request.user
    errors = {}
    try:
        day = parse_day(request.GET.get("day")) or timezone.localdate()
    except ValueError:
        day, errors = timezone.localdate(), {"day": _("A date, YYYY-MM-DD.")}
    mine = (request.GET.get("mine") or "").lower() in ("1", "true", "yes")
    qs = selectors.appointments_on(user, day, mine=mine)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(request, "hazards/appointments.html", {
        "day": day, "mine": mine, "errors": errors, "page": page, "rows": page.object_list,
        "previous": day - datetime.timedelta(days=1), "next": day + datetime.timedelta(days=1),
        "colours": APPOINTMENT_COLOURS, "can_appoint": can(user, "hazards.appoint"),
        "can_work": can(user, "hazards.work"),
        "can_supervise": can(user, "hazards.supervise")}, status=400 if errors else 200)


@require_POST
@requires("hazards.appoint")
def close(request, pk):
    """Mark a booked visit done, or cancel it (with why)."""
    appointment = get_object_or_404(Appointment.objects.visible_to(request.user), pk=pk)
    form = AppointmentCloseForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        services.appointment_close(actor=request.user, appointment=appointment,
                                   to=form.cleaned_data["to"], note=form.cleaned_data["note"])
    except ValidationError as exc:
        for texts in exc.message_dict.values():
            for text in texts:
                messages.error(request, text)
    else:
        messages.success(request, _("Visit cancelled; the resident is told.")
                         if form.cleaned_data["to"] == AppointmentState.CANCELLED
                         else _("Visit done."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/") and not back.startswith("//")
                    else "hazard-appointments")
