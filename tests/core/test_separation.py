"""Separation of duties (三员分立, issue 16 item 2): the system administrator, the security
administrator and the auditor are three people. An admin cannot make itself (or anyone) an
auditor, reset the auditor's password or deactivate it, through the pages, the API or the
Django admin; nobody changes its own roles; every role change is audited and told to the
auditors; the security administrator does what the admin may not."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ranan.core import services
from ranan.core.choices import AuditAction, Role, duties_conflict
from ranan.core.models import Account, AccountRole, AuditEntry, Message
from ranan.core.permissions import can
from tests.cast import PASSWORD


@pytest.fixture
def secadmin(cast):
    return services.account_create(
        actor=None, username="secadmin", password=PASSWORD, organisation=cast.platform,
        roles=[Role.SECURITY_ADMIN], area=[cast.province], full_name="secadmin",
        check_password=False)


def fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def fresh(account):
    return Account.objects.get(pk=account.pk)


def form_data(account, **changes):
    data = {"username": account.username, "full_name": account.full_name,
            "phone": account.phone, "email": account.email,
            "organisation": account.organisation_id, "roles": sorted(account.roles),
            "area": list(account.area.values_list("pk", flat=True)),
            "is_active": "on" if account.is_active else ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


# --- The rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize("roles", [
    {"admin", "auditor"}, {"admin", "security_admin"}, {"security_admin", "auditor"},
    {"auditor", "regulator"}, {"security_admin", "courier"}])
def test_no_account_combines_the_duties(cast, secadmin, roles):
    assert duties_conflict(roles)
    with pytest.raises(ValidationError) as error:
        services.account_create(actor=secadmin, username="both", password="a-long-password-77",
                                organisation=cast.platform, roles=sorted(roles),
                                area=[cast.province])
    assert "roles" in error.value.message_dict
    # Not even the system (the demo loader) may, nor a row written past the services.
    with pytest.raises(ValidationError):
        services.account_update(actor=None, account=cast.auditor, roles=sorted(roles))


def test_a_role_row_written_past_the_services_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        AccountRole.objects.create(account=cast.auditor, role=Role.ADMIN)
    assert "role" in error.value.message_dict
    assert cast.auditor.roles == {Role.AUDITOR}


# --- The admin cannot ---------------------------------------------------------------------------


def test_the_admin_cannot_give_itself_the_auditor_role(cast, api, client):
    with pytest.raises(ValidationError) as error:
        services.account_update(actor=cast.admin, account=cast.admin, roles=[Role.AUDITOR])
    assert "roles" in error.value.message_dict
    response = api.as_(cast.admin).patch(f"/api/v1/accounts/{cast.admin.pk}/",
                                         {"roles": ["auditor"]}, format="json")
    assert response.status_code == 400 and "roles" in fields(response)
    client.force_login(cast.admin)
    url = reverse("account-edit", args=[cast.admin.pk])
    page = client.post(url, form_data(cast.admin, roles=["auditor"]))
    assert page.status_code in (200, 302)
    assert fresh(cast.admin).roles == {Role.ADMIN}
    assert not can(fresh(cast.admin), "core.audit")
    assert client.get(reverse("audit-list")).status_code == 403
    assert api.get("/api/v1/audit/").status_code == 403


def test_the_admin_cannot_make_anyone_an_auditor(cast, api):
    body = {"username": "mole", "password": "a-long-password-77", "roles": ["auditor"],
            "organisation": cast.platform.pk, "area": [cast.province.pk]}
    assert api.as_(cast.admin).post("/api/v1/accounts/", body, format="json").status_code == 403
    response = api.patch(f"/api/v1/accounts/{cast.regulator_a.pk}/", {"roles": ["auditor"]},
                         format="json")
    assert response.status_code == 403
    assert not Account.objects.filter(username="mole").exists()
    assert fresh(cast.regulator_a).roles == {Role.REGULATOR}


def test_the_admin_cannot_reset_the_auditors_password_or_deactivate_it(cast, api, client):
    client_api = api.as_(cast.admin)
    url = f"/api/v1/accounts/{cast.auditor.pk}/"
    assert client_api.patch(url, {"password": "taken-over-2026!"}, format="json").status_code == 403
    assert client_api.patch(url, {"is_active": False}, format="json").status_code == 403
    auditor = fresh(cast.auditor)
    assert auditor.is_active and auditor.check_password(PASSWORD)
    client.force_login(cast.admin)
    edit = reverse("account-edit", args=[cast.auditor.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, form_data(cast.auditor, password="taken-over-2026!")).status_code == 403
    assert fresh(cast.auditor).check_password(PASSWORD)
    # The list does not link to a page the admin cannot open.
    listing = client.get(reverse("account-list")).content.decode()
    assert edit not in listing and 'data-testid="account-not-manageable"' in listing
    with pytest.raises(PermissionDenied):
        services.account_update(actor=cast.admin, account=cast.auditor, is_active=False)


def test_the_admin_still_manages_ordinary_accounts(cast, api):
    response = api.as_(cast.admin).patch(f"/api/v1/accounts/{cast.courier_a1.pk}/",
                                         {"full_name": "巴桑"}, format="json")
    assert response.status_code == 200, response.content
    assert api.get("/api/v1/accounts/").status_code == 200


# --- Nor a superuser, nor the Django admin ---------------------------------------------------


@pytest.fixture
def superuser(cast):
    account = fresh(cast.admin)
    Account.objects.filter(pk=account.pk).update(is_superuser=True, is_staff=True)
    return fresh(account)


def test_a_superuser_cannot_read_the_log_nor_bypass_the_rule(cast, superuser, api):
    assert not can(superuser, "core.audit")
    assert api.as_(superuser).get("/api/v1/audit/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.account_update(actor=superuser, account=cast.auditor, password="x-long-pass-99")


def test_the_django_admin_refuses_the_same(cast, superuser, client):
    client.force_login(superuser)
    base = "/django-admin/core/account/"
    # Giving itself the auditor role through the roles inline.
    own = superuser.role_rows.get()
    post = {"username": superuser.username, "password": superuser.password,
            "full_name": superuser.full_name, "organisation": superuser.organisation_id,
            "area": [cast.province.pk], "is_active": "on", "is_staff": "on",
            "is_superuser": "on", "date_joined_0": "2026-12-01", "date_joined_1": "10:00:00",
            "role_rows-TOTAL_FORMS": "2", "role_rows-INITIAL_FORMS": "1",
            "role_rows-MIN_NUM_FORMS": "0", "role_rows-MAX_NUM_FORMS": "1000",
            "role_rows-0-id": own.pk, "role_rows-0-account": superuser.pk,
            "role_rows-0-role": "admin",
            "role_rows-1-account": superuser.pk, "role_rows-1-role": "auditor"}
    response = client.post(f"{base}{superuser.pk}/change/", post)
    assert response.status_code == 200  # the form again, with the error
    assert fresh(superuser).roles == {Role.ADMIN}
    # The auditor's account: read-only, and its password page refused.
    assert client.get(f"{base}{cast.auditor.pk}/password/").status_code == 403
    response = client.post(f"{base}{cast.auditor.pk}/password/",
                           {"password1": "taken-over-2026!", "password2": "taken-over-2026!"})
    assert response.status_code == 403
    assert fresh(cast.auditor).check_password(PASSWORD)
    page = client.get(f"{base}{cast.auditor.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


# --- The security administrator can ----------------------------------------------------------


def test_the_security_admin_manages_the_privileged_accounts(cast, secadmin, api, client):
    client_api = api.as_(secadmin)
    url = f"/api/v1/accounts/{cast.auditor.pk}/"
    assert client_api.patch(url, {"password": "a-new-auditor-pass-9"}, format="json").status_code == 200
    assert fresh(cast.auditor).check_password("a-new-auditor-pass-9")
    body = {"username": "auditor2", "password": "a-long-password-77", "roles": ["auditor"],
            "organisation": cast.platform.pk, "area": [cast.province.pk]}
    assert client_api.post("/api/v1/accounts/", body, format="json").status_code == 201
    # The page: the security admin sees the accounts of its area and opens the auditor's.
    client.force_login(secadmin)
    assert client.get(reverse("account-list")).status_code == 200
    assert client.get(reverse("account-edit", args=[cast.auditor.pk])).status_code == 200
    response = client.post(reverse("account-edit", args=[cast.admin_a.pk]),
                           form_data(cast.admin_a, is_active=""))
    assert response.status_code == 302
    assert not fresh(cast.admin_a).is_active
    # It sees no domain data and not the log.
    assert not can(secadmin, "core.data") and not can(secadmin, "core.audit")


def test_no_account_changes_its_own_roles(cast, secadmin, api):
    response = api.as_(secadmin).patch(f"/api/v1/accounts/{secadmin.pk}/",
                                       {"roles": ["admin"]}, format="json")
    assert response.status_code == 400 and "roles" in fields(response)
    assert fresh(secadmin).roles == {Role.SECURITY_ADMIN}


# --- Audited and told --------------------------------------------------------------------------


def test_every_role_change_is_audited_and_told_to_the_auditors(cast, secadmin, api):
    before = Message.objects.filter(to_account=cast.auditor, kind="role_change").count()
    response = api.as_(cast.admin).patch(f"/api/v1/accounts/{cast.courier_a1.pk}/",
                                         {"roles": ["courier", "inspector"]}, format="json")
    assert response.status_code == 200, response.content
    row = AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGE,
                                    object_pk=str(cast.courier_a1.pk)).get()
    assert row.actor_id == cast.admin.pk
    assert row.changes == {"roles": [["courier"], ["courier", "inspector"]]}
    assert row.details == {"given": ["inspector"], "taken": []}
    # Taken away, by the security admin on a privileged account.
    response = api.as_(secadmin).patch(f"/api/v1/accounts/{cast.admin_a.pk}/",
                                       {"roles": ["regulator"]}, format="json")
    assert response.status_code == 200, response.content
    assert AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGE,
                                     object_pk=str(cast.admin_a.pk),
                                     details__taken=["admin"]).exists()
    assert Message.objects.filter(to_account=cast.auditor,
                                  kind="role_change").count() == before + 2
    # A change without a role change tells no one.
    api.as_(cast.admin).patch(f"/api/v1/accounts/{cast.courier_a1.pk}/", {"full_name": "x"},
                              format="json")
    assert Message.objects.filter(to_account=cast.auditor,
                                  kind="role_change").count() == before + 2


def test_a_new_account_made_by_someone_is_a_role_change(cast, api):
    body = {"username": "newbie", "password": "a-long-password-77", "roles": ["courier"],
            "organisation": cast.station.pk, "area": [cast.village_a1.pk]}
    response = api.as_(cast.admin).post("/api/v1/accounts/", body, format="json")
    assert response.status_code == 201
    assert AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGE,
                                     object_pk=str(response.json()["id"])).exists()
    assert Message.objects.filter(to_account=cast.auditor, kind="role_change").exists()


def test_the_django_admin_role_change_is_audited(cast, superuser, client):
    client.force_login(superuser)
    courier = cast.courier_a1
    row = courier.role_rows.get()
    post = {"username": courier.username, "password": courier.password,
            "full_name": courier.full_name, "organisation": courier.organisation_id,
            "area": [cast.village_a1.pk], "is_active": "on",
            "date_joined_0": "2026-12-01", "date_joined_1": "10:00:00",
            "role_rows-TOTAL_FORMS": "2", "role_rows-INITIAL_FORMS": "1",
            "role_rows-MIN_NUM_FORMS": "0", "role_rows-MAX_NUM_FORMS": "1000",
            "role_rows-0-id": row.pk, "role_rows-0-account": courier.pk,
            "role_rows-0-role": "courier",
            "role_rows-1-account": courier.pk, "role_rows-1-role": "inspector"}
    response = client.post(f"/django-admin/core/account/{courier.pk}/change/", post)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert fresh(courier).roles == {Role.COURIER, Role.INSPECTOR}
    assert AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGE,
                                     object_pk=str(courier.pk), actor=superuser).exists()
    assert Message.objects.filter(to_account=cast.auditor, kind="role_change").exists()


def test_the_demo_has_the_three_duties_apart(db, settings, tmp_path):
    from ranan.core import demo

    settings.MEDIA_ROOT = tmp_path / "media"
    accounts = {a.username: a.role for a in demo.load()}
    assert accounts["admin"] == Role.ADMIN
    assert accounts["secadmin"] == Role.SECURITY_ADMIN
    assert accounts["auditor"] == Role.AUDITOR
    for account in Account.objects.prefetch_related("role_rows"):
        assert not duties_conflict(account.roles), account.username
