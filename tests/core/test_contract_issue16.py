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


# --- The responses match the schema (what schemathesis found) --------------------------------


def _openapi() -> dict:
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))


def _nullable_to_json_schema(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema's type list."""
    if isinstance(node, dict):
        out = {k: _nullable_to_json_schema(v) for k, v in node.items()}
        if out.pop("nullable", False):
            if "type" in out:
                out["type"] = [out["type"], "null"]
            elif "$ref" in out or "allOf" in out or "oneOf" in out:
                out = {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_nullable_to_json_schema(v) for v in node]
    return node


def _format_time_paths(node, path="") -> list[str]:
    if isinstance(node, dict):
        found = [path] if node.get("format") == "time" else []
        return found + [p for k, v in node.items() for p in _format_time_paths(v, f"{path}/{k}")]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _format_time_paths(v, f"{path}/{i}")]
    return []


def test_the_lists_and_nullable_codes_match_the_schema(cast, api, settings, tmp_path):
    import jsonschema

    from tests.delivery.conftest import build_shop

    settings.MEDIA_ROOT = tmp_path / "media"
    shop = build_shop(cast)
    schema = _openapi()
    components = _nullable_to_json_schema(schema["components"])
    checks = [  # (who, url, the schema's path)
        ("regulator_a", "/api/v1/briefings/", "/api/v1/briefings/"),
        ("regulator_a", "/api/v1/briefing-settings/", "/api/v1/briefing-settings/"),
        ("station_manager", f"/api/v1/customers/{shop.villager.pk}/devices/",
         "/api/v1/customers/{id}/devices/"),
        ("admin", "/api/v1/jurisdictions/", "/api/v1/jurisdictions/"),
        ("admin", f"/api/v1/jurisdictions/{cast.province.pk}/", "/api/v1/jurisdictions/{id}/"),
        ("station_manager", "/api/v1/cylinder-types/", "/api/v1/cylinder-types/"),
        ("station_manager", "/api/v1/service-hours/", "/api/v1/service-hours/"),
        ("regulator_a", "/api/v1/hazards/by-category/", "/api/v1/hazards/by-category/"),
    ]
    for who, url, path in checks:
        response = api.as_(getattr(cast, who)).get(url)
        assert response.status_code == 200, (url, response.content[:300])
        operation = schema["paths"][path]["get"]
        body = _nullable_to_json_schema(
            operation["responses"]["200"]["content"]["application/json"]["schema"])
        try:
            jsonschema.validate(response.json(), {**body, "components": components})
        except jsonschema.ValidationError as exc:
            raise AssertionError(f"{url}: {exc.message} at {list(exc.absolute_path)}") from None
    assert not _format_time_paths(schema["components"]["schemas"].get("ServiceRead")), \
        "opening hours carry no offset: not an RFC 3339 time"
