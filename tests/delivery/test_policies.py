"""The station's policies as data (issue 14 items 3 and 11): a refused check ("no check, no
gas" or "deliver and count the refusal"), evening orders (next morning or the village's next
cycle), and the settings page and API that keep them."""

import datetime
import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from ranan.cylinders.choices import State
from ranan.cylinders.models import Cylinder
from ranan.delivery import services
from ranan.delivery.choices import OrderState, Priority
from ranan.delivery.models import Order, StationService
from ranan.inspections.models import Visit
from ranan.inspections.selectors import check_refusals
from tests.delivery.conftest import at, order, ready_cylinder
from tests.delivery.test_deliver import check, deliver
from tests.delivery.test_supply import fields, policy

YESTERDAY_EVENING = (2026, 12, 3, 20, 30)  # Thursday; the frozen clock is Friday 10:00


def browser(account):
    client = Client()
    client.force_login(account)
    return client


# --- A refused check ----------------------------------------------------------------------------


def test_deliver_and_count_the_refusal_is_the_default(shop):
    o = order(shop)
    full = ready_cylinder(shop)
    done = deliver(shop, o, [full.code], check_refused=True)
    assert done.state == OrderState.DELIVERED
    assert Cylinder.objects.get(pk=full.pk).state == State.AT_CUSTOMER
    assert Visit.objects.get(pk=done.visit_id).outcome == "refused"


def test_no_check_no_gas_fails_the_order_and_counts_the_refusal(shop):
    policy(shop, refused_check="no_gas")
    o = order(shop)
    full = ready_cylinder(shop)
    key = uuid.uuid4()
    # No codes needed: nothing is handed over.
    failed = deliver(shop, o, [], check_refused=True, client_id=key,
                     check={"notes": "不让进门"})
    assert failed.state == OrderState.FAILED and failed.fail_reason == "check_refused"
    assert Cylinder.objects.get(pk=full.pk).state == State.WITH_COURIER
    visit = Visit.objects.get(pk=failed.visit_id)
    assert (visit.kind, visit.outcome) == ("delivery", "refused")
    assert check_refusals([shop.villager.pk]) == {shop.villager.pk: 1}
    event = failed.events.order_by("-at", "-id").first()
    assert (event.to_state, event.reason) == ("failed", "check_refused")
    # The field app's retry answers the same order; nothing new is written.
    again = deliver(shop, o, [], check_refused=True, client_id=key)
    assert again.pk == o.pk and Visit.objects.count() == 1
    # A completed check still delivers under this policy.
    second = order(shop)
    assert deliver(shop, second, [full.code], check=check()).state == OrderState.DELIVERED


def test_the_switch_decides_per_station(shop):
    first, second = order(shop), order(shop)
    policy(shop, refused_check="no_gas")
    assert deliver(shop, first, [], check_refused=True).state == OrderState.FAILED
    policy(shop, refused_check="count")
    with pytest.raises(ValidationError) as error:
        deliver(shop, second, [], check_refused=True)
    assert "full_codes" in error.value.message_dict  # delivering: scan the cylinder


def test_check_refused_is_not_a_reason_of_the_fail_form(shop):
    o = order(shop)
    with pytest.raises(ValidationError) as error:
        services.order_fail(actor=shop.courier_a1, order=o, reason="check_refused")
    assert "reason" in error.value.message_dict
    assert Order.objects.get(pk=o.pk).state != OrderState.FAILED


def test_the_api_answers_the_failed_order(shop, api):
    policy(shop, refused_check="no_gas")
    o = order(shop)
    answer = api.as_(shop.courier_a1).post(f"/api/v1/orders/{o.pk}/deliver", {
        "full_codes": [], "check_refused": True, "client_id": str(uuid.uuid4())},
        format="json")
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["state"], answer.json()["fail_reason"]) == ("failed", "check_refused")


def test_the_door_page_says_the_policy_and_warns_before_the_third_refusal(shop):
    from tests.delivery.test_pages import on_todays_round

    policy(shop, refused_check="no_gas")
    courier = browser(shop.courier_a1)
    first = order(shop)
    page = courier.get(f"/delivery/orders/{first.pk}/deliver/").content.decode()
    assert 'data-policy="no_gas"' in page and 'data-testid="refusal-warning"' not in page
    # Refused once through the page: the order fails, the courier goes on to the next stop.
    posted = courier.post(f"/delivery/orders/{first.pk}/deliver/", {
        "client_id": str(uuid.uuid4()), "outcome": "refused", "confirm_refused": "on",
        "payment": "cash"})
    assert posted.status_code == 302, posted.content.decode()[:3000]
    assert Order.objects.get(pk=first.pk).fail_reason == "check_refused"
    second = order(shop)
    on_todays_round(second)
    page = courier.get(f"/delivery/orders/{second.pk}/deliver/").content.decode()
    assert 'data-refusals="1"' in page
    deliver(shop, second, [], check_refused=True)
    third = order(shop)
    page = courier.get(f"/delivery/orders/{third.pk}/deliver/").content.decode()
    warning = re.search(r'data-testid="refusal-warning" data-refusals="2">(.*?)</div>', page,
                        re.S)
    assert warning and "待关阀清单" in warning.group(1)
    on_todays_round(third)
    assert 'data-testid="badge-refusals"' in courier.get("/delivery/").content.decode()
    policy(shop, refused_check="count")
    page = courier.get(f"/delivery/orders/{third.pk}/deliver/").content.decode()
    assert 'data-policy="count"' in page


# --- Evening orders -----------------------------------------------------------------------------


def evening():
    return at(datetime.date(*YESTERDAY_EVENING[:3]), *YESTERDAY_EVENING[3:])


def test_an_evening_order_waits_for_the_village_cycle_by_default(shop):
    o = order(shop, received_at=evening())
    # Village A1 is served on Tuesdays: Friday's next cycle day is the 8th.
    assert o.after_hours and o.scheduled_date == datetime.date(2026, 12, 8)
    assert o.priority == Priority.AFTER_HOURS


def test_next_morning_sends_it_out_first_thing_and_the_courier_sees_it_first(shop):
    from tests.delivery.test_pages import on_todays_round

    policy(shop, evening_orders="next_morning")
    earlier = order(shop, urgent=True, received_at=timezone.now() - datetime.timedelta(
        minutes=30))
    o = order(shop, received_at=evening())
    assert o.after_hours and o.scheduled_date == datetime.date(2026, 12, 4)
    assert o.round.courier == shop.courier_a1 and o.state == OrderState.SCHEDULED
    # In hours, an order still waits for the cycle.
    normal = order(shop, received_at=timezone.now() - datetime.timedelta(minutes=10))
    assert normal.scheduled_date == datetime.date(2026, 12, 8)
    on_todays_round(earlier, o)
    Order.objects.filter(pk=earlier.pk).update(sequence=1)
    Order.objects.filter(pk=o.pk).update(sequence=2)
    html = browser(shop.courier_a1).get("/delivery/").content.decode()
    today = html[html.index('data-testid="round-today"'):html.index('data-testid="round-tomorrow"')]
    assert re.findall(r'data-testid="stop" data-order="(\d+)"', today) == [str(o.pk),
                                                                           str(earlier.pk)]
    assert today.count('data-testid="badge-evening"') == 1


# --- The settings page and API ------------------------------------------------------------------


def test_the_manager_sets_the_policies_through_the_api(shop, api):
    manager = api.as_(shop.station_manager)
    row = manager.get("/api/v1/service-hours/").json()["results"][0]
    assert (row["shut_off_orders"], row["refused_check"], row["evening_orders"]) == (
        "refuse", "count", "next_cycle")
    changed = manager.patch(f"/api/v1/service-hours/{row['id']}/", {
        "shut_off_orders": "hold", "refused_check": "no_gas",
        "evening_orders": "next_morning"}, format="json")
    assert changed.status_code == 200, changed.json()
    saved = StationService.objects.get()
    assert (saved.shut_off_orders, saved.refused_check, saved.evening_orders) == (
        "hold", "no_gas", "next_morning")


@pytest.mark.parametrize("field", ["shut_off_orders", "refused_check", "evening_orders"])
def test_unknown_policy_values_are_400_naming_the_field(shop, api, field):
    manager = api.as_(shop.station_manager)
    row = manager.get("/api/v1/service-hours/").json()["results"][0]
    assert fields(manager.patch(f"/api/v1/service-hours/{row['id']}/", {field: "maybe"},
                                format="json")) == {field}
    assert fields(manager.post("/api/v1/service-hours/", {field: ""}, format="json")) == {field}
    with pytest.raises(ValidationError) as error:
        services.service_set(actor=shop.station_manager, station=shop.station, **{field: "x"})
    assert field in error.value.message_dict
    saved = StationService.objects.get()
    assert (saved.shut_off_orders, saved.refused_check, saved.evening_orders) == (
        "refuse", "count", "next_cycle")


@pytest.mark.parametrize("who", ["courier_a1", "regulator_a", "lpg_admin", "inspector"])
def test_other_roles_cannot_set_the_policies(shop, api, client, who):
    row = StationService.objects.get()
    answer = api.as_(getattr(shop, who)).patch(f"/api/v1/service-hours/{row.pk}/",
                                               {"refused_check": "no_gas"}, format="json")
    assert answer.status_code in (403, 404)
    assert answer.status_code == 403 or who == "inspector"  # an inspector sees no station
    client.force_login(getattr(shop, who))
    assert client.post("/delivery/station/hours/", {"refused_check": "no_gas"}).status_code == 403
    assert StationService.objects.get().refused_check == "count"


def test_another_stations_settings_are_404(shop, api):
    from tests.delivery.test_reference import other_station

    station, _price = other_station.__wrapped__(shop)
    theirs = StationService.objects.create(station=station)
    manager = api.as_(shop.station_manager)
    assert manager.get(f"/api/v1/service-hours/{theirs.pk}/").status_code == 404
    assert manager.patch(f"/api/v1/service-hours/{theirs.pk}/", {"refused_check": "no_gas"},
                         format="json").status_code == 404
    assert fields(manager.post("/api/v1/service-hours/", {
        "station": station.pk, "refused_check": "no_gas"}, format="json")) == {"station"}
    assert StationService.objects.get(pk=theirs.pk).refused_check == "count"
    page = browser(shop.station_manager).get(f"/delivery/station/hours/?station={station.pk}")
    assert station.name not in page.content.decode()


def test_the_settings_page_shows_and_keeps_the_policies(shop):
    page = browser(shop.station_manager)
    shown = page.get("/delivery/station/hours/").content.decode()
    assert 'name="refused_check"' in shown and 'name="evening_orders"' in shown
    assert 'name="shut_off_orders"' in shown
    saved = page.post("/delivery/station/hours/", {
        "opens": "08:00", "closes": "18:00", "timezone": "Asia/Shanghai", "delivery_fee": "0",
        "road_factor": "1.4", "speed_kmh": "30", "shut_off_orders": "hold",
        "refused_check": "no_gas", "evening_orders": "next_morning"})
    assert saved.status_code == 302
    row = StationService.objects.get()
    assert (row.shut_off_orders, row.refused_check, row.evening_orders) == (
        "hold", "no_gas", "next_morning")
    bad = page.post("/delivery/station/hours/", {
        "opens": "08:00", "closes": "18:00", "timezone": "Asia/Shanghai", "delivery_fee": "0",
        "road_factor": "1.4", "speed_kmh": "30", "refused_check": "sometimes"})
    assert bad.status_code == 200 and b"invalid-feedback" in bad.content
    assert StationService.objects.get().refused_check == "no_gas"
    shown = page.get("/delivery/station/hours/").content.decode()
    assert re.search(r'<option value="no_gas" selected', shown)
