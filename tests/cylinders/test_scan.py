"""The filling interlock and the chain (issue 4, items 3 and 4)."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from ranan.core import services as core_services
from ranan.core.choices import OrgKind
from ranan.cylinders import codes, services
from ranan.cylinders.models import Cylinder, CylinderEvent, Scan


def scan(actor, code, action, **kw):
    return services.cylinder_scan(actor=actor, code=code, action=action,
                                  client_id=kw.pop("client_id", uuid.uuid4()), **kw)


def reasons(answer):
    return [r["code"] for r in answer["reasons"]]


def test_codes_are_random_with_a_check_character():
    code = codes.new_code()
    assert codes.check_ok(code) and len(code) == 11
    assert codes.check_ok(codes.normalise(code.lower()[:5] + " " + code[5:]))
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert not codes.check_ok(wrong)
    assert len({codes.new_code() for _ in range(1000)}) == 1000


def test_dates_are_derived_from_the_type_rules(fleet):
    c = fleet.good
    assert c.next_inspection_due == c.made_on.replace(year=c.made_on.year + 4)
    assert c.scrap_on == c.made_on.replace(year=c.made_on.year + 8)
    c.life_extended = True
    c.derive_dates()
    assert c.scrap_on == c.made_on.replace(year=c.made_on.year + 12)


def test_the_whole_round_fill_dispatch_deliver_collect(fleet):
    code = fleet.good.code
    assert scan(fleet.station_manager, code, "fill", net_weight_kg=15)["verdict"] == "allow"
    assert scan(fleet.station_manager, code, "dispatch", courier=fleet.courier_a1)["verdict"] == "allow"
    assert scan(fleet.courier_a1, code, "deliver", customer=fleet.customer)["verdict"] == "allow"
    assert scan(fleet.courier_a1, code, "collect")["verdict"] == "allow"
    chain = list(CylinderEvent.objects.filter(cylinder=fleet.good).values_list("kind", flat=True))
    assert chain == ["registered", "filled", "dispatched", "delivered", "collected"]
    delivered = CylinderEvent.objects.get(cylinder=fleet.good, kind="delivered")
    assert delivered.customer == fleet.customer and delivered.courier == fleet.courier_a1


@pytest.mark.parametrize("which, reason", [
    ("overdue", "overdue_inspection"), ("scrap", "past_scrap_date")])
def test_an_overdue_or_scrap_cylinder_is_never_filled(fleet, which, reason):
    answer = scan(fleet.station_manager, getattr(fleet, which).code, "fill")
    assert answer["verdict"] == "refuse" and reasons(answer) == [reason]
    assert Cylinder.objects.get(pk=getattr(fleet, which).pk).state == "empty"
    assert Scan.objects.get().verdict == "refuse"  # the refusal is recorded too


def test_unknown_codes_and_wrong_check_characters(fleet):
    assert reasons(scan(fleet.station_manager, "NOT-A-CODE", "fill")) == ["unknown_code"]
    code = fleet.good.code
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert reasons(scan(fleet.station_manager, typo, "fill")) == ["bad_check_character"]
    assert reasons(scan(fleet.station_manager, codes.new_code(), "fill")) == ["unknown_code"]


def test_a_courier_cannot_fill(fleet):
    assert "role" in reasons(scan(fleet.courier_a1, fleet.good.code, "fill"))


def test_another_stations_cylinder_is_refused_without_detail(fleet):
    other = core_services.organisation_create(actor=None, name="乙站", kind=OrgKind.LPG_STATION,
                                              parent=fleet.lpg_company,
                                              jurisdictions=[fleet.district_a])
    manager = core_services.account_create(
        actor=None, username="other_manager", password="x" * 12, organisation=other,
        roles=["station_manager"], area=[fleet.district_a], check_password=False)
    answer = scan(manager, fleet.good.code, "fill")
    assert reasons(answer) == ["other_station"] and answer["cylinder"] is None


@pytest.mark.parametrize("action, kw", [
    ("dispatch", {}),                     # an empty cylinder cannot be dispatched
    ("deliver", {}),                      # nor delivered
    ("collect", {}),                      # nor collected: it is at the station
])
def test_illegal_transitions_are_refused(fleet, action, kw):
    answer = scan(fleet.station_manager, fleet.good.code, action, **kw)
    assert "wrong_state" in reasons(answer)


def test_a_cylinder_at_a_customer_cannot_be_filled(fleet):
    code = fleet.good.code
    scan(fleet.station_manager, code, "fill")
    scan(fleet.station_manager, code, "dispatch", courier=fleet.courier_a1)
    scan(fleet.courier_a1, code, "deliver", customer=fleet.customer)
    assert "wrong_state" in reasons(scan(fleet.station_manager, code, "fill"))


def test_dispatch_and_deliver_need_their_receiver(fleet):
    code = fleet.good.code
    scan(fleet.station_manager, code, "fill")
    assert "missing_target" in reasons(scan(fleet.station_manager, code, "dispatch"))
    assert "missing_target" in reasons(scan(fleet.station_manager, code, "dispatch",
                                            courier=fleet.regulator_a))


def test_the_same_client_id_answers_the_first_verdict_and_records_nothing(fleet):
    client_id = uuid.uuid4()
    first = scan(fleet.station_manager, fleet.good.code, "fill", client_id=client_id)
    again = scan(fleet.station_manager, fleet.good.code, "fill", client_id=client_id)
    assert first == again and first["verdict"] == "allow"
    assert CylinderEvent.objects.filter(kind="filled").count() == 1
    assert Scan.objects.count() == 1
    with pytest.raises(services.ScanConflict):
        scan(fleet.station_manager, fleet.overdue.code, "fill", client_id=client_id)


def test_registration_checks_its_dates_and_role(fleet):
    today = datetime.date.today()
    with pytest.raises(ValidationError) as exc:
        services.cylinder_register(actor=fleet.station_manager, station=fleet.station,
                                   type=fleet.type15, made_on=today - datetime.timedelta(days=10),
                                   last_inspected_on=today - datetime.timedelta(days=20))
    assert "last_inspected_on" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        services.cylinder_register(actor=fleet.courier_a1, station=fleet.station,
                                   type=fleet.type15, made_on=today)


def test_the_chain_is_append_only(fleet):
    event = CylinderEvent.objects.first()
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()


def test_cylinders_are_scoped_to_the_station_and_its_area(fleet):
    assert Cylinder.objects.visible_to(fleet.station_manager).count() == 3
    assert Cylinder.objects.visible_to(fleet.regulator_a).count() == 3
    assert not Cylinder.objects.visible_to(fleet.regulator_b).exists()
    assert not Cylinder.objects.visible_to(fleet.gas_admin).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real concurrent test needs "
                    "PostgreSQL (SQLite serialises writers; its rule is the same update)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_fills_at_the_same_instant_exactly_one_wins():
    import threading

    from django.db import connections

    from tests.cast import Cast
    from tests.cylinders.conftest import build_fleet

    world = build_fleet(Cast())
    barrier = threading.Barrier(2)
    answers = []

    def fill(line):
        try:
            barrier.wait()
            answers.append(services.cylinder_scan(
                actor=world.station_manager, code=world.good.code, action="fill",
                client_id=uuid.uuid4(), filling_line=line))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fill, args=(f"L{n}",)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a["verdict"] for a in answers) == ["allow", "refuse"]
    assert CylinderEvent.objects.filter(cylinder__code=world.good.code, kind="filled").count() == 1
