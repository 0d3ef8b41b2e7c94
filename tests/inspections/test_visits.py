"""Submitting visits: answers, fixes on the spot (devices updated), findings, photos and the
signature; immutability and corrections; every bad input; scope and roles; idempotency."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from ranan.customers.models import Customer, Device
from ranan.inspections import services
from ranan.inspections.choices import Outcome, Tier
from ranan.inspections.models import Answer, Finding, Photo, Visit
from ranan.inspections.selectors import standings
from ranan.inspections.services import Upload
from tests.inspections.conftest import all_pass, days_ago, png, visit


def pipeline_checklist():
    return services.current_checklist("pipeline_household")


def test_an_inspection_with_a_fix_on_the_spot_and_a_finding(homes):
    home = homes.homes[0]
    answers = all_pass(pipeline_checklist())
    answers.update({"hose_type": "rubber", "indoor_pipe": "fail"})
    v = visit(homes.inspector, home, Outcome.INSPECTED, answers=answers,
              fixes={"hose_type": {"part": "hose", "material": "metal", "length_m": "1.2"}},
              photos=[Upload(png(), item="indoor_pipe")])
    assert v.failed_count == 2 and v.fixed_count == 1
    assert v.checklist.key == "pipeline-household" and v.signature.name
    fixed = Answer.objects.get(visit=v, item__code="hose_type")
    assert fixed.failed and fixed.fixed and fixed.part == "hose"
    hose = Device.objects.current().get(customer=home, kind="hose")
    assert hose.material == "metal" and str(hose.length_m) == "1.20"
    finding = Finding.objects.get(visit=v)
    assert (finding.category, finding.grade) == ("corrosion", "large")
    assert Photo.objects.filter(visit=v, item__code="indoor_pipe").count() == 1


def test_a_number_and_a_choice_fail_by_their_rules(homes):
    answers = all_pass(pipeline_checklist())
    answers.update({"hose_length": "2.5", "stove_age": "9"})
    v = visit(homes.inspector, homes.homes[0], Outcome.INSPECTED, answers=answers)
    assert set(Finding.objects.filter(visit=v).values_list("item__code", flat=True)) == {
        "hose_length", "stove_age"}


def test_not_at_home_needs_no_answers_and_refused_with_answers_is_refused(homes):
    v = visit(homes.inspector, homes.homes[0], Outcome.NOT_HOME)
    assert v.checklist is None and not v.answers.exists()
    with pytest.raises(ValidationError) as error:
        visit(homes.inspector, homes.homes[0], Outcome.REFUSED, answers={"leak_test": "pass"})
    assert "answers" in error.value.message_dict


@pytest.mark.parametrize("change,field", [
    ({"answers_drop": "leak_test"}, "answers.leak_test"),
    ({"answers": {"leak_test": "maybe"}}, "answers.leak_test"),
    ({"answers": {"hose_length": "long"}}, "answers.hose_length"),
    ({"answers": {"hose_length": "-1"}}, "answers.hose_length"),
    ({"answers": {"hose_type": "plastic"}}, "answers.hose_type"),
    ({"answers": {"no_such_item": "pass"}}, "answers.no_such_item"),
    ({"signature": None}, "signature"),
    ({"signature": b"not an image at all"}, "signature"),
    ({"photos": [Upload(b"GIF89a...")]}, "photos.0"),
    ({"photos": [Upload(b"\x89PNG\r\n\x1a\n" + b"0" * 100)]}, "photos.0"),
    ({"photos": [Upload(b"\xff\xd8\xff" + b"0" * (50 * 1024 * 1024))]}, "photos.0"),
    ({"answers": {"indoor_pipe": "fail"}}, "photos.indoor_pipe"),
    ({"fixes": {"leak_test": {}}}, "fixes.leak_test"),
    ({"fixes_failed": {"hose_type": {"part": "spaceship"}}}, "fixes.hose_type"),
    ({"started_at": "future"}, "started_at"),
    ({"started_at": "before"}, "started_at"),
    ({"ended_at": "before_start"}, "ended_at"),
    ({"kind": "social"}, "kind"),
    ({"notes": "x" * 1001}, "notes"),
])
def test_bad_input_names_the_field_and_writes_nothing(homes, change, field):
    home = homes.homes[0]
    answers = all_pass(pipeline_checklist())
    kw = {"answers": answers, "signature": png(), "kind": "periodic"}
    if "answers_drop" in change:
        answers.pop(change["answers_drop"])
    if "answers" in change:
        answers.update(change["answers"])
    if "fixes_failed" in change:
        answers["hose_type"] = "rubber"
        kw["fixes"] = change["fixes_failed"]
    for key in ("signature", "photos", "fixes", "kind", "notes"):
        if key in change:
            kw[key] = change[key]
    now = timezone.now()
    when = now
    if change.get("started_at") == "future":
        when = now + datetime.timedelta(hours=1)
    elif change.get("started_at") == "before":
        when = home.created_at - datetime.timedelta(days=3)
    if change.get("ended_at") == "before_start":
        kw["ended_at"] = now - datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        services.visit_submit(actor=homes.inspector, customer=home, outcome=Outcome.INSPECTED,
                              client_id=uuid.uuid4(), started_at=when, **kw)
    assert field in error.value.message_dict, error.value.message_dict
    assert not Visit.objects.exists() and not Answer.objects.exists()
    assert not Finding.objects.exists() and not Photo.objects.exists()


def test_the_same_client_id_twice_is_one_visit(homes):
    client_id = uuid.uuid4()
    first = visit(homes.inspector, homes.homes[0], Outcome.NOT_HOME, client_id=client_id)
    again = visit(homes.inspector, homes.homes[0], Outcome.NOT_HOME, client_id=client_id)
    assert first.pk == again.pk and Visit.objects.count() == 1
    with pytest.raises(services.VisitConflict):
        visit(homes.inspector, homes.homes[1], Outcome.NOT_HOME, client_id=client_id)


def test_a_visit_is_never_edited_and_a_correction_replaces_it(homes):
    home = homes.homes[0]
    wrong = visit(homes.inspector, home, Outcome.REFUSED)
    wrong.notes = "edited"
    with pytest.raises(PermissionDenied):
        wrong.save()
    with pytest.raises(PermissionDenied):
        wrong.delete()
    since = days_ago(30)
    assert standings(Customer.objects.filter(pk=home.pk), since)[home.pk].tier == Tier.SHUT_OFF
    fixed = visit(homes.inspector, home, Outcome.NOT_HOME, corrects=wrong,
                  when=wrong.started_at, notes="was not at home, not refused")
    assert fixed.corrects_id == wrong.pk
    standing = standings(Customer.objects.filter(pk=home.pk), since)[home.pk]
    assert (standing.refused, standing.not_home, standing.tier) == (0, 1, Tier.REVISIT)
    with pytest.raises(ValidationError) as error:
        visit(homes.inspector, home, Outcome.NOT_HOME, corrects=wrong)
    assert "corrects" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        visit(homes.inspector, homes.homes[1], Outcome.NOT_HOME, corrects=fixed)
    assert "corrects" in error.value.message_dict


def test_out_of_area_and_wrong_role(homes):
    with pytest.raises(Customer.DoesNotExist):
        visit(homes.inspector, homes.lpg_home, Outcome.NOT_HOME)   # another area
    with pytest.raises(PermissionDenied):
        visit(homes.regulator_b, homes.homes[0], Outcome.NOT_HOME)  # regulators do not visit
    with pytest.raises(PermissionDenied):
        visit(homes.auditor, homes.homes[0], Outcome.NOT_HOME)
    # The station's courier visits its LPG household with a delivery.
    v = visit(homes.courier_a1, homes.lpg_home, Outcome.INSPECTED, kind="delivery")
    assert v.checklist.key == "lpg-household"
    assert not Visit.objects.filter(customer=homes.homes[0]).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real concurrent test needs "
                    "PostgreSQL (SQLite serialises writers)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_submissions_with_one_client_id_at_once_make_one_visit(settings, tmp_path):
    """On PostgreSQL: two threads send the same visit at the same instant: one record."""
    import threading

    from django.db import connections

    from ranan.customers import services as customer_services
    from ranan.customers.choices import Supply
    from tests.cast import Cast

    world = Cast()
    home = customer_services.customer_create(
        actor=None, name="住户", address="乙小区", jurisdiction=world.grid_b1,
        supply=Supply.PIPELINE, gas_company=world.gas_company)
    client_id = uuid.uuid4()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def send():
        try:
            barrier.wait()
            results.append(visit(world.inspector, home, Outcome.NOT_HOME,
                                 client_id=client_id).pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(results)) == 1 and Visit.objects.filter(client_id=client_id).count() == 1


@pytest.mark.parametrize("who,home,item", [
    ("inspector", "pipeline", "hose_type"),
    ("courier_a1", "lpg", "regulator_cutoff"),
])
def test_a_fix_on_the_spot_is_audited_as_the_visitor(homes, who, home, item):
    """The device a fix installs (and the one it replaces) is logged as changed by the visiting
    account, not by the system (issue 13: it was logged with no actor)."""
    from ranan.core.models import AuditEntry

    actor = getattr(homes, who)
    customer = homes.homes[0] if home == "pipeline" else homes.lpg_home
    answers = all_pass(services.current_checklist(services.audience_for(customer)))
    answers[item] = "rubber" if item == "hose_type" else "fail"
    for _twice in range(2):  # the second fix replaces the device the first one installed
        visit(actor, customer, Outcome.INSPECTED, answers=answers, fixes={item: {}})
    # The passing answers write what they saw too (issue 15 item 3): count the fixed part's.
    fixed = services.current_checklist(services.audience_for(customer)).items.get(
        code=item).fix_part
    ids = [str(pk) for pk in Device.objects.filter(customer=customer, kind=fixed)
           .values_list("pk", flat=True)]
    entries = AuditEntry.objects.filter(model="customers.device", object_pk__in=ids)
    assert set(entries.values_list("action", flat=True)) == {"create", "update"}
    assert entries.count() == 3
    assert set(AuditEntry.objects.filter(model="customers.device").values_list(
        "actor", "actor_username")) == {(actor.pk, actor.get_username())}
