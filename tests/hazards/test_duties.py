"""Issue 14 item 12: a category names its competent department; escalation messages and the
supervision list go to the area's regulators of that type (all of them when it has none), and
the property managers covering the place are told at every step."""

import datetime

import pytest
from django.utils import timezone

from ranan.core import services as core_services
from ranan.core.choices import OrgKind, RegulatorType, Role
from ranan.core.models import Message
from ranan.hazards import selectors, services
from ranan.hazards.models import Category, Hazard
from tests.cast import With


def late(hazard, n):
    Hazard.objects.filter(pk=hazard.pk).update(deadline=timezone.localdate()
                                               - datetime.timedelta(days=n))


def told(kind, org):
    return Message.objects.filter(kind=kind, to_organisation=org).count()


@pytest.fixture
def duties(homes):
    """District B with a market-supervision bureau beside its housing bureau, and a property
    manager covering community B1."""
    market_b = core_services.organisation_create(
        actor=None, name="乙区市场监管局", kind=OrgKind.REGULATOR,
        regulator_type=RegulatorType.MARKET_SUPERVISION, jurisdictions=[homes.district_b])
    estate = core_services.organisation_create(
        actor=None, name="乙物业", kind=OrgKind.PROPERTY_MANAGER,
        jurisdictions=[homes.community_b1])
    market_person = core_services.account_create(
        actor=None, username="market_b", password="x-password-123", organisation=market_b,
        roles=[Role.REGULATOR], area=[homes.district_b], check_password=False)
    return With(homes, market_b=market_b, estate=estate, market_person=market_person)


def record(actor, customer, category):
    return services.hazard_create(actor=actor, customer=customer, category=category,
                                  description="x", source="inspection")


def test_the_catalogue_names_the_departments(db):
    types = dict(Category.objects.values_list("code", "regulator_type"))
    assert types["hose"] == "housing" and types["overdue_cylinder"] == "market_supervision"
    assert types["other"] == ""
    high_rise = Category.objects.get(code="high_rise_lpg")
    assert (high_rise.name, high_rise.default_grade, high_rise.regulator_type) == (
        "高层建筑使用液化气", "large", "housing")


def test_supervision_messages_go_to_the_competent_department(duties):
    hose = record(duties.inspector, duties.homes[0], "hose")
    cylinder = record(duties.inspector, duties.homes[1], "overdue_cylinder")
    for h in (hose, cylinder):
        late(h, 7)
    services.escalate()
    assert told("hazard_step_3", duties.regulator_b_org) == 1  # housing: the hose
    assert told("hazard_step_3", duties.market_b) == 1  # market supervision: the cylinder
    housing = Message.objects.get(kind="hazard_step_3", to_organisation=duties.regulator_b_org)
    assert "1 处" in housing.subject  # only its own hazard counted


def test_a_category_without_a_department_tells_every_regulator(duties):
    late(record(duties.inspector, duties.homes[0], "other"), 7)
    services.escalate()
    assert told("hazard_step_3", duties.regulator_b_org) == 1
    assert told("hazard_step_3", duties.market_b) == 1


def test_a_district_without_the_department_falls_back_to_all_its_regulators(homes):
    """District A has market supervision only: a hose hazard (housing) goes to it."""
    late(record(homes.courier_a1, homes.lpg_home, "hose"), 7)
    services.escalate()
    assert told("hazard_step_3", homes.regulator_a_org) == 1
    assert told("hazard_step_3", homes.regulator_b_org) == 0


def test_property_managers_covering_the_place_are_told_at_every_step(duties):
    h = record(duties.inspector, duties.homes[0], "hose")
    late(h, 1)
    services.escalate()
    assert told("hazard_step_1", duties.estate) == 1
    services.escalate(today=timezone.localdate() + datetime.timedelta(days=6))
    assert told("hazard_step_3", duties.estate) == 1
    # An estate elsewhere hears nothing.
    other = core_services.organisation_create(actor=None, name="甲物业",
                                              kind=OrgKind.PROPERTY_MANAGER,
                                              jurisdictions=[duties.village_a1])
    assert not Message.objects.filter(to_organisation=other).exists()


def test_the_supervision_list_is_the_departments(duties):
    hose = record(duties.inspector, duties.homes[0], "hose")
    cylinder = record(duties.inspector, duties.homes[1], "overdue_cylinder")
    other = record(duties.inspector, duties.homes[2], "other")
    Hazard.objects.filter(pk__in=[hose.pk, cylinder.pk, other.pk]).update(escalation=3)

    def listed(user):
        return set(selectors.supervision_list(user, duties.district_b.path)
                   .values_list("pk", flat=True))

    assert listed(duties.regulator_b) == {hose.pk, other.pk}
    assert listed(duties.market_person) == {cylinder.pk, other.pk}
    assert listed(duties.admin) == {hose.pk, cylinder.pk, other.pk}
    # Without a market bureau in the district, housing follows the cylinder too.
    duties.market_b.is_active = False
    duties.market_b.save(update_fields=["is_active"])
    assert listed(duties.regulator_b) == {hose.pk, cylinder.pk, other.pk}


def test_the_department_is_kept_in_the_catalogue(cast, api):
    hose = Category.objects.get(code="hose")
    admin = api.as_(cast.admin)
    answer = admin.patch(f"/api/v1/hazard-categories/{hose.pk}/",
                         {"regulator_type": "fire", "fix_device": ""}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["regulator_type"] == "fire" and answer.json()["fix_device"] == ""
    bad = admin.patch(f"/api/v1/hazard-categories/{hose.pk}/", {"regulator_type": "army"},
                      format="json")
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"regulator_type"}
    bad = admin.patch(f"/api/v1/hazard-categories/{hose.pk}/", {"fix_device": "toaster"},
                      format="json")
    assert {e["field"] for e in bad.json()["errors"]} == {"fix_device"}
    hose.refresh_from_db()
    assert hose.regulator_type == "fire"
    assert api.as_(cast.regulator_b).patch(f"/api/v1/hazard-categories/{hose.pk}/",
                                           {"regulator_type": "housing"},
                                           format="json").status_code == 403


def test_the_catalogue_page_edits_the_department_and_the_fix(cast):
    from django.test import Client

    from tests.hazards.test_catalogue import form_data

    client = Client()
    client.force_login(cast.admin)
    page = client.get("/hazard-catalogue/").content.decode()
    assert 'name="c-0-regulator_type"' in page and 'name="c-0-fix_device"' in page
    data = form_data()
    data[f"c-{Category.objects.count()}-is_active"] = "on"  # the empty extra row, unchanged
    index = list(Category.objects.order_by("id").values_list("code", flat=True)).index("hose")
    data[f"c-{index}-regulator_type"] = "fire"
    data[f"c-{index}-fix_device"] = ""
    assert client.post("/hazard-catalogue/", data).status_code == 302
    hose = Category.objects.get(code="hose")
    assert (hose.regulator_type, hose.fix_device) == ("fire", "")
    data[f"c-{index}-regulator_type"] = "army"
    answer = client.post("/hazard-catalogue/", data)
    assert answer.status_code == 200 and Category.objects.get(code="hose").regulator_type == "fire"
