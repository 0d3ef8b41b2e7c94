"""The hazard catalogue through the API: every data role reads the categories (id, code and
name) and the days per grade; the administrator adds, renames, retires and regrades; bad
input names the field and writes nothing."""

import pytest

from ranan.core.models import AuditEntry
from ranan.hazards.models import Category, GradeDeadline


def fields(response):
    assert response.status_code == 400, response.content
    return {e["field"] for e in response.json()["errors"]}


def test_everyone_with_data_reads_the_catalogue(cast, api):
    rows = api.as_(cast.courier_a1).get("/api/v1/hazard-categories/").json()
    hose = next(r for r in rows if r["code"] == "hose")
    assert hose["id"] and hose["name"] == "软管隐患" and hose["is_active"] is True
    days = {r["grade"]: r["days"] for r in api.as_(cast.inspector).get(
        "/api/v1/hazard-deadlines/").json()}
    assert days == {"major": 1, "large": 3, "general": 7, "minor": 15}
    assert api.as_(cast.auditor).get("/api/v1/hazard-categories/").status_code == 403
    assert fields(api.as_(cast.inspector).get("/api/v1/hazard-categories/",
                                              {"default_grade": "huge"})) == {"default_grade"}


def test_the_admin_keeps_the_catalogue(cast, api):
    admin = api.as_(cast.admin)
    made = admin.post("/api/v1/hazard-categories/", {
        "code": "chimney", "name": "烟道隐患", "name_en": "Chimney", "default_grade": "large"},
        format="json")
    assert made.status_code == 201, made.json()
    retired = admin.patch(f"/api/v1/hazard-categories/{made.json()['id']}/",
                          {"is_active": False}, format="json")
    assert retired.status_code == 200 and retired.json()["is_active"] is False
    assert admin.get("/api/v1/hazard-categories/", {"is_active": "false"}).json()[0]["code"] == \
        "chimney"
    major = GradeDeadline.objects.get(grade="major")
    assert admin.patch(f"/api/v1/hazard-deadlines/{major.pk}/", {"days": 2},
                       format="json").json()["days"] == 2
    assert AuditEntry.objects.filter(model="hazards.gradedeadline", action="update").exists()


@pytest.mark.parametrize("body, field", [
    ({"name": "x", "name_en": "x", "default_grade": "large"}, "code"),
    ({"code": "hose", "name": "x", "name_en": "x", "default_grade": "large"}, "code"),
    ({"code": "not a slug", "name": "x", "name_en": "x", "default_grade": "large"}, "code"),
    ({"code": "new", "name": "x", "name_en": "x", "default_grade": "huge"}, "default_grade"),
    ({"code": "new", "name": "x" * 61, "name_en": "x", "default_grade": "large"}, "name"),
])
def test_bad_categories(cast, api, body, field):
    before = (Category.objects.count(), AuditEntry.objects.count())
    assert fields(api.as_(cast.admin).post("/api/v1/hazard-categories/", body,
                                           format="json")) == {field}
    assert (Category.objects.count(), AuditEntry.objects.count()) == before


def test_bad_changes(cast, api):
    admin = api.as_(cast.admin)
    hose = Category.objects.get(code="hose")
    assert fields(admin.patch(f"/api/v1/hazard-categories/{hose.pk}/", {"code": "hoses"},
                              format="json")) == {"code"}
    major = GradeDeadline.objects.get(grade="major")
    for days in (0, 366, "x"):
        assert fields(admin.patch(f"/api/v1/hazard-deadlines/{major.pk}/", {"days": days},
                                  format="json")) == {"days"}
    assert GradeDeadline.objects.get(grade="major").days == 1
    assert admin.patch("/api/v1/hazard-categories/999999/", {"name": "x"},
                       format="json").status_code == 404


@pytest.mark.parametrize("who", ["inspector", "regulator_a", "courier_a1", "station_manager"])
def test_other_roles_cannot_write(cast, api, who):
    client = api.as_(getattr(cast, who))
    hose = Category.objects.get(code="hose")
    assert client.patch(f"/api/v1/hazard-categories/{hose.pk}/", {"name": "x"},
                        format="json").status_code == 403
    assert client.post("/api/v1/hazard-categories/", {}, format="json").status_code == 403
