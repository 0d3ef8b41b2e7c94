"""Exports with full numbers (issue 16, PIPL): the requester asks with a reason and the
customer list's filters, a second person approves or refuses, the requester downloads the file
once within 24 hours. The rules are in customers.full_export and core.privacy."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ranan.core import audit, privacy
from ranan.core.forms import apply_service_errors
from ranan.core.models import PersonalDataExport
from ranan.core.permissions import can, requires
from ranan.customers import full_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _to_decide(user):
    """The open requests `user` may approve or refuse."""
    if not can(user, "core.personal_export_approve") or user.organisation_id is None:
        return PersonalDataExport.objects.none()
    return (PersonalDataExport.objects.filter(state=PersonalDataExport.State.REQUESTED)
            .filter(Q(requested_by__organisation_id=user.organisation_id)
                    | Q(requested_by__organisation__parent_id=user.organisation_id))
            .exclude(requested_by=user).select_related("requested_by"))


@requires("core.personal_export")
def export_requests(request):
    """My requests (and their downloads), the requests awaiting my decision, and the form
    to ask for the customer list (its filters come from the list's address)."""
    can_request = can(request.user, "customers.personal_data")
    form = privacy.reason_form(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not can_request:
            raise PermissionDenied
        if form.is_valid():
            try:
                full_export.request_export(actor=request.user, reason=form.cleaned_data["reason"],
                                       params=request.POST, ip_address=audit.client_ip(request))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Request sent: a second person must approve it."))
                return redirect("personal-export-list")
        status = 400
    scope = full_export._scope(request.POST if request.method == "POST" else request.GET)
    mine = list(PersonalDataExport.objects.filter(requested_by=request.user).select_related(
        "decided_by")[:50])
    to_decide = list(_to_decide(request.user)[:50])
    for row in [*mine, *to_decide]:
        row.described = full_export.describe(row.scope, request.user)
    return render(request, "customers/full_exports.html", {
        "form": form, "can_request": can_request, "scope": scope, "mine": mine,
        "described": full_export.describe(scope, request.user),
        "hidden": [(key, value) for key, values in scope.items()
                   for value in (values if isinstance(values, list) else [values])],
        "to_decide": to_decide, "now": timezone.now(),
        "states": PersonalDataExport.State,
    }, status=status)


@require_POST
@requires("core.personal_export_approve")
def export_decide(request, pk):
    export = get_object_or_404(PersonalDataExport.objects.select_related(
        "requested_by__organisation"), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "refuse"):
        messages.error(request, _("decision: choose approve or refuse."))
        return redirect("personal-export-list")
    try:
        privacy.decide_export(actor=request.user, export=export, approve=decision == "approve",
                              note=request.POST.get("note", ""),
                              ip_address=audit.client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Approved.") if decision == "approve" else _("Refused."))
    return redirect("personal-export-list")


@requires("customers.personal_data")
def export_download(request, pk):
    export = get_object_or_404(PersonalDataExport, pk=pk)
    if export.requested_by_id != request.user.pk:
        raise Http404
    try:
        handle, _rows = full_export.download_export(actor=request.user, export=export,
                                                ip_address=audit.client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("personal-export-list")
    return FileResponse(handle, as_attachment=True, content_type=XLSX,
                         filename=f"customers-full-{timezone.localtime():%Y%m%d-%H%M}.xlsx")
