"""Core pages (issue 2, item 7): role home pages, scoping in pages, admin management, audit."""

import pytest
from django.urls import reverse

from ranan.core.models import Account, AuditEntry, Jurisdiction, Organisation
from tests.cast import PASSWORD


@pytest.fixture
def login(client):
    def as_(account):
        client.force_login(account)
        return client

    return as_


@pytest.mark.parametrize("who, panels, not_shown", [
    ("courier_a1", {"reports/_home_panel.html", "core/home/_places.html"},
     {"core/home/_staff.html", "core/home/_admin_counts.html"}),
    ("station_manager", {"reports/_home_panel.html", "core/home/_staff.html"},
     {"core/home/_places.html"}),
    ("regulator_a", {"reports/_home_panel.html", "core/home/_units.html"},
     {"core/home/_staff.html"}),
    ("auditor", {"core/home/_audit.html"}, {"reports/_home_panel.html", "core/home/_area.html"}),
    ("admin", {"core/home/_admin_counts.html", "core/home/_newest_accounts.html"},
     {"core/home/_audit.html"}),
    ("inspector", {"core/home/_places.html"}, {"core/home/_units.html"}),
    ("gas_admin", {"core/home/_staff.html"}, {"core/home/_places.html"}),
])
def test_each_role_sees_its_home_panels(cast, login, who, panels, not_shown):
    response = login(getattr(cast, who)).get("/")
    assert response.status_code == 200
    rendered = {t.name for t in response.templates}
    assert panels <= rendered and not (not_shown & rendered)


def test_the_station_home_lists_its_couriers_and_their_villages(cast, login):
    body = login(cast.station_manager).get("/").content.decode()
    assert "courier_a1" in body and "一村" in body and "二村" in body
    assert "inspector" not in body


def test_the_regulator_home_counts_its_villages(cast, login):
    response = login(cast.regulator_a).get("/")
    units = response.context["units"]
    assert [(u["node"].name, u["villages"]) for u in units] == [("甲乡", 2)]


def test_navigation_depends_on_the_role(cast, login):
    courier_nav = [i["url"] for i in login(cast.courier_a1).get("/").context["nav_items"]]
    assert "/audit/" not in courier_nav and "/accounts/" not in courier_nav
    auditor_nav = [i["url"] for i in login(cast.auditor).get("/").context["nav_items"]]
    assert "/audit/" in auditor_nav and "/areas/" not in auditor_nav
    admin_nav = [i["url"] for i in login(cast.admin).get("/").context["nav_items"]]
    assert {"/accounts/", "/organisations/", "/areas/"} <= set(admin_nav)


def test_anonymous_visitors_are_sent_to_login(db, client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_courier_gets_404_for_another_villages_page(cast, login):
    client = login(cast.courier_a1)
    assert client.get(f"/areas/{cast.village_a1.pk}/").status_code == 200
    response = client.get(f"/areas/{cast.village_a2.pk}/")
    assert response.status_code == 404


def test_a_county_regulator_browses_its_county_not_the_other_district(cast, login):
    client = login(cast.regulator_a)
    page = client.get(f"/areas/{cast.township.pk}/")
    assert {j.name for j in page.context["page"]} == {"一村", "二村"}
    assert client.get(f"/areas/{cast.community_b1.pk}/").status_code == 404
    search = client.get("/areas/?q=村")
    assert {j.name for j in search.context["page"]} == {"一村", "二村"}


def test_the_login_page_logs_in_and_records_it(cast, client):
    response = client.post("/login/", {"username": "regulator_a", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(actor=cast.regulator_a, action="login").exists()


def test_the_login_page_locks_after_five_failures(cast, client):
    for _ in range(5):
        client.post("/login/", {"username": "courier_a2", "password": "wrong"})
    response = client.post("/login/", {"username": "courier_a2", "password": PASSWORD})
    assert response.status_code == 429
    assert response.context["locked_out"]


def test_admin_pages_are_refused_to_other_roles(cast, login):
    for url in ("/accounts/", "/accounts/new/", "/organisations/", "/organisations/new/",
                f"/areas/{cast.township.pk}/new/"):
        assert login(cast.regulator_a).get(url).status_code == 403, url


def test_the_audit_page_is_for_auditors_only(cast, login):
    assert login(cast.admin).get("/audit/").status_code == 403
    response = login(cast.auditor).get("/audit/?action=create&model=core.account")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == Account.objects.count()


def test_the_audit_page_rejects_a_bad_date_without_crashing(cast, login):
    response = login(cast.auditor).get("/audit/?since=not-a-date")
    assert response.status_code == 200
    assert "since" in response.context["form"].errors


def test_an_admin_creates_an_account_from_the_page(cast, login):
    client = login(cast.admin_a)
    data = {"username": "courier_new", "full_name": "新配送员", "organisation": cast.station.pk,
            "roles": ["courier"], "area": [cast.village_a2.pk], "password": "a-long-password-77",
            "is_active": "on"}
    response = client.post("/accounts/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    account = Account.objects.get(username="courier_new")
    assert account.roles == {"courier"}
    assert AuditEntry.objects.filter(actor=cast.admin_a, model="core.account",
                                     object_pk=str(account.pk)).exists()


def test_the_account_page_names_the_wrong_field(cast, login):
    client = login(cast.admin)
    data = {"username": "bad_one", "organisation": cast.regulator_a_org.pk, "roles": ["courier"],
            "area": [cast.village_a2.pk], "password": "a-long-password-77"}
    response = client.post("/accounts/new/", data)
    assert response.status_code == 200
    assert "roles" in response.context["form"].errors
    assert not Account.objects.filter(username="bad_one").exists()
    missing = client.post("/accounts/new/", {"username": "bad_two"})
    assert {"organisation", "roles", "area", "password"} <= set(missing.context["form"].errors)


def test_an_admin_cannot_edit_an_account_outside_its_area(cast, login):
    assert login(cast.admin_a).get(f"/accounts/{cast.inspector.pk}/").status_code == 404


def test_an_admin_edits_an_account(cast, login):
    client = login(cast.admin_a)
    data = {"full_name": "改名", "organisation": cast.station.pk, "roles": ["courier"],
            "area": [cast.village_a1.pk, cast.village_a2.pk], "is_active": "on"}
    assert client.post(f"/accounts/{cast.courier_a1.pk}/", data).status_code == 302
    account = Account.objects.get(pk=cast.courier_a1.pk)
    assert account.full_name == "改名"
    assert set(account.area.values_list("name", flat=True)) == {"一村", "二村"}
    assert account.check_password(PASSWORD)  # an empty password field keeps the password


def test_an_admin_creates_an_organisation_and_a_jurisdiction(cast, login):
    client = login(cast.admin)
    response = client.post("/organisations/new/", {
        "name": "乙区消防救援大队", "kind": "regulator", "regulator_type": "fire",
        "jurisdictions": [cast.district_b.pk]})
    assert response.status_code == 302
    assert Organisation.objects.filter(name="乙区消防救援大队", regulator_type="fire").exists()
    bad = client.post("/organisations/new/", {"name": "无类型", "kind": "regulator",
                                               "jurisdictions": [cast.district_b.pk]})
    assert "regulator_type" in bad.context["form"].errors
    response = client.post(f"/areas/{cast.township.pk}/new/",
                           {"name": "三村", "level": "village", "code": "990101100203"})
    assert response.status_code == 302
    assert Jurisdiction.objects.get(code="990101100203").parent == cast.township
    wrong = client.post(f"/areas/{cast.township.pk}/new/", {"name": "错", "level": "city"})
    assert "level" in wrong.context["form"].errors


def test_the_language_switch_is_kept_on_the_account(cast, login):
    client = login(cast.courier_a1)
    response = client.post(reverse("switch-language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    cast.courier_a1.refresh_from_db()
    assert cast.courier_a1.language == "en"
    client.cookies.clear()
    client.force_login(cast.courier_a1)
    assert client.get("/").context["LANGUAGE_CODE"] == "en"


def test_chinese_is_the_default_language(cast, login):
    body = login(cast.courier_a1).get("/").content.decode()
    assert '<html lang="zh-CN">' in body


def test_the_django_admin_is_for_superusers_only(cast, login):
    cast.admin.is_staff = True
    cast.admin.save()
    assert login(cast.admin).get("/django-admin/").status_code == 302
    root = Account.objects.create_superuser("root", "", "x-long-password-1")
    client = login(root)
    assert client.get("/django-admin/").status_code == 200
    entry = AuditEntry.objects.first()
    # Not even the superuser reads or touches the audit log through the admin.
    assert client.get(f"/django-admin/core/auditentry/{entry.pk}/delete/").status_code == 404
    assert client.get("/django-admin/core/auditentry/").status_code == 404


def test_a_superuser_edit_in_the_django_admin_is_audited(cast, client):
    root = Account.objects.create_superuser("root", "", "x-long-password-1")
    client.force_login(root)
    url = f"/django-admin/core/organisation/{cast.station.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="甲液化气站（改）", jurisdictions=[cast.district_a.pk],
                parent=cast.lpg_company.pk, is_active="on")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(actor=root, action="update", model="core.organisation")
    assert entry.changes["name"] == ["甲液化气站", "甲液化气站（改）"]
