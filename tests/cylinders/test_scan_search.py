"""The scan page finds the customer by name, phone tail or address (masked), never by the
internal customer number; the cylinders' sub-menu highlights the page it is on (issue 15
item 10)."""

import re
import uuid

import pytest
from django.test import Client

from ranan.cylinders import services
from ranan.cylinders.models import Cylinder, Scan
from tests.cylinders.conftest import other_station
from tests.factories import HouseholdFactory


def browser(account):
    client = Client()
    client.force_login(account)
    return client


def results(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'data-testid="customer-result" data-customer="(\d+)"',
                                       html)}


@pytest.mark.parametrize("query", ["卓玛", "8888", "一村8号"])
def test_the_scan_page_finds_the_customer_by_name_phone_tail_or_address(fleet, query):
    html = browser(fleet.station_manager).get("/cylinders/scan/", {
        "customer_q": query, "action": "deliver"}).content.decode()
    assert fleet.customer.pk in results(html)
    assert "13800008888" not in html and "138****8888" in html  # masked


def test_the_search_lists_only_customers_of_the_account(fleet):
    station_b, manager_b = other_station(fleet)
    stranger = HouseholdFactory(name="卓玛", jurisdiction=fleet.community_b1,
                                lpg_station=station_b)
    own = browser(fleet.station_manager).get("/cylinders/scan/", {"customer_q": "卓玛"})
    assert results(own.content.decode()) == {fleet.customer.pk}
    theirs = browser(manager_b).get("/cylinders/scan/", {"customer_q": "卓玛"})
    assert results(theirs.content.decode()) == {stranger.pk}
    # A courier: the customers of its own villages.
    other_village = HouseholdFactory(name="卓玛央宗", jurisdiction=fleet.village_a2,
                                     lpg_station=fleet.station)
    courier = browser(fleet.courier_a1).get("/cylinders/scan/", {"customer_q": "卓玛"})
    assert other_village.pk not in results(courier.content.decode())
    assert fleet.customer.pk in results(courier.content.decode())


def test_a_search_too_long_or_matching_nobody_says_so(fleet):
    client = browser(fleet.station_manager)
    long = client.get("/cylinders/scan/", {"customer_q": "卓" * 51}).content.decode()
    assert 'data-field="customer_q"' in long and not results(long)
    nobody = client.get("/cylinders/scan/", {"customer_q": "无此人"}).content.decode()
    assert 'data-testid="customer-none"' in nobody


def test_a_chosen_customer_is_shown_and_the_delivery_goes_to_them(fleet):
    courier = browser(fleet.courier_a1)
    for action, who in (("fill", fleet.station_manager), ("dispatch", fleet.station_manager)):
        extra = {"courier": fleet.courier_a1} if action == "dispatch" else {}
        assert services.cylinder_scan(actor=who, code=fleet.good.code, action=action,
                                      client_id=uuid.uuid4(), **extra)["verdict"] == "allow"
    page = courier.get("/cylinders/scan/", {"customer": fleet.customer.pk,
                                            "action": "deliver"}).content.decode()
    assert f'data-testid="chosen-customer" data-customer="{fleet.customer.pk}"' in page
    assert f'name="customer" value="{fleet.customer.pk}"' in page
    answer = courier.post("/cylinders/scan/", {
        "code": fleet.good.code, "action": "deliver", "customer": fleet.customer.pk,
        "client_id": str(uuid.uuid4())})
    assert answer.context["answer"]["verdict"] == "allow"
    assert Cylinder.objects.get(pk=fleet.good.pk).customer_id == fleet.customer.pk
    # The next cylinder's form keeps the customer.
    assert f'name="customer" value="{fleet.customer.pk}"' in answer.content.decode()


def test_a_customer_out_of_scope_is_neither_shown_nor_accepted(fleet):
    station_b, _manager_b = other_station(fleet)
    stranger = HouseholdFactory(name="外人", jurisdiction=fleet.community_b1,
                                lpg_station=station_b)
    client = browser(fleet.station_manager)
    page = client.get("/cylinders/scan/", {"customer": stranger.pk}).content.decode()
    assert 'data-testid="chosen-customer"' not in page
    posted = client.post("/cylinders/scan/", {
        "code": fleet.good.code, "action": "deliver", "customer": stranger.pk,
        "client_id": str(uuid.uuid4())})
    assert "customer" in posted.context["form"].errors
    assert not Scan.objects.exists()


@pytest.mark.parametrize("url,current", [
    ("/cylinders/", "nav-stock"), ("/cylinders/scan/", "nav-scan"),
    ("/cylinders/refusals/", "nav-refusals"), ("/cylinders/recall/", "nav-recall"),
    ("/cylinders/fillings/", "nav-fillings"), ("/cylinders/register/", "nav-register"),
    ("/cylinders/labels/", "nav-labels"), ("/cylinders/mine/", "nav-mine"),
])
def test_the_sub_menu_highlights_the_page_it_is_on(fleet, url, current):
    html = browser(fleet.station_manager).get(url).content.decode()
    nav = html[html.index('data-testid="cylinder-nav"'):]
    nav = nav[:nav.index("</div>")]
    primary = re.findall(r'class="btn btn-sm btn-primary"[^>]*data-testid="([\w-]+)"', nav)
    assert primary == [current]


def test_the_refusals_page_names_the_action_in_words(fleet):
    services.cylinder_scan(actor=fleet.station_manager, code=fleet.overdue.code, action="fill",
                           client_id=uuid.uuid4())
    html = browser(fleet.station_manager).get("/cylinders/refusals/").content.decode()
    assert 'data-action="fill">' in html and 'data-action="fill">fill<' not in html
