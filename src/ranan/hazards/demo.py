"""Demo hazards (issue 6): every finding of the demo visits becomes a hazard, with a
realistic spread of states and the Ningbo seed's results reproducible in 翠东社区: the 24
corroded indoor pipes and 22 water heaters all fixed and closed, 56 stoves of which 10
closed (24 being rectified, the rest open), the 3 private connections removed; some open
hazards overdue at each step of the ladder (the escalation job runs at the end).

Closed hazards went through every step (rectifying, fixed with a photo, verified by the
community's grid worker, not the fixer, closed); the rows are written in bulk."""

from __future__ import annotations

import datetime
import io
import random

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Min
from django.utils import timezone

from ranan.core.models import Account
from ranan.hazards import services
from ranan.hazards.choices import ESCALATING, EventKind, State
from ranan.hazards.models import Appointment, Hazard, HazardEvent, HazardPhoto
from ranan.inspections.models import Finding

CLOSED_IN_CUIDONG = {"corrosion": None, "water_heater": None, "private_connection": None,
                     "stove": 10, "closed_room": 15}
RECTIFYING_IN_CUIDONG = {"stove": 24, "closed_room": 6}
# Days late given to a few open hazards, to show each step of the ladder.
LATE = [1, 1, 2, 3, 4, 5, 7, 8, 10, 15, 20, 30]


def _evidence() -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (225, 230, 235))
    ImageDraw.Draw(image).rectangle([40, 100, 280, 130], fill=(150, 150, 160))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return default_storage.save("hazards/demo-evidence.jpg", ContentFile(out.getvalue()))


def extend(world: dict) -> None:
    rng = random.Random(6)
    services.take_over_findings(Finding.objects.filter(hazard__isnull=True)
                                .select_related("visit").order_by("id"))
    evidence = _evidence()
    size = default_storage.size(evidence)
    cuidong = world["cuidong"]
    butler = Account.objects.get(username="butler")
    verifier_cuidong = Account.objects.get(username="kongpu_grid")
    station_manager = Account.objects.get(username="station")
    verifier_dazi = Account.objects.get(username="dechen_grid")
    events, photos_for = [], []
    today = timezone.localdate()

    def close(hazard, fixer, verifier, state=State.CLOSED):
        start = hazard.found_at + datetime.timedelta(hours=rng.randint(2, 20))
        fixed_at = start + datetime.timedelta(hours=rng.randint(4, 60))
        steps = [(State.OPEN, State.RECTIFYING, start, fixer, "已告知用户，约定整改"),
                 (State.RECTIFYING, State.FIXED, fixed_at, fixer, "已整改，附照片")]
        if state == State.CLOSED:
            verified = fixed_at + datetime.timedelta(hours=rng.randint(2, 30))
            steps += [(State.FIXED, State.VERIFIED, verified, verifier, "现场复核合格"),
                      (State.VERIFIED, State.CLOSED, verified + datetime.timedelta(minutes=5),
                       verifier, "销号")]
            hazard.closed_at = steps[-1][2]
        hazard.state = state
        hazard.fixed_by, hazard.fixed_at = fixer, fixed_at
        for from_state, to_state, at, by, note in steps:
            event = HazardEvent(hazard=hazard, kind=EventKind.TRANSITION, from_state=from_state,
                                to_state=to_state, at=min(at, timezone.now()), by=by, note=note)
            events.append(event)
            if to_state == State.FIXED:
                photos_for.append(event)

    def rectifying(hazard, by):
        # The customer agreed to fix it by a new date (the seed: "24 agreed to fix").
        hazard.state = State.RECTIFYING
        hazard.deadline = today + datetime.timedelta(days=rng.randint(1, 10))
        events.append(HazardEvent(hazard=hazard, kind=EventKind.TRANSITION,
                                  from_state=State.OPEN, to_state=State.RECTIFYING,
                                  at=hazard.found_at + datetime.timedelta(hours=3), by=by,
                                  note="用户同意整改"))

    hazards = list(Hazard.objects.select_related("category").order_by("id"))
    in_cuidong = [h for h in hazards if h.jpath.startswith(cuidong.path)]
    elsewhere = [h for h in hazards if not h.jpath.startswith(cuidong.path)]
    by_category: dict[str, list[Hazard]] = {}
    for h in in_cuidong:
        by_category.setdefault(h.category.code, []).append(h)
    touched = []
    for code, group in by_category.items():
        n_closed = CLOSED_IN_CUIDONG.get(code, 0 if code not in CLOSED_IN_CUIDONG else None)
        n_closed = len(group) if n_closed is None else n_closed
        n_rect = RECTIFYING_IN_CUIDONG.get(code, 0)
        if code not in CLOSED_IN_CUIDONG and code not in RECTIFYING_IN_CUIDONG:
            n_closed = len(group) * 6 // 10
            n_rect = len(group) // 5
        for h in group[:n_closed]:
            close(h, butler, verifier_cuidong)
        for h in group[n_closed:n_closed + n_rect]:
            rectifying(h, butler)
        touched.extend(group[:n_closed + n_rect])
    rng.shuffle(elsewhere)
    for index, h in enumerate(elsewhere):
        share = index / max(1, len(elsewhere))
        if share < 0.6:
            close(h, station_manager, verifier_dazi)
        elif share < 0.7:
            close(h, station_manager, verifier_dazi, state=State.FIXED)
        elif share < 0.85:
            rectifying(h, station_manager)
        touched.append(h)
    # Open ones: a few late by a chosen number of days, so the ladder shows every step.
    still_open = [h for h in hazards if h.state in (State.OPEN, State.RECTIFYING)]
    rng.shuffle(still_open)
    for h, late in zip(still_open, LATE * 3, strict=False):
        h.deadline = today - datetime.timedelta(days=late)
        touched.append(h)
    Hazard.objects.bulk_update(set(touched), ["state", "fixed_by", "fixed_at", "closed_at",
                                              "deadline"], batch_size=1000)
    HazardEvent.objects.bulk_create(events, batch_size=2000)
    HazardPhoto.objects.bulk_create([HazardPhoto(event=e, image=evidence, sha256="demo",
                                                 size=size) for e in photos_for], batch_size=2000)
    escalate_as_days_went(today)
    _appointments(cuidong, butler)


JOB_HOUR = datetime.time(6, 0)  # when the daily ladder job is taken to have run


def escalate_as_days_went(today: datetime.date) -> None:
    """The daily job, run for each past day the late hazards lived through, at its morning
    hour: a hazard 15 days late climbed to the reminder on day 1, the notice on day 3,
    supervision on day 7 and enforcement on day 15, not to all four in the same minute (the
    one run at load time recorded them so). Today's run is at the load time when earlier."""
    first = (Hazard.objects.filter(state__in=ESCALATING).aggregate(first=Min("deadline"))
             ["first"])
    if first is None:
        return
    now = timezone.now()
    day = min(first + datetime.timedelta(days=min(services.escalation_days().values())), today)
    while day <= today:
        at = timezone.make_aware(datetime.datetime.combine(day, JOB_HOUR))
        services.escalate(day, now=min(at, now))
        day += datetime.timedelta(days=1)


def _appointments(cuidong, butler) -> None:
    """Visits agreed with residents for large hazards of 翠东 (issue 14): two on the butler's
    day today (whatever the hour the demo starts: written as booked, not through the
    service's "not in the past" rule), one tomorrow; the resident and the butler told."""
    today = timezone.localdate()
    candidates = list(Hazard.objects.filter(
        jpath__startswith=cuidong.path, customer__isnull=False, grade__in=["large", "major"],
        state__in=[State.OPEN, State.RECTIFYING]).select_related("customer", "category")
        .order_by("deadline", "id")[:3])
    slots = [(today, datetime.time(15)), (today, datetime.time(16, 30)),
             (today + datetime.timedelta(days=1), datetime.time(10))]
    for hazard, (day, at) in zip(candidates, slots, strict=False):
        appointment = Appointment.objects.create(
            hazard=hazard, customer=hazard.customer, jpath=hazard.jpath,
            starts_at=timezone.make_aware(datetime.datetime.combine(day, at)),
            phone=hazard.customer.phone or "13800000000", note="带好管件，住户下午在家",
            booked_by=butler)
        appointment.inspectors.set([butler])
        services.tell_appointment(appointment, [butler], "booked")

