"""A shut-off household gets no gas (issue 14 item 1): orders refused with the reason (or held,
as the station's policy says), the door refused, the courier's pages say 已停气 with why and
since when; converted premises and moved-out customers likewise."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from ranan.customers.models import Customer
from ranan.cylinders.choices import State
from ranan.cylinders.models import Cylinder
from ranan.delivery import services
from ranan.delivery.choices import OrderState
from ranan.delivery.models import Order, OrderEvent, StationService
from ranan.inspections.models import Measure
from tests.delivery.conftest import order, ready_cylinder
from tests.delivery.test_deliver import check, deliver

SINCE = datetime.date(2026, 11, 20)


def shut_off(shop, customer=None, note="三次到访不遇，关阀停气", status="shut_off"):
    """The household's supply stopped as the inspections service records it: the status and
    its date on the customer, the measure with why, who and when."""
    customer = customer or shop.villager
    Customer.objects.filter(pk=customer.pk).update(status=status, status_date=SINCE)
    if status == "shut_off":
        Measure.objects.create(customer=customer, jpath=customer.jpath, kind="shut_off",
                               at=timezone.make_aware(datetime.datetime(2026, 11, 20, 15, 0)),
                               by=shop.station_manager, note=note)
    customer.refresh_from_db()
    return customer


def restore(customer):
    Customer.objects.filter(pk=customer.pk).update(status="active",
                                                   status_date=timezone.localdate())
    customer.refresh_from_db()


def policy(shop, **values):
    StationService.objects.filter(station=shop.station).update(**values)


def fields(response):
    assert response.status_code == 400, response.content
    return {e["field"] for e in response.json()["errors"]}


def browser(account):
    client = Client()
    client.force_login(account)
    return client


def test_an_order_for_a_shut_off_household_is_refused_with_the_reason(shop):
    shut_off(shop)
    with pytest.raises(ValidationError) as error:
        order(shop)
    message = error.value.message_dict["customer"][0]
    assert "已停气" in message and "2026-11-20" in message and "三次到访不遇" in message
    assert not Order.objects.exists()


@pytest.mark.parametrize("status", ["converted_pipe", "converted_electric", "moved_out"])
def test_converted_and_moved_out_premises_are_refused_even_where_orders_are_held(shop, status):
    policy(shop, shut_off_orders="hold")
    shut_off(shop, status=status)
    with pytest.raises(ValidationError) as error:
        order(shop)
    assert "2026-11-20" in error.value.message_dict["customer"][0]
    assert not Order.objects.exists()


@pytest.mark.parametrize("channel", ["counter", "self", "phone", "courier"])
def test_the_api_refuses_it_whatever_the_channel_claims(shop, api, channel):
    shut_off(shop)
    body = {"customer": shop.villager.pk, "cylinder_type": shop.type15.pk, "quantity": 1,
            "channel": channel, "client_id": str(uuid.uuid4()), "buyer_name": "次仁",
            "buyer_id_number": "11010519491231002X"}
    answer = api.as_(shop.station_manager).post("/api/v1/orders/", body, format="json")
    assert fields(answer) == {"customer"}
    assert "已停气" in answer.json()["errors"][0]["message"]
    assert not Order.objects.exists()


def test_held_orders_wait_for_the_restored_supply_then_go_out(shop, api):
    policy(shop, shut_off_orders="hold")
    shut_off(shop)
    held = order(shop)
    assert held.state == OrderState.HELD and held.round_id is None
    assert "已停气" in held.held_reason
    manager = api.as_(shop.station_manager)
    # Visible to the station with the reason; not released while still shut off.
    station = browser(shop.station_manager).get("/delivery/station/").content.decode()
    assert 'data-testid="held-reason"' in station and "三次到访不遇" in station
    refused = manager.post(f"/api/v1/orders/{held.pk}/release")
    assert fields(refused) == {"customer"}
    assert Order.objects.get(pk=held.pk).state == OrderState.HELD
    # Nothing to hand over at the door either.
    with pytest.raises(ValidationError) as error:
        deliver(shop, held, [ready_cylinder(shop).code], check=check())
    assert "order" in error.value.message_dict
    # Supply restored: the station's list releases it onto the village courier's round.
    restore(shop.villager)
    listed = manager.get("/api/v1/orders/", {"state": "scheduled"}).json()["results"]
    assert [row["id"] for row in listed] == [held.pk]
    released = Order.objects.get(pk=held.pk)
    assert released.state == OrderState.SCHEDULED and released.round.courier == shop.courier_a1
    assert released.held_reason == ""
    assert list(released.events.values_list("from_state", "to_state")) == [
        ("", "held"), ("held", "scheduled")]


def test_a_held_order_released_by_hand_or_cancelled(shop, api):
    policy(shop, shut_off_orders="hold")
    shut_off(shop)
    first, second = order(shop), order(shop)
    assert api.as_(shop.courier_a1).post(f"/api/v1/orders/{first.pk}/release").status_code == 403
    assert api.as_(shop.courier_a1).post(f"/api/v1/orders/{first.pk}/cancel").status_code == 403
    assert api.as_(shop.regulator_b).post(f"/api/v1/orders/{first.pk}/cancel").status_code in (
        403, 404)
    manager = api.as_(shop.station_manager)  # one client: the last account set wins
    cancelled = manager.post(f"/api/v1/orders/{second.pk}/cancel", {"note": "不要了"},
                             format="json")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    again = manager.post(f"/api/v1/orders/{second.pk}/cancel", {}, format="json")
    assert fields(again) == {"order"}
    restore(shop.villager)
    released = manager.post(f"/api/v1/orders/{first.pk}/release")
    assert released.status_code == 200 and released.json()["state"] == "scheduled"
    assert fields(manager.post(f"/api/v1/orders/{first.pk}/release")) == {"order"}
    assert manager.post("/api/v1/orders/999999/release").status_code == 404


def test_the_page_releases_and_cancels_held_orders(shop):
    policy(shop, shut_off_orders="hold")
    shut_off(shop)
    held = order(shop)
    page = browser(shop.station_manager)
    detail = page.get(f"/delivery/orders/{held.pk}/").content.decode()
    assert 'data-testid="held"' in detail and 'data-testid="release"' in detail
    page.post(f"/delivery/orders/{held.pk}/release/")
    assert Order.objects.get(pk=held.pk).state == OrderState.HELD  # still shut off
    page.post(f"/delivery/orders/{held.pk}/cancel/", {"note": "搬走了"})
    assert Order.objects.get(pk=held.pk).state == OrderState.CANCELLED
    assert browser(shop.courier_a1).post(f"/delivery/orders/{held.pk}/cancel/").status_code == 403


def test_the_door_refuses_a_household_shut_off_after_its_order_was_taken(shop):
    o = order(shop)
    full = ready_cylinder(shop)
    shut_off(shop)
    with pytest.raises(ValidationError) as error:
        deliver(shop, o, [full.code], check=check())
    assert "已停气" in error.value.message_dict["customer"][0]
    assert Order.objects.get(pk=o.pk).state == o.state
    assert Cylinder.objects.get(pk=full.pk).state == State.WITH_COURIER
    # The courier records why it was not delivered.
    failed = services.order_fail(actor=shop.courier_a1, order=o, reason="shut_off")
    assert failed.state == OrderState.FAILED and failed.fail_reason == "shut_off"


def test_the_couriers_pages_say_shut_off_with_why_and_since_when(shop):
    from tests.delivery.test_pages import on_todays_round

    o = order(shop)
    on_todays_round(o)
    ready_cylinder(shop)
    shut_off(shop)
    courier = browser(shop.courier_a1)
    round_page = courier.get("/delivery/").content.decode()
    assert 'data-testid="stop-shut-off"' in round_page and "2026-11-20" in round_page
    door = courier.get(f"/delivery/orders/{o.pk}/deliver/").content.decode()
    assert 'data-testid="supply-stop"' in door and "已停气" in door
    assert "三次到访不遇" in door and "2026-11-20" in door
    assert 'data-testid="deliver-form"' not in door  # nothing to hand over
    assert 'data-testid="submit-fail-shut-off"' in door
    # A delivery posted anyway is refused with the reason, nothing written.
    posted = courier.post(f"/delivery/orders/{o.pk}/deliver/", {
        "client_id": str(uuid.uuid4()), "full_0": shop.good.code, "outcome": "refused",
        "confirm_refused": "on", "payment": "cash"})
    assert posted.status_code == 400 and "已停气" in posted.content.decode()
    assert Order.objects.get(pk=o.pk).state in {"new", "scheduled", "out"}
    failed = courier.post(f"/delivery/orders/{o.pk}/fail/", {"reason": "shut_off"})
    assert failed.status_code == 302
    assert OrderEvent.objects.filter(order=o, reason="shut_off").exists()


def test_the_order_form_shows_the_banner(shop):
    shut_off(shop)
    page = browser(shop.courier_a1).get(f"/delivery/orders/new/?customer={shop.villager.pk}")
    assert page.status_code == 200 and 'data-testid="supply-stop"' in page.content.decode()


def test_a_restore_of_supply_releases_the_held_orders_at_once(shop):
    """Through the inspections' restore (its "inspections.supply_restored" hook): the held
    order is scheduled in the restore's transaction, not when the station next looks."""
    from ranan.inspections import services as inspections
    from tests.inspections.conftest import png, visit

    policy(shop, shut_off_orders="hold")
    inspections.measure_record(actor=shop.station_manager, customer=shop.villager,
                               kind="shut_off", at=timezone.now() - datetime.timedelta(days=3),
                               note="三次到访不遇", photo=png())
    held = order(shop)
    assert held.state == OrderState.HELD
    Customer.objects.filter(pk=shop.villager.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400))
    shop.villager.refresh_from_db()
    done = visit(shop.station_manager, shop.villager, "inspected",
                 when=timezone.now() - datetime.timedelta(hours=2))
    inspections.supply_restore(actor=shop.station_manager, customer=shop.villager, visit=done)
    released = Order.objects.get(pk=held.pk)
    assert released.state == OrderState.SCHEDULED and released.round.courier == shop.courier_a1
    assert released.events.last().actor == shop.station_manager
