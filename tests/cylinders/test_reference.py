"""Cylinder types through the API: every data role reads the national types and its
province's (id and name: what orders and registrations take); an administrator keeps its
province's, a superuser the national ones; bad input names the field and writes nothing."""

import pytest

from ranan.core import services as core_services
from ranan.core.choices import Level
from ranan.core.models import AuditEntry
from ranan.cylinders.models import CylinderType
from tests.factories import CylinderTypeFactory


def fields(response):
    assert response.status_code == 400, response.content
    return {e["field"] for e in response.json()["errors"]}


@pytest.fixture
def types(cast):
    other = core_services.jurisdiction_create(actor=None, name="别省", level=Level.PROVINCE,
                                              code="980000")
    return (CylinderTypeFactory(),
            CylinderType.objects.create(name="YSP35.5 本省", size_kg=15, province=cast.province),
            CylinderType.objects.create(name="YSP35.5 别省", size_kg=15, province=other), other)


def test_reads_show_id_and_name_scoped_to_the_province(cast, api, types):
    national, own, foreign, _other = types
    rows = api.as_(cast.courier_a1).get("/api/v1/cylinder-types/").json()["results"]
    assert {(r["id"], r["name"]) for r in rows} == {(national.pk, national.name),
                                                    (own.pk, own.name)}
    assert api.as_(cast.courier_a1).get(f"/api/v1/cylinder-types/{foreign.pk}/").status_code == 404
    assert api.as_(cast.regulator_b).get("/api/v1/cylinder-types/",
                                         {"national": "true"}).json()["count"] == 1
    assert fields(api.as_(cast.regulator_b).get("/api/v1/cylinder-types/",
                                                {"province": "abc"})) == {"province"}


def test_the_admin_keeps_its_provinces_types(cast, api, types):
    national, own, _foreign, _other = types
    admin = api.as_(cast.admin)
    made = admin.post("/api/v1/cylinder-types/", {"name": "YSP12 5kg", "size_kg": "5",
                                                  "province": cast.province.pk}, format="json")
    assert made.status_code == 201, made.json()
    assert AuditEntry.objects.filter(model="cylinders.cylindertype", action="create").exists()
    changed = admin.patch(f"/api/v1/cylinder-types/{own.pk}/", {"inspection_years": 3},
                          format="json")
    assert changed.status_code == 200 and changed.json()["inspection_years"] == 3
    # The national types are the platform's.
    assert fields(admin.patch(f"/api/v1/cylinder-types/{national.pk}/", {"price": "1"},
                              format="json")) == {"province"}


@pytest.mark.parametrize("change, field", [
    ({"name": ""}, "name"),
    ({"size_kg": "0"}, "size_kg"),
    ({"size_kg": "abc"}, "size_kg"),
    ({"province": None}, "province"),  # national: a superuser's
    ({"province": "other"}, "province"),  # another province: not in the admin's area
    ({"name": "YSP35.5 本省"}, "name"),  # twice in the province
    ({"design_life_years": 20, "max_life_years": 12}, "max_life_years"),
])
def test_bad_types_name_the_field_and_write_nothing(cast, api, types, change, field):
    body = {"name": "YSP50 50kg", "size_kg": "50", "province": cast.province.pk, **change}
    if body["province"] == "other":
        body["province"] = types[3].pk
    before = (CylinderType.objects.count(), AuditEntry.objects.count())
    assert fields(api.as_(cast.admin).post("/api/v1/cylinder-types/", body,
                                           format="json")) == {field}
    assert (CylinderType.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("who", ["station_manager", "regulator_a", "courier_a1"])
def test_other_roles_cannot_write(cast, api, types, who):
    client = api.as_(getattr(cast, who))
    assert client.post("/api/v1/cylinder-types/", {"name": "x", "size_kg": "5"},
                       format="json").status_code == 403
    assert client.patch(f"/api/v1/cylinder-types/{types[1].pk}/", {"price": "1"},
                        format="json").status_code == 403
    assert client.get(f"/api/v1/cylinder-types/{types[1].pk}/").status_code == 200


def test_auditor_reads_nothing(cast, api):
    assert api.as_(cast.auditor).get("/api/v1/cylinder-types/").status_code == 403


# --- Pages ------------------------------------------------------------------------------------


def test_the_admin_keeps_types_through_pages(cast, client, types):
    national, own, foreign, _other = types
    client.force_login(cast.admin)
    assert b'data-testid="nav-types"' in client.get("/cylinders/recall/").content
    listed = client.get("/cylinders/types/").content.decode()
    assert own.name in listed and national.name in listed and foreign.name not in listed
    made = client.post("/cylinders/types/new/", {
        "name": "YSP118 50kg", "size_kg": "50", "province": cast.province.pk,
        "inspection_years": 4, "design_life_years": 8, "extension_years": 4,
        "max_life_years": 12, "price": "400"})
    assert made.status_code == 302, made.content.decode()[:1500]
    bad = client.post(f"/cylinders/types/{own.pk}/", {
        "name": own.name, "size_kg": "15", "province": cast.province.pk, "inspection_years": 4,
        "design_life_years": 20, "extension_years": 4, "max_life_years": 12, "price": "0"})
    assert bad.status_code == 200 and b"invalid-feedback" in bad.content
    own.refresh_from_db()
    assert own.design_life_years == 8
    assert client.get(f"/cylinders/types/{foreign.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["station_manager", "regulator_a"])
def test_other_roles_see_no_types_link_and_get_403(cast, client, who):
    client.force_login(getattr(cast, who))
    assert b'data-testid="nav-types"' not in client.get("/cylinders/recall/").content
    assert client.get("/cylinders/types/").status_code == 403
    assert client.get("/cylinders/types/new/").status_code == 403
