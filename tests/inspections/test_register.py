"""Issue 15 item 3: the visit checklist is prefilled from the customer's device register,
and a passing (or fixed) answer updates the register in the visit's transaction, so a
household checked with a metal hose and an alarm no longer shows them as missing."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from ranan.customers import services as customer_services
from ranan.customers.choices import Condition, DeviceKind, HeaterType, Missing
from ranan.customers.models import Customer, Device
from ranan.inspections import register, services
from ranan.inspections.choices import Outcome
from ranan.inspections.models import Visit
from tests.inspections.conftest import all_pass, png, visit

pytestmark = pytest.mark.django_db


def browser(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def rubber_and_no_alarm(homes, home=None):
    """A household on record with an old rubber hose and a valve that is not self-closing,
    no alarm."""
    home = home or homes.homes[0]
    year_ago = timezone.localdate() - datetime.timedelta(days=400)
    customer_services.device_add(actor=None, customer=home, kind=DeviceKind.HOSE,
                                 material="rubber", length_m=Decimal("1.5"),
                                 installed_on=year_ago)
    customer_services.device_add(actor=None, customer=home, kind=DeviceKind.VALVE,
                                 self_closing=False)
    home.refresh_from_db()
    assert home.missing & Missing.RUBBER_HOSE and home.missing & Missing.NO_ALARM
    return home


def current(home, kind):
    return Device.objects.current().filter(customer=home, kind=kind).first()


def test_the_checklist_is_prefilled_from_the_register(homes):
    home = rubber_and_no_alarm(homes)
    customer_services.device_add(actor=None, customer=home, kind=DeviceKind.STOVE,
                                 flame_out=True, made_on=datetime.date(2020, 3, 1))
    answers = register.prefill(home, datetime.date(2026, 12, 4))
    assert answers == {"hose_type": "rubber", "hose_length": "1.5", "valve_condition": "fail",
                       "stove_flame_out": "pass", "stove_age": "6"}
    # Nothing on record answers nothing ("alarm" is not prefilled "fail": unknown).
    assert register.prefill(homes.homes[1], datetime.date(2026, 12, 4)) == {}
    page = browser(homes.inspector).get(f"/inspections/visit/{home.pk}/")
    entries = {e.code: e for e in page.context["entries"]}
    assert entries["hose_type"].value == "rubber" and entries["hose_type"].prefilled
    assert entries["alarm"].value == "" and not entries["alarm"].prefilled
    assert page.content.decode().count('data-testid="prefilled"') == 5
    # A correction starts from the original's answers, not from the register.
    original = visit(homes.inspector, home, Outcome.NOT_HOME)
    correction = browser(homes.inspector).get(
        f"/inspections/visit/{home.pk}/?corrects={original.pk}")
    assert not any(e.prefilled for e in correction.context["entries"])


def test_the_prefill_api(homes):
    home = rubber_and_no_alarm(homes)
    client = browser(homes.inspector)
    answer = client.get(f"/api/v1/visits/prefill/?customer={home.pk}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["answers"]["hose_type"] == "rubber" and "alarm" not in body["answers"]
    assert body["checklist"] == services.current_checklist("pipeline_household").pk
    assert client.get("/api/v1/visits/prefill/").status_code == 400
    assert client.get("/api/v1/visits/prefill/?customer=x").status_code == 400
    # Another area's household: as if there were none.
    assert browser(homes.regulator_a).get(
        f"/api/v1/visits/prefill/?customer={home.pk}").status_code == 404


def test_a_passing_check_with_a_metal_hose_and_an_alarm_puts_them_on_record(homes):
    home = rubber_and_no_alarm(homes)
    checklist = services.current_checklist(services.audience_for(home))
    answers = all_pass(checklist)  # hose_type: metal, alarm: pass, valve: pass …
    answers["hose_length"] = "1.2"
    done = visit(homes.inspector, home, Outcome.INSPECTED, answers=answers)
    hose = current(home, DeviceKind.HOSE)
    assert (hose.material, hose.length_m, hose.installed_on) == ("metal", Decimal("1.2"), None)
    assert "2026-12-04" in hose.note
    assert current(home, DeviceKind.ALARM) is not None
    assert current(home, DeviceKind.VALVE).self_closing is True
    # The old rubber hose is kept in the history, closed the day of the check.
    old = Device.objects.get(customer=home, kind=DeviceKind.HOSE, material="rubber")
    assert old.removed_on == timezone.localdate()
    home.refresh_from_db()
    for gone in (Missing.RUBBER_HOSE, Missing.NO_ALARM, Missing.NO_SELF_CLOSING_VALVE):
        assert not home.missing & gone, gone
    # The customer page: none of them missing, and the words say "missing device".
    page = browser(homes.inspector).get(f"/customers/{home.pk}/").content.decode()
    assert f'data-missing="{Missing.RUBBER_HOSE.value}"' not in page
    assert f'data-missing="{Missing.NO_ALARM.value}"' not in page
    # A second passing check writes nothing new (the register already says so).
    count = Device.objects.filter(customer=home).count()
    visit(homes.inspector, home, Outcome.INSPECTED, answers=answers)
    assert Device.objects.filter(customer=home).count() == count
    assert done.outcome == Outcome.INSPECTED


def test_a_failed_answer_leaves_the_register_and_opens_a_finding(homes):
    home = rubber_and_no_alarm(homes)
    answers = all_pass(services.current_checklist(services.audience_for(home)))
    answers["hose_type"], answers["alarm"] = "rubber", "fail"
    done = visit(homes.inspector, home, Outcome.INSPECTED, answers=answers)
    assert current(home, DeviceKind.HOSE).material == "rubber"
    assert current(home, DeviceKind.ALARM) is None
    assert {f.item.code for f in done.findings.all()} == {"hose_type", "alarm"}
    # "Not applicable" writes nothing either.
    answers = all_pass(services.current_checklist(services.audience_for(homes.homes[1])))
    answers["alarm"] = "na"
    visit(homes.inspector, homes.homes[1], Outcome.INSPECTED, answers=answers)
    assert current(homes.homes[1], DeviceKind.ALARM) is None


def test_a_fixed_answer_installs_the_part_once(homes):
    home = rubber_and_no_alarm(homes)
    answers = all_pass(services.current_checklist(services.audience_for(home)))
    answers["hose_type"] = "rubber"
    visit(homes.inspector, home, Outcome.INSPECTED, answers=answers,
          fixes={"hose_type": {"part": "hose", "material": "metal", "length_m": "1.0"}})
    hoses = Device.objects.current().filter(customer=home, kind=DeviceKind.HOSE)
    assert hoses.count() == 1
    assert (hoses.get().material, hoses.get().length_m) == ("metal", Decimal("1.0"))
    assert hoses.get().installed_on == timezone.localdate()


def test_a_rigid_pipe_closes_the_hose_and_sound_devices_correct_faulty_records(homes):
    home = rubber_and_no_alarm(homes)
    customer_services.device_add(actor=None, customer=home, kind=DeviceKind.WATER_HEATER,
                                 heater_type=HeaterType.FLUELESS)
    customer_services.device_add(actor=None, customer=home, kind=DeviceKind.INDOOR_PIPE,
                                 condition=Condition.CORRODED)
    answers = all_pass(services.current_checklist(services.audience_for(home)))
    answers["hose_type"] = "none"
    visit(homes.inspector, home, Outcome.INSPECTED, answers=answers)
    assert current(home, DeviceKind.HOSE) is None
    assert current(home, DeviceKind.WATER_HEATER).heater_type == HeaterType.FLUED
    assert current(home, DeviceKind.INDOOR_PIPE).condition == Condition.GOOD
    home.refresh_from_db()
    assert not home.missing & (Missing.RUBBER_HOSE | Missing.HEATER_NO_FLUE
                               | Missing.PIPE_CORRODED)


def test_a_regulator_is_not_written_for_a_pipeline_household(homes):
    home = homes.homes[0]
    assert register.confirm_devices(homes.inspector, home, {"regulator_cutoff": ("pass", False)},
                                    set(), timezone.localdate()) == []
    assert current(home, DeviceKind.REGULATOR) is None
    lpg = homes.lpg_home
    answers = all_pass(services.current_checklist(services.audience_for(lpg)))
    visit(homes.station_manager, lpg, Outcome.INSPECTED, answers=answers)
    assert current(lpg, DeviceKind.REGULATOR).has_cutoff is True


def test_a_newer_device_on_record_is_not_replaced_by_an_older_check(homes):
    home = homes.homes[0]
    newer = customer_services.device_add(actor=None, customer=home, kind=DeviceKind.HOSE,
                                         material="rubber", installed_on=timezone.localdate())
    seen = customer_services.device_confirm(
        actor=None, customer=home, kind=DeviceKind.HOSE,
        seen_on=timezone.localdate() - datetime.timedelta(days=3), material="metal")
    assert seen is None and current(home, DeviceKind.HOSE) == newer


def test_a_refused_register_write_undoes_the_visit(homes, monkeypatch):
    """The register is written in the visit's transaction: a write that fails leaves no
    visit behind."""
    home = rubber_and_no_alarm(homes)

    def refuse(**kw):
        raise ValidationError({"kind": "refused"})

    monkeypatch.setattr(customer_services, "device_confirm", refuse)
    answers = all_pass(services.current_checklist(services.audience_for(home)))
    with pytest.raises(ValidationError):
        services.visit_submit(actor=homes.inspector, customer=home, kind="periodic",
                              outcome=Outcome.INSPECTED, client_id=uuid.uuid4(),
                              answers=answers, signature=png())
    assert not Visit.objects.filter(customer=home).exists()
    assert current(home, DeviceKind.HOSE).material == "rubber"
    assert Customer.objects.get(pk=home.pk).missing & Missing.RUBBER_HOSE
