"""Orders: service hours at the boundaries, the next-morning queue, the village's cycle,
priorities, price keeping, the real-name record, and every bad input."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ranan.customers.models import Customer
from ranan.delivery import services
from ranan.delivery.choices import OrderState, Priority
from ranan.delivery.models import Order, Price, RealName, VillageRound
from tests.delivery.conftest import at, order

MONDAY = datetime.date(2026, 11, 23)


@pytest.mark.parametrize("hh,mm,day_offset,after_hours", [
    (17, 59, 0, False),   # in time: today's round if the village is served today
    (18, 0, 1, True),     # closing time: tomorrow morning, first
    (7, 59, 0, True),     # before opening: this morning, first
    (8, 0, 0, False),
])
def test_service_hours_at_the_boundaries(shop, hh, mm, day_offset, after_hours):
    VillageRound.objects.all().delete()  # no cycle: the date is the next service day
    day, priority, late = services.schedule(shop.station, shop.villager, at(MONDAY, hh, mm),
                                            urgent=False)
    assert day == MONDAY + datetime.timedelta(days=day_offset)
    assert late is after_hours
    assert priority == (Priority.AFTER_HOURS if after_hours else Priority.NORMAL)


def test_the_village_cycle_decides_the_date_unless_urgent(shop):
    # Village A1 is served on Tuesdays.
    day, _p, _a = services.schedule(shop.station, shop.villager, at(MONDAY, 10, 0), False)
    assert day == MONDAY + datetime.timedelta(days=1)
    day, _p, _a = services.schedule(shop.station, shop.villager, at(MONDAY + datetime.timedelta(
        days=1), 19, 0), False)  # Tuesday evening: next Tuesday
    assert day == MONDAY + datetime.timedelta(days=8)
    day, priority, _a = services.schedule(shop.station, shop.villager, at(MONDAY, 10, 0), True)
    assert day == MONDAY and priority == Priority.URGENT
    every = VillageRound.objects.get()
    every.weekdays, every.every_days, every.anchor = [], 3, MONDAY
    every.save()
    day, _p, _a = services.schedule(shop.station, shop.villager,
                                    at(MONDAY + datetime.timedelta(days=1), 9, 0), False)
    assert day == MONDAY + datetime.timedelta(days=3)


def test_care_households_come_first(shop):
    Customer.objects.filter(pk=shop.villager.pk).update(elderly_alone=True)
    shop.villager.refresh_from_db()
    _d, priority, _a = services.schedule(shop.station, shop.villager, at(MONDAY, 10, 0), False)
    assert priority == Priority.CARE


def test_an_order_keeps_its_price_and_the_real_name_is_kept(shop):
    first = order(shop, quantity=2)
    assert first.unit_price == 135 and first.total == 270
    assert first.state == OrderState.SCHEDULED and first.round.courier == shop.courier_a1
    assert RealName.objects.get(customer=shop.villager).id_number == "11010519491231002X"
    Price.objects.create(station=shop.station, cylinder_type=shop.type15, price=150,
                         valid_from=datetime.date.today())
    first.refresh_from_db()
    assert first.unit_price == 135  # the order keeps the price it was taken at
    second = order(shop, buyer_name="", buyer_id_number="")  # real name already on record
    assert second.unit_price == 150


def test_the_same_client_id_is_one_order(shop):
    client_id = uuid.uuid4()
    assert order(shop, client_id=client_id).pk == order(shop, client_id=client_id).pk
    assert Order.objects.count() == 1


@pytest.mark.parametrize("change,field", [
    ({"quantity": 0}, "quantity"), ({"quantity": 40}, "quantity"),
    ({"channel": "pigeon"}, "channel"), ({"buyer_name": ""}, "buyer_name"),
    ({"buyer_id_number": "110105194912310021"}, "buyer_id_number"),
    ({"received_at": "future"}, "received_at"), ({"note": "x" * 201}, "note"),
])
def test_bad_input(shop, change, field):
    if change.get("received_at") == "future":
        change["received_at"] = at(datetime.date.today() + datetime.timedelta(days=2), 9, 0)
    with pytest.raises(ValidationError) as error:
        order(shop, **change)
    assert field in error.value.message_dict
    assert not Order.objects.exists() and not RealName.objects.exists()


def test_no_price_and_scope(shop):
    Price.objects.all().delete()
    with pytest.raises(ValidationError) as error:
        order(shop)
    assert "cylinder_type" in error.value.message_dict
    with pytest.raises(Customer.DoesNotExist):
        order(shop, actor=shop.courier_a2)  # another village's courier
    with pytest.raises(PermissionDenied):
        order(shop, actor=shop.inspector)
