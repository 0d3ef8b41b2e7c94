"""Overdue cylinders counted where they are (issue 15 item 4): at a customer in the customer's
area, at the station or with a courier in the station's area (the deepest area holding every
area it serves). Each cylinder lies at one node, so the children's counts and the area's own
count add up to the area's figure at every level, and the list behind a figure is where the
cylinders are."""

import datetime
import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from ranan.core import kpis
from ranan.core import services as core_services
from ranan.core.choices import OrgKind, Role
from ranan.cylinders import selectors, services
from ranan.cylinders.choices import State
from ranan.cylinders.models import Cylinder
from ranan.reports.dashboard import own_level
from tests.cast import With
from tests.factories import CylinderTypeFactory, HouseholdFactory

NAME = "cylinders_overdue"


def register(cast, station, years_old, inspected_years_ago=None, made_on=None):
    today = timezone.localdate()
    made = made_on or today - datetime.timedelta(days=int(365.25 * years_old))
    inspected = (today - datetime.timedelta(days=int(365.25 * inspected_years_ago))
                 if inspected_years_ago is not None else None)
    manager = station.accounts.filter(role_rows__role=Role.STATION_MANAGER).first()
    return services.cylinder_register(actor=manager, station=station, type=cast.type15,
                                      made_on=made, last_inspected_on=inspected)


def put(cylinder, state, customer=None, courier=None):
    """A cylinder that fell due where it is (delivered or carried while in date): the
    interlock refuses to move an overdue one, so the constructed case sets its place."""
    Cylinder.objects.filter(pk=cylinder.pk).update(state=state, customer=customer,
                                                   courier=courier)
    return cylinder


@pytest.fixture
def placed(cast):
    """Station A (the cast's, serving district A: its place is the district) and station T
    (serving the township's two villages: its place is the township). Overdue cylinders:
    a_home at a household of village A1 (station A's), a_yard at station A, t_yard at station
    T, t_van with T's courier, t_home at a household of village A2 (T's), e_away at station
    A but at the inspection body (not in circulation: not counted); plus one in date."""
    t_station = core_services.organisation_create(
        actor=None, name="乡液化气站", kind=OrgKind.LPG_STATION, parent=cast.lpg_company,
        jurisdictions=[cast.village_a1, cast.village_a2])
    t_manager = core_services.account_create(
        actor=None, username="manager_t", password="x", organisation=t_station,
        roles=[Role.STATION_MANAGER], area=[cast.township], full_name="乡站长",
        check_password=False)
    t_courier = core_services.account_create(
        actor=None, username="courier_t", password="x", organisation=t_station,
        roles=[Role.COURIER], area=[cast.village_a2], full_name="乡配送员",
        check_password=False)
    cast = With(cast, type15=CylinderTypeFactory(), t_station=t_station,
                t_manager=t_manager, t_courier=t_courier)
    h1 = HouseholdFactory(jurisdiction=cast.village_a1, lpg_station=cast.station)
    h2 = HouseholdFactory(jurisdiction=cast.village_a2, lpg_station=t_station)

    def overdue(station):
        return register(cast, station, 6, inspected_years_ago=4.5)

    return With(cast, h1=h1, h2=h2,
                a_home=put(overdue(cast.station), State.AT_CUSTOMER, customer=h1),
                a_yard=overdue(cast.station),
                t_yard=put(overdue(t_station), State.FULL_AT_STATION),
                t_van=put(overdue(t_station), State.WITH_COURIER, courier=t_courier),
                t_home=put(overdue(t_station), State.AT_CUSTOMER, customer=h2),
                e_away=put(overdue(cast.station), State.AT_INSPECTION),
                fine=register(cast, cast.station, 1))


def period():
    today = timezone.localdate()
    return today - datetime.timedelta(days=29), today


def figure(user, node, stored=True, **kw) -> int:
    start, end = kw.pop("start", None), kw.pop("end", None)
    if start is None:
        start, end = period()
    return kpis.compute(user, node.path, start, end, [NAME], stored=stored, **kw)[0]["value"]


def split(user, node, stored=True, **kw) -> tuple[dict, int]:
    """The children's figures by name and the area's own (its figure less theirs)."""
    start, end = kw.pop("start", None), kw.pop("end", None)
    if start is None:
        start, end = period()
    children = kpis.breakdown(user, node, start, end, [NAME], stored=stored, **kw)
    total = kpis.compute(user, node.path, start, end, [NAME], stored=stored, **kw)
    here = own_level(total, children, [NAME])
    own = here["kpis"][NAME]["numerator"] if here and NAME in here["kpis"] else 0
    return {c["name"]: c["kpis"][NAME]["value"] for c in children}, own


def test_a_station_lies_in_the_deepest_area_holding_all_it_serves(placed):
    places = selectors.station_places()
    assert places[placed.station.pk] == placed.district_a.path
    assert places[placed.t_station.pk] == placed.township.path


@pytest.mark.parametrize("stored", [True, False])
def test_each_cylinder_counts_where_it_is_and_the_children_add_up(placed, stored):
    regulator = placed.regulator_a
    assert figure(regulator, placed.district_a, stored) == 5  # not e_away nor fine
    children, own = split(regulator, placed.district_a, stored)
    assert children == {"甲乡": 4} and own == 1  # a_yard: station A serves the district
    children, own = split(regulator, placed.township, stored)
    assert children == {"一村": 1, "二村": 1} and own == 2  # t_yard and t_van
    assert figure(regulator, placed.village_a1, stored) == 1
    # Up the tree: the city's one district with cylinders holds them all.
    children, own = split(regulator, placed.city, stored)
    assert children == {"甲区": 5, "乙区": 0} and own == 0


def test_every_level_adds_up_for_every_account_that_sees_the_area(placed):
    # The regulator's figures are stored ones; the company's are counted from its records.
    for user in (placed.regulator_a, placed.lpg_admin, placed.admin):
        for node in (placed.province, placed.city, placed.district_a, placed.township):
            children, own = split(user, node)
            assert sum(children.values()) + own == figure(user, node), (user, node)


def test_a_station_sees_its_own_cylinders_where_they_are(placed):
    # Station A's manager: its two cylinders in circulation, one in the village.
    assert figure(placed.station_manager, placed.district_a) == 2
    children, own = split(placed.station_manager, placed.township)
    assert children == {"一村": 1, "二村": 0} and own == 0


def test_a_cylinder_moving_from_the_station_to_a_customer_moves_its_count(cast):
    """A cylinder due tomorrow, delivered today by the interlock's own steps: as of the day
    after tomorrow it is overdue in the household's village, no longer at the station."""
    cast = With(cast, type15=CylinderTypeFactory())
    today = timezone.localdate()
    made = today.replace(year=today.year - 4) + datetime.timedelta(days=1)
    c = register(cast, cast.station, 0, made_on=made)
    assert c.next_inspection_due == today + datetime.timedelta(days=1)
    home = HouseholdFactory(jurisdiction=cast.village_a2, lpg_station=cast.station)
    later = today + datetime.timedelta(days=2)
    as_of = {"start": today, "end": later, "today": later}

    def scan(actor, action, **kw):
        answer = services.cylinder_scan(actor=actor, code=c.code, action=action,
                                        client_id=uuid.uuid4(), **kw)
        assert answer["verdict"] == "allow", answer

    scan(cast.station_manager, "fill", net_weight_kg=15)
    assert split(cast.regulator_a, cast.district_a, **as_of) == ({"甲乡": 0}, 1)
    scan(cast.station_manager, "dispatch", courier=cast.courier_a2)
    assert split(cast.regulator_a, cast.district_a, **as_of) == ({"甲乡": 0}, 1)
    scan(cast.courier_a2, "deliver", customer=home)
    assert split(cast.regulator_a, cast.district_a, **as_of) == ({"甲乡": 1}, 0)
    assert split(cast.regulator_a, cast.township, **as_of) == ({"一村": 0, "二村": 1}, 0)
    assert figure(cast.regulator_a, cast.district_a, **as_of) == 1
    # Today it is in date: counted nowhere.
    assert figure(cast.regulator_a, cast.district_a) == 0


def listing(client, node, at=""):
    html = client.get(f"/dashboard/records/{NAME}/?jurisdiction={node.code}{at}")
    assert html.status_code == 200
    text = html.content.decode()
    codes = re.findall(r'<a href="/cylinders/c/[^"]+">([^<]+)</a>', text)
    return int(re.search(r'data-count="(\d+)"', text).group(1)), set(codes), text


def test_the_list_behind_a_figure_is_where_the_cylinders_are(placed):
    client = Client()
    client.force_login(placed.regulator_a)
    n, codes, text = listing(client, placed.township)
    assert n == 4 and codes == {placed.a_home.code, placed.t_yard.code, placed.t_van.code,
                                placed.t_home.code}
    assert "甲乡 一村" in text and "甲乡 二村" in text  # the households' areas
    assert "乡配送员 (乡液化气站)" in text  # the courier and its station
    assert placed.h1.name not in text and placed.h1.address not in text  # no personal data
    n, codes, _text = listing(client, placed.township, "&at=here")
    assert n == 2 and codes == {placed.t_yard.code, placed.t_van.code}
    n, codes, _text = listing(client, placed.district_a, "&at=here")
    assert n == 1 and codes == {placed.a_yard.code}
    n, codes, _text = listing(client, placed.village_a2)
    assert codes == {placed.t_home.code}


def test_the_dashboard_row_of_the_area_itself_adds_up_with_its_children(placed):
    client = Client()
    client.force_login(placed.regulator_a)
    html = client.get(f"/dashboard/?jurisdiction={placed.township.code}").content.decode()
    card = re.search(rf'data-testid="kpi-card" data-kpi="{NAME}" data-numerator="(\d+)"', html)
    cells = [int(n) for n in re.findall(rf'data-kpi="{NAME}" data-numerator="(\d+)">', html)]
    here = re.search(r'data-testid="here-row".*?</tr>', html, re.S).group(0)
    own = int(re.search(rf'data-kpi="{NAME}" data-numerator="(\d+)"', here).group(1))
    assert int(card.group(1)) == 4 and own == 2
    # The ranking table: the two villages, then the township itself; they add up to the card.
    assert sorted(cells[:2]) == [1, 1] and cells[2:] == [2]
    assert sum(cells) == int(card.group(1))
    # A village has no smaller areas and no such row.
    html = client.get(f"/dashboard/?jurisdiction={placed.village_a1.code}").content.decode()
    assert 'data-testid="here-row"' not in html


def test_another_district_cannot_see_the_list(placed):
    client = Client()
    client.force_login(placed.regulator_b)
    for node in (placed.district_a, placed.township):
        for at in ("", "&at=here"):
            answer = client.get(f"/dashboard/records/{NAME}/?jurisdiction={node.code}{at}")
            assert answer.status_code == 404
    n, codes, _text = listing(client, placed.district_b)
    assert n == 0 and not codes
    assert figure(placed.regulator_b, placed.district_b) == 0


def test_the_wrong_role_cannot_see_the_list(placed):
    client = Client()
    client.force_login(placed.auditor)
    answer = client.get(f"/dashboard/records/{NAME}/?jurisdiction={placed.district_a.code}")
    assert answer.status_code in (403, 404)
    client.logout()
    answer = client.get(f"/dashboard/records/{NAME}/?jurisdiction={placed.district_a.code}")
    assert answer.status_code == 302


def test_the_breakdown_api_gives_the_area_itself(placed, api):
    client = api.as_(placed.regulator_a)
    answer = client.get(f"/api/v1/kpis/breakdown?jurisdiction={placed.township.code}"
                        f"&kpi={NAME}")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    children = {c["name"]: c["kpis"][0]["value"] for c in body["children"]}
    assert children == {"一村": 1, "二村": 1}
    assert [(r["name"], r["value"]) for r in body["here"]] == [(NAME, 2)]
    # A figure with nothing at the area itself is not listed there.
    answer = api.as_(placed.admin).get(f"/api/v1/kpis/breakdown?jurisdiction="
                                       f"{placed.city.code}&kpi={NAME}&kpi=hazards_found")
    assert answer.json()["here"] == []
    # Another district's regulator: 404 for the area, as for its figures.
    answer = api.as_(placed.regulator_b).get(
        f"/api/v1/kpis/breakdown?jurisdiction={placed.township.code}&kpi={NAME}")
    assert answer.status_code == 404
