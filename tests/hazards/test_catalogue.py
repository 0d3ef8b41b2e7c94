"""Administrators edit the hazard catalogue; new hazards follow it."""

from django.test import Client

from ranan.hazards import services
from ranan.hazards.models import Category, GradeDeadline
from tests.hazards.conftest import days


def form_data(new_category=None, general_days=None):
    data = {"c-TOTAL_FORMS": str(Category.objects.count() + 1),
            "c-INITIAL_FORMS": str(Category.objects.count()), "c-MIN_NUM_FORMS": "0",
            "c-MAX_NUM_FORMS": "1000", "d-TOTAL_FORMS": str(GradeDeadline.objects.count()),
            "d-INITIAL_FORMS": str(GradeDeadline.objects.count()), "d-MIN_NUM_FORMS": "0",
            "d-MAX_NUM_FORMS": "1000"}
    for i, c in enumerate(Category.objects.order_by("id")):
        data.update({f"c-{i}-id": c.pk, f"c-{i}-code": c.code, f"c-{i}-name": c.name,
                     f"c-{i}-name_en": c.name_en, f"c-{i}-default_grade": c.default_grade,
                     f"c-{i}-fix_device": c.fix_device, f"c-{i}-regulator_type": c.regulator_type})
        if c.is_active:
            data[f"c-{i}-is_active"] = "on"
    if new_category:
        i = Category.objects.count()
        data.update({f"c-{i}-{k}": v for k, v in new_category.items()})
    for i, d in enumerate(GradeDeadline.objects.order_by("days")):
        days_value = general_days if (general_days and d.grade == "general") else d.days
        data.update({f"d-{i}-id": d.pk, f"d-{i}-grade": d.grade, f"d-{i}-days": days_value})
    return data


def test_an_administrator_edits_the_catalogue(homes):
    client = Client()
    client.force_login(homes.admin)
    assert client.get("/hazard-catalogue/").status_code == 200
    answer = client.post("/hazard-catalogue/", form_data(
        new_category={"code": "kitchen_fire", "name": "厨房明火", "name_en": "Open fire",
                      "default_grade": "large", "is_active": "on"}, general_days=5))
    assert answer.status_code == 302
    assert Category.objects.get(code="kitchen_fire").default_grade == "large"
    h = services.hazard_create(actor=homes.inspector, customer=homes.homes[0],
                               category="hose", description="x", source="inspection")
    assert h.deadline == days(5)
    bad = client.post("/hazard-catalogue/", form_data(general_days=0))
    assert bad.status_code == 200 and GradeDeadline.objects.get(grade="general").days == 5
    inspector = Client()
    inspector.force_login(homes.inspector)
    assert inspector.get("/hazard-catalogue/").status_code == 403


def test_the_page_writes_through_the_services(homes):
    """A category's code does not change (hazards and checklist items refer to it): the page
    shows the service's refusal on the row and writes nothing of the form."""
    from ranan.core.models import AuditEntry

    client = Client()
    client.force_login(homes.admin)
    data = form_data(general_days=6)
    data[f"c-{Category.objects.count()}-is_active"] = "on"  # the empty extra row, unchanged
    data["c-0-code"] = "renamed"
    before = AuditEntry.objects.count()
    answer = client.post("/hazard-catalogue/", data)
    assert answer.status_code == 200 and b'data-field="c-0-code"' in answer.content
    assert GradeDeadline.objects.get(grade="general").days == 7
    assert AuditEntry.objects.count() == before
    data = form_data(general_days=6)
    data[f"c-{Category.objects.count()}-is_active"] = "on"
    assert client.post("/hazard-catalogue/", data).status_code == 302
    assert AuditEntry.objects.filter(model="hazards.gradedeadline").count() == 1
