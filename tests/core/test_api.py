"""REST API base (issue 2, item 8) and its bad-input answers."""

from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import get_token_model

from ranan.core.models import Account, AuditEntry, Organisation
from tests.cast import PASSWORD


def assert_error(response, status, field, code=None):
    assert response.status_code == status, response.content
    errors = response.json()["errors"]
    assert any(e["field"] == field and (code is None or e["code"] == code) for e in errors), errors
    for e in errors:
        assert set(e) == {"field", "code", "message"} and e["message"]


def token_for(client, username, password=PASSWORD):
    response = client.post("/api/v1/auth/token", {"username": username, "password": password},
                           format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


# --- Tokens ------------------------------------------------------------------------------


def test_a_token_opens_the_api(cast, api):
    token = token_for(api, "courier_a1")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me").json()
    assert me["username"] == "courier_a1"
    assert me["roles"] == ["courier"]
    assert me["organisation"]["kind"] == "lpg_station"
    assert [a["code"] for a in me["area"]] == ["990101100201"]


def test_a_wrong_password_gets_no_token(cast, api):
    response = api.post("/api/v1/auth/token", {"username": "courier_a1", "password": "x"},
                        format="json")
    assert_error(response, 400, None, "invalid_credentials")


def test_a_missing_field_is_named(cast, api):
    assert_error(api.post("/api/v1/auth/token", {"username": "x"}, format="json"),
                 400, "password", "required")


def test_malformed_json_is_a_clear_error(cast, api):
    response = api.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert_error(response, 400, None, "parse_error")


def test_an_expired_token_is_refused_as_expired(cast, api):
    token = token_for(api, "courier_a1")
    get_token_model().objects.update(expiry=timezone.now() - timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert_error(api.get("/api/v1/me"), 401, None, "token_expired")
    assert not get_token_model().objects.exists()


def test_a_bogus_token_is_refused(cast, api):
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert_error(api.get("/api/v1/me"), 401, None, "invalid_token")


def test_logout_deletes_the_token(cast, api):
    token = token_for(api, "courier_a1")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.post("/api/v1/auth/logout").status_code == 204
    assert api.get("/api/v1/me").status_code == 401


def test_five_failures_lock_the_account_even_with_the_right_password(cast, api):
    for _ in range(5):
        api.post("/api/v1/auth/token", {"username": "courier_a2", "password": "bad"}, format="json")
    response = api.post("/api/v1/auth/token", {"username": "courier_a2", "password": PASSWORD},
                        format="json")
    assert_error(response, 429, None, "locked_out")


def test_the_lockout_is_not_per_address(cast, api):
    # Issue 16 item 10: an address is an office behind one NAT (or everyone behind nginx);
    # failures of other accounts from it do not lock an account there.
    for index in range(5):
        api.post("/api/v1/auth/token", {"username": f"nobody{index}", "password": "bad"},
                 format="json", REMOTE_ADDR="10.0.0.9")
    same = api.post("/api/v1/auth/token", {"username": "courier_a1", "password": PASSWORD},
                    format="json", REMOTE_ADDR="10.0.0.9")
    assert same.status_code == 200


def test_unauthenticated_requests_get_the_error_format(db, api):
    assert_error(api.get("/api/v1/me"), 401, None, "not_authenticated")


def test_an_unknown_api_url_answers_json(db, client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


# --- Jurisdictions ---------------------------------------------------------------------------


def test_children_of_a_code(cast, api):
    rows = api.as_(cast.regulator_a).get("/api/v1/jurisdictions/?parent=990101100").json()
    assert {r["name"] for r in rows["results"]} == {"一村", "二村"}
    assert rows["count"] == 2


def test_without_parent_the_top_of_the_area(cast, api):
    rows = api.as_(cast.regulator_a).get("/api/v1/jurisdictions/").json()["results"]
    assert [r["name"] for r in rows] == ["甲区"]


def test_a_courier_gets_404_for_another_village(cast, api):
    client = api.as_(cast.courier_a1)
    assert client.get(f"/api/v1/jurisdictions/{cast.village_a1.pk}/").status_code == 200
    assert_error(client.get(f"/api/v1/jurisdictions/{cast.village_a2.pk}/"), 404, None,
                 "not_found")


def test_a_county_regulator_sees_nothing_of_the_other_district(cast, api):
    client = api.as_(cast.regulator_a)
    assert client.get(f"/api/v1/jurisdictions/{cast.community_b1.pk}/").status_code == 404
    # A parent outside the area is answered like an unknown code: nothing is confirmed.
    assert_error(client.get("/api/v1/jurisdictions/?parent=990102"), 400, "parent")
    assert_error(client.get("/api/v1/jurisdictions/?parent=abc"), 400, "parent")
    assert_error(client.get("/api/v1/jurisdictions/?parent=123456"), 400, "parent")


def test_an_admin_creates_a_jurisdiction_and_a_regulator_cannot(cast, api):
    body = {"name": "三村", "level": "village", "parent": cast.township.pk, "code": "990101100203"}
    assert_error(api.as_(cast.regulator_a).post("/api/v1/jurisdictions/", body, format="json"),
                 403, None, "permission_denied")
    response = api.as_(cast.admin_a).post("/api/v1/jurisdictions/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["depth"] == 4


def test_creating_under_a_parent_out_of_area_is_refused(cast, api):
    body = {"name": "外村", "level": "village", "parent": cast.subdistrict.pk}
    assert_error(api.as_(cast.admin_a).post("/api/v1/jurisdictions/", body, format="json"),
                 400, "parent")


def test_bad_jurisdiction_input_names_the_field(cast, api):
    client = api.as_(cast.admin)
    assert_error(client.post("/api/v1/jurisdictions/", {"level": "village"}, format="json"),
                 400, "name", "required")
    assert_error(client.post("/api/v1/jurisdictions/", {"name": "x", "level": "planet",
                 "parent": cast.township.pk}, format="json"), 400, "level")
    assert_error(client.post("/api/v1/jurisdictions/", {"name": "x", "level": "village",
                 "parent": cast.township.pk, "code": "990101100201"}, format="json"), 400, "code")


# --- Organisations and accounts -----------------------------------------------------------------


def test_a_role_outside_its_organisation_kind_is_refused(cast, api):
    body = {"username": "new_courier", "password": "a-long-password-77", "roles": ["courier"],
            "organisation": cast.regulator_a_org.pk, "area": [cast.village_a1.pk]}
    assert_error(api.as_(cast.admin).post("/api/v1/accounts/", body, format="json"), 400, "roles")
    assert not Account.objects.filter(username="new_courier").exists()


def test_an_account_without_an_organisation_is_refused(cast, api):
    body = {"username": "orphan", "password": "a-long-password-77", "roles": ["regulator"],
            "organisation": None, "area": [cast.district_a.pk]}
    assert_error(api.as_(cast.admin).post("/api/v1/accounts/", body, format="json"), 400,
                 "organisation")


def test_account_create_checks_every_field(cast, api):
    client = api.as_(cast.admin)
    good = {"username": "newbie", "password": "a-long-password-77", "roles": ["courier"],
            "organisation": cast.station.pk, "area": [cast.village_a1.pk]}
    assert_error(client.post("/api/v1/accounts/", {**good, "password": "123"}, format="json"),
                 400, "password")
    assert_error(client.post("/api/v1/accounts/", {**good, "area": []}, format="json"), 400, "area")
    assert_error(client.post("/api/v1/accounts/", {**good, "roles": ["pilot"]}, format="json"),
                 400, "roles[0]" if False else "roles.0")
    assert_error(client.post("/api/v1/accounts/", {**good, "username": "courier_a1"},
                 format="json"), 400, "username")
    response = client.post("/api/v1/accounts/", good, format="json")
    assert response.status_code == 201, response.content
    assert "password" not in response.json()
    assert AuditEntry.objects.filter(model="core.account", action="create",
                                     object_pk=str(response.json()["id"])).exists()


def test_an_admin_of_one_district_cannot_give_an_area_elsewhere(cast, api):
    body = {"username": "spy", "password": "a-long-password-77", "roles": ["regulator"],
            "organisation": cast.regulator_a_org.pk, "area": [cast.district_b.pk]}
    # district B is invisible to admin_a: it is answered as a non-existent id.
    assert_error(api.as_(cast.admin_a).post("/api/v1/accounts/", body, format="json"), 400,
                 "area")


def test_accounts_are_for_admins_only(cast, api):
    assert api.as_(cast.station_manager).get("/api/v1/accounts/").status_code == 403
    assert api.as_(cast.auditor).get("/api/v1/accounts/").status_code == 403


def test_an_admin_edits_an_account_out_of_its_area_gets_404(cast, api):
    client = api.as_(cast.admin_a)
    assert client.patch(f"/api/v1/accounts/{cast.inspector.pk}/", {"full_name": "x"},
                        format="json").status_code == 404
    assert client.patch(f"/api/v1/accounts/{cast.courier_a1.pk}/", {"full_name": "巴桑"},
                        format="json").status_code == 200


def test_organisation_rules(cast, api):
    client = api.as_(cast.admin)
    base = {"name": "新站", "kind": "lpg_station", "jurisdictions": [cast.district_a.pk]}
    assert_error(client.post("/api/v1/organisations/", base, format="json"), 400, "parent")
    assert_error(client.post("/api/v1/organisations/", {**base, "kind": "regulator"},
                 format="json"), 400, "regulator_type")
    assert_error(client.post("/api/v1/organisations/", {**base, "parent": cast.gas_company.pk},
                 format="json"), 400, "parent")
    assert_error(client.post("/api/v1/organisations/", {**base, "jurisdictions": []},
                 format="json"), 400, "jurisdictions")
    ok = client.post("/api/v1/organisations/", {**base, "parent": cast.lpg_company.pk},
                     format="json")
    assert ok.status_code == 201, ok.content
    dup = client.post("/api/v1/organisations/", {**base, "parent": cast.lpg_company.pk},
                      format="json")
    assert dup.status_code == 400
    assert Organisation.objects.filter(name="新站").count() == 1


def test_enterprise_staff_get_404_for_another_enterprise(cast, api):
    client = api.as_(cast.gas_admin)
    assert client.get(f"/api/v1/organisations/{cast.station.pk}/").status_code == 404
    assert client.get(f"/api/v1/organisations/{cast.gas_company.pk}/").status_code == 200


# --- Audit -------------------------------------------------------------------------------------


def test_the_audit_log_is_for_auditors_only(cast, api):
    for account in (cast.admin, cast.regulator_a, cast.courier_a1):
        assert api.as_(account).get("/api/v1/audit/").status_code == 403
    rows = api.as_(cast.auditor).get("/api/v1/audit/?model=core.account&action=create").json()
    assert rows["count"] == Account.objects.count()


def test_the_audit_log_filters_by_account_and_time(cast, api):
    from ranan.core import services

    services.jurisdiction_update(actor=cast.admin, jurisdiction=cast.village_a2, name="二村甲")
    client = api.as_(cast.auditor)
    rows = client.get("/api/v1/audit/?account=admin&action=update").json()["results"]
    assert [r["changes"] for r in rows] == [{"name": ["二村", "二村甲"]}]
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    assert client.get("/api/v1/audit/", {"since": future}).json()["count"] == 0
    assert_error(client.get("/api/v1/audit/?since=yesterday"), 400, "since")
    assert_error(client.get("/api/v1/audit/?action=explode"), 400, "action")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_no_endpoint_can_alter_the_audit_log(cast, api, method):
    entry = AuditEntry.objects.first()
    client = api.as_(cast.auditor)
    url = "/api/v1/audit/" if method == "post" else f"/api/v1/audit/{entry.pk}/"
    response = getattr(client, method)(url, {"action": "delete"}, format="json")
    assert response.status_code == 405
    entry.refresh_from_db()
    assert entry.action != "delete"


def test_openapi_schema_and_docs(cast, client):
    assert client.get("/api/schema/").status_code == 401  # signed-in accounts only (issue 16)
    client.force_login(cast.inspector)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/auth/token" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_a_concurrent_duplicate_username_gets_a_clear_error(cast, monkeypatch):
    """Two admins create the same username at once: both pass the pre-check, the unique
    index decides, and the loser sees an error on `username`, with nothing half-written."""
    from django.core.exceptions import ValidationError

    from ranan.core import services

    real_filter = Account.objects.filter

    def blind_filter(*args, **kwargs):  # the pre-check does not see the other request's row
        if "username__iexact" in kwargs:
            return real_filter(pk__in=[])
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Account.objects, "filter", blind_filter)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.account_create(actor=cast.admin, username="courier_a1", password="x" * 12,
                                organisation=cast.station, roles=["courier"],
                                area=[cast.village_a1], check_password=False)
    assert "username" in exc.value.error_dict
    assert AuditEntry.objects.count() == before


def test_listing_children_costs_the_same_queries_for_many_rows(cast, api, django_assert_max_num_queries):
    from ranan.core import services as core_services

    for index in range(30):
        core_services.jurisdiction_create(actor=None, name=f"新村{index}", level="village",
                                          parent=cast.township)
    client = api.as_(cast.regulator_a)
    client.get("/api/v1/jurisdictions/?parent=990101100")  # warm the account's cached roles
    with django_assert_max_num_queries(8):
        rows = client.get("/api/v1/jurisdictions/?parent=990101100&page_size=100").json()
    assert rows["count"] == 32


def test_the_openapi_schema_generates_without_warnings(db):
    """The schema drives clients and API fuzzing: every endpoint must be described."""
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", "/dev/null")


def test_create_accepts_every_field_the_schema_offers(cast, api):
    """Found by schemathesis: is_active on create was a 500."""
    client = api.as_(cast.admin)
    org = client.post("/api/v1/organisations/", {
        "name": "停用站", "kind": "lpg_station", "parent": cast.lpg_company.pk,
        "jurisdictions": [cast.district_a.pk], "is_active": False}, format="json")
    assert org.status_code == 201 and org.json()["is_active"] is False
    account = client.post("/api/v1/accounts/", {
        "username": "dormant", "password": "a-long-password-77", "roles": ["courier"],
        "organisation": cast.station.pk, "area": [cast.village_a1.pk], "is_active": False,
        "language": "en"}, format="json")
    assert account.status_code == 201, account.content
    assert account.json()["is_active"] is False and account.json()["language"] == "en"
