"""The order history: each state change an order service makes writes exactly one event (from,
to, who, when, which round), in the change's own transaction, so a refused or failed step
writes none; events are never edited or deleted; the backfill of the orders taken before
the history; the audit rows of a failed delivery, of planning and of a round leaving; the
timeline on the order page and the history in the API, for the same people as before."""

import datetime
import importlib
import re
import types
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from ranan.core.models import AuditEntry
from ranan.cylinders.choices import State
from ranan.cylinders.models import Cylinder
from ranan.delivery import services
from ranan.delivery.choices import OrderState
from ranan.delivery.models import Order, OrderEvent, Round
from tests.conftest import FROZEN_AT
from tests.cylinders.conftest import other_station
from tests.delivery.conftest import order, ready_cylinder
from tests.delivery.test_assign import a_round, an_order_no_courier_covers
from tests.delivery.test_deliver import check, deliver

SOON = datetime.timedelta(seconds=30)


def history(o) -> list[tuple]:
    return [(e.from_state, e.to_state, e.actor, e.round_id)
            for e in OrderEvent.objects.filter(order=o).order_by("at", "id")]


def near(moment: datetime.datetime, at: datetime.datetime) -> bool:
    """`at` is the travelled clock's `moment` (it ticks on from there while the test runs)."""
    return moment <= at < moment + SOON


# --- Each state change: one event -------------------------------------------------------------


def test_taking_an_order_writes_one_event(shop, clock):
    taken = order(shop)
    assert history(taken) == [("", OrderState.SCHEDULED, shop.courier_a1, taken.round_id)]
    event = OrderEvent.objects.get(order=taken)
    assert event.at == taken.created_at and near(FROZEN_AT, event.at)
    # A village no courier covers: the order waits without a round.
    waiting = an_order_no_courier_covers(shop)
    assert history(waiting) == [("", OrderState.NEW, shop.station_manager, None)]


def test_the_same_order_again_or_a_bad_one_writes_no_event(shop):
    client_id = uuid.uuid4()
    first = order(shop, client_id=client_id)
    again = order(shop, client_id=client_id, buyer_name="", buyer_id_number="")
    assert again.pk == first.pk and OrderEvent.objects.count() == 1
    with pytest.raises(ValidationError):
        order(shop, quantity=0, buyer_name="", buyer_id_number="")
    with pytest.raises(PermissionDenied):
        order(shop, actor=shop.regulator_a, buyer_name="", buyer_id_number="")
    assert OrderEvent.objects.count() == 1 and Order.objects.count() == 1


def test_putting_on_a_round_and_moving_it_write_an_event_each(shop, clock):
    waiting = an_order_no_courier_covers(shop)
    first, second = a_round(shop), a_round(shop, days=2)
    clock.shift(datetime.timedelta(hours=1))
    moved_at = timezone.now()
    services.order_assign(actor=shop.station_manager, order=waiting, the_round=first)
    services.order_assign(actor=shop.station_manager, order=waiting, the_round=second)
    # The same round again changes no state and no round: no event.
    services.order_assign(actor=shop.station_manager, order=waiting, the_round=second)
    assert history(waiting) == [
        ("", OrderState.NEW, shop.station_manager, None),
        (OrderState.NEW, OrderState.SCHEDULED, shop.station_manager, first.pk),
        (OrderState.SCHEDULED, OrderState.SCHEDULED, shop.station_manager, second.pk)]
    assert near(moved_at, OrderEvent.objects.filter(order=waiting).last().at)


def test_a_refused_assignment_writes_no_event(shop):
    waiting = an_order_no_courier_covers(shop)
    past = a_round(shop, days=-1)
    with pytest.raises(ValidationError):
        services.order_assign(actor=shop.station_manager, order=waiting, the_round=past)
    with pytest.raises(PermissionDenied):
        services.order_assign(actor=shop.courier_a1, order=waiting, the_round=a_round(shop))
    services.order_fail(actor=shop.station_manager, order=waiting, reason="not_home")
    with pytest.raises(ValidationError):  # closed
        services.order_assign(actor=shop.station_manager, order=waiting,
                              the_round=a_round(shop, days=3))
    assert [e[1] for e in history(waiting)] == [OrderState.NEW, OrderState.FAILED]


def test_a_round_leaving_writes_an_event_per_order_and_its_audit(shop):
    one, two = order(shop), order(shop, buyer_name="", buyer_id_number="")
    the_round = Round.objects.get()
    started = services.round_start(actor=shop.courier_a1, the_round=the_round)
    assert started.state == "out"
    for o in (one, two):
        assert history(o)[1:] == [(OrderState.SCHEDULED, OrderState.OUT, shop.courier_a1,
                                   the_round.pk)]
    entry = AuditEntry.objects.get(model="delivery.round", object_pk=str(the_round.pk),
                                 action="update")  # its creation by the order is audited too
    assert entry.actor == shop.courier_a1 and entry.changes["state"] == ["planned", "out"]
    assert sorted(entry.details["out"]) == sorted([one.pk, two.pk])
    # Started again: nothing is scheduled any more, no event.
    services.round_start(actor=shop.courier_a1, the_round=the_round)
    assert OrderEvent.objects.filter(to_state=OrderState.OUT).count() == 2
    with pytest.raises(PermissionDenied):
        services.round_start(actor=shop.regulator_a, the_round=the_round)


def test_a_delivery_writes_one_event_at_its_time(shop, clock):
    o = order(shop)
    full = ready_cylinder(shop)
    clock.shift(datetime.timedelta(hours=3))
    client_id = uuid.uuid4()
    done = deliver(shop, o, [full.code], check=check(), client_id=client_id)
    deliver(shop, o, [full.code], check=check(), client_id=client_id)  # the same, again
    assert history(o)[1:] == [(OrderState.SCHEDULED, OrderState.DELIVERED, shop.courier_a1,
                               o.round_id)]
    event = OrderEvent.objects.get(order=o, to_state=OrderState.DELIVERED)
    assert event.at == done.delivered_at
    assert near(FROZEN_AT + datetime.timedelta(hours=3), event.at)


def test_a_refused_delivery_writes_no_event(shop):
    o = order(shop)
    # The interlock refuses an overdue cylinder inside the transaction: all of it undone.
    Cylinder.objects.filter(pk=shop.overdue.pk).update(state=State.WITH_COURIER,
                                                       courier=shop.courier_a1)
    with pytest.raises(ValidationError):
        deliver(shop, o, [shop.overdue.code], check=check())
    with pytest.raises(ValidationError):
        deliver(shop, o, [shop.good.code])  # no check
    with pytest.raises(Order.DoesNotExist):
        deliver(shop, o, [shop.good.code], check=check(), actor=shop.courier_a2)
    assert len(history(o)) == 1
    assert Order.objects.get(pk=o.pk).state == OrderState.SCHEDULED


def test_a_failed_delivery_writes_one_event_and_its_audit(shop, clock):
    o = order(shop)
    clock.shift(datetime.timedelta(hours=5))
    failed = services.order_fail(actor=shop.courier_a1, order=o, reason="not_home",
                                 note=" 锁门 ")
    assert failed.state == OrderState.FAILED and failed.fail_reason == "not_home"
    event = OrderEvent.objects.get(order=o, to_state=OrderState.FAILED)
    assert (event.from_state, event.actor, event.reason, event.note, event.round_id) == (
        OrderState.SCHEDULED, shop.courier_a1, "not_home", "锁门", o.round_id)
    assert near(FROZEN_AT + datetime.timedelta(hours=5), event.at)
    entry = AuditEntry.objects.get(model="delivery.order", object_pk=str(o.pk),
                                   action="update")
    assert entry.actor == shop.courier_a1
    assert entry.changes["state"] == ["scheduled", "failed"]
    assert entry.changes["fail_reason"] == ["", "not_home"]
    # Twice, an unknown reason, the wrong role or village: nothing more written.
    with pytest.raises(ValidationError):
        services.order_fail(actor=shop.courier_a1, order=o, reason="refused")
    with pytest.raises(ValidationError):
        services.order_fail(actor=shop.courier_a1, order=order(
            shop, buyer_name="", buyer_id_number=""), reason="bored")
    with pytest.raises(PermissionDenied):
        services.order_fail(actor=shop.regulator_a, order=o, reason="refused")
    with pytest.raises(Order.DoesNotExist):
        services.order_fail(actor=shop.courier_a2, order=o, reason="refused")
    assert len(history(o)) == 2
    assert AuditEntry.objects.filter(model="delivery.order", action="update").count() == 1


def test_a_failed_delivery_whose_audit_fails_writes_nothing(shop, monkeypatch):
    o = order(shop)

    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services.audit, "record_update", broken)
    with pytest.raises(RuntimeError):
        services.order_fail(actor=shop.courier_a1, order=o, reason="not_home")
    assert Order.objects.get(pk=o.pk).state == OrderState.SCHEDULED
    assert len(history(o)) == 1


def test_planning_a_round_is_audited(shop, clock):
    first = order(shop)
    order(shop, buyer_name="", buyer_id_number="")
    the_round = Round.objects.get()
    planned = services.plan_round(actor=shop.station_manager, the_round=the_round)
    entry = AuditEntry.objects.get(model="delivery.round", object_pk=str(the_round.pk),
                                 action="update")  # its creation by the order is audited too
    assert (entry.action, entry.actor) == ("update", shop.station_manager)
    assert {"km_before", "km_after", "minutes_after", "planned_at"} <= set(entry.changes)
    by_stop = list(the_round.orders.order_by("sequence").values_list("pk", flat=True))
    assert entry.details["stops"] == by_stop
    assert near(FROZEN_AT, planned.planned_at)
    # Planning changes no order's state: no event.
    assert len(history(first)) == 1
    with pytest.raises(PermissionDenied):
        services.plan_round(actor=shop.regulator_a, the_round=the_round)
    assert AuditEntry.objects.filter(model="delivery.round", action="update").count() == 1


# --- Append-only -----------------------------------------------------------------------------


def test_events_are_never_edited_or_deleted(shop):
    event = OrderEvent.objects.get(order=order(shop))
    event.note = "changed"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    assert OrderEvent.objects.get(pk=event.pk).note == ""


# --- The orders taken before the history -------------------------------------------------------


def test_the_backfill_rebuilds_creation_delivery_and_the_state_reached(shop, clock):
    migration = importlib.import_module("ranan.delivery.migrations.0003_order_history")
    delivered, failed, out = (order(shop, buyer_name="", buyer_id_number="") if n else order(shop)
                              for n in range(3))
    waiting = an_order_no_courier_covers(shop)
    later = FROZEN_AT + datetime.timedelta(hours=2)
    Order.objects.filter(pk=delivered.pk).update(state=OrderState.DELIVERED, delivered_at=later,
                                                 delivered_by=shop.courier_a1)
    Order.objects.filter(pk=failed.pk).update(state=OrderState.FAILED, fail_reason="refused")
    Order.objects.filter(pk=out.pk).update(state=OrderState.OUT)
    OrderEvent.objects.all().delete()  # as before the history began
    clock.shift(datetime.timedelta(days=1))
    migration.backfill(None, types.SimpleNamespace(connection=connection))
    assert all(OrderEvent.objects.values_list("backfilled", flat=True))
    round_id = delivered.round_id
    assert history(waiting) == [("", OrderState.NEW, shop.station_manager, None)]
    assert history(delivered) == [
        ("", OrderState.SCHEDULED, shop.courier_a1, round_id),
        (OrderState.SCHEDULED, OrderState.DELIVERED, shop.courier_a1, round_id)]
    assert history(failed) == [("", OrderState.SCHEDULED, shop.courier_a1, round_id),
                               (OrderState.SCHEDULED, OrderState.FAILED, None, round_id)]
    assert history(out)[1][:2] == (OrderState.SCHEDULED, OrderState.OUT)
    events = {(e.order_id, e.to_state): e for e in OrderEvent.objects.all()}
    assert events[delivered.pk, "scheduled"].at == Order.objects.get(pk=delivered.pk).created_at
    assert events[delivered.pk, "delivered"].at == later
    assert events[failed.pk, "failed"].reason == "refused"
    # The moment of a failure was not kept: the migration's time.
    assert near(FROZEN_AT + datetime.timedelta(days=1), events[failed.pk, "failed"].at)


# --- Where the history is shown ----------------------------------------------------------------


def _a_delivered_order(shop):
    o = order(shop)
    services.order_assign(actor=shop.station_manager, order=o, the_round=a_round(
        shop, days=0, courier=shop.courier_a1))
    deliver(shop, o, [ready_cylinder(shop).code], check=check())
    return o


def test_the_order_page_shows_the_timeline(shop, client):
    o = _a_delivered_order(shop)
    client.force_login(shop.station_manager)
    page = client.get(f"/delivery/orders/{o.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="history"' in html
    steps = re.findall(r'data-testid="event" data-from="(\w*)" data-to="(\w+)"', html)
    assert steps == [("", "scheduled"), ("scheduled", "scheduled"), ("scheduled", "delivered")]
    assert str(shop.courier_a1) in html and "根据订单补录" not in html  # pages default to Chinese


def test_the_order_page_in_chinese(shop, client):
    o = order(shop)
    client.force_login(shop.courier_a1)
    html = client.get(f"/delivery/orders/{o.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "已下单" in html.content.decode() and "时间线" in html.content.decode()


@pytest.mark.parametrize("who, status", [("station_manager", 200), ("courier_a1", 200),
                                         ("regulator_a", 200), ("regulator_b", 404),
                                         ("courier_a2", 404), ("inspector", 403),
                                         ("auditor", 403)])
def test_the_order_page_is_for_the_same_people_as_before(shop, client, who, status):
    o = order(shop)
    client.force_login(getattr(shop, who))
    assert client.get(f"/delivery/orders/{o.pk}/").status_code == status


def test_the_api_answers_the_order_with_its_history(shop, api):
    o = _a_delivered_order(shop)
    answer = api.as_(shop.courier_a1).get(f"/api/v1/orders/{o.pk}/")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["id"] == o.pk and body["state"] == "delivered"
    steps = [(h["from_state"], h["to_state"], h["actor_username"]) for h in body["history"]]
    assert steps == [("", "scheduled", shop.courier_a1.username),
                     ("scheduled", "scheduled", shop.station_manager.username),
                     ("scheduled", "delivered", shop.courier_a1.username)]
    last = body["history"][-1]
    assert last["actor"] == shop.courier_a1.pk and last["round"] == o.round_id
    assert last["backfilled"] is False and last["at"]


def test_the_api_keeps_the_order_from_other_stations_villages_and_roles(shop, api):
    o = order(shop)
    _station, manager_b = other_station(shop)
    for account in (shop.courier_a2, shop.regulator_b, manager_b):
        assert api.as_(account).get(f"/api/v1/orders/{o.pk}/").status_code == 404
    assert api.as_(shop.auditor).get(f"/api/v1/orders/{o.pk}/").status_code == 403
    assert api.as_(shop.regulator_a).get(f"/api/v1/orders/{o.pk}/").status_code == 200
    assert api.as_(shop.station_manager).get("/api/v1/orders/999999/").status_code == 404
