"""Demo cylinders (issue 4): 2,000 at the Dazi-like station with a year of history; a
realistic mix: most in date, some due soon, some overdue, a few past scrap, many at
customers."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from ranan.core import audit
from ranan.cylinders import codes
from ranan.cylinders.choices import EventKind, State
from ranan.cylinders.models import Cylinder, CylinderEvent, CylinderType

MANUFACTURERS = ["四川某钢瓶制造有限公司", "青海某压力容器厂", "西藏某燃气设备公司"]


def extend(world: dict) -> None:
    rng = random.Random(4)
    today = timezone.localdate()
    now = timezone.now()
    station = world["station"]
    manager = station.accounts.filter(role_rows__role="station_manager").first()
    couriers = list(station.accounts.filter(role_rows__role="courier"))
    customers = [c for c in world.get("customers", []) if c.lpg_station_id == station.pk]
    types = [CylinderType.objects.create(name="YSP35.5 (15 kg)", size_kg=15, price=135),
             CylinderType.objects.create(name="YSP12 (5 kg)", size_kg=5, price=55),
             CylinderType.objects.create(name="YSP118 (50 kg)", size_kg=50, price=420)]
    cylinders = []
    for n in range(2000):
        kind = types[0] if n % 10 < 8 else types[1] if n % 10 == 8 else types[2]
        age_days = rng.randint(100, int(365.25 * 11))
        made = today - timedelta(days=age_days)
        inspected = None
        if age_days > 365 * 4:
            # Usually inspected on time; 4% slip past their due date.
            due = made + timedelta(days=int(365.25 * 4 * (age_days // int(365.25 * 4))))
            inspected = due - timedelta(days=rng.randint(0, 60))
            if rng.random() < 0.04:
                inspected = max(made, inspected - timedelta(days=365 * 4))
        cylinder = Cylinder(code=codes.new_code(), type=kind, made_on=made,
                            last_inspected_on=inspected,
                            life_extended=age_days > 365 * 8 and rng.random() > 0.05,
                            manufacturer=rng.choice(MANUFACTURERS), serial=f"DZ{n:06d}",
                            station=station)
        cylinder.derive_dates()
        cylinders.append(cylinder)
    Cylinder.objects.bulk_create(cylinders, batch_size=1000)
    events = []
    for cylinder in cylinders:
        events.append(CylinderEvent(cylinder=cylinder, kind=EventKind.REGISTERED, actor=manager,
                                    station=station, at=now - timedelta(days=400)))
        usable = today < cylinder.scrap_on and today <= cylinder.next_inspection_due
        rounds = rng.randint(3, 12) if usable else 0
        state = State.EMPTY_AT_STATION
        holder = None
        for r in range(rounds):
            day = now - timedelta(days=365 - r * (365 // max(rounds, 1)) - rng.randint(0, 20))
            courier = rng.choice(couriers)
            customer = rng.choice(customers) if customers else None
            events.append(CylinderEvent(cylinder=cylinder, kind=EventKind.FILLED, actor=manager,
                                        station=station, net_weight_kg=cylinder.type.size_kg,
                                        filling_line=f"L{rng.randint(1, 2)}", at=day))
            events.append(CylinderEvent(cylinder=cylinder, kind=EventKind.DISPATCHED, actor=manager,
                                        station=station, courier=courier,
                                        at=day + timedelta(hours=1)))
            events.append(CylinderEvent(cylinder=cylinder, kind=EventKind.DELIVERED, actor=courier,
                                        station=station, courier=courier, customer=customer,
                                        at=day + timedelta(hours=3)))
            last = r == rounds - 1 and rng.random() < 0.6
            if last:
                state, holder = State.AT_CUSTOMER, customer
            else:
                events.append(CylinderEvent(cylinder=cylinder, kind=EventKind.COLLECTED,
                                            actor=courier, station=station, customer=customer,
                                            at=day + timedelta(days=20)))
        if state == State.EMPTY_AT_STATION and usable and rng.random() < 0.5:
            events.append(CylinderEvent(cylinder=cylinder, kind=EventKind.FILLED, actor=manager,
                                        station=station, net_weight_kg=cylinder.type.size_kg,
                                        filling_line="L1"))
            state = State.FULL_AT_STATION
        cylinder.state, cylinder.customer = state, holder
    events += _fell_due_at_customers(cylinders, customers, couriers, manager, station, now)
    CylinderEvent.objects.bulk_create(events, batch_size=5000)
    Cylinder.objects.bulk_update(cylinders, ["state", "customer"], batch_size=1000)
    audit.record(actor=None, action="create", model="cylinders.cylinder",
                 object_repr=f"demo: {len(cylinders)} cylinders",
                 details={"demo": True, "cylinders": len(cylinders), "events": len(events)})
    world["cylinders"] = cylinders


def _fell_due_at_customers(cylinders, customers, couriers, manager, station, now) -> list:
    """Half of the cylinders that fell due in the last six months were delivered before
    their date and are still at the household (issue 15 item 4: the overdue cylinders lie
    in the villages too, not only at the station). Its own random sequence: the rest of the
    demo stays as it was."""
    rng = random.Random(15)
    today = now.date()
    out = []
    for cylinder in cylinders:
        due = min(cylinder.next_inspection_due, cylinder.scrap_on)
        if not customers or not today - timedelta(days=180) <= due <= today:
            continue
        if cylinder.state != State.EMPTY_AT_STATION or rng.random() >= 0.5:
            continue
        courier, customer = rng.choice(couriers), rng.choice(customers)
        day = now - timedelta(days=(today - due).days + rng.randint(5, 60))
        out += [CylinderEvent(cylinder=cylinder, kind=EventKind.FILLED, actor=manager,
                              station=station, net_weight_kg=cylinder.type.size_kg,
                              filling_line="L1", at=day),
                CylinderEvent(cylinder=cylinder, kind=EventKind.DISPATCHED, actor=manager,
                              station=station, courier=courier, at=day + timedelta(hours=1)),
                CylinderEvent(cylinder=cylinder, kind=EventKind.DELIVERED, actor=courier,
                              station=station, courier=courier, customer=customer,
                              at=day + timedelta(hours=3))]
        cylinder.state, cylinder.customer = State.AT_CUSTOMER, customer
    return out
