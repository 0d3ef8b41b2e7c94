"""Issue 14 item 5: closing a hazard whose category's fix installs a device records it at the
customer in the closing transaction; the missing devices and the coverage KPIs follow."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ranan.core import kpis
from ranan.customers import services as customer_services
from ranan.customers.choices import DeviceKind, HoseMaterial, Missing
from ranan.customers.models import Customer, Device
from ranan.hazards import services
from ranan.hazards.choices import State
from ranan.hazards.models import Category, Hazard
from tests.hazards.conftest import png


def close(hazard, fixer, verifier):
    for to, actor, kw in ((State.RECTIFYING, fixer, {}),
                          (State.FIXED, fixer, {"photos": [png()], "note": "换了"}),
                          (State.VERIFIED, verifier, {}), (State.CLOSED, verifier, {})):
        hazard = services.hazard_transition(actor=actor, hazard=hazard, to=to, **kw)
    return hazard


def coverage(user, customer, name):
    today = timezone.localdate()
    return kpis.compute(user, customer.jurisdiction.path, today, today, [name],
                        stored=False)[0]["value"]


def test_the_catalogue_says_which_device_a_fix_installs(db):
    fixes = dict(Category.objects.exclude(fix_device="").values_list("code", "fix_device"))
    assert fixes == {"hose": "hose", "regulator": "regulator", "valve": "valve",
                     "alarm": "alarm", "stove": "stove"}


def rubber_list(api, user):
    """The customers list filtered on the missing device (the "missing devices" list)."""
    answer = api.as_(user).get("/api/v1/customers/", {"missing": "rubber_hose"})
    assert answer.status_code == 200, answer.content
    return [r["id"] for r in answer.json()["results"]]


def test_closing_a_hose_hazard_replaces_the_rubber_hose(homes, api):
    home = homes.lpg_home
    rubber = customer_services.device_add(
        actor=homes.station_manager, customer=home, kind=DeviceKind.HOSE,
        material=HoseMaterial.RUBBER, installed_on=datetime.date(2025, 1, 1))
    home.refresh_from_db()
    assert home.missing & Missing.RUBBER_HOSE
    before = coverage(homes.station_manager, home, "metal_hose_coverage")
    assert rubber_list(api, homes.station_manager) == [home.pk]
    hazard = services.hazard_create(actor=homes.courier_a1, customer=home, category="hose",
                                    description="橡胶软管", source="delivery")
    hazard = services.hazard_transition(actor=homes.courier_a1, hazard=hazard,
                                        to=State.RECTIFYING)
    hazard = services.hazard_transition(actor=homes.courier_a1, hazard=hazard, to=State.FIXED,
                                        photos=[png()], note="换金属波纹管")
    hazard = services.hazard_transition(actor=homes.station_manager, hazard=hazard,
                                        to=State.VERIFIED)
    # Not at "fixed" nor "verified": the register changes when the hazard is closed.
    assert Device.objects.current().get(customer=home, kind="hose").pk == rubber.pk
    services.hazard_transition(actor=homes.station_manager, hazard=hazard, to=State.CLOSED)
    home.refresh_from_db()
    assert not home.missing & Missing.RUBBER_HOSE
    hose = Device.objects.current().get(customer=home, kind="hose")
    assert hose.material == HoseMaterial.METAL and hose.installed_on == timezone.localdate()
    rubber.refresh_from_db()
    assert rubber.removed_on == timezone.localdate()  # kept in the history
    assert before == 0 and coverage(homes.station_manager, home, "metal_hose_coverage") == 1
    assert rubber_list(api, homes.station_manager) == []


@pytest.mark.parametrize("code,kind,bit,field", [
    ("regulator", "regulator", Missing.REGULATOR_NO_CUTOFF, "has_cutoff"),
    ("valve", "valve", Missing.NO_SELF_CLOSING_VALVE, "self_closing"),
    ("alarm", "alarm", Missing.NO_ALARM, None)])
def test_each_fix_fills_its_missing_device(homes, code, kind, bit, field):
    home = homes.lpg_home
    assert home.missing & bit
    hazard = services.hazard_create(actor=homes.courier_a1, customer=home, category=code,
                                    description="缺", source="delivery")
    close(hazard, homes.courier_a1, homes.station_manager)
    home.refresh_from_db()
    assert not home.missing & bit
    device = Device.objects.current().get(customer=home, kind=kind)
    assert field is None or getattr(device, field) is True


def test_a_regulator_at_a_pipeline_customer_installs_nothing(hazard):
    """A regulator is an LPG customer's device: the fix of a pipeline household's regulator
    hazard closes without touching the register."""
    h = services.hazard_create(actor=hazard.inspector, customer=hazard.homes[1],
                               category="regulator", description="x", source="inspection")
    close(h, hazard.inspector, hazard.gas_admin)
    assert not Device.objects.filter(customer=hazard.homes[1]).exists()


def test_a_regulator_closing_writes_the_device_as_the_system(hazard):
    """A regulator closes hazards but does not edit customers: the device is written as the
    system, and the hazard's audit row names it."""
    from ranan.core.models import AuditEntry

    h = services.hazard_create(actor=hazard.inspector, customer=hazard.homes[1],
                               category="alarm", description="无报警器", source="inspection")
    close(h, hazard.inspector, hazard.regulator_b)
    device = Device.objects.current().get(customer=hazard.homes[1], kind="alarm")
    assert AuditEntry.objects.get(model="customers.device", object_pk=str(device.pk)).actor is None
    closing = AuditEntry.objects.filter(model="hazards.hazard", object_pk=str(h.pk)).latest("id")
    assert closing.actor == hazard.regulator_b and closing.details == {"device": device.pk}


def test_a_failing_device_write_undoes_the_closing(hazard, monkeypatch):
    h = services.hazard_create(actor=hazard.inspector, customer=hazard.homes[1],
                               category="alarm", description="无报警器", source="inspection")
    for to, actor, kw in ((State.RECTIFYING, hazard.inspector, {}),
                          (State.FIXED, hazard.inspector, {"photos": [png()], "note": "装"}),
                          (State.VERIFIED, hazard.gas_admin, {})):
        h = services.hazard_transition(actor=actor, hazard=h, to=to, **kw)

    def refuse(**kw):
        raise ValidationError({"installed_on": "refused"})

    monkeypatch.setattr(customer_services, "device_add", refuse)
    events = h.events.count()
    with pytest.raises(ValidationError) as error:
        services.hazard_transition(actor=hazard.gas_admin, hazard=h, to=State.CLOSED)
    assert "installed_on" in error.value.message_dict
    h.refresh_from_db()
    assert h.state == State.VERIFIED and h.closed_at is None and h.events.count() == events
    assert Customer.objects.get(pk=hazard.homes[1].pk).missing & Missing.NO_ALARM


def test_no_device_for_a_category_without_one_or_premises(hazard):
    h = services.hazard_create(actor=hazard.inspector, customer=hazard.homes[1],
                               category="ventilation", description="x", source="inspection")
    close(h, hazard.inspector, hazard.gas_admin)
    premises = services.hazard_create(actor=hazard.regulator_b, jurisdiction=hazard.grid_b1,
                                      premises="街边管道", category="hose", description="x",
                                      source="inspection")
    assert close(premises, hazard.regulator_b, hazard.admin).state == State.CLOSED
    assert not Device.objects.filter(customer=hazard.homes[1]).exists()
    assert Hazard.objects.filter(state=State.CLOSED).count() == 2
