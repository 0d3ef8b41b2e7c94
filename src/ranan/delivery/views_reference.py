"""A station's reference data pages, for its manager: prices, service hours, village delivery
cycles (each a list and a form; the writes are the services')."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ranan.core.forms import form_page
from ranan.core.permissions import requires
from ranan.delivery import selectors, services
from ranan.delivery.forms_reference import (
    WEEKDAYS,
    CycleChangeForm,
    CycleForm,
    PriceChangeForm,
    PriceForm,
    ServiceForm,
    own_stations,
)
from ranan.delivery.services import CYCLE_FIELDS, PRICE_FIELDS
from ranan.delivery.views import _context


def _mine(qs, user):
    return qs.filter(station__in=own_stations(user))


@requires("delivery.reference")
def prices(request):
    rows = _mine(selectors.prices_for(request.user), request.user)
    return render(request, "delivery/prices.html", _context(request, rows=rows))


@requires("delivery.reference")
def price_new(request):
    return form_page(request, PriceForm(request.POST or None, user=request.user),
                     lambda data: services.price_create(actor=request.user, **data),
                     title=_("New price"), back=reverse("delivery-prices"))


@requires("delivery.reference")
def price_edit(request, pk):
    row = get_object_or_404(_mine(selectors.prices_for(request.user), request.user), pk=pk)
    form = PriceChangeForm(request.POST or None,
                           initial={name: getattr(row, name) for name in PRICE_FIELDS})
    return form_page(request, form,
                     lambda data: services.price_update(actor=request.user, price_row=row, **data),
                     back=reverse("delivery-prices"),
                     title=_("Price of %(type)s at %(station)s")
                     % {"type": row.cylinder_type.name, "station": row.station.name})


@requires("delivery.reference")
def service_hours(request):
    stations = list(own_stations(request.user))
    station = next((s for s in stations if str(s.pk) == request.GET.get("station")),
                   stations[0] if stations else None)
    back = reverse("delivery-station")
    if station is None:
        return render(request, "delivery/prices.html",
                      _context(request, rows=[], no_station=True))
    row = services.service_of(station)
    initial = {name: getattr(row, name) for name in services.SERVICE_FIELDS}

    def save(data):
        # A policy left unchosen keeps its value.
        kept = {k: v for k, v in data.items() if v or k not in services.POLICIES}
        services.service_set(actor=request.user, station=station, **kept)
        return reverse("delivery-hours") + f"?station={station.pk}"

    return form_page(request, ServiceForm(request.POST or None, initial=initial), save,
                     back=back, title=_("Service hours of %(station)s") % {"station": station.name})


@requires("delivery.reference")
def cycles(request):
    rows = list(_mine(selectors.village_rounds_for(request.user), request.user))
    names = dict(WEEKDAYS)
    for row in rows:
        row.weekday_names = [names[d] for d in row.weekdays or [] if d in names]
    return render(request, "delivery/cycles.html", _context(request, rows=rows))


@requires("delivery.reference")
def cycle_new(request):
    return form_page(request, CycleForm(request.POST or None, user=request.user),
                     lambda data: services.village_round_create(actor=request.user, **data),
                     title=_("New village delivery cycle"), back=reverse("delivery-cycles"))


@requires("delivery.reference")
def cycle_edit(request, pk):
    row = get_object_or_404(_mine(selectors.village_rounds_for(request.user), request.user),
                            pk=pk)
    form = CycleChangeForm(request.POST or None,
                           initial={name: getattr(row, name) for name in CYCLE_FIELDS})
    return form_page(request, form,
                     lambda data: services.village_round_update(actor=request.user, cycle=row,
                                                                **data),
                     back=reverse("delivery-cycles"),
                     title=_("Delivery cycle of %(village)s") % {"village": row.village.name})


