"""The public cylinder page: what a resident sees when scanning the QR code. No login, no
personal data of anyone, small enough for a cheap phone on a weak signal."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control

from ranan.cylinders import codes
from ranan.cylinders.models import Cylinder


@cache_control(max_age=60, public=True)
def public_page(request, code):
    cylinder = None
    clean = codes.normalise(code)
    if codes.check_ok(clean):
        cylinder = (Cylinder.objects.select_related("type", "station")
                    .filter(code=clean).first())
    if cylinder is None:
        return render(request, "cylinders/public.html", {"code": code[:20]}, status=404)
    today = timezone.localdate()
    fillings = (cylinder.events.filter(kind="filled").select_related("station")
                .order_by("-at")[:10])
    station = cylinder.station
    phone = (station.accounts.filter(role_rows__role="station_manager", is_active=True)
             .exclude(phone="").values_list("phone", flat=True).first() or "")
    return render(request, "cylinders/public.html", {
        "cylinder": cylinder, "fillings": fillings, "station_phone": phone,
        "past_scrap": today >= cylinder.scrap_on,
        "overdue": today > cylinder.next_inspection_due,
    })
