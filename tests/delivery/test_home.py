"""A courier's home page starts with the day's work (issue 15 item 8): today's round across
all its villages, its load; the figures come after."""

import pytest
from django.test import Client

from ranan.core.models import Account
from tests.delivery.conftest import order
from tests.factories import HouseholdFactory


@pytest.fixture
def two_villages(shop):
    """Courier A1 serves both villages of the township (courier A2 keeps its own area, but
    A1 is the first courier of village A2 too); an urgent order in each village."""
    shop.courier_a1.area.add(shop.village_a2)
    neighbour = HouseholdFactory(name="拉姆", address="二村5号", jurisdiction=shop.village_a2,
                                 lpg_station=shop.station, phone="13800003333")
    first = order(shop, urgent=True)
    second = order(shop, urgent=True, customer=neighbour, buyer_name="拉姆")
    assert first.round_id == second.round_id
    return first, second


def home(account) -> str:
    client = Client()
    client.force_login(account)
    answer = client.get("/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_courier_home_starts_with_today_round_across_its_villages(shop, two_villages):
    html = home(Account.objects.get(pk=shop.courier_a1.pk))
    assert 'data-testid="home-round"' in html
    for village in (shop.village_a1, shop.village_a2):
        assert f'data-village="{village.pk}" data-stops="1"' in html
    for stop in two_villages:
        assert f'data-testid="home-stop" data-order="{stop.pk}"' in html
    # The round comes before the figures and the places.
    assert html.index('data-testid="home-round"') < html.index('data-testid="places"')
    if 'data-testid="kpi-card"' in html:
        assert html.index('data-testid="home-round"') < html.index('data-testid="kpi-card"')


def test_a_village_without_a_stop_today_is_listed_with_none(shop):
    shop.courier_a1.area.add(shop.village_a2)
    order(shop, urgent=True)
    html = home(Account.objects.get(pk=shop.courier_a1.pk))
    assert f'data-village="{shop.village_a2.pk}" data-stops="0"' in html
    assert f'data-village="{shop.village_a1.pk}" data-stops="1"' in html


def test_no_round_today_says_so_and_counts_tomorrow(shop):
    html = home(shop.courier_a1)
    assert 'data-testid="home-no-stops"' in html
    assert 'data-open="0"' in html


def test_other_roles_homes_have_no_round_panel_and_couriers_only_their_own(shop,
                                                                          two_villages):
    for account in (shop.station_manager, shop.regulator_a):
        assert 'data-testid="home-round"' not in home(account)
    html = home(shop.courier_a2)
    assert 'data-testid="home-round"' in html
    assert not any(f'data-order="{stop.pk}"' in html for stop in two_villages)
