"""The delivery pages: the courier's round (planned order, phone to call, badges), entering an
order (search, the real name at the first purchase, bad input, another village's customer),
the delivery at the door (two scans, the check, payment; the interlock's refusal shown next to
the code with nothing written; a refused check; a double submit recorded once; could not
deliver), the station's pages (orders by village and state, after-hours queue, orders waiting
for a round and their assignment, the couriers' load), the rounds and the planning with its
map, the report. Each with the right role, the wrong role (403) and the wrong area (404)."""

import base64
import datetime
import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from ranan.core import services as core_services
from ranan.core.choices import Level
from ranan.customers import services as customer_services
from ranan.customers.choices import Supply
from ranan.cylinders import services as cylinder_services
from ranan.cylinders.choices import State
from ranan.cylinders.models import Cylinder, Scan
from ranan.delivery.choices import OrderState, Priority
from ranan.delivery.models import Order, RealName, Round
from ranan.inspections.models import Visit
from ranan.inspections.services import current_checklist
from tests.cylinders.conftest import other_station
from tests.delivery.conftest import order, ready_cylinder
from tests.inspections.conftest import all_pass, png

TODAY = timezone.localdate


def browser(account):
    client = Client()
    client.force_login(account)
    return client


def on_todays_round(*orders):
    """Put the orders on their courier's round of today (the village's cycle and the clock
    decide the date the service gives them; the pages are about today's round)."""
    today = TODAY()
    first = orders[0]
    the_round = Round.objects.filter(station=first.station, courier=first.round.courier,
                                     date=today).first()
    if the_round is None:
        the_round = first.round
        Round.objects.filter(pk=the_round.pk).update(date=today)
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(round=the_round,
                                                              scheduled_date=today)
    for o in orders:
        o.refresh_from_db()
    return Round.objects.get(pk=the_round.pk)


def second_cylinder(shop):
    made = TODAY() - datetime.timedelta(days=400)
    return cylinder_services.cylinder_register(actor=shop.station_manager, station=shop.station,
                                               type=shop.type15, made_on=made)


def data_url(content: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(content).decode()


def deliver_post(full, **changes) -> dict:
    """A delivery with every check item passing, signed, paid in cash."""
    data = {"client_id": str(uuid.uuid4()), "outcome": "inspected", "payment": "cash",
            "signature": data_url(png(60, 30)), "notes": ""}
    for n, code in enumerate(full):
        data[f"full_{n}"] = code
    answers = all_pass(current_checklist("lpg_household"))
    data.update({f"answer-{code}": value for code, value in answers.items()})
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def deliver_url(o) -> str:
    return f"/delivery/orders/{o.pk}/deliver/"


@pytest.fixture
def placed(shop):
    """An order of two cylinders for the villager on today's round of courier A1."""
    o = order(shop, quantity=2)
    on_todays_round(o)
    return o


# --- Who sees what --------------------------------------------------------------------------


PAGES = ["home", "new", "order", "deliver", "station", "rounds", "round", "report"]
# account -> expected status per page (home: 302 is the station people's way to the station)
EXPECTED = {
    "courier_a1": [200, 200, 200, 200, 403, 403, 403, 403],
    "station_manager": [302, 200, 200, 200, 200, 200, 200, 200],
    "regulator_a": [302, 403, 200, 403, 200, 200, 200, 200],
    "regulator_b": [302, 403, 404, 403, 200, 200, 404, 200],
    "courier_a2": [200, 200, 404, 404, 403, 403, 403, 403],
    "inspector": [403] * 8,
    "auditor": [403] * 8,
}


@pytest.mark.parametrize("username", list(EXPECTED))
def test_each_page_per_role_and_area(shop, placed, username):
    urls = {"home": "/delivery/", "new": "/delivery/orders/new/",
            "order": f"/delivery/orders/{placed.pk}/", "deliver": deliver_url(placed),
            "station": "/delivery/station/", "rounds": "/delivery/rounds/",
            "round": f"/delivery/rounds/{placed.round_id}/", "report": "/delivery/report/"}
    client = browser(getattr(shop, username))
    got = [client.get(urls[page]).status_code for page in PAGES]
    assert dict(zip(PAGES, got, strict=True)) == dict(zip(PAGES, EXPECTED[username], strict=True))


def test_another_stations_manager_gets_404(shop, placed):
    _station, manager_b = other_station(shop)
    client = browser(manager_b)
    assert client.get(f"/delivery/orders/{placed.pk}/").status_code == 404
    assert client.get(f"/delivery/rounds/{placed.round_id}/").status_code == 404
    assert client.post(f"/delivery/rounds/{placed.round_id}/plan/").status_code == 404
    assert client.get(deliver_url(placed)).status_code == 404
    page = client.get("/delivery/station/")
    assert page.status_code == 200 and placed.customer.name not in page.content.decode()


def test_the_navigation_has_delivery_for_its_roles_only(shop):
    assert 'href="/delivery/"' in browser(shop.courier_a1).get("/").content.decode()
    assert 'href="/delivery/"' in browser(shop.regulator_a).get("/").content.decode()
    assert 'href="/delivery/"' not in browser(shop.inspector).get("/").content.decode()
    assert 'href="/delivery/"' not in browser(shop.auditor).get("/").content.decode()


def test_regulators_read_only(shop, placed):
    client = browser(shop.regulator_a)
    page = client.get(f"/delivery/rounds/{placed.round_id}/").content.decode()
    assert 'data-testid="plan"' not in page
    # Phones masked for those who do not work with them.
    assert "13800002222" not in page and "138****2222" in page
    assert client.post(f"/delivery/rounds/{placed.round_id}/plan/").status_code == 403
    assert client.post(deliver_url(placed), deliver_post(["X"])).status_code == 403
    assert client.post(f"/delivery/orders/{placed.pk}/fail/",
                       {"reason": "not_home"}).status_code == 403
    assert client.post(f"/delivery/orders/{placed.pk}/assign/",
                       {"round": placed.round_id}).status_code == 403
    placed.refresh_from_db()
    assert placed.state == OrderState.SCHEDULED and placed.sequence is None


# --- The courier's round ----------------------------------------------------------------------


def test_the_courier_sees_todays_stops_in_planned_order_with_phone_and_badges(shop):
    make = customer_services.customer_create
    granny = make(actor=None, name="央金", address="一村9号", jurisdiction=shop.village_a1,
                  supply=Supply.LPG, lpg_station=shop.station, phone="13800003333",
                  elderly_alone=True)
    now = timezone.now()
    first = order(shop, received_at=now - datetime.timedelta(hours=3))
    urgent = order(shop, customer=shop.customer, urgent=True, buyer_name="卓玛",
                   received_at=now - datetime.timedelta(hours=2))
    care = order(shop, customer=granny, buyer_name="央金",
                 received_at=now - datetime.timedelta(hours=1))
    the_round = on_todays_round(first, urgent, care)
    Order.objects.filter(pk=first.pk).update(after_hours=True)
    client = browser(shop.courier_a1)

    # Not planned: urgent, care, then by the time asked.
    page = client.get("/delivery/")
    assert page.status_code == 200
    html = page.content.decode()
    today = html[html.index('data-testid="round-today"'):html.index('data-testid="round-tomorrow"')]
    assert re.findall(r'data-testid="stop" data-order="(\d+)"', today) == [
        str(urgent.pk), str(care.pk), str(first.pk)]
    assert 'href="tel:13800002222"' in today  # the courier calls with the full number
    assert 'data-testid="badge-urgent"' in today and 'data-testid="badge-care"' in today
    assert 'data-testid="badge-after-hours"' in today
    assert f'href="/delivery/orders/{first.pk}/deliver/"' in today

    # Planned: the saved sequence decides.
    for sequence, o in enumerate([first, care, urgent], start=1):
        Order.objects.filter(pk=o.pk).update(sequence=sequence)
    Round.objects.filter(pk=the_round.pk).update(planned_at=timezone.now(), km_after=12.5)
    html = client.get("/delivery/").content.decode()
    today = html[html.index('data-testid="round-today"'):html.index('data-testid="round-tomorrow"')]
    assert re.findall(r'data-testid="stop" data-order="(\d+)"', today) == [
        str(first.pk), str(care.pk), str(urgent.pk)]
    assert "12.5 km" in today


def test_another_villages_courier_does_not_see_the_stops(shop, placed):
    html = browser(shop.courier_a2).get("/delivery/").content.decode()
    assert 'data-testid="stop"' not in html and shop.villager.name not in html


# --- Entering an order --------------------------------------------------------------------------


def test_the_courier_finds_a_villager_by_name_phone_tail_or_address(shop):
    stranger = customer_services.customer_create(
        actor=None, name="次仁多吉", address="二村1号", jurisdiction=shop.village_a2,
        supply=Supply.LPG, lpg_station=shop.station, phone="13800002222")
    client = browser(shop.courier_a1)
    for q in ("次仁", "2222", "一村3号"):
        page = client.get("/delivery/orders/new/", {"q": q})
        found = [c.pk for c in page.context["results"]]
        assert shop.villager.pk in found and stranger.pk not in found, q
    html = client.get("/delivery/orders/new/", {"q": "2222"}).content.decode()
    assert f'href="?customer={shop.villager.pk}"' in html and "138****2222" in html


def test_a_first_purchase_needs_the_buyers_name_and_id_number(shop):
    client = browser(shop.courier_a1)
    url = f"/delivery/orders/new/?customer={shop.villager.pk}"
    form = client.get(url)
    assert 'data-testid="real-name"' in form.content.decode()
    data = {"client_id": str(uuid.uuid4()), "customer": shop.villager.pk,
            "cylinder_type": shop.type15.pk, "quantity": "2", "channel": "courier",
            "received_at": "", "buyer_name": "", "buyer_id_number": ""}
    answer = client.post(url, data)
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert "buyer_name" in errors and "buyer_id_number" in errors
    assert not Order.objects.exists() and not RealName.objects.exists()

    data.update(buyer_name="次仁", buyer_id_number="11010519491231002X")
    answer = client.post(url, data)
    o = Order.objects.get()
    assert answer.status_code == 302 and answer.url == f"/delivery/orders/{o.pk}/"
    assert (o.quantity, o.entered_by, o.channel) == (2, shop.courier_a1, "courier")
    assert RealName.objects.get(customer=shop.villager).buyer_name == "次仁"

    # The answer: the delivery date and the priority; the next round's date when not today.
    page = client.get(answer.url).content.decode()
    assert f'data-date="{o.scheduled_date:%Y-%m-%d}"' in page
    assert f'data-priority="{o.priority}"' in page
    if o.scheduled_date > TODAY():
        assert 'data-testid="later"' in page and f"{o.scheduled_date:%Y-%m-%d}" in page

    # The real name is on record: not asked again; the form starts on the usual cylinder.
    again = client.get(url)
    assert again.context["form"].initial["cylinder_type"] == shop.type15.pk
    html = again.content.decode()
    assert 'data-testid="real-name"' not in html and 'name="buyer_name"' not in html


@pytest.mark.parametrize("quantity", ["0", "40", "two"])
def test_a_bad_quantity_is_answered_next_to_the_field_and_nothing_is_written(shop, quantity):
    RealName.objects.create(customer=shop.villager, buyer_name="次仁", id_number="x",
                            checked_at=timezone.now(), checked_by=shop.courier_a1)
    answer = browser(shop.courier_a1).post("/delivery/orders/new/", {
        "client_id": str(uuid.uuid4()), "customer": shop.villager.pk,
        "cylinder_type": shop.type15.pk, "quantity": quantity, "channel": "courier"})
    assert answer.status_code == 400
    assert "quantity" in answer.context["form"].errors
    assert 'data-field="quantity"' in answer.content.decode()
    assert not Order.objects.exists()


def test_an_urgent_order_asked_earlier_goes_out_first(shop):
    asked = timezone.localtime() - datetime.timedelta(hours=1)
    answer = browser(shop.courier_a1).post("/delivery/orders/new/", {
        "client_id": str(uuid.uuid4()), "customer": shop.villager.pk,
        "cylinder_type": shop.type15.pk, "quantity": "1", "channel": "phone", "urgent": "on",
        "received_at": asked.strftime("%Y-%m-%dT%H:%M"), "buyer_name": "次仁",
        "buyer_id_number": "11010519491231002X"})
    assert answer.status_code == 302
    o = Order.objects.get()
    assert o.urgent and o.priority == Priority.URGENT and o.channel == "phone"
    assert timezone.localtime(o.received_at).strftime("%H:%M") == asked.strftime("%H:%M")


def test_a_customer_of_another_village_is_404(shop):
    stranger = customer_services.customer_create(
        actor=None, name="格桑", address="二村2号", jurisdiction=shop.village_a2,
        supply=Supply.LPG, lpg_station=shop.station)
    client = browser(shop.courier_a1)
    assert client.get(f"/delivery/orders/new/?customer={stranger.pk}").status_code == 404
    answer = client.post("/delivery/orders/new/", {
        "client_id": str(uuid.uuid4()), "customer": stranger.pk, "cylinder_type": shop.type15.pk,
        "quantity": "1", "channel": "courier", "buyer_name": "格桑",
        "buyer_id_number": "11010519491231002X"})
    assert answer.status_code == 404 and not Order.objects.exists()
    assert client.get("/delivery/orders/new/?customer=abc").status_code == 404


def test_an_order_form_sent_twice_is_one_order(shop):
    client = browser(shop.courier_a1)
    data = {"client_id": str(uuid.uuid4()), "customer": shop.villager.pk,
            "cylinder_type": shop.type15.pk, "quantity": "1", "channel": "courier",
            "buyer_name": "次仁", "buyer_id_number": "11010519491231002X"}
    first = client.post("/delivery/orders/new/", data)
    again = client.post("/delivery/orders/new/", data)
    assert first.status_code == again.status_code == 302 and first.url == again.url
    assert Order.objects.count() == 1


def test_roles_that_take_no_orders_are_refused(shop):
    answer = browser(shop.inspector).post("/delivery/orders/new/", {
        "client_id": str(uuid.uuid4()), "customer": shop.villager.pk})
    assert answer.status_code == 403 and not Order.objects.exists()


# --- At the door ---------------------------------------------------------------------------------


def test_the_deliver_page_has_a_box_per_cylinder_and_the_lpg_checklist(shop, placed):
    page = browser(shop.courier_a1).get(deliver_url(placed))
    html = page.content.decode()
    assert html.count('data-testid="full-code"') == 2 and html.count('data-testid="empty-code"') == 2
    codes = [e.code for e in page.context["entries"]]
    assert codes == [i.code for i in current_checklist("lpg_household").items.all()]
    assert 'data-testid="check-refused"' in html and "signature-pad" in html
    assert 'name="client_id"' in html and 'data-testid="fail-form"' in html
    assert 'href="tel:13800002222"' in html


def test_two_scans_a_check_and_payment_complete_the_delivery(shop, placed):
    one, two = ready_cylinder(shop), ready_cylinder(shop, second_cylinder(shop))
    Cylinder.objects.filter(pk=shop.scrap.pk).update(state=State.AT_CUSTOMER,
                                                     customer=shop.villager)
    answer = browser(shop.courier_a1).post(deliver_url(placed), deliver_post(
        [one.code.lower(), two.code], empty_0=shop.scrap.code, payment="mobile",
        payment_ref="WX2026"))
    assert answer.status_code == 302, answer.context and answer.context["placed"]
    assert answer.url == "/delivery/"
    placed.refresh_from_db()
    assert placed.state == OrderState.DELIVERED and placed.payment == "mobile"
    assert placed.payment_ref == "WX2026" and placed.delivered_by == shop.courier_a1
    for cylinder in (one, two):
        cylinder.refresh_from_db()
        assert (cylinder.state, cylinder.customer_id) == (State.AT_CUSTOMER, shop.villager.pk)
    assert Cylinder.objects.get(pk=shop.scrap.pk).state == State.EMPTY_AT_STATION
    visit = Visit.objects.get(pk=placed.visit_id)
    assert (visit.kind, visit.outcome, visit.inspector) == ("delivery", "inspected",
                                                            shop.courier_a1)
    assert visit.signature
    # The round shows it done; the page of the order says so.
    home = browser(shop.courier_a1).get("/delivery/").content.decode()
    assert f'data-order="{placed.pk}" data-state="delivered"' in home
    page = browser(shop.courier_a1).get(deliver_url(placed)).content.decode()
    assert 'data-state="delivered"' in page and 'data-testid="deliver-form"' not in page


def test_an_overdue_cylinder_is_refused_next_to_its_code_and_nothing_is_written(shop, placed):
    good = ready_cylinder(shop)
    Cylinder.objects.filter(pk=shop.overdue.pk).update(state=State.WITH_COURIER,
                                                       courier=shop.courier_a1)
    answer = browser(shop.courier_a1).post(deliver_url(placed),
                                           deliver_post([good.code, shop.overdue.code]))
    assert answer.status_code == 400
    html = answer.content.decode()
    boxes = html.split('data-testid="full-code"')
    assert 'data-testid="full-error"' not in boxes[1]
    refused = re.search(r'data-field="full_codes.1" data-testid="full-error">([^<]*)<', html)
    # The interlock's reason: the inspection was due on that date.
    assert refused and f"{shop.overdue.next_inspection_due:%Y-%m-%d}" in refused.group(1)
    assert f'value="{shop.overdue.code}"' in html  # the codes stay typed
    placed.refresh_from_db()
    assert placed.state == OrderState.SCHEDULED and placed.visit_id is None
    assert not Visit.objects.exists()
    assert Cylinder.objects.get(pk=good.pk).state == State.WITH_COURIER
    assert Cylinder.objects.get(pk=shop.overdue.pk).state == State.WITH_COURIER
    assert Scan.objects.filter(code=shop.overdue.code, verdict="refuse").count() == 1


def test_a_missing_code_or_answer_is_shown_where_it_belongs(shop, placed):
    good = ready_cylinder(shop)
    post = deliver_post([good.code, ""])
    required = next(i for i in current_checklist("lpg_household").items.all() if i.required)
    item = f"answer-{required.code}"
    post.pop(item)
    answer = browser(shop.courier_a1).post(deliver_url(placed), post)
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'data-field="full_codes.1"' in html
    placed.refresh_from_db()
    assert placed.state == OrderState.SCHEDULED and not Visit.objects.exists()
    # The codes are all typed: the checklist's missing answer is shown on its item.
    second = second_cylinder(shop)
    ready_cylinder(shop, second)
    post[f"full_{1}"] = second.code
    answer = browser(shop.courier_a1).post(deliver_url(placed), post)
    assert answer.status_code == 400
    code = item.removeprefix("answer-")
    assert [e.code for e in answer.context["entries"] if e.errors] == [code]
    assert Cylinder.objects.get(pk=good.pk).state == State.WITH_COURIER


def test_a_refused_check_needs_its_confirmation_and_counts(shop, placed):
    one, two = ready_cylinder(shop), ready_cylinder(shop, second_cylinder(shop))
    client = browser(shop.courier_a1)
    post = deliver_post([one.code, two.code], outcome="refused", signature="")
    answer = client.post(deliver_url(placed), post)
    assert answer.status_code == 400
    assert 'data-testid="check-error"' in answer.content.decode()
    assert not Visit.objects.exists()
    # No choice at all: no delivery without the check or its refusal.
    answer = client.post(deliver_url(placed), {**post, "outcome": ""})
    assert answer.status_code == 400 and 'data-testid="check-error"' in answer.content.decode()
    answer = client.post(deliver_url(placed), {**post, "confirm_refused": "on"})
    assert answer.status_code == 302
    placed.refresh_from_db()
    visit = Visit.objects.get(pk=placed.visit_id)
    assert placed.state == OrderState.DELIVERED and visit.outcome == "refused"
    assert not visit.answers.exists()


def test_a_double_submit_is_recorded_once(shop, placed):
    one, two = ready_cylinder(shop), ready_cylinder(shop, second_cylinder(shop))
    client = browser(shop.courier_a1)
    post = deliver_post([one.code, two.code])
    first = client.post(deliver_url(placed), post)
    again = client.post(deliver_url(placed), post)
    assert first.status_code == again.status_code == 302
    assert Visit.objects.count() == 1
    assert Order.objects.get(pk=placed.pk).state == OrderState.DELIVERED
    # A new attempt (another form, another client_id) is told the order is done.
    answer = client.post(deliver_url(placed), deliver_post([one.code, two.code]))
    assert answer.status_code == 400 and 'data-state="delivered"' in answer.content.decode()


def test_mobile_payment_needs_its_reference(shop, placed):
    one, two = ready_cylinder(shop), ready_cylinder(shop, second_cylinder(shop))
    answer = browser(shop.courier_a1).post(deliver_url(placed), deliver_post(
        [one.code, two.code], payment="mobile"))
    assert answer.status_code == 400
    assert 'data-testid="payment-error"' in answer.content.decode()
    assert not Visit.objects.exists()


def test_could_not_deliver(shop, placed):
    client = browser(shop.courier_a1)
    answer = client.post(f"/delivery/orders/{placed.pk}/fail/", {"reason": "not_home",
                                                                 "note": "锁门"})
    assert answer.status_code == 302 and answer.url == "/delivery/"
    placed.refresh_from_db()
    assert placed.state == OrderState.FAILED and placed.fail_reason == "not_home"
    # Twice: the order is no longer open.
    answer = client.post(f"/delivery/orders/{placed.pk}/fail/", {"reason": "refused"})
    assert answer.status_code == 302
    assert Order.objects.get(pk=placed.pk).fail_reason == "not_home"
    assert browser(shop.courier_a2).post(f"/delivery/orders/{placed.pk}/fail/",
                                         {"reason": "refused"}).status_code == 404


# --- The station ----------------------------------------------------------------------------------


def test_the_station_page_by_village_and_state_after_hours_and_load(shop, placed):
    Order.objects.filter(pk=placed.pk).update(after_hours=True)
    page = browser(shop.station_manager).get("/delivery/station/")
    assert page.status_code == 200
    village = next(r for r in page.context["by_village"] if r["name"] == shop.village_a1.name)
    states = [s.value for s in page.context["states"]]
    assert village["cells"][states.index("scheduled")] == 1 and village["cylinders"] == 2
    assert [o.pk for o in page.context["after_hours"]] == [placed.pk]
    load = page.context["load"]
    assert [(r["round_id"], r["orders"], r["cylinders"]) for r in load] == [
        (placed.round_id, 1, 2)]
    other_day = browser(shop.station_manager).get("/delivery/station/?date=2020-01-01")
    assert other_day.context["by_village"] == [] and other_day.context["day"].year == 2020
    assert browser(shop.station_manager).get(
        "/delivery/station/?date=2020-02-30").status_code == 200


def test_an_order_waiting_for_a_round_is_assigned_from_the_station_page(shop, placed):
    # A household of a village no courier covers: no round.
    village = core_services.jurisdiction_create(actor=None, name="三村", level=Level.VILLAGE,
                                                parent=shop.township, code="990101100203")
    lone = customer_services.customer_create(
        actor=None, name="多吉", address="三村1号", jurisdiction=village,
        supply=Supply.LPG, lpg_station=shop.station)
    waiting = order(shop, actor=shop.station_manager, customer=lone, buyer_name="多吉")
    assert waiting.round is None and waiting.state == OrderState.NEW
    client = browser(shop.station_manager)
    page = client.get("/delivery/station/")
    html = page.content.decode()
    assert [o.pk for o in page.context["waiting"]] == [waiting.pk]
    assert f'action="/delivery/orders/{waiting.pk}/assign/"' in html
    assert f'<option value="{placed.round_id}"' in html
    answer = client.post(f"/delivery/orders/{waiting.pk}/assign/",
                         {"round": placed.round_id, "next": "/delivery/station/"})
    assert answer.status_code == 302 and answer.url == "/delivery/station/"
    waiting.refresh_from_db()
    assert waiting.round_id == placed.round_id and waiting.state == OrderState.SCHEDULED
    assert waiting.scheduled_date == TODAY()
    assert 'data-testid="no-unassigned"' in client.get("/delivery/station/").content.decode()
    # The regulator sees the list without the forms.
    assert "assign-form" not in browser(shop.regulator_a).get(
        "/delivery/station/").content.decode()


def test_the_rounds_of_the_week(shop, placed):
    page = browser(shop.station_manager).get("/delivery/rounds/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-round="{placed.round_id}"' in html
    assert html.count("<tbody data-day=") == 7
    later = browser(shop.station_manager).get(
        f"/delivery/rounds/?date={TODAY() + datetime.timedelta(days=7):%Y-%m-%d}")
    assert f'data-round="{placed.round_id}"' not in later.content.decode()


def test_planning_from_the_round_page_orders_the_stops_and_shows_the_distances(shop, placed):
    make = customer_services.customer_create
    far = make(actor=None, name="远村户", address="二村5号", jurisdiction=shop.village_a2,
               supply=Supply.LPG, lpg_station=shop.station, latitude="29.9", longitude="91.7")
    near = make(actor=None, name="近村户", address="一村1号", jurisdiction=shop.village_a1,
                supply=Supply.LPG, lpg_station=shop.station, latitude="29.69", longitude="91.36")
    extra = [order(shop, actor=shop.station_manager, customer=c, buyer_name=c.name)
             for c in (far, near)]
    Order.objects.filter(pk__in=[o.pk for o in extra]).update(round=placed.round)
    the_round = on_todays_round(placed, *extra)
    client = browser(shop.station_manager)
    before = client.get(f"/delivery/rounds/{the_round.pk}/").content.decode()
    assert 'data-testid="not-planned"' in before and 'data-testid="plan"' in before
    assert 'data-testid="route-map"' in before and 'data-planned="0"' in before

    answer = client.post(f"/delivery/rounds/{the_round.pk}/plan/")
    assert answer.status_code == 302 and answer.url == f"/delivery/rounds/{the_round.pk}/"
    the_round.refresh_from_db()
    assert the_round.planned_at and the_round.km_after <= the_round.km_before
    sequences = dict(Order.objects.filter(round=the_round).values_list("pk", "sequence"))
    assert sorted(sequences.values()) == [1, 2, 3]
    page = client.get(answer.url)
    html = page.content.decode()
    km_before = re.search(r'data-testid="km-before">.*?<span data-km>([\d.]+)</span>', html, re.S)
    km_after = re.search(r'data-testid="km-after">.*?<span data-km>([\d.]+)</span>', html, re.S)
    assert km_before.group(1) == str(the_round.km_before)
    assert km_after.group(1) == str(the_round.km_after)
    assert 'data-testid="time-after"' in html
    # The stops in the planned order, and the map: the station, a dot per place, the line.
    listed = [int(pk) for pk in re.findall(r'<tr data-order="(\d+)" data-sequence', html)]
    assert listed == sorted(sequences, key=sequences.get)
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert 'data-planned="1"' in svg and 'data-testid="map-station"' in svg
    assert svg.count('data-testid="map-stop"') == 3  # villager (village A1), near, far
    line = re.search(r'<polyline points="([^"]+)"', svg).group(1).split()
    assert len(line) == 3 + 2 and line[0] == line[-1]  # from and back to the station
    told = [str(m) for m in page.context["messages"]][0]
    assert str(the_round.km_after) in told and str(the_round.km_before) in told


def test_the_report(shop, placed):
    one, two = ready_cylinder(shop), ready_cylinder(shop, second_cylinder(shop))
    browser(shop.courier_a1).post(deliver_url(placed), deliver_post([one.code, two.code]))
    failed = order(shop, customer=shop.customer, buyer_name="卓玛")
    browser(shop.courier_a1).post(f"/delivery/orders/{failed.pk}/fail/",
                                  {"reason": "address_wrong"})
    page = browser(shop.station_manager).get("/delivery/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'data-testid="deliveries">1<', html)
    assert re.search(r'data-testid="checked">100%<', html)
    assert re.search(r'data-testid="money">¥270(\.00)?<', html)
    assert 'data-reason="address_wrong"' in html
    assert re.search(r'data-testid="failed-total">1<', html)
    assert "courier_a1" in html
    # Another area sees nothing; a bad period is answered next to its field.
    assert re.search(r'data-testid="deliveries">0<', browser(shop.regulator_b).get(
        "/delivery/report/").content.decode())
    bad = browser(shop.station_manager).get("/delivery/report/?from=2026-02-01&to=2026-01-01")
    assert bad.status_code == 400 and 'data-field="from"' in bad.content.decode()
    unknown = browser(shop.station_manager).get("/delivery/report/?jurisdiction=123")
    assert unknown.status_code == 400 and 'data-field="jurisdiction"' in unknown.content.decode()


def test_the_order_page_of_a_delivered_order_links_its_check(shop, placed):
    one, two = ready_cylinder(shop), ready_cylinder(shop, second_cylinder(shop))
    browser(shop.station_manager).post(deliver_url(placed), deliver_post([one.code, two.code]))
    placed.refresh_from_db()
    assert placed.delivered_by == shop.station_manager
    html = browser(shop.station_manager).get(f"/delivery/orders/{placed.pk}/").content.decode()
    assert f'href="/inspections/visits/{placed.visit_id}/"' in html
    assert 'data-state="delivered"' in html
