"""A station's reference data through the API: prices, service hours, village cycles, one
round. The station's manager writes its own; other roles read (scoped) or get 403; another
station's row is a 404; bad input names the field and writes nothing."""

import datetime

import pytest

from ranan.core import services as core_services
from ranan.core.choices import OrgKind
from ranan.core.models import AuditEntry
from ranan.delivery.models import Price, Round, StationService, VillageRound
from tests.delivery.conftest import order


def fields(response):
    assert response.status_code == 400, response.content
    return {e["field"] for e in response.json()["errors"]}


@pytest.fixture
def other_station(shop):
    """A station of district B with its own price: out of district A's sight."""
    company = core_services.organisation_create(actor=None, name="乙液化气公司",
                                                kind=OrgKind.LPG_COMPANY,
                                                jurisdictions=[shop.district_b])
    station = core_services.organisation_create(actor=None, name="乙液化气站",
                                                kind=OrgKind.LPG_STATION, parent=company,
                                                jurisdictions=[shop.district_b])
    price = Price.objects.create(station=station, cylinder_type=shop.type15, price=99,
                                 valid_from=datetime.date(2020, 1, 1))
    return station, price


def test_prices_read_with_ids_and_names_and_scoped(shop, api, other_station):
    rows = api.as_(shop.station_manager).get("/api/v1/prices/").json()["results"]
    assert [(r["station_name"], r["cylinder_type"], r["cylinder_type_name"]) for r in rows] == [
        (shop.station.name, shop.type15.pk, shop.type15.name)]
    assert api.as_(shop.regulator_a).get("/api/v1/prices/").json()["count"] == 1
    assert api.as_(shop.regulator_b).get("/api/v1/prices/").json()["count"] == 1  # B's own
    _station, price = other_station
    assert api.as_(shop.station_manager).get(f"/api/v1/prices/{price.pk}/").status_code == 404
    assert api.as_(shop.inspector).get("/api/v1/prices/").status_code == 403


def test_the_manager_adds_and_ends_a_price(shop, api):
    manager = api.as_(shop.station_manager)
    made = manager.post("/api/v1/prices/", {"cylinder_type": shop.type15.pk, "price": "140.00",
                                            "valid_from": "2026-12-01"}, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["station"] == shop.station.pk
    assert AuditEntry.objects.filter(model="delivery.price", action="create").exists()
    ended = manager.patch(f"/api/v1/prices/{made.json()['id']}/", {"valid_to": "2026-12-31"},
                          format="json")
    assert ended.status_code == 200 and ended.json()["valid_to"] == "2026-12-31"
    on = manager.get("/api/v1/prices/", {"on": "2027-01-05"}).json()["results"]
    assert [r["price"] for r in on] == ["135.00"]


@pytest.mark.parametrize("body, field", [
    ({"price": "140", "valid_from": "2026-12-01"}, "cylinder_type"),
    ({"cylinder_type": "x", "price": "140", "valid_from": "2026-12-01"}, "cylinder_type"),
    ({"cylinder_type": 0, "price": "-1", "valid_from": "2026-12-01"}, "price"),
    ({"cylinder_type": 0, "price": "140", "valid_from": "2026-13-01"}, "valid_from"),
    ({"cylinder_type": 0, "price": "140", "valid_from": "2020-01-01"}, "valid_from"),  # twice
    ({"cylinder_type": 0, "price": "140", "valid_from": "2026-12-01",
      "valid_to": "2026-11-01"}, "valid_to"),
])
def test_bad_prices_name_the_field_and_write_nothing(shop, api, body, field):
    body = {**body}
    if body.get("cylinder_type") == 0:
        body["cylinder_type"] = shop.type15.pk
    before = (Price.objects.count(), AuditEntry.objects.count())
    answer = api.as_(shop.station_manager).post("/api/v1/prices/", body, format="json")
    assert fields(answer) == {field}
    assert (Price.objects.count(), AuditEntry.objects.count()) == before


def test_another_stations_id_in_the_body_is_a_400(shop, api, other_station):
    station, _price = other_station
    answer = api.as_(shop.station_manager).post(
        "/api/v1/prices/", {"station": station.pk, "cylinder_type": shop.type15.pk,
                            "price": "1", "valid_from": "2026-12-01"}, format="json")
    assert fields(answer) == {"station"}


@pytest.mark.parametrize("who", ["courier_a1", "regulator_a", "lpg_admin", "admin"])
def test_other_roles_cannot_write(shop, api, who):
    answer = api.as_(getattr(shop, who)).post(
        "/api/v1/prices/", {"cylinder_type": shop.type15.pk, "price": "1",
                            "valid_from": "2026-12-01"}, format="json")
    assert answer.status_code == 403
    assert api.as_(getattr(shop, who)).post("/api/v1/service-hours/", {"opens": "07:00"},
                                            format="json").status_code == 403


def test_service_hours(shop, api):
    manager = api.as_(shop.station_manager)
    rows = manager.get("/api/v1/service-hours/").json()["results"]
    assert rows[0]["station_name"] == shop.station.name and rows[0]["opens"] == "08:00:00"
    changed = manager.patch(f"/api/v1/service-hours/{rows[0]['id']}/",
                            {"opens": "07:30", "delivery_fee": "5"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert StationService.objects.get().opens == datetime.time(7, 30)
    for body, field in (({"closes": "06:00"}, "closes"), ({"timezone": "Mars/Base"}, "timezone"),
                        ({"road_factor": "9"}, "road_factor"), ({"opens": "25:00"}, "opens")):
        assert fields(manager.post("/api/v1/service-hours/", body, format="json")) == {field}
    assert StationService.objects.get().opens == datetime.time(7, 30)
    assert api.as_(shop.regulator_b).get(
        f"/api/v1/service-hours/{rows[0]['id']}/").status_code == 404


def test_village_cycles(shop, api):
    manager = api.as_(shop.station_manager)
    rows = manager.get("/api/v1/village-cycles/").json()["results"]
    assert [(r["village"], r["village_name"], r["weekdays"]) for r in rows] == [
        (shop.village_a1.pk, shop.village_a1.name, [1])]
    made = manager.post("/api/v1/village-cycles/", {"village": shop.village_a2.pk,
                                                    "every_days": 10, "anchor": "2026-12-01"},
                        format="json")
    assert made.status_code == 201, made.json()
    assert manager.get("/api/v1/village-cycles/", {"weekly": "false"}).json()["count"] == 1
    changed = manager.patch(f"/api/v1/village-cycles/{rows[0]['id']}/",
                            {"weekdays": [4, 1]}, format="json")
    assert changed.json()["weekdays"] == [1, 4]
    for body, field in (
            ({"village": shop.village_a1.pk, "weekdays": [2]}, "village"),  # already has one
            ({"village": shop.community_b1.pk, "weekdays": [2]}, "village"),  # out of the area
            ({"village": shop.township.pk, "weekdays": [7]}, "weekdays.0"),
            ({"village": shop.township.pk, "every_days": 5}, "anchor"),
            ({"village": shop.township.pk}, "weekdays"),
            ({"village": shop.township.pk, "weekdays": [1, 1]}, "weekdays")):
        before = VillageRound.objects.count()
        assert fields(manager.post("/api/v1/village-cycles/", body, format="json")) == {field}
        assert VillageRound.objects.count() == before
    assert api.as_(shop.courier_a1).patch(f"/api/v1/village-cycles/{rows[0]['id']}/",
                                          {"weekdays": [3]}, format="json").status_code == 403


def test_orders_show_the_types_id_and_name_and_a_round_reads(shop, api):
    made = order(shop)
    manager = api.as_(shop.station_manager)
    row = manager.get(f"/api/v1/orders/{made.pk}/").json()
    assert (row["cylinder_type"], row["cylinder_type_name"]) == (shop.type15.pk, shop.type15.name)
    the_round = Round.objects.get()
    assert manager.get(f"/api/v1/rounds/{the_round.pk}/").json()["id"] == the_round.pk
    assert api.as_(shop.regulator_b).get(f"/api/v1/rounds/{the_round.pk}/").status_code == 404


# --- Pages ------------------------------------------------------------------------------------


def test_the_manager_keeps_prices_hours_and_cycles_through_pages(shop, client):
    client.force_login(shop.station_manager)
    station = client.get("/delivery/station/")
    assert b'data-testid="nav-prices"' in station.content
    listed = client.get("/delivery/station/prices/")
    assert listed.status_code == 200 and "135.00" in listed.content.decode()
    made = client.post("/delivery/station/prices/new/", {
        "station": shop.station.pk, "cylinder_type": shop.type15.pk, "price": "150",
        "valid_from": "2027-01-01"})
    assert made.status_code == 302, made.content.decode()[:2000]
    row = Price.objects.get(valid_from=datetime.date(2027, 1, 1))
    twice = client.post("/delivery/station/prices/new/", {
        "station": shop.station.pk, "cylinder_type": shop.type15.pk, "price": "150",
        "valid_from": "2027-01-01"})
    assert twice.status_code == 200 and b"invalid-feedback" in twice.content
    assert Price.objects.filter(valid_from=datetime.date(2027, 1, 1)).count() == 1
    ended = client.post(f"/delivery/station/prices/{row.pk}/", {
        "price": "150", "valid_from": "2027-01-01", "valid_to": "2027-06-30"})
    assert ended.status_code == 302
    hours = client.post("/delivery/station/hours/", {
        "opens": "07:00", "closes": "19:00", "timezone": "Asia/Shanghai", "delivery_fee": "3",
        "road_factor": "1.4", "speed_kmh": "30"})
    assert hours.status_code == 302
    assert StationService.objects.get().closes == datetime.time(19, 0)
    bad = client.post("/delivery/station/hours/", {
        "opens": "19:00", "closes": "07:00", "timezone": "Asia/Shanghai", "delivery_fee": "3",
        "road_factor": "1.4", "speed_kmh": "30"})
    assert bad.status_code == 200 and b"invalid-feedback" in bad.content
    assert StationService.objects.get().closes == datetime.time(19, 0)
    cycle = client.post("/delivery/station/villages/new/", {
        "station": shop.station.pk, "village": shop.village_a2.pk, "weekdays": ["2", "5"]})
    assert cycle.status_code == 302
    assert VillageRound.objects.get(village=shop.village_a2).weekdays == [2, 5]
    assert "二村" in client.get("/delivery/station/villages/").content.decode()


@pytest.mark.parametrize("who", ["courier_a1", "regulator_a", "lpg_admin"])
def test_other_roles_see_no_link_and_get_403(shop, client, who):
    client.force_login(getattr(shop, who))
    assert b'data-testid="nav-prices"' not in client.get("/delivery/").content
    for url in ("/delivery/station/prices/", "/delivery/station/hours/",
                "/delivery/station/villages/new/"):
        assert client.get(url).status_code == 403


def test_another_stations_rows_are_404_on_pages(shop, client, other_station):
    _station, price = other_station
    client.force_login(shop.station_manager)
    assert client.get(f"/delivery/station/prices/{price.pk}/").status_code == 404
