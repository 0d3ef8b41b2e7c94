"""Customer pages: list with filters and search, one-screen customer page, forms, import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core import audit, contract, privacy
from ranan.core.forms import apply_service_errors, form_page
from ranan.core.permissions import can, require, requires
from ranan.customers import exporter, importer, selectors, services
from ranan.customers.choices import STATUS_COLOURS, Missing
from ranan.customers.forms import FILTER_CHOICES, CustomerForm, DeviceForm, ImportForm
from ranan.customers.models import Customer
from ranan.lib.masking import mask_id, mask_phone


class CappedPaginator(Paginator):
    """Counting a million filtered rows costs more than fetching the page: count to a cap."""

    cap = 10000

    @property
    def count(self):
        if not hasattr(self, "_capped"):
            n, self.more = selectors.count_capped(self.object_list, self.cap)
            # Unknown (the count ran out of time): page through what exists.
            self._capped = self.cap if n is None else n
            self.unknown = n is None
        return self._capped


def _display(customer: Customer, full: bool) -> None:
    customer.phone_shown = customer.phone if full else mask_phone(customer.phone)
    customer.phone2_shown = customer.phone2 if full else mask_phone(customer.phone2)
    customer.id_shown = customer.id_number if full else mask_id(customer.id_number)


@requires("customers.read")
def customer_list(request):
    try:
        qs, cleaned = selectors.filter_customers(request.user, request.GET)
        errors = {}
    except ValidationError as exc:
        qs, cleaned, errors = Customer.objects.none(), {}, exc.message_dict
    paginator = CappedPaginator(qs, 50)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for c in rows:
        _display(c, False)  # masked for every role: a full number is unmasked on its page
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "customers/customer_list.html", {
        "page": page, "rows": rows, "more": getattr(paginator, "more", False),
        "filters": cleaned, "errors": errors, "choices": FILTER_CHOICES,
        "selected": {k: request.GET.getlist(k) for k in FILTER_CHOICES},
        "q": request.GET.get("q", ""), "jurisdiction": request.GET.get("jurisdiction", ""),
        "querystring": params.urlencode(), "can_edit": can(request.user, "customers.edit"),
        "can_import": can(request.user, "customers.import"), "colours": STATUS_COLOURS,
        "can_request_full": can(request.user, "customers.personal_data"),
    })


def _detail_customer(request, pk) -> Customer:
    return get_object_or_404(selectors.customers_for(request.user).select_related(
        "jurisdiction__parent", "gas_company", "lpg_station"), pk=pk)


@requires("customers.personal_data")
def customer_unmask(request, pk):
    """The full numbers of one customer, after a reason (PIPL, issue 16): posted from the
    customer page's "show full number" form, audited as `unmask` with the reason."""
    customer = _detail_customer(request, pk)
    if request.method != "POST":
        return redirect("customer-detail", pk=customer.pk)
    form = privacy.reason_form(request.POST)
    if not form.is_valid():
        return customer_detail(request, pk, unmask_form=form)
    privacy.unmask(actor=request.user, instance=customer, reason=form.cleaned_data["reason"],
                   fields={"phone": customer.phone, "phone2": customer.phone2,
                           "id_number": customer.id_number},
                   ip_address=audit.client_ip(request))
    return customer_detail(request, pk, unmasked=True)


@requires("customers.read")
def customer_detail(request, pk, unmasked=False, unmask_form=None):
    customer = _detail_customer(request, pk)
    # Masked for every role (issue 16): the roles that work with the numbers unmask one
    # record at a time with a reason (customer_unmask).
    _display(customer, unmasked)
    has_personal = bool(customer.phone or customer.phone2 or customer.id_number)
    device_form = DeviceForm()
    # The unmask form's post (customer_unmask) is not a device form's.
    if request.method == "POST" and not unmasked and unmask_form is None:
        require(request.user, "customers.edit")
        device_form = DeviceForm(request.POST)
        if device_form.is_valid():
            try:
                services.device_add(actor=request.user, customer=customer,
                                    **device_form.service_values())
            except ValidationError as exc:
                apply_service_errors(device_form, exc)
            else:
                messages.success(request, _("Device recorded."))
                return redirect("customer-detail", pk=customer.pk)
    panels = [render_to_string(panel.template, data, request=request)
              for panel, context in contract.customer_panels()
              if (data := context(request, customer)) is not None]
    return render(request, "customers/customer_detail.html", {
        "customer": customer, "devices": customer.devices.current(),
        "history": customer.devices.exclude(removed_on__isnull=True),
        "missing": [m for m in Missing if customer.missing & m.value],
        "device_form": device_form, "can_edit": can(request.user, "customers.edit"),
        "panels": panels, "colours": STATUS_COLOURS, "unmasked": unmasked,
        "unmask_form": unmask_form or privacy.reason_form(),
        "can_unmask": has_personal and not unmasked and can(request.user, "customers.personal_data"),
    }, status=400 if unmask_form is not None else 200)


@requires("customers.edit")
def device_remove(request, pk, device_pk):
    customer = get_object_or_404(selectors.customers_for(request.user), pk=pk)
    device = get_object_or_404(customer.devices.current(), pk=device_pk)
    if request.method == "POST":
        try:
            services.device_remove(actor=request.user, device=device)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Device removed; it stays in the history."))
    return redirect("customer-detail", pk=customer.pk)


def _customer_form(request, customer=None):
    """The customer form (the callers require customers.edit)."""
    initial = {}
    full = False  # the form shows the masks to every role (issue 16); typing a number replaces it
    if customer is not None:
        initial = {f: getattr(customer, f) for f in services.CUSTOMER_FIELDS}
        if not full:
            # Editors who see numbers masked get the mask; leaving it keeps the real value.
            initial.update(phone=mask_phone(customer.phone), phone2=mask_phone(customer.phone2),
                           id_number=mask_id(customer.id_number))
    form = CustomerForm(request.POST or None, initial=initial, user=request.user)

    def save(data):
        if customer is None:
            saved = services.customer_create(actor=request.user, **data)
        else:
            if not full:
                data = services.keep_masked(customer, data)
            saved = services.customer_update(actor=request.user, customer=customer, **data)
        return reverse("customer-detail", args=[saved.pk])

    title = _("New customer") if customer is None else customer.name
    back = reverse("customer-list") if customer is None else reverse("customer-detail", args=[customer.pk])
    return form_page(request, form, save, title=title, back=back)


@requires("customers.edit")
def customer_create(request):
    return _customer_form(request)


@requires("customers.edit")
def customer_edit(request, pk):
    customer = get_object_or_404(selectors.customers_for(request.user), pk=pk)
    return _customer_form(request, customer)


@requires("customers.read")
def customer_export(request):
    try:
        qs, cleaned = selectors.filter_customers(request.user, request.GET)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customer-list")
    handle, _rows = exporter.export_customers(actor=request.user, queryset=qs, filters=cleaned,
                                              ip_address=audit.client_ip(request))
    return FileResponse(handle, as_attachment=True, content_type=exporter_content_type(),
                        filename=f"customers-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


def exporter_content_type() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@requires("customers.read")
def customer_template(request):
    response = HttpResponse(content_type=exporter_content_type())
    response["Content-Disposition"] = 'attachment; filename="customer-import-template.xlsx"'
    exporter.write_template(response)
    return response


@requires("customers.import")
def customer_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = importer.import_customers(
            actor=request.user, fileobj=upload.file, filename=upload.name,
            dry_run=form.cleaned_data["dry_run"], on_duplicate=form.cleaned_data["on_duplicate"])
        if not result.errors and not result.dry_run:
            messages.success(request, _("Imported: %(created)d new, %(updated)d updated, "
                                        "%(skipped)d skipped.") % result.as_dict())
    return render(request, "customers/customer_import.html", {"form": form, "result": result})
