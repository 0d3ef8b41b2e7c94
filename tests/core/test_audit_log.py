"""The audit log in words (issue 15 item 5): record types and fields named, values as their
labels, before → after, pickers for the filter, an .xlsx export that is itself audited, and
only the auditor sees any of it."""

import datetime
import io

import pytest
from django.utils import timezone

from ranan.core import auditlog, services
from ranan.core.choices import AuditAction, RegulatorType
from ranan.core.contract import role_label
from ranan.core.models import Account, AuditEntry, Organisation
from ranan.customers.choices import Supply
from ranan.customers.models import Customer
from ranan.lib.spreadsheet import open_sheet
from tests.factories import HouseholdFactory


def verbose(model, field=None) -> str:
    meta = model._meta
    name = meta.get_field(field).verbose_name if field else meta.verbose_name
    return str(name)[:1].upper() + str(name)[1:]


def row_of(entry: AuditEntry) -> auditlog.Row:
    return auditlog.describe([entry])[0]


def change(row: auditlog.Row, key: str) -> auditlog.Change:
    return next(c for c in row.changes if c.key == key)


@pytest.fixture
def login(client):
    def as_(account):
        client.force_login(account)
        return client
    return as_


# --- In words ---------------------------------------------------------------------------------


def test_a_change_reads_with_the_record_type_field_names_and_labels(cast):
    services.organisation_update(actor=cast.admin, organisation=cast.regulator_a_org,
                                 regulator_type=RegulatorType.HOUSING,
                                 jurisdictions=[cast.district_a, cast.district_b])
    entry = AuditEntry.objects.filter(model="core.organisation", action="update").get()
    row = row_of(entry)
    assert row.model_name == verbose(Organisation)
    assert row.action_label == str(AuditAction.UPDATE.label)
    kind = change(row, "regulator_type")
    assert kind.label == verbose(Organisation, "regulator_type")
    assert kind.before == str(RegulatorType.MARKET_SUPERVISION.label)
    assert kind.after == str(RegulatorType.HOUSING.label)
    # A many-to-many list of ids reads as the records' names.
    area = change(row, "jurisdictions")
    assert area.before == "甲区" and area.after == "甲区、乙区"


def test_a_foreign_key_reads_as_the_record_and_a_boolean_as_yes_or_no(cast):
    other = services.organisation_create(actor=cast.admin, name="丙液化气站", kind="lpg_station",
                                         jurisdictions=[cast.district_a],
                                         parent=cast.lpg_company)
    services.account_update(actor=cast.admin, account=cast.courier_a1, organisation=other,
                            is_active=False, roles=["courier"])
    row = row_of(AuditEntry.objects.filter(model="core.account", action="update").get())
    moved = change(row, "organisation_id")
    assert moved.label == verbose(Account, "organisation")
    assert (moved.before, moved.after) == ("甲液化气站", "丙液化气站")
    active = change(row, "is_active")
    assert active.before not in ("True", "true", "1") and active.after not in ("False", "0")
    assert active.before != active.after


def test_a_deleted_record_reads_as_its_id(cast):
    entry = AuditEntry.objects.create(action="update", model="core.account",
                                      object_pk=str(cast.courier_a1.pk),
                                      changes={"organisation_id": [cast.station.pk, 999999]})
    moved = change(row_of(entry), "organisation_id")
    assert (moved.before, moved.after) == ("甲液化气站", "#999999")


def test_a_create_reads_with_local_times_and_every_field(cast):
    home = HouseholdFactory(jurisdiction=cast.village_a1, lpg_station=cast.station,
                            phone="13912345678", id_number="11010519491231002X")
    row = row_of(AuditEntry.objects.get(model="customers.customer", action="create",
                                        object_pk=str(home.pk)))
    assert row.model_name == verbose(Customer)
    assert change(row, "supply").after == str(Supply.LPG.label)
    assert change(row, "jurisdiction_id").after == "一村"
    assert change(row, "lpg_station_id").after == "甲液化气站"
    created = change(row, "created_at").after
    assert created == f"{timezone.localtime(home.created_at):%Y-%m-%d %H:%M:%S}"
    assert created.startswith("2026-12-04 10:")  # the test clock, in Asia/Shanghai


def test_phone_and_id_numbers_are_masked_and_a_password_never_shown(cast):
    home = HouseholdFactory(jurisdiction=cast.village_a1, lpg_station=cast.station,
                            phone="13912345678", id_number="11010519491231002X")
    row = row_of(AuditEntry.objects.get(model="customers.customer", action="create",
                                        object_pk=str(home.pk)))
    # Issue 16: the mask and a keyed hash (never the number).
    assert change(row, "phone").after.startswith("139****5678 #")
    assert change(row, "id_number").after.startswith("110105********002X #")
    services.account_update(actor=cast.admin, account=cast.courier_a2,
                            password="another-long-password-4")
    row = row_of(AuditEntry.objects.filter(model="core.account", action="update").get())
    secret = change(row, "password")
    assert "***" not in secret.after and "pbkdf2" not in secret.after and secret.after


def test_roles_read_as_their_names(cast):
    services.account_update(actor=cast.admin, account=cast.courier_a2,
                            roles=["courier", "inspector"])
    roles = change(row_of(AuditEntry.objects.filter(model="core.account", action="update")
                          .get()), "roles")
    assert roles.before == str(role_label("courier"))
    assert set(roles.after.split("、")) == {str(role_label("courier")),
                                           str(role_label("inspector"))}


def test_the_actor_reads_as_username_and_name_and_the_system_without_one(cast):
    cast.admin.full_name = "管理员甲"
    cast.admin.save()
    services.jurisdiction_update(actor=cast.admin, jurisdiction=cast.village_a1, name="一村新")
    row = row_of(AuditEntry.objects.filter(model="core.jurisdiction", action="update").get())
    assert row.actor_name == "admin（管理员甲）"
    system = row_of(AuditEntry.objects.filter(model="core.jurisdiction", action="create")
                    .first())
    assert system.actor_name and system.actor_name != "None"


def test_a_page_of_entries_is_described_in_a_bounded_number_of_queries(cast,
                                                                        django_assert_max_num_queries):
    for n in range(10):
        HouseholdFactory(jurisdiction=cast.village_a1, lpg_station=cast.station, name=f"户{n}")
    entries = list(AuditEntry.objects.all()[:50])
    with django_assert_max_num_queries(12):
        auditlog.describe(entries)


# --- The page ---------------------------------------------------------------------------------


def test_the_page_shows_the_diff_in_words(cast, login):
    services.organisation_update(actor=cast.admin, organisation=cast.regulator_a_org,
                                 regulator_type=RegulatorType.HOUSING)
    response = login(cast.auditor).get("/audit/", {"model": "core.organisation",
                                                    "action": "update"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="audit-diff"' in body and 'data-field="regulator_type"' in body
    assert str(RegulatorType.HOUSING.label) in body and str(verbose(Organisation)) in body
    assert "'regulator_type'" not in body and "{&#x27;" not in body  # no Python dict


def test_the_filter_offers_pickers_for_record_type_and_account(cast, login):
    form = login(cast.auditor).get("/audit/").context["form"]
    models = {value: label for _group, options in form.fields["model"].choices[1:]
              for value, label in options}
    assert models["hazards.hazard"] == verbose(__import__(
        "ranan.hazards.models", fromlist=["Hazard"]).Hazard)
    assert models["core.account"] == verbose(Account)
    accounts = dict(form.fields["account"].choices)
    assert "courier_a1" in accounts and "auditor" in accounts
    assert form.fields["since"].widget.input_type == "date"


@pytest.mark.parametrize("params, field", [
    ({"model": "hazards.nothing"}, "model"),
    ({"account": "nobody-at-all"}, "account"),
    ({"action": "explode"}, "action"),
    ({"since": "2026-13-01"}, "since"),
    ({"since": "2026-12-04", "until": "2026-12-01"}, "until"),
])
def test_a_bad_filter_is_named_on_its_field(cast, login, params, field):
    response = login(cast.auditor).get("/audit/", params)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {field}
    assert response.context["page"].paginator.count == 0


def test_the_date_range_takes_whole_local_days(cast, login, clock):
    client = login(cast.auditor)
    today = timezone.localdate().isoformat()
    every = client.get("/audit/").context["page"].paginator.count
    assert client.get("/audit/", {"since": today, "until": today}).context[
        "page"].paginator.count == every
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert client.get("/audit/", {"until": yesterday}).context["page"].paginator.count == 0
    clock.shift(datetime.timedelta(days=1))
    services.jurisdiction_update(actor=cast.admin, jurisdiction=cast.village_a1, name="一村新")
    tomorrow = timezone.localdate().isoformat()
    client = login(cast.auditor)  # a day later: the session has timed out
    assert client.get("/audit/", {"since": tomorrow, "action": "update"}).context[
        "page"].paginator.count == 1


def test_the_filter_picks_an_account_a_record_type_and_an_action(cast, login):
    services.jurisdiction_update(actor=cast.admin, jurisdiction=cast.village_a1, name="一村新")
    page = login(cast.auditor).get("/audit/", {"account": "admin", "model": "core.jurisdiction",
                                               "action": "update"}).context["page"]
    assert [e.object_pk for e in page.object_list] == [str(cast.village_a1.pk)]


# --- Export -----------------------------------------------------------------------------------


def read_xlsx(response) -> list[list]:
    data = b"".join(response.streaming_content)
    return list(open_sheet(io.BytesIO(data), "audit.xlsx").rows)


def test_the_export_is_in_words_and_is_itself_audited(cast, login):
    services.organisation_update(actor=cast.admin, organisation=cast.regulator_a_org,
                                 regulator_type=RegulatorType.HOUSING)
    response = login(cast.auditor).get("/audit/export/", {"model": "core.organisation",
                                                           "action": "update"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(auditlog.XLSX)
    rows = read_xlsx(response)
    assert len(rows) == 2  # the header and the one changed field
    line = rows[1]
    assert line[1] == "admin" and line[3] == verbose(Organisation) and line[5] == "甲区市场监管局"
    assert line[6:9] == [verbose(Organisation, "regulator_type"),
                         str(RegulatorType.MARKET_SUPERVISION.label),
                         str(RegulatorType.HOUSING.label)]
    export = AuditEntry.objects.get(action=AuditAction.EXPORT, model="core.auditentry")
    assert export.actor == cast.auditor and export.details["rows"] == 1
    assert export.details["filters"] == {"model": "core.organisation", "action": "update"}
    assert export.ip_address == "127.0.0.1"


def test_an_export_of_a_creation_has_a_row_per_field_and_quotes_formulas(cast, login):
    home = HouseholdFactory(jurisdiction=cast.village_a1, lpg_station=cast.station,
                            name="=HYPERLINK(\"x\")")
    rows = read_xlsx(login(cast.auditor).get("/audit/export/", {"model": "customers.customer"}))
    mine = [r for r in rows[1:] if r[4] == str(home.pk)]
    stored = AuditEntry.objects.get(model="customers.customer", object_pk=str(home.pk)).changes
    assert len(mine) == len(set(stored) - auditlog.HIDDEN) > 10
    assert all(isinstance(cell, str) or cell is None for r in mine for cell in r)


def test_a_too_wide_export_is_refused_naming_the_dates(cast, login, api, monkeypatch):
    monkeypatch.setattr(auditlog, "EXPORT_LIMIT", 3)
    before = AuditEntry.objects.filter(action="export").count()
    response = login(cast.auditor).get("/audit/export/")
    assert response.status_code == 302 and response["Location"].startswith("/audit/")
    answer = api.as_(cast.auditor).get("/api/v1/audit/export")
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {"since"}
    assert AuditEntry.objects.filter(action="export").count() == before


def test_an_export_with_a_bad_filter_is_refused_and_not_audited(cast, login, api):
    response = login(cast.auditor).get("/audit/export/", {"since": "not-a-date"})
    assert response.status_code == 302
    answer = api.as_(cast.auditor).get("/api/v1/audit/export", {"action": "explode"})
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {"action"}
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_api_export_and_list_read_in_words(cast, api):
    services.organisation_update(actor=cast.admin, organisation=cast.regulator_a_org,
                                 regulator_type=RegulatorType.HOUSING)
    client = api.as_(cast.auditor)
    rows = client.get("/api/v1/audit/", {"model": "core.organisation",
                                         "action": "update"}).json()["results"]
    assert rows[0]["model_name"] == verbose(Organisation)
    assert rows[0]["readable_changes"] == [{
        "field": "regulator_type", "label": verbose(Organisation, "regulator_type"),
        "before": str(RegulatorType.MARKET_SUPERVISION.label),
        "after": str(RegulatorType.HOUSING.label)}]
    assert rows[0]["changes"] == {"regulator_type": ["market_supervision", "housing"]}
    answer = client.get("/api/v1/audit/export", {"model": "core.organisation",
                                                 "action": "update"})
    assert answer.status_code == 200 and len(read_xlsx(answer)) == 2
    entry = AuditEntry.objects.get(action="export")
    assert entry.details["filters"] == {"model": "core.organisation", "action": "update"}
    detail = client.get(f"/api/v1/audit/{entry.pk}/").json()
    assert {"label", "text"} <= set(detail["readable_details"][0])


# --- Access -----------------------------------------------------------------------------------

OTHERS = ["admin", "courier_a1", "station_manager", "inspector", "regulator_a", "gas_admin",
          "lpg_admin"]


@pytest.mark.parametrize("who", OTHERS)
def test_only_the_auditor_reads_or_exports_the_log(cast, login, api, who):
    account = getattr(cast, who)
    client = login(account)
    for url in ("/audit/", "/audit/export/"):
        assert client.get(url).status_code == 403, url
    for url in ("/api/v1/audit/", "/api/v1/audit/export"):
        assert api.as_(account).get(url).status_code == 403, url
    home = client.get("/")
    assert home.status_code == 200
    assert "/audit/" not in home.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()


def test_a_superuser_without_the_auditor_role_does_not_read_the_log(cast, client):
    root = Account.objects.create_superuser("root", "", "x-long-password-1")
    client.force_login(root)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export/").status_code == 403


def test_anonymous_visitors_are_sent_to_login(db, client):
    response = client.get("/audit/export/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_auditor_has_the_link_and_export_button(cast, login):
    client = login(cast.auditor)
    assert "/audit/" in client.get("/").content.decode()
    body = client.get("/audit/").content.decode()
    assert 'data-testid="audit-export"' in body and "/audit/export/" in body


def test_the_log_stays_append_only_after_an_export(cast, login):
    from django.core.exceptions import PermissionDenied

    login(cast.auditor).get("/audit/export/")
    entry = AuditEntry.objects.get(action="export")
    entry.details = {}
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_an_exports_filter_reads_in_words(cast, login):
    login(cast.auditor).get("/audit/export/", {"model": "core.organisation", "action": "update"})
    row = row_of(AuditEntry.objects.get(action="export"))
    filters = dict(row.details)[str(auditlog.DETAIL_LABELS["filters"])]
    assert verbose(Organisation) in filters and str(AuditAction.UPDATE.label) in filters
    assert "core.organisation" not in filters


def test_details_name_their_related_records(cast):
    entry = AuditEntry.objects.create(action="create", model="cylinders.cylinder",
                                      details={"station": cast.station.pk, "created": 3})
    details = dict(row_of(entry).details)
    assert details[verbose(__import__("ranan.cylinders.models", fromlist=["Cylinder"]).Cylinder,
                           "station")] == "甲液化气站"
    assert details[str(auditlog.DETAIL_LABELS["created"])] == "3"


def test_the_auditors_home_panel_reads_in_words_too(cast, login):
    services.organisation_update(actor=cast.admin, organisation=cast.regulator_a_org,
                                 regulator_type=RegulatorType.HOUSING)
    body = login(cast.auditor).get("/").content.decode()
    assert 'data-testid="audit-diff"' in body and str(RegulatorType.HOUSING.label) in body
    assert "core.organisation #" not in body
