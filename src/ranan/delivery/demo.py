"""Demo orders and delivery (issue 7), the Dazi-like county as the seed describes it: one
station (08:00-18:00 every day, Asia/Shanghai), 15 kg at 135 yuan delivered free, 23 villages
up to 40+ km away on mountain roads, each with a fixed delivery day staggered by township;
the station's own road distances for the far villages; every demo check with a delivery is a
delivered order (the customer's real name on record, paid in cash or by phone); orders
waiting for today's and the next rounds, some urgent or from care households, some asked
after hours; a few failed deliveries."""

from __future__ import annotations

import datetime
import math
import random
import uuid
from decimal import Decimal

from django.utils import timezone

from ranan.core.choices import Role
from ranan.core.models import Account
from ranan.customers.models import Customer
from ranan.cylinders.choices import State
from ranan.cylinders.models import Cylinder, CylinderType
from ranan.delivery import services
from ranan.delivery.choices import (
    Channel,
    EveningOrders,
    FailReason,
    OrderState,
    Payment,
    Priority,
    RefusedCheck,
)
from ranan.delivery.models import (
    Distance,
    Order,
    OrderEvent,
    Price,
    RealName,
    StationService,
    VillageRound,
)
from ranan.inspections.models import Visit

STATION_AT = (29.6802, 91.3514)  # the county town


def _id_number(rng) -> str:
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 20000))
    body = f"540104{born:%Y%m%d}{rng.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def extend(world: dict) -> None:
    rng = random.Random(7)
    station = world["station"]
    manager = Account.objects.get(username="station")
    today = timezone.localdate()
    # Dazi's rules (the seed): every delivery with its check (送气必安检: no check, no gas),
    # evening requests registered and served first the next morning (晚间登记，次日优先).
    service = StationService.objects.create(station=station, latitude=STATION_AT[0],
                                            longitude=STATION_AT[1], road_factor=Decimal("1.5"),
                                            speed_kmh=30, refused_check=RefusedCheck.NO_GAS,
                                            evening_orders=EveningOrders.NEXT_MORNING)
    types = {t.size_kg: t for t in CylinderType.objects.all()}
    prices = {Decimal("15.0"): 135, Decimal("5.0"): 55, Decimal("50.0"): 420}
    for size, kind in types.items():
        Price.objects.create(station=station, cylinder_type=kind, price=prices.get(size, 100),
                             valid_from=today - datetime.timedelta(days=400))
    # Villages on a rough circle around the town, 5 to 45 km out; one weekday per township.
    for index, village in enumerate(world["villages"]):
        township = index % 6
        angle = index / len(world["villages"]) * 2 * math.pi
        radius = 5 + (index * 7919 % 41)
        VillageRound.objects.create(
            station=station, village=village, weekdays=[township % 6, (township + 3) % 7],
            latitude=Decimal(STATION_AT[0] + radius / 111 * math.sin(angle)).quantize(
                Decimal("0.000001")),
            longitude=Decimal(STATION_AT[1] + radius / 96 * math.cos(angle)).quantize(
                Decimal("0.000001")))
    for village in world["villages"][-4:]:  # the mountain villages: roads twice the line
        Distance.objects.create(station=station, a=None, b=village,
                                km=Decimal(60 + rng.randint(0, 20)), minutes=150)
    type15 = types.get(Decimal("15.0"))
    visits = list(Visit.objects.filter(kind="delivery").select_related("customer", "inspector")
                  .order_by("started_at"))
    orders, real = [], {}
    for visit in visits:
        customer = visit.customer
        received = visit.started_at - datetime.timedelta(hours=rng.randint(3, 60))
        real.setdefault(customer.pk, RealName(
            customer=customer, buyer_name=customer.name, id_number=customer.id_number
            or _id_number(rng), checked_at=received, checked_by=visit.inspector))
        paid = rng.choice([Payment.CASH, Payment.CASH, Payment.MOBILE])
        orders.append(Order(
            station=station, customer=customer, jpath=customer.jpath, cylinder_type=type15,
            quantity=1, channel=Channel.COURIER, received_at=received,
            unit_price=135, delivery_fee=0, total=135, payment=paid,
            payment_ref=f"WX{rng.randrange(10**12)}" if paid == Payment.MOBILE else "",
            state=OrderState.DELIVERED, scheduled_date=timezone.localtime(visit.started_at).date(),
            priority=Priority.NORMAL, entered_by=visit.inspector, client_id=uuid.uuid4(),
            delivered_at=visit.started_at, delivered_by=visit.inspector,
            delivery_client_id=uuid.uuid4(), visit=visit))
    RealName.objects.bulk_create(real.values())
    Order.objects.bulk_create(orders, batch_size=1000)
    # Their history: taken by the courier, then delivered by them at the door.
    OrderEvent.objects.bulk_create([e for o in Order.objects.filter(
        delivery_client_id__in=[o.delivery_client_id for o in orders]) for e in (
        OrderEvent(order=o, actor_id=o.entered_by_id, from_state="", to_state=OrderState.NEW,
                   at=o.received_at),
        OrderEvent(order=o, actor_id=o.delivered_by_id, from_state=OrderState.NEW,
                   to_state=OrderState.DELIVERED, at=o.delivered_at))], batch_size=1000)
    # Waiting orders, through the service (dates, priorities, rounds as in real use).
    couriers = {c.username: c for c in Account.objects.filter(role_rows__role=Role.COURIER)}
    households = list(Customer.objects.filter(lpg_station=station, kind="residential",
                                              status="active")
                      .exclude(pk__in=list(real)).order_by("id"))
    now = timezone.now()
    for n, customer in enumerate(rng.sample(households, 60)):
        courier = services.courier_for(station, customer.jurisdiction_id)
        if courier is None:
            continue
        asked = now - datetime.timedelta(hours=rng.randint(0, 40), minutes=rng.randint(0, 59))
        order = services.order_create(
            actor=courier, customer=customer, cylinder_type=type15, quantity=1 + (n % 7 == 0),
            channel=Channel.COURIER if n % 4 else Channel.PHONE, client_id=uuid.uuid4(),
            received_at=asked, urgent=n % 13 == 0, buyer_name=customer.name,
            buyer_id_number=customer.id_number or _id_number(rng))
        if n % 17 == 5 and order.scheduled_date <= today:
            services.order_fail(actor=courier, order=order,
                                reason=rng.choice([FailReason.NOT_HOME, FailReason.ADDRESS_WRONG]))
    _work_whatever_the_hour(station, manager, type15, rng)
    del couriers, service


def _work_whatever_the_hour(station, manager, type15, rng) -> None:
    """Every courier has stops on today's round in each of its villages whatever the hour
    the demo starts (the orders above fall on the villages' cycle days, and after 18:00 on
    the next day): an urgent order per village asked at 08:30 (or now, before then), through
    the service; the first courier's round loaded by the station with all but one of the
    full cylinders it needs (its load shows one still to load)."""
    from ranan.delivery.models import Round

    now = timezone.now()
    local = timezone.localtime(now)
    asked = min(now, local.replace(hour=8, minute=30, second=0, microsecond=0))
    today = local.date()
    ordered = set(Order.objects.values_list("customer_id", flat=True))
    for courier in Account.objects.filter(role_rows__role=Role.COURIER,
                                          organisation=station).order_by("username"):
        busy = set(Order.objects.filter(round__courier=courier, round__date=today,
                                        state__in=[OrderState.NEW, OrderState.SCHEDULED])
                   .values_list("customer__jurisdiction_id", flat=True))
        for village in courier.area.order_by("path"):
            if village.pk in busy or services.courier_for(station, village.pk) != courier:
                continue
            customer = (Customer.objects.filter(lpg_station=station, jurisdiction=village,
                                                kind="residential", status="active")
                        .exclude(pk__in=ordered).order_by("id").first())
            if customer is None:
                continue
            ordered.add(customer.pk)
            services.order_create(
                actor=courier, customer=customer, cylinder_type=type15, quantity=1,
                channel=Channel.PHONE, client_id=uuid.uuid4(), received_at=asked, urgent=True,
                buyer_name=customer.name,
                buyer_id_number=customer.id_number or _id_number(rng))
    first = Round.objects.filter(station=station, date=today,
                                 courier__username="courier01").first()
    if first is None:
        return
    needed = sum(first.orders.filter(state__in=[OrderState.NEW, OrderState.SCHEDULED],
                                     cylinder_type=type15).values_list("quantity", flat=True))
    full = list(Cylinder.objects.filter(station=station, type=type15, state=State.FULL_AT_STATION,
                                        next_inspection_due__gte=today, scrap_on__gt=today)
                .order_by("id").values_list("code", flat=True)[:max(needed - 1, 1)])
    if full:
        services.round_load(actor=manager, the_round=first, scanned=full,
                            client_id=uuid.uuid4())
