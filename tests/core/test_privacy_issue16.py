"""Issue 16 items 6 and 7 across the platform: personal data out of the audit log's changes
and out of the logs, no-store on signed-in responses, unmasking with a reason, and a full
personal-data export approved by a second person."""

import datetime
import io
import logging

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from ranan.core import audit, privacy
from ranan.core.models import AuditEntry, PersonalDataExport
from ranan.core.services import account_update
from ranan.customers import full_export
from ranan.lib import masking
from ranan.lib.logredact import RedactQueryString
from tests.factories import HouseholdFactory

PHONE = "13812345678"
ID = "11010519491231002X"


@pytest.fixture
def household(cast):
    return HouseholdFactory(name="孙八", address="一村8号", jurisdiction=cast.village_a1,
                            lpg_station=cast.station, phone=PHONE, id_number=ID)


# --- item 6: the audit log ---------------------------------------------------------------

def test_personal_fields_are_one_declaration():
    for name in ("phone", "phone2", "id_number", "to_phone", "resident_phone"):
        assert masking.is_personal(name)
    for name in ("name", "address", "phone_tail", "meter_number"):
        assert not masking.is_personal(name)


def test_the_audit_log_keeps_a_mask_and_a_keyed_hash(household, cast):
    row = AuditEntry.objects.filter(model="customers.customer", object_pk=str(household.pk)).get()
    assert PHONE not in str(row.changes) and ID not in str(row.changes)
    assert row.changes["phone"] == [None, f"138****5678 #{masking.keyed_hash(PHONE)}"]
    # The hash is keyed: not a plain hash of the number.
    import hashlib

    assert hashlib.sha256(PHONE.encode()).hexdigest()[:16] != masking.keyed_hash(PHONE)
    # A change of a masked digit only is still a change.
    changes = audit.diff({"phone": "13812345678"}, {"phone": "13899995678"})
    old, new = changes["phone"]
    assert old.split(" #")[0] == new.split(" #")[0] == "138****5678" and old != new
    # An account's phone too.
    account_update(actor=cast.admin, account=cast.courier_a1, phone="13700001111")
    entry = AuditEntry.objects.filter(model="core.account", action="update").latest("id")
    assert "13700001111" not in str(entry.changes)


def test_the_readable_log_shows_the_mask_not_the_number(household, cast, client):
    client.force_login(cast.auditor)
    page = client.get("/audit/", {"model": "customers.customer"}).content.decode()
    assert PHONE not in page and ID not in page
    assert "138****5678" in page


# --- item 6: logs and caches ---------------------------------------------------------------

def test_query_strings_are_dropped_from_logged_request_lines():
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               ("GET /customers/?q=13812345678&page=2 HTTP/1.1", "200", "5120"),
                               None)
    assert RedactQueryString().filter(record)
    assert PHONE not in record.getMessage()
    assert '"GET /customers/?… HTTP/1.1" 200 5120' in record.getMessage()


def test_the_configured_server_logger_redacts(caplog):
    logger = logging.getLogger("django.server")
    with caplog.at_level(logging.INFO, logger="django.server"):
        logger.info('"%s" %s %s', f"GET /api/v1/customers/?q={PHONE} HTTP/1.1", "200", "10")
    assert caplog.records and all(PHONE not in r.getMessage() for r in caplog.records)


def test_the_gunicorn_access_log_has_no_query_string():
    from ranan import cli

    assert "%(U)s" in cli.ACCESS_LOG_FORMAT and "%(r)s" not in cli.ACCESS_LOG_FORMAT
    assert "%(q)s" not in cli.ACCESS_LOG_FORMAT


def test_signed_in_responses_are_not_stored(household, cast, client, api):
    client.force_login(cast.courier_a1)
    for path in ("/", "/customers/", f"/customers/{household.pk}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    response = api.as_(cast.courier_a1).get(f"/api/v1/customers/{household.pk}/")
    assert "no-store" in response["Cache-Control"]


# --- item 7: unmasking with a reason -------------------------------------------------------

def test_the_customer_page_is_masked_and_unmasks_with_a_reason(household, cast, client):
    client.force_login(cast.courier_a1)
    page = client.get(f"/customers/{household.pk}/").content.decode()
    assert PHONE not in page and ID not in page and 'data-testid="unmask-form"' in page
    # No reason, or too short a reason: refused, naming the field, nothing shown or logged.
    for reason in ("", "abc", "x" * 201):
        response = client.post(f"/customers/{household.pk}/unmask/", {"reason": reason})
        assert response.status_code == 400
        assert 'data-field="reason"' in response.content.decode() and PHONE not in response.content.decode()
    assert not AuditEntry.objects.filter(action="unmask").exists()
    response = client.post(f"/customers/{household.pk}/unmask/", {"reason": "送气前电话确认地址"})
    assert response.status_code == 200
    assert PHONE in response.content.decode() and ID in response.content.decode()
    row = AuditEntry.objects.get(action="unmask")
    assert row.actor == cast.courier_a1 and row.object_pk == str(household.pk)
    assert row.details["reason"] == "送气前电话确认地址"
    # The list stays masked.
    assert PHONE not in client.get("/customers/").content.decode()


def test_a_role_without_personal_data_cannot_unmask(household, cast, client, api):
    client.force_login(cast.regulator_a)
    assert 'data-testid="unmask-form"' not in client.get(f"/customers/{household.pk}/").content.decode()
    assert client.post(f"/customers/{household.pk}/unmask/", {"reason": "检查需要"}).status_code == 403
    response = api.as_(cast.regulator_a).post(f"/api/v1/customers/{household.pk}/unmask/",
                                              {"reason": "检查需要"}, format="json")
    assert response.status_code == 403


def test_the_api_masks_and_unmasks_only_by_an_explicit_post(household, cast, api):
    client = api.as_(cast.courier_a1)
    row = client.get(f"/api/v1/customers/{household.pk}/").json()
    assert row["phone"] == "138****5678" and row["id_number"] == "110105********002X"
    response = client.post(f"/api/v1/customers/{household.pk}/unmask/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"
    response = client.post(f"/api/v1/customers/{household.pk}/unmask/",
                           {"reason": "住户报修回电"}, format="json")
    assert response.status_code == 200 and response.json()["phone"] == PHONE
    assert AuditEntry.objects.get(action="unmask").details["reason"] == "住户报修回电"
    # A PATCH sending back the masks keeps the numbers.
    response = client.patch(f"/api/v1/customers/{household.pk}/",
                            {"phone": "138****5678", "home_times": "晚上"}, format="json")
    assert response.status_code == 200
    household.refresh_from_db()
    assert household.phone == PHONE


# --- item 7: exports -----------------------------------------------------------------------

def _cells(response) -> str:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return " ".join(str(c.value) for row in book.active.iter_rows() for c in row)


def test_the_ordinary_export_is_masked_for_every_role(household, cast, client):
    for account in (cast.courier_a1, cast.station_manager, cast.regulator_a):
        client.force_login(account)
        response = client.get("/customers/export/")
        assert response.status_code == 200
        text = _cells(response)
        assert PHONE not in text and ID not in text


def test_a_full_export_needs_a_second_persons_approval(household, cast, client, clock):
    client.force_login(cast.courier_a1)
    response = client.post("/customers/full-exports/", {"reason": "x"})
    assert response.status_code == 400 and 'data-field="reason"' in response.content.decode()
    response = client.post("/customers/full-exports/", {"reason": "年度安全检查入户通知", "q": "孙八"})
    assert response.status_code == 302
    export = PersonalDataExport.objects.get()
    assert export.state == "requested" and export.scope == {"q": "孙八"}
    # Not before approval.
    assert client.get(f"/customers/full-exports/{export.pk}/download/").status_code == 302
    export.refresh_from_db()
    assert export.state == "requested"
    # The requester cannot approve its own request (even holding the approving role).
    with pytest.raises(PermissionDenied):
        privacy.decide_export(actor=cast.courier_a1, export=export, approve=True)
    client.force_login(cast.station_manager)
    own = full_export.request_export(actor=cast.station_manager, reason="自己申请自己批准", params={})
    assert client.post(f"/customers/full-exports/{own.pk}/decide/",
                       {"decision": "approve"}).status_code == 403
    own.refresh_from_db()
    assert own.state == "requested"
    # An approver of another organisation cannot.
    client.force_login(cast.gas_admin)
    assert client.post(f"/customers/full-exports/{export.pk}/decide/",
                       {"decision": "approve"}).status_code == 403
    # The station manager (a second person of the requester's station) approves.
    client.force_login(cast.station_manager)
    assert f'data-export="{export.pk}"' in client.get("/customers/full-exports/").content.decode()
    assert client.post(f"/customers/full-exports/{export.pk}/decide/",
                       {"decision": "approve", "note": "同意"}).status_code == 302
    export.refresh_from_db()
    assert export.state == "approved" and export.decided_by == cast.station_manager
    # Only the requester downloads.
    assert client.get(f"/customers/full-exports/{export.pk}/download/").status_code == 404
    client.force_login(cast.courier_a1)
    response = client.get(f"/customers/full-exports/{export.pk}/download/")
    assert response.status_code == 200
    assert PHONE in _cells(response)
    # Once.
    assert client.get(f"/customers/full-exports/{export.pk}/download/").status_code == 302
    actions = list(AuditEntry.objects.filter(model="core.personaldataexport",
                                             object_pk=str(export.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["create", "update", "update"]
    assert AuditEntry.objects.filter(action="view_personal",
                                     details__approved_request=export.pk).exists()


def test_an_approval_expires_after_24_hours(household, cast, client, clock):
    export = full_export.request_export(actor=cast.courier_a1, reason="入户安检通知住户", params={})
    privacy.decide_export(actor=cast.lpg_admin, export=export, approve=True)
    clock.shift(datetime.timedelta(hours=25))
    client.force_login(cast.courier_a1)
    assert client.get(f"/customers/full-exports/{export.pk}/download/").status_code == 302
    export.refresh_from_db()
    assert export.state == "approved" and export.downloaded_at is None


def test_a_refused_request_is_never_downloaded(household, cast, client):
    export = full_export.request_export(actor=cast.courier_a1, reason="入户安检通知住户", params={})
    privacy.decide_export(actor=cast.station_manager, export=export, approve=False)
    client.force_login(cast.courier_a1)
    assert client.get(f"/customers/full-exports/{export.pk}/download/").status_code == 302
    export.refresh_from_db()
    assert export.state == "refused"


def test_the_auditor_matches_a_known_number_without_reading_it(household, cast):
    from ranan.core.selectors import audit_entries

    found = audit_entries(q="138 1234 5678")
    assert found.filter(model="customers.customer", object_pk=str(household.pk)).exists()
    assert not audit_entries(q="13812345679").filter(model="customers.customer").exists()
    assert audit_entries(q=ID.lower()).filter(object_pk=str(household.pk)).exists()


def test_an_exports_filters_read_in_words(household, cast, client):
    """The request page says "Area: <name>; Status: Active", not `jurisdiction=#12` (review)."""
    from ranan.customers.choices import CustomerStatus, Supply

    client.force_login(cast.courier_a1)
    client.cookies["django_language"] = "en"
    code = cast.village_a1.code or f"#{cast.village_a1.pk}"
    params = {"jurisdiction": code, "status": "active", "supply": ["lpg", "pipeline"]}
    page = client.get("/customers/full-exports/", params).content.decode()
    scope = page[page.index('data-testid="export-scope"'):].split("</div>")[0]
    assert cast.village_a1.name in scope and str(CustomerStatus.ACTIVE.label) in scope
    assert str(Supply.LPG.label) in scope and "status=" not in scope and "jurisdiction=" not in scope
    # Each value of a repeated filter is its own hidden field (a list was one "['lpg', ...]").
    assert page.count('name="supply" value="lpg"') == 1 and "[&#x27;" not in page
    client.post("/customers/full-exports/", {"reason": "年度安全检查入户通知", **params})
    export = PersonalDataExport.objects.get()
    assert export.scope["supply"] == ["lpg", "pipeline"]
    # The approver reads the same words.
    client.force_login(cast.station_manager)
    rows = client.get("/customers/full-exports/").content.decode()
    row = rows.split(f'data-export="{export.pk}"')[1].split("</tr>")[0]
    assert cast.village_a1.name in row and str(Supply.PIPELINE.label) in row


def test_out_of_area_nobody_unmasks_or_decides(household, cast, client, api):
    """The wrong area: a courier of the next village gets a 404 for the household, page and API
    (not a 403 that confirms it exists); another enterprise's administrator cannot decide a
    station's export request, and nothing is written."""
    client.force_login(cast.courier_a2)
    assert client.post(f"/customers/{household.pk}/unmask/", {"reason": "送气前确认"}).status_code == 404
    response = api.as_(cast.courier_a2).post(f"/api/v1/customers/{household.pk}/unmask/",
                                             {"reason": "送气前确认"}, format="json")
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="unmask").exists()

    client.force_login(cast.courier_a1)
    client.post("/customers/full-exports/", {"reason": "年度安全检查入户通知"})
    export = PersonalDataExport.objects.get()
    client.force_login(cast.gas_admin)
    answer = client.post(f"/customers/full-exports/{export.pk}/decide/", {"decision": "approve"})
    assert answer.status_code in (403, 404)
    export.refresh_from_db()
    assert export.state == "requested" and export.decided_by is None
