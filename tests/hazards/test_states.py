"""The hazard state machine: every transition allowed and refused, evidence, the fixer not
verifying, idempotency, scope, and (on PostgreSQL) two verifiers at once."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from ranan.customers.models import Customer
from ranan.hazards import services
from ranan.hazards.choices import State
from ranan.hazards.models import Hazard, HazardEvent, HazardPhoto
from tests.hazards.conftest import days, move, png

ALL = [s.value for s in State]
ALLOWED = {(f, t) for t, froms in services.TRANSITIONS.items() for f in froms}




def put(hazard, state, fixer=None):
    Hazard.objects.filter(pk=hazard.pk).update(state=state, fixed_by=fixer)
    hazard.refresh_from_db()


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("to", [s for s in ALL if s != State.OPEN])
def test_every_transition_is_allowed_or_refused_by_the_table(hazard, start, to):
    h = hazard.hazard
    put(h, start, fixer=hazard.inspector)
    actor = hazard.gas_admin  # not the fixer
    if (start, to) in ALLOWED:
        assert move(actor, h, to).state == to
        assert HazardEvent.objects.filter(hazard=h, to_state=to, from_state=start).exists()
    else:
        with pytest.raises(ValidationError) as error:
            move(actor, h, to)
        assert "to" in error.value.message_dict
        assert Hazard.objects.get(pk=h.pk).state == start


def test_the_whole_loop_open_to_closed(hazard):
    h = hazard.hazard
    assert h.deadline == days(7)  # general: 7 days
    move(hazard.inspector, h, State.RECTIFYING)
    fixed = move(hazard.inspector, h, State.FIXED, note="已更换金属波纹管", photos=[png(), png(8, 8)])
    assert fixed.fixed_by == hazard.inspector
    assert HazardPhoto.objects.filter(event__hazard=h).count() == 2
    with pytest.raises(ValidationError) as error:
        move(hazard.inspector, h, State.VERIFIED)  # the fixer cannot verify
    assert "actor" in error.value.message_dict
    move(hazard.gas_admin, h, State.VERIFIED)
    closed = move(hazard.gas_admin, h, State.CLOSED)
    assert closed.state == State.CLOSED and closed.closed_at
    kinds = list(h.events.values_list("to_state", flat=True))
    assert kinds == ["open", "rectifying", "fixed", "verified", "closed"]


def test_rejected_goes_back_to_rectifying(hazard):
    h = hazard.hazard
    move(hazard.inspector, h, State.RECTIFYING)
    move(hazard.inspector, h, State.FIXED)
    with pytest.raises(ValidationError) as error:
        move(hazard.gas_admin, h, State.REJECTED, note="")
    assert "note" in error.value.message_dict
    move(hazard.gas_admin, h, State.REJECTED, note="软管仍为橡胶管")
    with pytest.raises(ValidationError):
        move(hazard.gas_admin, h, State.CLOSED)  # closing without verification
    assert move(hazard.inspector, h, State.RECTIFYING).state == State.RECTIFYING


def test_a_fix_says_what_was_done(hazard):
    h = hazard.hazard
    move(hazard.inspector, h, State.RECTIFYING)
    with pytest.raises(ValidationError) as error:
        move(hazard.inspector, h, State.FIXED, note="")
    assert "note" in error.value.message_dict


def test_recording_twice_with_one_client_id_is_one_hazard(homes):
    client_id = uuid.uuid4()
    kw = {"customer": homes.homes[0], "category": "hose", "description": "软管老化",
          "source": "inspection", "client_id": client_id}
    first = services.hazard_create(actor=homes.inspector, **kw)
    assert services.hazard_create(actor=homes.inspector, **kw).pk == first.pk
    with pytest.raises(services.TransitionConflict):
        services.hazard_create(actor=homes.gas_admin, **kw)
    assert Hazard.objects.count() == 1


def test_fixing_without_evidence_and_bad_photos(hazard):
    h = hazard.hazard
    move(hazard.inspector, h, State.RECTIFYING)
    with pytest.raises(ValidationError) as error:
        move(hazard.inspector, h, State.FIXED, photos=[])
    assert "photos" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        move(hazard.inspector, h, State.FIXED, photos=[b"not an image"])
    assert "photos.0" in error.value.message_dict
    assert Hazard.objects.get(pk=h.pk).state == State.RECTIFYING
    assert not HazardPhoto.objects.exists()


def test_the_same_client_id_twice_is_one_step(hazard):
    h = hazard.hazard
    client_id = uuid.uuid4()
    move(hazard.inspector, h, State.RECTIFYING, client_id=client_id)
    again = move(hazard.inspector, h, State.RECTIFYING, client_id=client_id)
    assert again.state == State.RECTIFYING
    assert h.events.filter(to_state=State.RECTIFYING).count() == 1
    with pytest.raises(services.TransitionConflict):
        move(hazard.inspector, h, State.FIXED, client_id=client_id)


def test_scope_and_roles(hazard):
    h = hazard.hazard
    with pytest.raises(Hazard.DoesNotExist):
        move(hazard.station_manager, h, State.RECTIFYING)  # another area
    with pytest.raises(PermissionDenied):
        move(hazard.auditor, h, State.RECTIFYING)
    assert set(Hazard.objects.visible_to(hazard.regulator_b)) == {h}
    assert not Hazard.objects.visible_to(hazard.regulator_a).exists()


@pytest.mark.parametrize("change,field", [
    ({"category": "dragons"}, "category"), ({"deadline": days(-1)}, "deadline"),
    ({"description": ""}, "description"), ({"source": "rumour"}, "source"),
    ({"grade": "huge"}, "grade"), ({"responsible": "nobody"}, "responsible"),
])
def test_creation_bad_input(homes, change, field):
    kw = {"actor": homes.inspector, "customer": homes.homes[0], "category": "hose",
          "description": "软管老化", "source": "inspection", **change}
    with pytest.raises(ValidationError) as error:
        services.hazard_create(**kw)
    assert field in error.value.message_dict
    assert not Hazard.objects.exists()


def test_creation_out_of_area_and_premises(homes):
    with pytest.raises(Customer.DoesNotExist):
        services.hazard_create(actor=homes.inspector, customer=homes.lpg_home, category="hose",
                               description="x", source="inspection")
    with pytest.raises(ValidationError) as error:
        services.hazard_create(actor=homes.regulator_b, jurisdiction=homes.district_b,
                               category="third_party", description="挖掘机挖断中压管",
                               source="hotline")
    assert "premises" in error.value.message_dict
    street = services.hazard_create(actor=homes.regulator_b, jurisdiction=homes.district_b,
                                    premises="翠东路与人民路路口", category="third_party",
                                    description="挖掘机挖断中压管", source="hotline")
    assert street.grade == "major" and street.deadline == days(1)


def test_a_visit_finding_becomes_a_hazard(homes):
    from ranan.inspections import services as inspection_services
    from ranan.inspections.choices import Outcome
    from tests.inspections.conftest import all_pass, visit

    answers = all_pass(inspection_services.current_checklist("pipeline_household"))
    answers["alarm"] = "fail"
    v = visit(homes.inspector, homes.homes[0], Outcome.INSPECTED, answers=answers)
    hazard = Hazard.objects.get(finding__visit=v)
    assert (hazard.category.code, hazard.grade, hazard.source) == ("alarm", "minor", "inspection")
    assert hazard.found_by == homes.inspector and hazard.deadline == days(15)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real concurrent test needs "
                    "PostgreSQL (SQLite serialises writers)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_verifiers_at_once_exactly_one_succeeds(settings, tmp_path):
    import threading

    from django.db import connections

    from ranan.customers import services as customer_services
    from tests.cast import Cast

    settings.MEDIA_ROOT = tmp_path
    world = Cast()
    home = customer_services.customer_create(
        actor=None, name="住户", address="乙小区", jurisdiction=world.grid_b1,
        supply="pipeline", gas_company=world.gas_company)
    h = services.hazard_create(actor=world.inspector, customer=home, category="hose",
                               description="x", source="inspection")
    move(world.inspector, h, State.RECTIFYING)
    move(world.inspector, h, State.FIXED)
    barrier = threading.Barrier(2)
    results = []

    def verify(actor):
        try:
            barrier.wait()
            move(actor, h, State.VERIFIED)
            results.append("ok")
        except ValidationError as exc:
            results.append(exc.message_dict)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=verify, args=(a,))
               for a in (world.gas_admin, world.regulator_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    assert HazardEvent.objects.filter(hazard=h, to_state=State.VERIFIED).count() == 1
