"""The recall and inspection loop recorded from the cylinder's page (cylinder_record) and
the label batches: transitions, dates, roles, other stations."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ranan.cylinders import codes, services
from ranan.cylinders.choices import Record, State
from ranan.cylinders.models import Cylinder, CylinderEvent, IssuedCode, LabelBatch
from tests.cylinders.conftest import other_station

TODAY = timezone.localdate


def record(cast, cylinder, step, **kw):
    return services.cylinder_record(actor=cast.station_manager, cylinder=cylinder, record=step,
                                    **kw)


def test_the_overdue_cylinder_goes_to_inspection_and_comes_back_in_date(fleet):
    cylinder = fleet.overdue
    Cylinder.objects.filter(pk=cylinder.pk).update(recall_from=TODAY())
    cylinder.refresh_from_db()
    record(fleet, cylinder, Record.SEND_TO_INSPECTION)
    assert cylinder.state == State.AT_INSPECTION
    record(fleet, cylinder, Record.INSPECTION_PASSED)
    cylinder.refresh_from_db()
    assert cylinder.state == State.EMPTY_AT_STATION
    assert cylinder.last_inspected_on == TODAY()
    assert cylinder.next_inspection_due == services.add_years(TODAY(), 4)
    assert cylinder.recall_from is None  # off the recall list
    kinds = list(cylinder.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["sent_to_inspection", "inspection_passed"]


def test_the_inspection_at_the_end_of_the_design_life_extends_it_to_twelve_years(fleet):
    made = TODAY() - datetime.timedelta(days=int(365.25 * 7.8))
    cylinder = services.cylinder_register(actor=fleet.station_manager, station=fleet.station,
                                          type=fleet.type15, made_on=made,
                                          last_inspected_on=made + datetime.timedelta(days=1461))
    assert cylinder.scrap_on == services.add_years(made, 8)
    record(fleet, cylinder, Record.SEND_TO_INSPECTION)
    record(fleet, cylinder, Record.INSPECTION_PASSED)
    cylinder.refresh_from_db()
    assert cylinder.life_extended
    assert cylinder.scrap_on == services.add_years(made, 12)
    # An earlier inspection (year 2) grants no extension.
    young = fleet.good
    record(fleet, young, Record.SEND_TO_INSPECTION)
    record(fleet, young, Record.INSPECTION_PASSED)
    young.refresh_from_db()
    assert not young.life_extended and young.scrap_on == services.add_years(young.made_on, 8)


def test_a_failed_inspection_scraps_it_and_nothing_more_can_happen(fleet):
    cylinder = fleet.scrap
    record(fleet, cylinder, Record.SEND_TO_INSPECTION)
    record(fleet, cylinder, Record.INSPECTION_FAILED)
    assert cylinder.state == State.SCRAPPED
    for step in (Record.SEND_TO_INSPECTION, Record.SCRAP, Record.LOST, Record.RECALL_NOTICE):
        with pytest.raises(ValidationError) as error:
            record(fleet, cylinder, step, note="told")
        assert "record" in error.value.message_dict


@pytest.mark.parametrize("step", [Record.INSPECTION_PASSED, Record.INSPECTION_FAILED])
def test_an_inspection_result_needs_the_cylinder_at_the_inspection_body(fleet, step):
    with pytest.raises(ValidationError) as error:
        record(fleet, fleet.good, step)
    assert "record" in error.value.message_dict
    assert fleet.good.events.count() == 1


def test_a_cylinder_at_a_customer_cannot_be_sent_to_inspection_but_the_holder_can_be_told(fleet):
    Cylinder.objects.filter(pk=fleet.overdue.pk).update(state=State.AT_CUSTOMER,
                                                        customer=fleet.customer)
    fleet.overdue.refresh_from_db()
    with pytest.raises(ValidationError):
        record(fleet, fleet.overdue, Record.SEND_TO_INSPECTION)
    with pytest.raises(ValidationError) as error:
        record(fleet, fleet.overdue, Record.RECALL_NOTICE)
    assert "note" in error.value.message_dict  # say who was told, and how
    event = record(fleet, fleet.overdue, Record.RECALL_NOTICE, note="电话通知卓玛，周五回收")
    assert event.customer_id == fleet.customer.pk and event.details["note"].startswith("电话")
    assert Cylinder.objects.get(pk=fleet.overdue.pk).state == State.AT_CUSTOMER


def test_dates_and_notes_are_checked(fleet):
    with pytest.raises(ValidationError) as error:
        record(fleet, fleet.good, Record.SEND_TO_INSPECTION,
               on=TODAY() + datetime.timedelta(days=1))
    assert "on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(fleet, fleet.good, Record.SEND_TO_INSPECTION,
               on=fleet.good.made_on - datetime.timedelta(days=1))
    assert "on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(fleet, fleet.good, Record.LOST, note="x" * 501)
    assert "note" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(fleet, fleet.good, "melt")
    assert "record" in error.value.message_dict
    assert fleet.good.events.count() == 1


def test_a_courier_or_another_station_may_not_record(fleet):
    with pytest.raises(PermissionDenied):
        services.cylinder_record(actor=fleet.courier_a1, cylinder=fleet.good,
                                 record=Record.LOST)
    _station, manager_b = other_station(fleet)
    with pytest.raises(PermissionDenied):
        services.cylinder_record(actor=manager_b, cylinder=fleet.good, record=Record.LOST)
    with pytest.raises(PermissionDenied):
        services.cylinder_record(actor=fleet.regulator_a, cylinder=fleet.good,
                                 record=Record.LOST)
    assert Cylinder.objects.get(pk=fleet.good.pk).state == State.EMPTY_AT_STATION


def test_a_label_batch_issues_fresh_valid_codes_that_only_its_station_registers(fleet):
    batch = services.label_batch_create(actor=fleet.station_manager, station=fleet.station,
                                        count=30, grid="3x8")
    issued = list(batch.codes.values_list("code", flat=True))
    assert len(set(issued)) == 30 and all(codes.check_ok(c) for c in issued)
    station_b, manager_b = other_station(fleet)
    with pytest.raises(ValidationError) as error:
        services.cylinder_register(actor=manager_b, station=station_b, type=fleet.type15,
                                   made_on=TODAY(), code=issued[0])
    assert "code" in error.value.message_dict
    cylinder = services.cylinder_register(actor=fleet.station_manager, station=fleet.station,
                                          type=fleet.type15, made_on=TODAY(), code=issued[0])
    assert cylinder.code == issued[0]


@pytest.mark.parametrize("count,grid,field", [(0, "3x8", "count"), (2001, "3x8", "count"),
                                              (10, "9x9", "grid")])
def test_label_batch_bad_input(fleet, count, grid, field):
    with pytest.raises(ValidationError) as error:
        services.label_batch_create(actor=fleet.station_manager, station=fleet.station,
                                    count=count, grid=grid)
    assert field in error.value.message_dict
    assert not LabelBatch.objects.exists() and not IssuedCode.objects.exists()


def test_label_batches_are_for_station_managers_of_the_station(fleet):
    with pytest.raises(PermissionDenied):
        services.label_batch_create(actor=fleet.courier_a1, station=fleet.station, count=1,
                                    grid="3x8")
    station_b, manager_b = other_station(fleet)
    with pytest.raises(PermissionDenied):
        services.label_batch_create(actor=manager_b, station=fleet.station, count=1, grid="3x8")
    assert not CylinderEvent.objects.filter(kind="lost").exists()
