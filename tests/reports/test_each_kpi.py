"""A test per KPI: known records, and each KPI's value, numerator and denominator, computed
from the records and from the stored figures alike."""

import datetime

import pytest
from django.utils import timezone

from ranan.core import kpis
from ranan.customers import services as customer_services
from ranan.delivery.models import Order
from ranan.hazards import services as hazard_services
from ranan.hazards.choices import State
from ranan.hazards.models import Hazard
from ranan.inspections import services as inspection_services


@pytest.fixture
def known(world):
    """The world of conftest (six active LPG households of district A; 户0 reached with a
    failed alarm → hazard H1; 户1 not at home twice; 户2 refused; 户3 checked at a delivery;
    2 overdue cylinders; 1 interlock refusal; 1 delivery) and, on top:
    - H1 fixed and closed before its deadline; H2 (户1) open, past its deadline, at step 2;
    - a self-closing valve at 户3, a regulator with cut-off at 户0;
    - 户2's valve shut off (户2 is no longer active, nor on the ladder);
    - H1 was found two days before it was closed;
    - the delivery waited 3 hours."""
    today = timezone.localdate()
    h1 = Hazard.objects.get()
    Hazard.objects.filter(pk=h1.pk).update(state=State.CLOSED, fixed_at=timezone.now(),
                                           closed_at=h1.found_at + datetime.timedelta(days=2),
                                           deadline=today + datetime.timedelta(days=3))
    h2 = hazard_services.hazard_create(actor=world.station_manager, customer=world.homes[1],
                                       category="hose", description="软管老化",
                                       source="inspection")
    Hazard.objects.filter(pk=h2.pk).update(deadline=today - datetime.timedelta(days=2),
                                           escalation=2)
    customer_services.device_add(actor=None, customer=world.homes[3], kind="valve",
                                 self_closing=True)
    customer_services.device_add(actor=None, customer=world.homes[0], kind="regulator",
                                 has_cutoff=True)
    from tests.inspections.conftest import png

    inspection_services.measure_record(actor=world.regulator_a, customer=world.homes[2],
                                       kind="shut_off", note="三次未入户", photo=png())
    order = Order.objects.get()
    Order.objects.filter(pk=order.pk).update(
        received_at=order.delivered_at - datetime.timedelta(hours=3))
    return world


EXPECTED = {  # name: (value, numerator, denominator)
    "inspection_coverage": (2 / 5, 2, 5),  # 户0, 户3 of the five still active
    "entry_success": (2 / 4, 2, 4),  # reached 户0, 户3 of the visited 户0-户3
    "households_reached": (2, 2, None),
    "hazards_found": (2, 2, None),
    "hazards_open": (1, 1, None),  # H2
    "hazards_closed": (1, 1, None),  # H1
    "rectification_rate": (1 / 2, 1, 2),
    "on_time_rate": (1.0, 1, 1),
    "hazards_overdue": (1, 1, None),  # H2
    "hazards_overdue_step_0": (0, 0, None),
    "hazards_overdue_step_1": (0, 0, None),
    "hazards_overdue_step_2": (1, 1, None),
    "hazards_overdue_step_3": (0, 0, None),
    "hazards_overdue_step_4": (0, 0, None),
    # A passing check writes what it saw into the register (issue 15 item 3): 户0's
    # inspection and 户3's check at the delivery saw a metal hose, a self-closing valve, a
    # regulator with cut-off (户3 an alarm too; 户0's alarm came with H1's fix).
    "metal_hose_coverage": (2 / 5, 2, 5),  # 户0, 户3 (户1's hose is rubber)
    "self_closing_valve_coverage": (2 / 5, 2, 5),  # 户3, 户0
    "regulator_cutoff_coverage": (2 / 5, 2, 5),  # 户0, 户3, of the five active LPG households
    "alarm_coverage": (2 / 5, 2, 5),  # 户0, 户3
    "cylinders_overdue": (2, 2, None),
    "interlock_refusals": (1, 1, None),
    "deliveries_checked_rate": (1.0, 1, 1),
    "delivery_wait_median_hours": (3.0, 1, None),
    "unreached_revisit": (1, 1, None),  # 户1
    "unreached_shut_off": (0, 0, None),  # 户2 refused, but its valve is shut
    "valves_shut": (1, 1, None),
    "supply_restored": (0, 0, None),  # 户2's shut-off is not a restore (restores: test_supply)
    "unreached_shut": (1, 1, None),  # 户2
    "unreached_enforcement": (0, 0, None),
    "visit_entry_rate": (2 / 5, 2, 5),  # 户0, 户3 of the five visits
    "hazards_per_100_visits": (50.0, 1, 2),  # 户0's failed alarm, of the two inspections
    "median_days_to_close": (2.0, 1, None),  # H1
    "deliveries": (1, 1, None),
    "delivery_wait_p90_hours": (3.0, 1, None),
}


def test_every_kpi_is_tested_here():
    assert set(EXPECTED) == set(kpis.BY_NAME)


@pytest.mark.parametrize("stored", [True, False])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_kpi(known, name, stored):
    today = timezone.localdate()
    row, = kpis.compute(known.regulator_a, known.district_a.path,
                        today - datetime.timedelta(days=29), today, [name], stored=stored)
    value, numerator, denominator = EXPECTED[name]
    assert (row["numerator"], row["denominator"]) == (numerator, denominator)
    assert row["value"] == pytest.approx(value)
    assert kpis.records(known.regulator_a, known.district_a.path,
                        today - datetime.timedelta(days=29), today, name).count() == numerator
