"""Customer and device services: the rules, bad input, the missing-device computation."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ranan.core.models import AuditEntry
from ranan.customers import services
from ranan.customers.choices import Missing, Supply
from ranan.customers.models import Customer, Device
from ranan.customers.rules import missing_mask
from tests.conftest import FROZEN_AT

TODAY = FROZEN_AT.date()  # the frozen clock's day (tests/conftest.py)


def fields(exc):
    return set(exc.value.error_dict)


def test_a_customer_is_created_with_derived_fields_and_audited(people):
    c = services.customer_create(actor=people.courier_a1, name="达瓦", address="一村3号",
                                 jurisdiction=people.village_a1, supply=Supply.LPG,
                                 lpg_station=people.station, phone="１３８ 1111 2222")
    assert c.phone == "13811112222" and c.phone_tail == "2222" and c.name_initials == "dw"
    assert c.jpath == people.village_a1.path
    assert c.missing & Missing.NO_ALARM and c.missing & Missing.REGULATOR_NO_CUTOFF
    assert AuditEntry.objects.filter(model="customers.customer", object_pk=str(c.pk),
                                     action="create").exists()


@pytest.mark.parametrize("changes, field", [
    ({"phone": "12345"}, "phone"),
    ({"id_number": "123"}, "id_number"),
    ({"jurisdiction": "township"}, "jurisdiction"),
    ({"lpg_station": None}, "lpg_station"),
    ({"meter_number": "M-1"}, "meter_number"),
    ({"name": ""}, "name"),
    ({"status_date": TODAY + datetime.timedelta(days=3)}, "status_date"),
    ({"gas_company": "gas_company"}, "gas_company"),
])
def test_bad_customer_input_names_the_field(people, changes, field):
    values = dict(name="达瓦", address="一村3号", jurisdiction=people.village_a1, supply=Supply.LPG,
                  lpg_station=people.station)
    for key, value in changes.items():
        values[key] = getattr(people, value) if isinstance(value, str) and hasattr(people, value) else value
    before = Customer.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=people.station_manager, **values)
    assert field in fields(exc)
    assert Customer.objects.count() == before


def test_a_customer_outside_the_area_is_refused(people):
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=people.courier_a1, name="x", address="y",
                                 jurisdiction=people.village_a2, supply=Supply.LPG,
                                 lpg_station=people.station)
    assert "jurisdiction" in fields(exc)


def test_a_regulator_cannot_change_customers(people):
    with pytest.raises(PermissionDenied):
        services.customer_update(actor=people.regulator_a, customer=people.c_a1, name="x")


def test_enterprise_staff_cannot_add_customers_of_another_enterprise(people):
    people.gas_admin.area.add(people.district_a)
    people.gas_admin.__dict__.pop("area_paths", None)
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=people.gas_admin, name="x", address="y",
                                 jurisdiction=people.village_a1, supply=Supply.LPG,
                                 lpg_station=people.station)
    assert "lpg_station" in fields(exc)


def test_a_duplicate_meter_number_is_a_field_error(people):
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=None, name="x", address="y", jurisdiction=people.grid_b1,
                                 supply=Supply.PIPELINE, gas_company=people.gas_company,
                                 meter_number="M-0001")
    assert "meter_number" in fields(exc)


def test_devices_drive_what_is_missing(people):
    c = people.c_a1
    services.device_add(actor=people.courier_a1, customer=c, kind="hose", material="rubber",
                        installed_on=TODAY - datetime.timedelta(days=600), length_m=Decimal("2.5"))
    c.refresh_from_db()
    assert c.missing & Missing.RUBBER_HOSE and c.missing & Missing.HOSE_EXPIRED
    assert c.missing & Missing.HOSE_TOO_LONG
    old = c.devices.current().get(kind="hose")
    services.device_add(actor=people.courier_a1, customer=c, kind="hose", material="metal",
                        installed_on=TODAY, length_m=Decimal("1.2"), replaces=old)
    services.device_add(actor=people.courier_a1, customer=c, kind="regulator", has_cutoff=True)
    services.device_add(actor=people.courier_a1, customer=c, kind="valve", self_closing=True)
    services.device_add(actor=people.courier_a1, customer=c, kind="alarm")
    c.refresh_from_db()
    assert c.missing == 0
    old.refresh_from_db()
    assert old.removed_on == TODAY  # history kept
    assert Device.objects.filter(customer=c).count() == 5


@pytest.mark.parametrize("values, field", [
    ({"kind": "meter"}, "kind"),                                   # a meter on an LPG household
    ({"kind": "stove", "installed_on": TODAY + datetime.timedelta(days=1)}, "installed_on"),
    ({"kind": "valve", "material": "rubber"}, "material"),
    ({"kind": "hose", "length_m": Decimal("-1")}, "length_m"),
    ({"kind": "rocket"}, "kind"),
])
def test_bad_device_input_names_the_field(people, values, field):
    with pytest.raises(ValidationError) as exc:
        services.device_add(actor=people.courier_a1, customer=people.c_a1, **values)
    assert field in fields(exc)
    assert not Device.objects.exists()


def test_removing_a_device_twice_is_refused(people):
    d = services.device_add(actor=people.courier_a1, customer=people.c_a1, kind="alarm")
    services.device_remove(actor=people.courier_a1, device=d)
    with pytest.raises(ValidationError):
        services.device_remove(actor=people.courier_a1, device=d)


def test_the_missing_rules():
    class D:
        def __init__(self, **kw):
            self.__dict__.update(dict(kind=None, material="", installed_on=None, expires_on=None,
                                      length_m=None, self_closing=None, flame_out=None,
                                      made_on=None, has_cutoff=None, heater_type="", condition=""), **kw)

    old_stove = D(kind="stove", flame_out=False, made_on=TODAY - datetime.timedelta(days=365 * 9))
    assert missing_mask("lpg", [old_stove]) & Missing.STOVE_TOO_OLD
    assert missing_mask("lpg", [old_stove]) & Missing.STOVE_NO_FLAMEOUT
    assert not missing_mask("pipeline", []) & Missing.REGULATOR_NO_CUTOFF
    assert missing_mask("pipeline", [D(kind="water_heater", heater_type="flueless")]) & Missing.HEATER_NO_FLUE
    assert missing_mask("pipeline", [D(kind="indoor_pipe", condition="corroded")]) & Missing.PIPE_CORRODED


@pytest.mark.parametrize("race_past", ["pre-check", "pre-check and constraint validation"])
def test_a_meter_number_taken_concurrently_is_still_a_field_error(people, monkeypatch, race_past):
    """Two requests pass the checks together: the unique index decides, the loser gets
    the same answer on the same field, and nothing is written."""
    monkeypatch.setattr(services, "_check_meter_unique", lambda customer: None)
    if race_past != "pre-check":
        monkeypatch.setattr(Customer, "validate_constraints", lambda self, exclude=None: None)
    before = Customer.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=None, name="x", address="y", jurisdiction=people.grid_b1,
                                 supply=Supply.PIPELINE, gas_company=people.gas_company,
                                 meter_number="M-0001")
    assert "meter_number" in fields(exc)
    assert Customer.objects.count() == before


def test_gaps_that_come_with_time_are_picked_up_by_the_daily_job(people):
    from ranan.customers.tasks import refresh_missing_devices

    installed = TODAY - datetime.timedelta(days=500)  # 16 months: not yet due
    services.device_add(actor=None, customer=people.c_a1, kind="hose", material="rubber",
                        installed_on=installed)
    people.c_a1.refresh_from_db()
    assert not people.c_a1.missing & Missing.HOSE_EXPIRED
    assert refresh_missing_devices() == 0  # idempotent today
    assert refresh_missing_devices(today=TODAY + datetime.timedelta(days=90)) == 1
    people.c_a1.refresh_from_db()
    assert people.c_a1.missing & Missing.HOSE_EXPIRED


def test_the_daily_job_is_registered_with_the_worker():
    from ranan.core.tasks import periodic_jobs
    from ranan.customers.tasks import refresh_missing_devices_task

    assert any(job is refresh_missing_devices_task for job, _ in periodic_jobs())
