"""The demo gives every courier work whatever the hour it starts (issue 15 item 11): stops on
today's round in each of its villages, in the morning, the evening and the night; the first
courier's round loaded by the station, all but one cylinder."""

import pytest
from django.utils import timezone

from ranan.core import demo
from ranan.core.choices import Role
from ranan.core.models import Account
from ranan.delivery import selectors
from ranan.delivery.choices import OPEN_STATES
from ranan.delivery.models import Order, RoundLoad
from tests.conftest import FROZEN_AT


@pytest.mark.parametrize("hour", [19, 3])
def test_every_courier_has_stops_today_in_each_village_whatever_the_hour(
        db, settings, tmp_path, clock, hour):
    settings.MEDIA_ROOT = tmp_path / "media"
    clock.move_to(FROZEN_AT.replace(hour=hour, minute=40))
    demo.load()
    today = timezone.localdate()
    couriers = Account.objects.filter(role_rows__role=Role.COURIER).order_by("username")
    assert couriers.count() == 15
    for courier in couriers:
        stops = Order.objects.filter(round__courier=courier, round__date=today,
                                     state__in=list(OPEN_STATES))
        villages = set(stops.values_list("customer__jurisdiction_id", flat=True))
        assert villages == set(courier.area.values_list("pk", flat=True)), courier.username
    first = couriers[0]
    the_round = selectors.courier_rounds(first, today).get()
    load = selectors.round_load(first, the_round)
    assert load["totals"]["carried"] >= 1 and load["totals"]["missing"] == 1
    assert RoundLoad.objects.filter(round=the_round, refused=0).exists()
