"""Completing a delivery at the door: the interlock, the forced check, payment, idempotency,
concurrency; and the route planning."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from ranan.cylinders.choices import State
from ranan.cylinders.models import Cylinder, CylinderType, Scan
from ranan.delivery import routing, services
from ranan.delivery.choices import OrderState
from ranan.delivery.models import Order
from ranan.inspections.models import Visit
from ranan.inspections.services import current_checklist
from tests.delivery.conftest import order, ready_cylinder
from tests.inspections.conftest import all_pass, png


def check():
    return {"answers": all_pass(current_checklist("lpg_household")), "signature": png()}


def deliver(shop, o, codes, **kw):
    kw.setdefault("client_id", uuid.uuid4())
    return services.order_deliver(actor=kw.pop("actor", shop.courier_a1), order=o,
                                  full_codes=codes, **kw)


def test_a_delivery_with_the_check_and_the_empty_collected(shop):
    o = order(shop)
    full = ready_cylinder(shop)
    # The villager's empty: a cylinder at the customer.
    Cylinder.objects.filter(pk=shop.scrap.pk).update(state=State.AT_CUSTOMER,
                                                     customer=shop.villager)
    done = deliver(shop, o, [full.code.lower()], empty_codes=[shop.scrap.code], check=check(),
                   payment="mobile", payment_ref="WX123")
    assert done.state == OrderState.DELIVERED and done.payment == "mobile"
    assert Cylinder.objects.get(pk=full.pk).customer == shop.villager
    assert Cylinder.objects.get(pk=shop.scrap.pk).state == State.EMPTY_AT_STATION
    visit = Visit.objects.get(pk=done.visit_id)
    assert (visit.kind, visit.outcome) == ("delivery", "inspected")


def test_no_delivery_without_a_check_and_a_refused_check_counts(shop):
    o = order(shop)
    full = ready_cylinder(shop)
    with pytest.raises(ValidationError) as error:
        deliver(shop, o, [full.code])
    assert "check" in error.value.message_dict
    done = deliver(shop, o, [full.code], check_refused=True)
    assert Visit.objects.get(pk=done.visit_id).outcome == "refused"


def test_the_interlock_refuses_an_overdue_cylinder_and_nothing_is_written(shop):
    o = order(shop)
    Cylinder.objects.filter(pk=shop.overdue.pk).update(state=State.WITH_COURIER,
                                                       courier=shop.courier_a1)
    with pytest.raises(ValidationError) as error:
        deliver(shop, o, [shop.overdue.code], check=check())
    assert "full_codes.0" in error.value.message_dict
    assert "inspection" in error.value.message_dict["full_codes.0"][0].lower()
    o.refresh_from_db()
    assert o.state == OrderState.SCHEDULED and not Visit.objects.exists()
    # The refusal itself is kept (the refusals page shows it).
    assert Scan.objects.filter(code=shop.overdue.code, verdict="refuse").count() == 1


def test_wrong_size_wrong_count_and_payment(shop):
    o = order(shop)
    small = CylinderType.objects.create(name="YSP12 5kg", size_kg=5)
    Cylinder.objects.filter(pk=shop.good.pk).update(type=small)
    with pytest.raises(ValidationError) as error:
        deliver(shop, o, [shop.good.code], check=check())
    assert "full_codes" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        deliver(shop, o, [], check=check())
    assert "full_codes" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        deliver(shop, o, [shop.good.code], check=check(), payment="mobile")
    assert "payment_ref" in error.value.message_dict


def test_the_same_client_id_is_one_delivery(shop):
    o = order(shop)
    full = ready_cylinder(shop)
    client_id = uuid.uuid4()
    first = deliver(shop, o, [full.code], check=check(), client_id=client_id)
    again = deliver(shop, o, [full.code], check=check(), client_id=client_id)
    assert first.pk == again.pk and Visit.objects.count() == 1
    with pytest.raises(ValidationError) as error:
        deliver(shop, o, [full.code], check=check())  # a new attempt on a delivered order
    assert "order" in error.value.message_dict


def test_a_courier_of_another_village_cannot_deliver(shop):
    o = order(shop)
    with pytest.raises(Order.DoesNotExist):
        deliver(shop, o, [shop.good.code], check=check(), actor=shop.courier_a2)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real concurrent test needs "
                    "PostgreSQL (SQLite serialises writers)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_couriers_completing_one_order_at_once_exactly_one_succeeds(settings, tmp_path):
    import threading

    from django.db import connections

    from tests.cast import Cast
    from tests.delivery.conftest import build_shop

    settings.MEDIA_ROOT = tmp_path
    world = build_shop(Cast())
    o = order(world)
    full = ready_cylinder(world)
    barrier = threading.Barrier(2)
    results = []

    def go(actor):
        try:
            barrier.wait()
            services.order_deliver(actor=actor, order=o, full_codes=[full.code],
                                   client_id=uuid.uuid4(), check=check())
            results.append("ok")
        except ValidationError as exc:
            results.append(exc.message_dict)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(a,))
               for a in (world.courier_a1, world.station_manager)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    assert Visit.objects.filter(kind="delivery").count() == 1


def test_route_planning_beats_the_order_received():
    import random

    rng = random.Random(7)
    villages = [(29.6 + rng.random() * 0.4, 91.2 + rng.random() * 0.6) for _ in range(23)]
    stops = [routing.Stop(n, v, *villages[v]) for n in range(60)
             for v in [rng.randrange(23)]]
    km = routing.matrix((29.68, 91.35), stops, 1.4, {})
    received = routing.route_km(km, list(range(1, 61)))
    planned = routing.plan(km, stops, 30, 600, seconds=1.0)
    assert sorted(planned) == list(range(1, 61))
    assert routing.route_km(km, planned) < 0.85 * received


def test_plan_round_saves_the_order_and_the_distances(shop):
    from ranan.delivery.models import Round

    for _ in range(3):
        order(shop, buyer_name="", buyer_id_number="") if Order.objects.exists() else order(shop)
    the_round = Round.objects.get()
    planned = services.plan_round(actor=shop.station_manager, the_round=the_round)
    assert planned.km_after is not None and planned.km_after <= planned.km_before
    assert sorted(o.sequence for o in the_round.orders.all()) == [1, 2, 3]
