"""The generic access test (issue 13, item 3): every page and API endpoint of the URL resolver,
requested as every role of the cast, answers as the permission table says.

- An endpoint without an object in its URL (GET): 403 exactly for the roles without its
  capability (a page's `@requires(...)`, an API view's `Requires(...)` permission class), never
  403 (nor a server error) for those with it; an anonymous visitor never gets it.
- An endpoint with an object in its URL, asked for an object that does not exist: 403 for the
  roles without the capability, 404 for those with it (POST when the endpoint only takes POST).
- An endpoint that declares no capability must be on OPEN below, with the reason: a new page
  or endpoint without a declared capability fails here.
- Real objects of one area answer 404 to another area's account (never 403, which would
  confirm they exist); an id of another area in a request body is a 400 naming the field.
- No menu entry, and no link on a page an account opens, leads it to a 403.
"""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from rest_framework.permissions import SAFE_METHODS

from ranan.core import contract
from ranan.core import services as core_services
from ranan.core.choices import Level, OrgKind, Role
from ranan.core.models import Account
from ranan.core.permissions import can
from tests.cast import PASSWORD

# Endpoints that declare no capability, by URL name (or route, for an unnamed one), and why.
OPEN = {
    "login": "the sign-in page: public",
    "logout": "signing out: whoever is signed in (POST)",
    "switch-language": "the language switch: any visitor; an account keeps its choice (POST)",
    "home": "the home page: any signed-in account; each of its panels asks the table",
    "otp-verify": "login step 2, the second factor: any signed-in account, about itself",
    "otp-enrol": "setting up one's own authenticator app: any signed-in account",
    "otp-recovery-codes": "one's own recovery codes: any signed-in account (verified)",
    "account-security": "one's own account page (password, second factor): any signed-in account",
    "password-change": "changing one's own password: any signed-in account",
    "api-token": "a token for a username and password: public (POST)",
    "api-logout": "dropping one's own token: any signed-in account (POST)",
    "api-me": "one's own account: any signed-in account",
    "api-ping": "the load balancer's health check: public, no database",
    "cylinder-public": "the cylinder's public page behind its QR code: public, no personal data",
    "C/<str:code>": "the same public page from an upper-case QR code",
    "c/<str:code>/": "the same public page, its address typed with a trailing slash",
    "C/<str:code>/": "the same, upper-case and with a trailing slash",
    "favicon.ico": "the site's icon, asked by browsers before anyone signs in: public",
    "api-schema": "the API's OpenAPI description: any signed-in account (issue 16)",
    "api-docs": "the API's documentation page: any signed-in account (issue 16)",
}
# Django's admin: superusers only (ranan.core.admin_site), checked once below.
ADMIN_PREFIX = "django-admin/"

# The cast's accounts, one per role (two enterprise administrators: a pipeline company's and an
# LPG company's), a property manager (the hazards app's role), a superuser without a role, and
# no account at all.
PEOPLE = ["courier_a1", "inspector", "station_manager", "gas_admin", "lpg_admin", "grid_worker",
          "regulator_a", "task_force", "auditor", "admin", "property_manager", "superuser"]
MISSING = 999999  # an id no object has
# What a URL parameter gets when the object is not to be found.
ABSENT = {"code": "ZZZZZZZZZZZZ", "kpi": "no-such-figure", "ext": "pdf"}
# A query string where the default answer costs time and tells this test nothing more.
QUERY = {"api-kpis-timeseries": "?weeks=1"}


@pytest.fixture
def people(cast):
    """The cast, with the roles it lacks: a grid worker of grid B1 (in the sub-district's
    office), a task force member of the province, a property manager of village A1 (its
    estate), and a superuser."""
    office = core_services.organisation_create(
        actor=None, name="乙街道办事处", kind=OrgKind.TOWNSHIP_OFFICE,
        jurisdictions=[cast.subdistrict])

    def person(username, roles, organisation, area):
        return core_services.account_create(
            actor=None, username=username, password=PASSWORD, organisation=organisation,
            roles=roles, area=area, full_name=username, check_password=False)

    cast.grid_worker = person("grid_worker", [Role.GRID_WORKER], office, [cast.grid_b1])
    cast.task_force = person("task_force", [Role.TASK_FORCE], cast.platform, [cast.province])
    estates = core_services.organisation_create(
        actor=None, name="甲物业公司", kind=OrgKind.PROPERTY_MANAGER, jurisdictions=[cast.village_a1])
    cast.property_manager = person("property_manager", ["property_manager"], estates,
                                   [cast.village_a1])
    cast.superuser = Account.objects.create_superuser("superuser", password=PASSWORD)
    return cast


# --- The resolver ------------------------------------------------------------------------------


def _params(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    return list(pattern.regex.groupindex)


def _walk(patterns, prefix="", namespace=None, params=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace,
                             (*params, *_params(p.pattern)))
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield prefix + str(p.pattern), name, p.callback, (*params, *_params(p.pattern))


class Endpoint:
    def __init__(self, route, name, view, params):
        self.route, self.name, self.view, self.params = route, name, view, params
        self.key = name or route
        self.api = hasattr(view, "cls")  # a DRF view (APIView.as_view, a viewset's route)

    def capability(self, method: str) -> str | None:
        """The capability a request with `method` needs, as the view declares it."""
        if not self.api:
            return getattr(self.view, "capability", None)
        classes = self.view.initkwargs.get("permission_classes") or self.view.cls.permission_classes
        for cls in classes:
            if hasattr(cls, "capability"):
                return cls.capability if method.upper() in SAFE_METHODS else cls.write_capability
        return None

    def url(self, **values) -> str:
        kwargs = {p: values.get(p, ABSENT.get(p, MISSING)) for p in self.params}
        if self.name:
            return reverse(self.name, kwargs=kwargs) + QUERY.get(self.name, "")
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), self.route)

    def __repr__(self):
        return self.key


def endpoints() -> list[Endpoint]:
    return [Endpoint(*row) for row in _walk(get_resolver().url_patterns)
            if not row[0].startswith(ADMIN_PREFIX)]


def _clients(people) -> dict[str, Client]:
    out = {}
    for who in PEOPLE:
        client = Client(raise_request_exception=False)
        client.force_login(getattr(people, who))
        out[who] = client
    return out


def _open_ok(status: int) -> bool:
    return status < 500


# --- Every endpoint declares what it needs ---------------------------------------------------


def test_every_endpoint_declares_a_capability_or_is_open_on_purpose():
    table = contract.capabilities()
    undeclared, unknown = [], []
    for e in endpoints():
        caps = {e.capability("GET"), e.capability("POST")} - {None}
        if not caps and e.key not in OPEN:
            undeclared.append(f"{e.route} ({e.key})")
        unknown += [f"{e.key}: {c}" for c in caps if c not in table]
    assert not undeclared, ("endpoints with no capability: decorate the page with "
                            "@requires(...), give the API view a Requires(...) permission "
                            f"class, or add it to OPEN with the reason: {undeclared}")
    assert not unknown, f"capabilities nobody declared in an app's table: {unknown}"
    stale = set(OPEN) - {e.key for e in endpoints()}
    assert not stale, f"OPEN lists endpoints that no longer exist: {stale}"


# --- Without an object in the URL: the table decides; no link leads to a 403 -----------------

HREF = re.compile(r'href="(/[^"#]*)"')
NOT_PAGES = ("/static/", "/media/", "/logout/", "/django-admin/", "/api/")


def _links(answer) -> set[str]:
    if answer.status_code != 200 or "html" not in answer.get("Content-Type", ""):
        return set()
    return {h.replace("&amp;", "&") for h in HREF.findall(answer.content.decode())}


def test_every_endpoint_answers_every_role_as_the_table_says(world):
    """Each endpoint without an object, as each person (and anonymously); then every link of
    the menu and of the pages a person opened, as that person: none answers 403."""
    clients = _clients(world)
    anonymous = Client(raise_request_exception=False)
    links: dict[str, set[str]] = {who: set() for who in clients}
    wrong, checked = [], 0
    for e in endpoints():
        if e.params:
            continue
        url = e.url()
        needed = e.capability("GET")
        for who, client in clients.items():
            answer = client.get(url)
            status, checked = answer.status_code, checked + 1
            links[who] |= _links(answer)
            if needed is None:
                if not _open_ok(status):
                    wrong.append(f"GET {url} as {who}: {status}")
                continue
            holds = can(getattr(world, who), needed)
            if (status == 403) == holds or status >= 500:
                wrong.append(f"GET {url} as {who}: {status}, the table says "
                             f"{'yes' if holds else 'no'} ({needed})")
        if needed is not None:
            status = anonymous.get(url).status_code
            if status not in (302, 401, 403):
                wrong.append(f"GET {url} anonymously: {status}")
    assert checked > 800
    assert not wrong, "\n".join(wrong)
    for who, client in clients.items():
        menu = {item["url"] for item in client.get("/").context["nav_items"]}
        seen = set()
        for link in sorted(links[who] | menu):
            path = link.split("?")[0]  # one query of a page is enough: the view decides
            if path in seen or link.startswith(NOT_PAGES):
                continue
            seen.add(path)
            status = client.get(link).status_code
            if status == 403 or status >= 500:
                wrong.append(f"{who} follows {link}: {status}")
    assert not wrong, "links that lead to a 403:\n" + "\n".join(wrong)


# --- With an object in the URL: 403 for the wrong role, else 404, never 500 --------------------


def test_an_object_that_does_not_exist_is_403_for_the_wrong_role_else_404(people):
    clients = _clients(people)
    wrong = []
    for e in endpoints():
        if not e.params:
            continue
        url = e.url()
        for who, client in clients.items():
            method, status = "GET", client.get(url).status_code
            if status == 405:  # an action: it only takes POST
                method, status = "POST", client.post(url).status_code
            needed = e.capability(method)
            if needed is None:
                expected = {403, 404, 405} if e.key in OPEN else set()
            elif can(getattr(people, who), needed):
                expected = {404}
            else:
                expected = {403}
            if status not in expected:
                wrong.append(f"{method} {url} as {who}: {status}, expected {sorted(expected)} "
                             f"({needed})")
    assert not wrong, "\n".join(wrong)


def test_the_django_admin_is_for_superusers_only(people):
    for who, client in _clients(people).items():
        status = client.get("/" + ADMIN_PREFIX).status_code
        assert (status == 200) == (who == "superuser"), (who, status)


# --- Real objects of one area, asked by another -------------------------------------------------


@pytest.fixture
def world(people, settings, tmp_path):
    """A few real objects of district A (the station's customer, a cylinder, an order, a
    visit, a hazard, a plan) and district B's account of each kind that must not see them."""
    from ranan.hazards import services as hazard_services
    from ranan.inspections import services as inspection_services
    from ranan.inspections.choices import Outcome
    from tests.delivery.conftest import build_shop, order

    settings.MEDIA_ROOT = tmp_path / "media"
    shop = build_shop(people)
    shop.order = order(shop)
    shop.visit = inspection_services.visit_submit(
        actor=shop.courier_a1, customer=shop.villager, kind="delivery",
        outcome=Outcome.NOT_HOME, client_id=uuid.uuid4(), started_at=timezone.now())
    shop.hazard = hazard_services.hazard_create(
        actor=shop.station_manager, customer=shop.villager, category="hose",
        description="软管老化", source="delivery")
    today = timezone.localdate()
    shop.plan = inspection_services.plan_create(
        actor=shop.regulator_a, jurisdiction=shop.district_a, title="甲区第四季度",
        start=today, end=today + datetime.timedelta(days=30))
    return shop


def test_objects_of_another_area_are_not_found(world, client):
    w = world
    objects = [
        ("jurisdiction-detail", w.village_a1.pk), ("api-jurisdiction-detail", w.village_a1.pk),
        ("customer-detail", w.villager.pk), ("api-customer-detail", w.villager.pk),
        ("api-customer-devices", w.villager.pk),
        ("cylinder-detail", w.good.code), ("api-cylinder", w.good.code),
        ("api-cylinder-events", w.good.code),
        ("delivery-order", w.order.pk), ("api-order", w.order.pk),
        ("inspection-visit", w.visit.pk), ("api-visit", w.visit.pk),
        ("hazard-detail", w.hazard.pk), ("api-hazard", w.hazard.pk),
        ("hazard-notice", w.hazard.pk), ("api-hazard-notice", w.hazard.pk),
        ("inspection-plan", w.plan.pk), ("api-plan", w.plan.pk),
    ]
    for name, key in objects:
        kwarg = "code" if isinstance(key, str) else "pk"
        url = reverse(name, kwargs={kwarg: key})
        client.force_login(w.regulator_a)
        assert client.get(url).status_code == 200, url
        client.force_login(w.regulator_b)
        assert client.get(url).status_code == 404, url
    # The administrators' pages: another area's account and organisation.
    for name, key in (("account-edit", w.inspector.pk), ("organisation-edit", w.gas_company.pk),
                      ("jurisdiction-edit", w.community_b1.pk),
                      ("api-account-detail", w.inspector.pk),
                      ("api-organisation-detail", w.gas_company.pk)):
        url = reverse(name, kwargs={"pk": key})
        client.force_login(w.admin)
        assert client.get(url).status_code == 200, url
        client.force_login(w.admin_a)
        assert client.get(url).status_code == 404, url


def test_a_station_or_area_named_in_the_query_string_is_not_found_elsewhere(world, client):
    from tests.cylinders.conftest import other_station

    station_b, _manager = other_station(world)
    client.force_login(world.regulator_a)
    for url in ("/cylinders/", "/cylinders/recall/", "/cylinders/refusals/"):
        assert client.get(f"{url}?station={station_b.pk}").status_code == 404, url
    other = world.community_b1
    assert client.get(f"/dashboard/briefings/?jurisdiction={other.code}").status_code == 404
    assert client.get(f"/dashboard/statements/?jurisdiction={other.pk}&month=2026-10"
                      ).status_code == 404


# --- An id of another area in a request body: 400 naming the field ------------------------------


def test_an_id_of_another_area_in_a_body_is_400_naming_the_field(world):
    from rest_framework.test import APIClient

    from ranan.customers import services as customer_services

    w = world
    village_b = core_services.jurisdiction_create(actor=None, name="乙村", level=Level.VILLAGE,
                                                  parent=w.subdistrict, code="990102001002")
    home_b = customer_services.customer_create(
        actor=None, name="乙住户", address="乙小区1号", jurisdiction=w.grid_b1,
        supply="pipeline", gas_company=w.gas_company)
    checks = [
        (w.courier_a2, "/api/v1/orders/", {
            "customer": w.villager.pk, "cylinder_type": w.type15.pk, "quantity": 1,
            "client_id": str(uuid.uuid4())}, "customer"),
        (w.inspector, "/api/v1/visits/", {
            "customer": w.villager.pk, "kind": "periodic", "outcome": "not_home",
            "client_id": str(uuid.uuid4())}, "customer"),
        (w.inspector, "/api/v1/hazards/", {
            "customer": w.villager.pk, "category": "hose", "source": "inspection",
            "description": "x"}, "customer"),
        (w.regulator_b, "/api/v1/measures/", {"customer": w.villager.pk, "kind": "shut_off"},
         "customer"),
        (w.regulator_b, "/api/v1/plans/", {"jurisdiction": w.district_a.code, "title": "x",
                                           "start": "2026-12-01", "end": "2026-12-31"},
         "jurisdiction"),
        (w.regulator_b, "/api/v1/briefings/", {"jurisdiction": w.township.code,
                                               "week_start": "2026-11-16"}, "jurisdiction"),
        (w.courier_a1, "/api/v1/customers/", {
            "name": "新户", "address": "乙村1号", "jurisdiction": village_b.pk,
            "supply": "lpg", "lpg_station": w.station.pk}, "jurisdiction"),
        (w.station_manager, "/api/v1/cylinders/scan", {
            "code": w.good.code, "action": "deliver", "client_id": str(uuid.uuid4()),
            "customer": home_b.pk}, "customer"),
        (w.admin_a, "/api/v1/jurisdictions/", {"name": "外村", "level": "village",
                                               "parent": w.subdistrict.pk}, "parent"),
        (w.admin_a, "/api/v1/organisations/", {"name": "外站", "kind": "lpg_station",
                                               "jurisdictions": [w.district_b.pk]},
         "jurisdictions"),
    ]
    for actor, url, body, field in checks:
        client = APIClient()
        client.force_authenticate(actor)
        answer = client.post(url, body, format="json")
        assert answer.status_code == 400, (url, answer.status_code, answer.content)
        assert field in [e["field"] for e in answer.json()["errors"]], (url, answer.json())
