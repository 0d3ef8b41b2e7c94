"""Property managers (物业, issue 14 item 7): a narrow role scoped to the estates it manages.
It sees their hazards and unreached households, reports LPG used in a high-rise building
(that category only), receives the messages for its estates; nothing else."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ranan.core import contract
from ranan.core import services as core_services
from ranan.core.choices import Level, OrgKind
from ranan.core.models import AuditEntry, Jurisdiction
from ranan.core.notify import notify
from ranan.core.permissions import can
from ranan.hazards import property as estates
from ranan.hazards import services
from ranan.hazards.models import Category, Hazard
from tests.cast import With
from tests.factories import PipelineHouseholdFactory
from tests.inspections.conftest import png, visit

REPORT_URL = "/api/v1/estates/high-rise-lpg"


@pytest.fixture
def estate(homes):
    """A property company managing grid B1 (the five households of `homes`), its manager, and
    the neighbouring grid B2 with a household of its own, each with an open hazard and an
    unreached household."""
    Category.objects.get_or_create(code=estates.HIGH_RISE, defaults={
        "name": "高层建筑使用液化气", "name_en": "LPG used in a high-rise building",
        "default_grade": "large"})
    grid_b2 = core_services.jurisdiction_create(actor=None, name="第二网格", level=Level.GRID,
                                                parent=homes.community_b1)
    company = core_services.organisation_create(
        actor=None, name="乙物业公司", kind=OrgKind.PROPERTY_MANAGER,
        jurisdictions=[homes.grid_b1])
    manager = core_services.account_create(
        actor=None, username="pm", password="x", organisation=company,
        roles=[estates.PROPERTY_MANAGER], area=[homes.grid_b1], full_name="陈经理",
        check_password=False)
    other_home = PipelineHouseholdFactory(name="邻居", building="9", unit="1", room="101",
                                          jurisdiction=grid_b2, gas_company=homes.gas_company)
    mine = services.hazard_create(actor=homes.inspector, customer=homes.homes[0],
                                  category="hose", description="软管老化", source="inspection")
    theirs = services.hazard_create(actor=homes.inspector, customer=other_home,
                                    category="hose", description="邻区软管", source="inspection")
    visit(homes.inspector, homes.homes[1])  # not at home: on the revisit tier
    visit(homes.inspector, other_home)
    return With(homes, grid_b2=grid_b2, company=company, manager=manager,
                other_home=other_home, mine=mine, theirs=theirs)


def body(e, **kw):
    return {"jurisdiction": f"#{e.grid_b1.pk}", "building": "3号楼", "room": "2单元1201",
            "floor": 12, **kw}


# --- The role ----------------------------------------------------------------------------------


def test_the_role_is_narrow_and_given_only_in_a_property_company(estate):
    role = contract.roles()[estates.PROPERTY_MANAGER]
    assert role.narrow and role.data
    held = {name for name in contract.capabilities() if can(estate.manager, name)}
    assert held == {"hazards.estates", "hazards.high_rise"}
    with pytest.raises(ValidationError) as refused:
        core_services.account_create(
            actor=None, username="pm2", password="x", organisation=estate.gas_company,
            roles=[estates.PROPERTY_MANAGER], area=[estate.grid_b1], check_password=False)
    assert "roles" in refused.value.message_dict


def test_other_roles_do_not_get_the_estates(estate):
    for who in (estate.inspector, estate.regulator_b, estate.admin, estate.courier_a1):
        assert not can(who, "hazards.estates") and not can(who, "hazards.high_rise")


# --- What it sees ------------------------------------------------------------------------------


def test_it_sees_the_hazards_and_unreached_of_its_estates_only(estate, client):
    client.force_login(estate.manager)
    page = client.get(reverse("estate-home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-hazard="{estate.mine.pk}"' in html
    assert f'data-hazard="{estate.theirs.pk}"' not in html
    html = client.get(reverse("estate-home") + "?show=unreached").content.decode()
    assert f'data-customer="{estate.homes[1].pk}"' in html
    assert f'data-customer="{estate.other_home.pk}"' not in html
    assert client.get(reverse("estate-hazard", args=[estate.mine.pk])).status_code == 200
    assert client.get(reverse("estate-hazard", args=[estate.theirs.pk])).status_code == 404
    # Another estate named in the query string: not found.
    assert client.get(reverse("estate-home") + f"?jurisdiction=%23{estate.grid_b2.pk}"
                      ).status_code == 404
    one = client.get(reverse("estate-home") + f"?jurisdiction=%23{estate.grid_b1.pk}")
    assert one.status_code == 200 and f'data-hazard="{estate.mine.pk}"' in one.content.decode()
    # An unknown tab shows the hazards.
    assert f'data-hazard="{estate.mine.pk}"' in client.get(
        reverse("estate-home") + "?show=nonsense").content.decode()


def test_the_api_answers_the_same(estate, api):
    client = api.as_(estate.manager)
    rows = client.get("/api/v1/estates/").json()
    assert [(r["id"], r["open"], r["unreached"]) for r in rows] == [(estate.grid_b1.pk, 1, 1)]
    hazards = client.get("/api/v1/estates/hazards/").json()
    assert [h["id"] for h in hazards["results"]] == [estate.mine.pk]
    assert client.get(f"/api/v1/estates/hazards/{estate.mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/estates/hazards/{estate.theirs.pk}/").status_code == 404
    unreached = client.get("/api/v1/estates/unreached/").json()
    assert [r["customer"] for r in unreached["results"]] == [estate.homes[1].pk]
    answer = client.get("/api/v1/estates/unreached/", {"jurisdiction": f"#{estate.grid_b2.pk}"})
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["jurisdiction"]
    assert client.get("/api/v1/estates/hazards/", {"state": "bogus"}).status_code == 400


def test_it_cannot_see_customers_cylinders_delivery_reports_or_administration(estate, client,
                                                                             api):
    client.force_login(estate.manager)
    menu = {item["url"] for item in client.get("/").context["nav_items"]}
    assert menu == {"/", reverse("estate-home")}
    for url in ("/customers/", reverse("customer-detail", args=[estate.homes[0].pk]),
                "/cylinders/", "/delivery/", "/dashboard/", "/hazards/", "/inspections/",
                "/inspections/unreached/", "/accounts/", "/audit/", "/outbox/"):
        assert client.get(url).status_code == 403, url
    rest = api.as_(estate.manager)
    for url in ("/api/v1/customers/", "/api/v1/cylinders/", "/api/v1/orders/",
                "/api/v1/hazards/", "/api/v1/kpis/"):
        assert rest.get(url).status_code == 403, url
    # The generic hazard API does not record for it either: only its own report does.
    answer = rest.post("/api/v1/hazards/", {"jurisdiction": f"#{estate.grid_b1.pk}",
                                            "premises": "x", "category": "hose",
                                            "source": "public", "description": "x"},
                       format="json")
    assert answer.status_code == 403


def test_its_home_shows_its_estates_and_the_report_button(estate, client):
    notify(kind="test", subject="致物业的消息", body="正文", to_organisation=estate.company)
    client.force_login(estate.manager)
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="estates-panel"' in html
    assert f'data-estate="{estate.grid_b1.pk}"' in html
    assert 'data-testid="report-high-rise"' in html
    assert "致物业的消息" in html
    # Nobody else sees the card.
    client.force_login(estate.inspector)
    assert 'data-testid="estates-panel"' not in client.get("/").content.decode()


# --- Messages ----------------------------------------------------------------------------------


def test_it_reads_the_messages_to_its_company_not_others(estate, client, api):
    other = core_services.organisation_create(actor=None, name="丙物业", kind=OrgKind.PROPERTY_MANAGER,
                                              jurisdictions=[estate.grid_b2])
    notify(kind="test", subject="给乙物业", body="甲", to_organisation=estate.company)
    notify(kind="test", subject="给丙物业", body="乙", to_organisation=other)
    notify(kind="test", subject="给陈经理", body="丙", to_account=estate.manager)
    client.force_login(estate.manager)
    html = client.get(reverse("estate-home") + "?show=messages").content.decode()
    assert "给乙物业" in html and "给陈经理" in html and "给丙物业" not in html
    subjects = [m["subject"] for m in api.as_(estate.manager).get(
        "/api/v1/estates/messages/").json()["results"]]
    assert set(subjects) == {"给乙物业", "给陈经理"}


def test_an_overdue_hazard_of_its_estate_tells_it(estate, client):
    """The escalation ladder's messages reach the property companies covering the place
    (hazards.services._tell), and the manager reads them on its page."""
    Hazard.objects.filter(pk__in=[estate.mine.pk, estate.theirs.pk]).update(
        deadline=estate.mine.deadline.replace(year=2026, month=11, day=1))
    services.escalate()
    subjects = list(estates.messages_for(estate.manager).values_list("subject", flat=True))
    assert subjects and all("隐患逾期升级" in s for s in subjects)
    client.force_login(estate.manager)
    assert subjects[0] in client.get(reverse("estate-home") + "?show=messages"
                                     ).content.decode()


# --- Reporting LPG in a high-rise building ----------------------------------------------------


def test_it_reports_lpg_in_a_high_rise_building_of_its_estate(estate, api):
    client = api.as_(estate.manager)
    answer = client.post(REPORT_URL, body(estate, description="两只钢瓶",
                                          photos=[], client_id=str(uuid.uuid4())),
                         format="json")
    assert answer.status_code == 201, answer.content
    hazard = Hazard.objects.get(pk=answer.json()["id"])
    assert hazard.category.code == estates.HIGH_RISE and hazard.state == "open"
    assert hazard.premises == "3号楼 2单元1201" and hazard.description == "12层：两只钢瓶"
    assert hazard.jurisdiction == estate.grid_b1 and hazard.found_by == estate.manager
    assert hazard.grade == hazard.category.default_grade
    assert AuditEntry.objects.filter(model="hazards.hazard", object_pk=str(hazard.pk),
                                     action="create").exists()
    # It is in the area's hazard list of those who follow it up.
    assert hazard in Hazard.objects.visible_to(estate.regulator_b)
    assert hazard not in Hazard.objects.visible_to(estate.regulator_a)


def test_the_same_client_id_records_once(estate, api):
    client = api.as_(estate.manager)
    sent = body(estate, client_id=str(uuid.uuid4()))
    first = client.post(REPORT_URL, sent, format="json")
    again = client.post(REPORT_URL, sent, format="json")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Hazard.objects.filter(category__code=estates.HIGH_RISE).count() == 1


def test_a_flat_reported_and_not_closed_is_a_duplicate(estate, api):
    client = api.as_(estate.manager)
    assert client.post(REPORT_URL, body(estate), format="json").status_code == 201
    answer = client.post(REPORT_URL, body(estate, floor=None), format="json")
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["room"]


@pytest.mark.parametrize("change, field", [
    ({"building": ""}, "building"), ({"room": ""}, "room"), ({"room": "x" * 61}, "room"),
    ({"floor": 0}, "floor"), ({"floor": "high"}, "floor"), ({"description": "x" * 401},
                                                            "description"),
    ({"jurisdiction": ""}, "jurisdiction"), ({"jurisdiction": "#999999"}, "jurisdiction"),
    ({"category": "hose"}, "category"), ({"photos": ["data:image/png;base64,bm90"]},
                                         "photos.0"),
    ({"client_id": "nope"}, "client_id"),
])
def test_bad_input_names_the_field_and_writes_nothing(estate, api, change, field):
    before = Hazard.objects.count()
    answer = api.as_(estate.manager).post(REPORT_URL, body(estate, **change), format="json")
    assert answer.status_code == 400, answer.content
    assert field in [e["field"] for e in answer.json()["errors"]], answer.json()
    assert Hazard.objects.count() == before


def test_a_building_outside_its_estates_is_refused(estate, api):
    client = api.as_(estate.manager)
    for place in (estate.grid_b2, estate.community_b1, estate.village_a1):
        answer = client.post(REPORT_URL, body(estate, jurisdiction=f"#{place.pk}"),
                             format="json")
        assert answer.status_code == 400
        assert [e["field"] for e in answer.json()["errors"]] == ["jurisdiction"]
    with pytest.raises(Jurisdiction.DoesNotExist):
        estates.high_rise_report(actor=estate.manager, jurisdiction=estate.grid_b2,
                                 building="1", room="1")
    assert not Hazard.objects.filter(category__code=estates.HIGH_RISE).exists()


def test_other_roles_cannot_report_through_it(estate, api):
    for who in (estate.inspector, estate.regulator_b, estate.admin):
        answer = api.as_(who).post(REPORT_URL, body(estate), format="json")
        assert answer.status_code == 403, who
    with pytest.raises(PermissionDenied):
        estates.high_rise_report(actor=estate.inspector, jurisdiction=estate.grid_b1,
                                 building="1", room="1")


def test_without_the_category_in_the_catalogue_the_report_says_so(estate, api):
    Category.objects.filter(code=estates.HIGH_RISE).update(is_active=False)
    answer = api.as_(estate.manager).post(REPORT_URL, body(estate), format="json")
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["category"]


def test_the_report_page_records_and_names_the_field(estate, client):
    client.force_login(estate.manager)
    url = reverse("estate-report")
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="high-rise-form"' in page.content.decode()
    form = {"jurisdiction": str(estate.grid_b1.pk), "building": "5号楼", "room": "1单元2201",
            "floor": "22", "description": "", "client_id": str(uuid.uuid4())}
    bad = client.post(url, {**form, "building": ""})
    assert bad.status_code == 400 and 'data-field="building"' in bad.content.decode()
    outside = client.post(url, {**form, "jurisdiction": str(estate.grid_b2.pk)})
    assert outside.status_code == 400 and 'data-field="jurisdiction"' in outside.content.decode()
    photo = SimpleUploadedFile("p.png", png(), content_type="image/png")
    done = client.post(url, {**form, "photos": photo})
    assert done.status_code == 302
    hazard = Hazard.objects.get(category__code=estates.HIGH_RISE)
    assert done.url == reverse("estate-hazard", args=[hazard.pk])
    assert hazard.description == "22层：高层建筑使用液化气"
    assert hazard.events.get().photos.count() == 1
    # Sent twice (a double tap): one hazard.
    assert client.post(url, form).status_code == 302
    assert Hazard.objects.filter(category__code=estates.HIGH_RISE).count() == 1
    assert client.get(done.url).status_code == 200


def test_others_get_403_on_the_pages(estate, client):
    client.force_login(estate.regulator_b)
    for url in (reverse("estate-home"), reverse("estate-report"),
                reverse("estate-hazard", args=[estate.mine.pk])):
        assert client.get(url).status_code == 403, url

