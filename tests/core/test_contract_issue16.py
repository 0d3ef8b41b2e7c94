"""The API's contract (issue 16 item 13): a write with a stale If-Match is a 412 and GET of an
editable record answers its ETag; a page past the end is a 404, never a 500; a client_id used
for another request, or the loser of a race on its unique column, is a 409. (The client_id of
each endpoint: tests/<app>/test_contract_issue16.py.)"""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from ranan.core import api_base
from ranan.core.models import Jurisdiction
from ranan.hazards.models import Category
from ranan.lib import idempotency


def errors_of(response) -> list[dict]:
    return response.json()["errors"]


def _jurisdiction(cast):
    return (f"/api/v1/jurisdictions/{cast.village_a1.pk}/", {"name": "一村新"}, {"name": "一村旧"},
            lambda: Jurisdiction.objects.get(pk=cast.village_a1.pk).name)


def _category(cast):
    row = Category.objects.order_by("pk").first()
    return (f"/api/v1/hazard-categories/{row.pk}/", {"name": "新名称"}, {"name": "旧名称"},
            lambda: Category.objects.get(pk=row.pk).name)


@pytest.mark.parametrize("record", [_jurisdiction, _category])
@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_stale_if_match_is_a_412_and_changes_nothing(cast, api, record, method):
    url, change, other, read = record(cast)
    client = api.as_(cast.admin)
    got = client.get(url)
    assert got.status_code == 200
    etag = got["ETag"]
    assert etag.startswith('"') and client.get(url)["ETag"] == etag  # stable while unchanged
    if method == "put" and client.put(url, change, format="json",
                                      HTTP_IF_MATCH='"x"').status_code == 405:
        pytest.skip("PATCH only")
    first = getattr(client, method)(url, change, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200, first.content
    assert first["ETag"] == client.get(url)["ETag"] != etag  # the new version's
    changed = read()
    stale = getattr(client, method)(url, other, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert errors_of(stale)[0]["code"] == "precondition_failed"
    assert read() == changed
    # The current ETag, or none at all (as before), goes through.
    fresh = getattr(client, method)(url, other, format="json", HTTP_IF_MATCH=first["ETag"])
    assert fresh.status_code == 200 and read() != changed
    assert getattr(client, method)(url, change, format="json").status_code == 200
    assert getattr(client, method)(url, other, format="json", HTTP_IF_MATCH="*").status_code == 200


def test_every_editable_detail_takes_if_match():
    """Every view with PUT/PATCH on a record (EditableDetail or an update mixin) is
    ConditionalWrites."""
    from django.urls import URLPattern, URLResolver, get_resolver

    missing = []

    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            elif isinstance(entry, URLPattern):
                view = getattr(entry.callback, "cls", None)
                actions = getattr(entry.callback, "actions", {}) or {}
                writes = ({"put", "patch"} & set(actions)) if actions else (
                    {m for m in ("put", "patch") if hasattr(view, m)} if view else set())
                if view is not None and writes and not issubclass(view,
                                                                  api_base.ConditionalWrites):
                    missing.append(f"{entry.pattern} {view.__name__}")

    walk(get_resolver().url_patterns)
    assert not missing, missing


@pytest.mark.parametrize("url", ["/api/v1/customers/", "/api/v1/accounts/", "/api/v1/hazards/",
                                 "/api/v1/orders/", "/api/v1/audit/", "/api/v1/cylinders/"])
def test_a_page_past_the_end_is_a_404_not_a_500(cast, api, url):
    client = api.as_(cast.auditor if "audit" in url else cast.admin)
    for page in ("99999999999999999999", "9" * 40, "10000001"):
        response = client.get(f"{url}?page={page}")
        assert response.status_code in (400, 404), (url, page, response.status_code)


def test_an_integrity_error_on_a_client_id_is_a_409_anything_else_is_not():
    for message in ("UNIQUE constraint failed: delivery_order.client_id",
                    'duplicate key value violates unique constraint "visits_client_id_key"'):
        response = api_base.exception_handler(IntegrityError(message), {})
        assert response.status_code == 409
        assert response.data["errors"][0] == {**response.data["errors"][0],
                                              "field": "client_id", "code": "conflict"}
    assert api_base.exception_handler(idempotency.Conflict(), {}).status_code == 409
    assert api_base.exception_handler(IntegrityError("NOT NULL constraint failed: x.y"), {}) is None


def test_same_as_compares_the_meaningful_fields():
    class Row:
        customer_id, quantity, note = 1, 2, "门口"

    assert idempotency.same_as(customer_id=1, quantity=2, note=" 门口 ")(Row())
    assert not idempotency.same_as(customer_id=1, quantity=3)(Row())
    assert not idempotency.same_as(missing=None)(Row())
    assert idempotency.fingerprint({"a": 1, "b": [2]}) == idempotency.fingerprint({"b": [2], "a": 1})
