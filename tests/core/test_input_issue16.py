"""Control characters in any input are a 400 naming the field, before any view (issue 16 item
4): a NUL byte used to reach PostgreSQL (which refuses NUL in text) and answer 500. Also the
body limits of item 13: JSON nested 1,000 deep is a 400 (not a RecursionError), a body over the
10 MB limit a JSON 413 naming the body under /api/, and a 2.5 MB JSON visit is read (no HTML
400)."""

from __future__ import annotations

import base64
import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from ranan.core import input_guard

# The probes of the issue and their neighbours: pages and the API, the parameter each names.
PROBES = [
    ("/api/v1/customers/?q=%00", "q"),
    ("/api/v1/hazards/?category=%00", "category"),
    ("/api/v1/cylinders/%00/", "path"),
    ("/api/v1/cylinders/%00/events/", "path"),
    ("/api/v1/audit/?account=%00", "account"),
    ("/api/v1/audit/export/?account=%00", "account"),
    ("/api/v1/customers/export/?q=%00", "q"),
    ("/api/v1/cylinders/?q=%00", "q"),
    ("/api/v1/orders/?q=%00", "q"),
    ("/api/v1/jurisdictions/?parent=%00", "parent"),
    ("/api/v1/visits/?q=%00", "q"),
    ("/api/v1/hazards/?q=ab%7Fcd", "q"),
    ("/customers/?q=%00", "q"),
    ("/hazards/?category=%00", "category"),
    ("/cylinders/c/%00/", "path"),
    ("/audit/?account=%00", "account"),
    ("/audit/export/?account=%00", "account"),
    ("/customers/export/?q=%00", "q"),
    ("/cylinders/find/?q=%00", "q"),
    ("/cylinders/recall/?q=%1B", "q"),
    ("/inspections/referrals/?q=%00", "q"),
    ("/accounts/?q=%00", "q"),
    ("/areas/?q=%00", "q"),
    ("/hazards/supervision/?q%00=1", "q\\x00"),
]


def errors_of(response) -> list[dict]:
    return response.json()["errors"]


@pytest.mark.parametrize("url,field", PROBES)
@pytest.mark.parametrize("who", ["admin", "regulator_a", "station_manager", "auditor"])
def test_a_control_character_is_a_400_naming_the_field(cast, client, who, url, field):
    client.force_login(getattr(cast, who))
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    if url.startswith("/api/"):
        assert errors_of(response) == [{"field": field, "code": "control_character",
                                        "message": errors_of(response)[0]["message"]}]
    else:
        html = response.content.decode()
        assert 'data-testid="bad-request-control_character"' in html
        assert f'data-field="{field}"' in html


def test_anonymous_gets_the_400_too(db, client):
    assert client.get("/api/v1/customers/?q=%00").status_code == 400
    assert client.get("/login/?next=%00").status_code == 400


def test_tab_and_line_breaks_are_allowed_in_values_not_in_names(cast, client):
    client.force_login(cast.admin)
    assert client.get("/api/v1/accounts/?q=a%09b%0Ac").status_code == 200
    response = client.get("/api/v1/accounts/?q%0A=1")
    assert response.status_code == 400 and errors_of(response)[0]["field"] == "q\\x0a"
    assert client.get("/accounts/a%09b/").status_code == 400  # not in the path


def test_json_bodies_are_checked_recursively_keys_and_strings(cast, client):
    client.force_login(cast.inspector)
    body = {"customer": 1, "notes": "line\nnext\ttab", "answers": {"gas_leak": "pa\x00ss"},
            "photos": [{"item": "x", "data": "\x07"}], "fi\x00xes": {}}
    response = client.post("/api/v1/visits/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    fields = [e["field"] for e in errors_of(response)]
    assert fields == ["answers.gas_leak", "photos[0].data", "fi\\x00xes"]
    assert {e["code"] for e in errors_of(response)} == {"control_character"}


def test_form_fields_urlencoded_and_multipart(cast, client):
    client.force_login(cast.admin)
    response = client.post("/api/v1/accounts/", {"username": "x\x00y", "full_name": "ok"})
    assert response.status_code == 400 and errors_of(response)[0]["field"] == "username"
    response = client.post("/api/v1/accounts/", "username=a%00b",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and errors_of(response)[0]["field"] == "username"
    response = client.patch("/api/v1/accounts/1/", "full_name=a%00b",
                            content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and errors_of(response)[0]["field"] == "full_name"
    response = client.post("/accounts/new/", {"username": "x\x1fy"})
    assert response.status_code == 400 and b'data-field="username"' in response.content


def test_file_contents_are_not_checked(cast, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.admin)
    upload = SimpleUploadedFile("sheet.xlsx", b"\x00\x01\x02binary")
    response = client.post("/api/v1/customers/import", {"file": upload})
    assert response.status_code != 400 or "control_character" not in response.content.decode()


def test_json_nested_a_thousand_deep_is_a_400_not_a_recursion_error(cast, client):
    client.force_login(cast.inspector)
    for deep in ("[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000,
                 "[" * 100_000 + "]" * 100_000):
        response = client.post("/api/v1/visits/", deep, content_type="application/json")
        assert response.status_code == 400
        assert errors_of(response)[0]["code"] == "too_deep"
    shallow = json.dumps({"customer": None, "answers": [[[["ok"]]]]})
    response = client.post("/api/v1/visits/", shallow, content_type="application/json")
    assert response.status_code == 400 and "too_deep" not in response.content.decode()


def test_the_body_limit_is_10_mb_and_answers_json_413_under_the_api(cast, client, settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 10 * 1024 * 1024
    client.force_login(cast.inspector)
    big = json.dumps({"notes": "x" * (11 * 1024 * 1024)})
    response = client.post("/api/v1/visits/", big, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert errors_of(response)[0]["field"] == "body"
    assert errors_of(response)[0]["code"] == "too_large"


def test_a_json_visit_with_a_2_5_mb_photo_is_read_and_answered_in_json(cast, client):
    client.force_login(cast.inspector)
    photo = "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8" + b"\x00" * 2_500_000).decode()
    body = json.dumps({"customer": 999_999, "kind": "periodic", "outcome": "inspected",
                       "client_id": "0b6f5c4e-0000-4000-8000-000000000001",
                       "photos": [{"item": "x", "data": photo}]})
    assert len(body) > 2.5 * 1024 * 1024
    response = client.post("/api/v1/visits/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "too_large" not in response.content.decode()
    assert errors_of(response)[0]["field"]  # the field at fault, not the body


# --- Every menu page and every list of the API --------------------------------------------


def _list_api_urls() -> list[str]:
    """The API's GET routes without a parameter (the lists, reports and exports)."""
    out = []

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = (prefix + str(entry.pattern)).replace("^", "").replace("/?$", "/")
                route = route.replace("$", "")
                if route.startswith("api/v1/") and not re.search(r"[<(\\]", route):
                    out.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(out))


LIST_URLS = _list_api_urls()


def test_the_api_lists_are_found():
    assert {"/api/v1/customers/", "/api/v1/hazards/", "/api/v1/orders/",
            "/api/v1/audit/"} <= set(LIST_URLS)
    assert len(LIST_URLS) > 40


@pytest.mark.parametrize("who", ["courier_a1", "inspector", "regulator_a", "auditor", "admin"])
def test_every_list_of_the_api_refuses_a_nul(cast, client, who):
    client.force_login(getattr(cast, who))
    failures = []
    for url in LIST_URLS:
        response = client.get(url + "?q=%00")
        if response.status_code != 400 or errors_of(response)[0]["field"] != "q":
            failures.append(f"{response.status_code} {url}")
    assert not failures, failures


@pytest.mark.parametrize("who", ["courier_a1", "station_manager", "lpg_admin", "gas_admin",
                                 "inspector", "regulator_a", "auditor", "admin"])
def test_every_menu_page_refuses_a_nul(cast, client, who):
    client.force_login(getattr(cast, who))
    html = client.get("/").content.decode()
    hrefs = re.findall(r'<a class="nav-link" href="([^"]+)"', html)
    assert hrefs
    for href in hrefs:
        joiner = "&" if "?" in href else "?"
        response = client.get(f"{href}{joiner}q=%00")
        assert response.status_code == 400, (who, href, response.status_code)
        assert b'data-testid="bad-request-control_character"' in response.content


def test_the_checks_directly():
    found: list[str] = []
    input_guard._check_json({"a": ["ok", {"b": "x\x7f"}]}, "", 0, found)
    assert found == ["a[1].b"]
    with pytest.raises(input_guard.TooDeep):
        input_guard._check_json([[[]]], "", input_guard.MAX_JSON_DEPTH - 1, [])
