"""Loading a round (issue 15 item 1): the station scans the round's cylinders out to its
courier in one go, each through the interlock; the courier sees its load per round; a full
cylinder still at the station is refused at the door with what to do."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from ranan.cylinders import services as cylinder_services
from ranan.cylinders.choices import Action, State
from ranan.cylinders.models import Cylinder, CylinderEvent, Scan
from ranan.delivery import services
from ranan.delivery.models import Round, RoundLoad
from tests.cylinders.conftest import other_station
from tests.delivery.conftest import order, today_local


def fill(shop, cylinder):
    answer = cylinder_services.cylinder_scan(actor=shop.station_manager, code=cylinder.code,
                                             action="fill", client_id=uuid.uuid4())
    assert answer["verdict"] == "allow", answer
    return cylinder


@pytest.fixture
def urgent(shop):
    """An urgent order of one 15 kg cylinder: on courier A1's round of today."""
    found = order(shop, urgent=True)
    assert found.round is not None and found.round.date == today_local()
    return found


def load(shop, the_round, codes, client_id=None, actor=None):
    return services.round_load(actor=actor or shop.station_manager, the_round=the_round,
                               scanned=codes, client_id=client_id or uuid.uuid4())


def dispatches():
    return CylinderEvent.objects.filter(kind="dispatched").count()


# --- The service ---------------------------------------------------------------------------------


def test_the_station_loads_the_round_each_cylinder_through_the_interlock(shop, urgent):
    fill(shop, shop.good)
    answer = load(shop, urgent.round, [shop.good.code, shop.overdue.code, shop.scrap.code,
                                       "NOTACODE1"])
    verdicts = {r["code"]: r for r in answer["results"]}
    assert (answer["loaded"], answer["refused"]) == (1, 3)
    assert verdicts[shop.good.code]["verdict"] == "allow"
    good = Cylinder.objects.get(pk=shop.good.pk)
    assert (good.state, good.courier_id) == (State.WITH_COURIER, shop.courier_a1.pk)
    assert "overdue_inspection" in {r["code"] for r in verdicts[shop.overdue.code]["reasons"]}
    assert "past_scrap_date" in {r["code"] for r in verdicts[shop.scrap.code]["reasons"]}
    assert answer["results"][3]["reasons"][0]["code"] in ("unknown_code",
                                                           "bad_check_character")
    # Refused cylinders stay at the station; every refusal is recorded like a scan's.
    assert Cylinder.objects.get(pk=shop.overdue.pk).state == State.EMPTY_AT_STATION
    assert Scan.objects.filter(verdict="refuse", action="dispatch").count() == 3
    row = RoundLoad.objects.get()
    assert (row.round_id, row.loaded, row.refused, row.actor_id) == (
        urgent.round_id, 1, 3, shop.station_manager.pk)


def test_a_load_sent_twice_answers_the_first_result_and_moves_nothing_more(shop, urgent):
    fill(shop, shop.good)
    client_id = uuid.uuid4()
    first = load(shop, urgent.round, [shop.good.code], client_id)
    n = dispatches()
    again = load(shop, urgent.round, [shop.good.code], client_id)
    assert again == first and dispatches() == n and RoundLoad.objects.count() == 1


def test_the_same_client_id_with_other_codes_is_a_conflict(shop, urgent):
    fill(shop, shop.good)
    client_id = uuid.uuid4()
    load(shop, urgent.round, [shop.good.code], client_id)
    with pytest.raises(services.LoadConflict):
        load(shop, urgent.round, [shop.overdue.code], client_id)


@pytest.mark.parametrize("codes,field", [
    ([], "codes"),                                   # missing
    (["", "X"], "codes.0"),                          # a blank code
    (["ABC", "abc"], "codes"),                       # the same cylinder twice
    ([f"C{n}" for n in range(services.MAX_LOAD + 1)], "codes"),  # too many
])
def test_bad_codes_are_refused_naming_the_field(shop, urgent, codes, field):
    with pytest.raises(ValidationError) as error:
        load(shop, urgent.round, codes)
    assert field in error.value.message_dict
    assert not RoundLoad.objects.exists() and not Scan.objects.filter(action="dispatch").exists()


def test_a_round_without_courier_or_over_is_not_loaded(shop, urgent):
    fill(shop, shop.good)
    no_courier = Round.objects.create(station=shop.station, date=today_local())
    with pytest.raises(ValidationError) as error:
        load(shop, no_courier, [shop.good.code])
    assert "round" in error.value.message_dict
    past = Round.objects.create(station=shop.station, courier=shop.courier_a1,
                                date=today_local() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        load(shop, past, [shop.good.code])
    assert "round" in error.value.message_dict
    Round.objects.filter(pk=urgent.round_id).update(state="done")
    urgent.round.refresh_from_db()
    with pytest.raises(ValidationError):
        load(shop, urgent.round, [shop.good.code])
    assert Cylinder.objects.get(pk=shop.good.pk).state == State.FULL_AT_STATION


def test_only_the_station_staff_load_its_rounds(shop, urgent):
    fill(shop, shop.good)
    with pytest.raises(PermissionDenied):
        load(shop, urgent.round, [shop.good.code], actor=shop.courier_a1)
    _station, manager_b = other_station(shop)
    with pytest.raises(Round.DoesNotExist):
        load(shop, urgent.round, [shop.good.code], actor=manager_b)
    assert Cylinder.objects.get(pk=shop.good.pk).state == State.FULL_AT_STATION


# --- At the door: the refusal says what to do ----------------------------------------------------


def test_a_full_cylinder_still_at_the_station_is_refused_at_the_door_with_what_to_do(
        shop, urgent, api):
    fill(shop, shop.good)
    answer = api.as_(shop.courier_a1).post(f"/api/v1/orders/{urgent.pk}/deliver", {
        "full_codes": [shop.good.code], "check_refused": True, "client_id": str(uuid.uuid4())},
        format="json")
    assert answer.status_code == 400
    errors = {e["field"]: e["message"] for e in answer.json()["errors"]}
    hint = cylinder_services._wrong_state(Action.DELIVER, State.FULL_AT_STATION)
    assert hint in errors["full_codes.0"]
    generic = cylinder_services._wrong_state(Action.DELIVER, State.AT_CUSTOMER)
    assert hint != generic
    # Loaded onto the round, the same cylinder goes through.
    load(shop, urgent.round, [shop.good.code])
    done = api.as_(shop.courier_a1).post(f"/api/v1/orders/{urgent.pk}/deliver", {
        "full_codes": [shop.good.code], "check_refused": True, "client_id": str(uuid.uuid4())},
        format="json")
    assert done.status_code == 200, done.json()


# --- The API -------------------------------------------------------------------------------------


def test_the_load_api_loads_and_answers_each_verdict(shop, urgent, api):
    fill(shop, shop.good)
    body = {"codes": [shop.good.code, shop.overdue.code], "client_id": str(uuid.uuid4())}
    answer = api.as_(shop.station_manager).post(f"/api/v1/rounds/{urgent.round_id}/load", body,
                                                format="json")
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert (data["loaded"], data["refused"]) == (1, 1)
    again = api.post(f"/api/v1/rounds/{urgent.round_id}/load", body, format="json")
    assert again.json() == data
    conflict = api.post(f"/api/v1/rounds/{urgent.round_id}/load",
                        {**body, "codes": [shop.scrap.code]}, format="json")
    assert conflict.status_code == 409
    assert conflict.json()["errors"][0]["field"] == "client_id"


@pytest.mark.parametrize("body,field", [
    ({"codes": ["A"]}, "client_id"),
    ({"client_id": "not-a-uuid", "codes": ["A"]}, "client_id"),
    ({"client_id": "11111111-1111-4111-8111-111111111111"}, "codes"),
    ({"client_id": "11111111-1111-4111-8111-111111111111", "codes": "A"}, "codes"),
    ({"client_id": "11111111-1111-4111-8111-111111111111", "codes": []}, "codes"),
    ({"client_id": "11111111-1111-4111-8111-111111111111", "codes": ["A", "A"]}, "codes"),
])
def test_the_load_api_refuses_bad_input_naming_the_field(shop, urgent, api, body, field):
    answer = api.as_(shop.station_manager).post(f"/api/v1/rounds/{urgent.round_id}/load", body,
                                                format="json")
    assert answer.status_code == 400
    assert field in {e["field"] for e in answer.json()["errors"]}


def test_the_load_api_keeps_other_roles_and_stations_out(shop, urgent, api):
    fill(shop, shop.good)
    body = {"codes": [shop.good.code], "client_id": str(uuid.uuid4())}
    url = f"/api/v1/rounds/{urgent.round_id}/load"
    assert api.as_(shop.courier_a1).post(url, body, format="json").status_code == 403
    _station, manager_b = other_station(shop)
    assert api.as_(manager_b).post(url, body, format="json").status_code == 404
    assert api.as_(manager_b).get(url).status_code == 404
    # A courier reads its own round's load, not another courier's.
    assert api.as_(shop.courier_a1).get(url).status_code == 200
    assert api.as_(shop.courier_a2).get(url).status_code == 404
    assert Cylinder.objects.get(pk=shop.good.pk).state == State.FULL_AT_STATION


def test_the_courier_reads_its_load_what_is_needed_carried_and_missing(shop, urgent, api):
    second = order(shop, urgent=True, quantity=2)
    assert second.round_id == urgent.round_id
    fill(shop, shop.good)
    load(shop, urgent.round, [shop.good.code])
    data = api.as_(shop.courier_a1).get(f"/api/v1/rounds/{urgent.round_id}/load").json()
    row = next(r for r in data["types"] if r["type"] == shop.type15.pk)
    assert (row["needed"], row["carried"], row["missing"], row["dispatched"]) == (3, 1, 2, 1)
    assert data["cylinders"] == [shop.good.code]
    assert data["totals"]["missing"] == 2


# --- The pages -----------------------------------------------------------------------------------


def test_the_round_page_loads_the_round_and_shows_each_verdict(shop, urgent):
    fill(shop, shop.good)
    client = Client()
    client.force_login(shop.station_manager)
    page = client.get(f"/delivery/rounds/{urgent.round_id}/").content.decode()
    assert 'data-testid="load-form"' in page
    posted = client.post(f"/delivery/rounds/{urgent.round_id}/load/", {
        "codes": f"{shop.good.code}\n{shop.overdue.code.lower()}\n",
        "client_id": str(uuid.uuid4())})
    assert posted.status_code == 302 and "?load=" in posted["Location"]
    answer = client.get(posted["Location"]).content.decode()
    assert f'data-code="{shop.good.code}" data-verdict="allow"' in answer
    assert f'data-code="{shop.overdue.code}" data-verdict="refuse"' in answer
    assert 'data-reason="overdue_inspection"' in answer
    assert 'data-carried="1"' in answer


def test_the_round_page_shows_bad_input_next_to_the_codes(shop, urgent):
    client = Client()
    client.force_login(shop.station_manager)
    posted = client.post(f"/delivery/rounds/{urgent.round_id}/load/", {
        "codes": "  \n ", "client_id": str(uuid.uuid4())})
    assert posted.status_code == 400
    assert 'data-field="codes"' in posted.content.decode()
    missing_id = client.post(f"/delivery/rounds/{urgent.round_id}/load/", {"codes": "X"})
    assert missing_id.status_code == 400
    assert not RoundLoad.objects.exists()


def test_the_load_page_is_the_stations(shop, urgent):
    fill(shop, shop.good)
    courier = Client()
    courier.force_login(shop.courier_a1)
    assert courier.post(f"/delivery/rounds/{urgent.round_id}/load/", {
        "codes": shop.good.code, "client_id": str(uuid.uuid4())}).status_code == 403
    _station, manager_b = other_station(shop)
    other = Client()
    other.force_login(manager_b)
    assert other.post(f"/delivery/rounds/{urgent.round_id}/load/", {
        "codes": shop.good.code, "client_id": str(uuid.uuid4())}).status_code == 404
    assert Cylinder.objects.get(pk=shop.good.pk).state == State.FULL_AT_STATION


def test_the_courier_round_shows_my_load(shop, urgent):
    fill(shop, shop.good)
    load(shop, urgent.round, [shop.good.code])
    order(shop, urgent=True)
    client = Client()
    client.force_login(shop.courier_a1)
    page = client.get("/delivery/").content.decode()
    assert 'data-testid="my-load"' in page
    assert 'data-carried="1" data-needed="2" data-missing="1"' in page
    assert 'data-testid="load-missing"' in page
    # Another courier's page shows no load of courier A1's round.
    other = Client()
    other.force_login(shop.courier_a2)
    assert f'data-round="{urgent.round_id}"' not in other.get("/delivery/").content.decode()
