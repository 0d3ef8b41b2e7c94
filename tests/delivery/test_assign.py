"""Putting an order on a round (order_assign): an order of a village no courier covers waits
without a round until the station puts it on one; the order takes the round's date; only the
station, only open orders, only rounds of today or later, only its own station."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ranan.core import services as core_services
from ranan.core.choices import Level
from ranan.core.models import AuditEntry
from ranan.customers import services as customer_services
from ranan.customers.choices import Supply
from ranan.delivery import services
from ranan.delivery.choices import OrderState
from ranan.delivery.models import Order, Round
from tests.cylinders.conftest import other_station
from tests.delivery.conftest import order


@pytest.fixture
def waiting(shop):
    return an_order_no_courier_covers(shop)


def an_order_no_courier_covers(shop):
    village = core_services.jurisdiction_create(actor=None, name="三村", level=Level.VILLAGE,
                                                parent=shop.township, code="990101100203")
    lone = customer_services.customer_create(actor=None, name="多吉", address="三村1号",
                                             jurisdiction=village, supply=Supply.LPG,
                                             lpg_station=shop.station)
    return order(shop, actor=shop.station_manager, customer=lone, buyer_name="多吉")


def a_round(shop, days=1, courier=None):
    return Round.objects.create(station=shop.station, courier=courier or shop.courier_a2,
                                date=timezone.localdate() + datetime.timedelta(days=days))


@pytest.mark.parametrize("hour, changed", [
    # In the morning the order is for today: a round tomorrow moves its date.
    (10, {"round_id", "scheduled_date", "state"}),
    # After the evening cut-off it is already for tomorrow: only the round and state change.
    (19, {"round_id", "state"}),
])
def test_an_order_without_a_round_is_put_on_one(shop, clock, hour, changed):
    from tests.conftest import FROZEN_AT

    clock.move_to(FROZEN_AT.replace(hour=hour))
    waiting = an_order_no_courier_covers(shop)
    assert waiting.round is None and waiting.state == OrderState.NEW
    the_round = a_round(shop)
    done = services.order_assign(actor=shop.station_manager, order=waiting, the_round=the_round)
    assert (done.round, done.state, done.scheduled_date, done.sequence) == (
        the_round, OrderState.SCHEDULED, the_round.date, None)
    entry = AuditEntry.objects.filter(model="delivery.order", object_pk=str(waiting.pk),
                                      action="update").get()
    assert set(entry.changes) == changed


def test_a_planned_order_moved_to_another_round_loses_its_place(shop):
    o = order(shop)
    Order.objects.filter(pk=o.pk).update(sequence=3)
    o.refresh_from_db()
    other = a_round(shop, days=2)
    moved = services.order_assign(actor=shop.station_manager, order=o, the_round=other)
    assert moved.round == other and moved.sequence is None


def test_only_the_station_assigns(shop, waiting):
    the_round = a_round(shop, days=3)
    for actor in (shop.courier_a1, shop.regulator_a):
        with pytest.raises(PermissionDenied):
            services.order_assign(actor=actor, order=waiting, the_round=the_round)


def test_no_past_round_and_no_closed_order(shop, waiting):
    with pytest.raises(ValidationError) as error:
        services.order_assign(actor=shop.station_manager, order=waiting,
                              the_round=a_round(shop, days=-1))
    assert "round" in error.value.message_dict
    Order.objects.filter(pk=waiting.pk).update(state=OrderState.FAILED)
    with pytest.raises(ValidationError) as error:
        services.order_assign(actor=shop.station_manager, order=waiting,
                              the_round=a_round(shop, days=2))
    assert "order" in error.value.message_dict
    assert Order.objects.get(pk=waiting.pk).round is None


def test_another_stations_round_or_manager(shop, waiting):
    station_b, manager_b = other_station(shop)
    theirs = Round.objects.create(station=station_b, date=timezone.localdate())
    with pytest.raises(Round.DoesNotExist):
        services.order_assign(actor=shop.station_manager, order=waiting, the_round=theirs)
    with pytest.raises(Order.DoesNotExist):
        services.order_assign(actor=manager_b, order=waiting, the_round=theirs)
    assert Order.objects.get(pk=waiting.pk).round is None
