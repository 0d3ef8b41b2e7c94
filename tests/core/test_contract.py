"""The app contract (issue 13): apps plug in by declaring, on their own AppConfig, what they
add; core collects; no app edits a shared list at start-up; a new app touches only its own
folder, INSTALLED_APPS and one URL include."""

import datetime
import sys
import types

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import get_template
from django.test import override_settings
from django.urls import reverse

from ranan.core import contract
from ranan.core.contract import RananApp
from ranan.customers import services as customer_services
from ranan.customers.choices import Supply


def _shared_state() -> dict:
    """Every module-level list, dict and set of the project's modules, by content."""
    state = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("ranan.") or not isinstance(module, types.ModuleType):
            continue
        for attr, value in vars(module).items():
            if isinstance(value, list | dict | set) and not attr.startswith("__"):
                state[f"{name}.{attr}"] = repr(value)
    return state


def test_no_app_edits_a_shared_list_at_start_up():
    ranan = contract.ranan_apps()
    assert {a.label for a in ranan} >= {"core", "customers", "cylinders", "inspections",
                                        "hazards", "delivery", "reports"}
    for app in ranan:
        # Only core's ready() runs anything (its signal receivers); apps declare.
        assert type(app).ready is RananApp.ready or app.label == "core", app.label
    before = _shared_state()
    for app in apps.get_app_configs():
        if app.name.startswith("ranan."):
            app.ready()
    assert _shared_state() == before


def test_the_old_registration_lists_are_gone():
    from ranan.core import context_processors, demo, tasks, views
    from ranan.customers import views as customer_views
    from ranan.inspections import services as inspection_services

    for module, name in ((context_processors, "NAVIGATION"), (views, "HOME_PANELS"),
                         (customer_views, "CUSTOMER_PANELS"), (demo, "EXTENDERS"),
                         (tasks, "PERIODIC_JOBS"), (inspection_services, "FINDING_HOOKS")):
        assert not hasattr(module, name), f"{module.__name__}.{name}"


def test_every_declaration_resolves():
    table = contract.capabilities()
    for entry in contract.navigation():
        reverse(entry.url_name)
        assert entry.capability is None or entry.capability in table
    for panel, context in (*contract.home_panels(), *contract.customer_panels()):
        get_template(panel.template)
        assert callable(context)
    assert [f.__module__ for f in contract.demo_loaders()] == [
        "ranan.customers.demo", "ranan.cylinders.demo", "ranan.inspections.demo",
        "ranan.hazards.demo_property", "ranan.delivery.demo"]
    for task, every in contract.jobs():
        assert hasattr(task, "enqueue") and every.total_seconds() > 0
    assert [h.__module__ for h in contract.hooks("inspections.findings")] == [
        "ranan.hazards.services"]


def test_menu_entries_and_kpis_name_known_organisation_kinds():
    from ranan.core import kpis
    from ranan.core.choices import OrgKind

    for entry in contract.navigation():
        assert entry.org_kinds is None or entry.org_kinds <= set(OrgKind.values), entry
    for app in contract.ranan_apps():
        assert app.org_kinds is None or set(app.org_kinds) <= set(OrgKind.values), app.label
    for kpi in kpis.catalogue():
        assert kpi.org_kinds is None or kpi.org_kinds <= set(OrgKind.values), kpi.name


def test_the_menu_keeps_its_declared_order():
    assert [n.url_name for n in contract.navigation()] == [
        "home", "dashboard", "customer-list", "cylinder-home", "delivery-home",
        "inspection-home", "referral-list", "hazard-list", "estate-home", "jurisdiction-list",
        "organisation-list", "account-list", "audit-list", "outbox"]


def test_demo_dependencies_are_ordered_and_checked(monkeypatch):
    from ranan.core.contract import Demo

    hazards = apps.get_app_config("hazards")
    monkeypatch.setattr(hazards, "demo", Demo("ranan.hazards.demo.extend", after=("nowhere",)))
    contract.clear()
    with pytest.raises(ValueError, match="nowhere"):
        contract.demo_loaders()
    monkeypatch.setattr(hazards, "demo", Demo("ranan.hazards.demo.extend", after=("delivery",)))
    contract.clear()
    with pytest.raises(ValueError, match="cycle"):
        contract.demo_loaders()
    monkeypatch.undo()
    contract.clear()


PLUGGED = override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.plugin_app"],
                            ROOT_URLCONF="tests.plugin_app.project_urls")


@PLUGGED
def test_a_new_app_plugs_in_through_its_own_folder(cast, client):
    from tests.plugin_app import views as plugin

    # Its menu entry, placed by its order, for the roles its capability names.
    names = [n.url_name for n in contract.navigation()]
    assert names.index("plugin-home") == names.index("delivery-home") + 1
    client.force_login(cast.courier_a1)
    home = client.get("/")
    assert "/plugin/" in [i["url"] for i in home.context["nav_items"]]
    assert 'data-testid="plugin-home"' in home.content.decode()
    assert client.get("/plugin/").status_code == 200
    assert client.get("/api/v1/plugin/").json() == {"who": "courier_a1"}
    customer = customer_services.customer_create(
        actor=None, name="多吉", address="一村1号", jurisdiction=cast.village_a1,
        supply=Supply.LPG, lpg_station=cast.station)
    page = client.get(reverse("customer-detail", args=[customer.pk])).content.decode()
    assert "plugin panel of 多吉" in page
    # Its demo data after the apps it names, its job, its hook.
    assert [f.__module__ for f in contract.demo_loaders()][-1] == "tests.plugin_app.views"
    assert plugin.on_findings in contract.hooks("inspections.findings")
    assert datetime.timedelta(days=7) in [every for _task, every in contract.jobs()]
    client.force_login(cast.regulator_a)
    assert "/plugin/" not in [i["url"] for i in client.get("/").context["nav_items"]]
    assert client.get("/plugin/").status_code == 403
    assert client.get("/api/v1/plugin/").status_code == 403


@PLUGGED
def test_a_new_app_adds_its_own_role(cast, client):
    from ranan.core import services as core_services
    from ranan.core.permissions import can

    assert ("plugin_crew", "Repair crew") in contract.role_choices()
    crew = core_services.account_create(
        actor=None, username="crew1", password="x", organisation=cast.gas_company,
        roles=["plugin_crew"], area=[cast.district_b], full_name="抢修一班",
        check_password=False)
    # Its app's capabilities, and every capability granted to the data roles.
    assert can(crew, "plugin_app.use") and can(crew, "plugin_app.everyone")
    assert can(crew, "customers.read") and not can(crew, "core.admin")
    assert crew.role_labels == ["Repair crew"]
    client.force_login(crew)
    assert client.get("/plugin/").status_code == 200
    # Given where the app says it may not be: refused, naming the field.
    with pytest.raises(ValidationError) as refused:
        core_services.account_create(
            actor=None, username="crew2", password="x", organisation=cast.station,
            roles=["plugin_crew"], area=[cast.district_a], check_password=False)
    assert "roles" in refused.value.message_dict


def test_a_capability_naming_an_unknown_role_is_refused(monkeypatch):
    core = apps.get_app_config("core")
    monkeypatch.setattr(core, "capabilities", {**core.capabilities, "core.x": {"nobody"}})
    contract.clear()
    with pytest.raises(ValueError, match="nobody"):
        contract.capabilities()
    monkeypatch.undo()
    contract.clear()


def test_without_the_app_nothing_of_it_remains(cast, client):
    assert "plugin-home" not in [n.url_name for n in contract.navigation()]
    assert "plugin_app.use" not in contract.capabilities()
    assert "plugin_crew" not in contract.roles()
