"""Property: for random data, every figure equals the count of its drill-down list, for the
area and for each child area of the breakdown, and the children of a path-attributed KPI add up
to their parent; and the stored figures (the summary table) equal the raw computation, also
after random later writes."""

import datetime
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ranan.core import kpis
from ranan.customers import services as customer_services
from ranan.customers.choices import Supply
from ranan.customers.models import Customer
from ranan.hazards.choices import State
from ranan.hazards.models import Hazard
from ranan.inspections import selectors as inspection_selectors
from ranan.inspections import services as inspection_services
from ranan.inspections.choices import Outcome
from ranan.lib.dates import day_start
from tests.delivery.conftest import build_shop
from tests.inspections.conftest import all_pass, visit

OUTCOMES = [Outcome.INSPECTED, Outcome.NOT_HOME, Outcome.REFUSED, Outcome.ADDRESS_NOT_FOUND]
home = st.fixed_dictionaries({
    "village": st.sampled_from(["a1", "a2"]),
    "active": st.booleans(),
    "hose": st.sampled_from([None, "metal", "rubber"]),
    "alarm": st.booleans(),
    "visits": st.lists(st.tuples(st.sampled_from(OUTCOMES), st.integers(0, 59), st.booleans()),
                       max_size=4),
})
hazard_state = st.tuples(st.sampled_from([State.OPEN, State.RECTIFYING, State.FIXED,
                                          State.CLOSED, State.UNFIXABLE]),
                         st.integers(-20, 20), st.integers(0, 4))


@pytest.fixture
def shop(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_shop(cast)


def _build(shop, homes, states):
    registered = timezone.now() - datetime.timedelta(days=400)
    courier = {"a1": shop.courier_a1, "a2": shop.courier_a2}
    village = {"a1": shop.village_a1, "a2": shop.village_a2}
    checklist = inspection_services.current_checklist("lpg_household")
    made = []
    for n, h in enumerate(homes):
        c = customer_services.customer_create(
            actor=None, name=f"户{n}", address=f"村{n}号", jurisdiction=village[h["village"]],
            supply=Supply.LPG, lpg_station=shop.station)
        Customer.objects.filter(pk=c.pk).update(created_at=registered)
        c.refresh_from_db()
        if h["hose"]:
            customer_services.device_add(actor=None, customer=c, kind="hose", material=h["hose"])
        if h["alarm"]:
            customer_services.device_add(actor=None, customer=c, kind="alarm")
        for outcome, days, failing in h["visits"]:
            answers = all_pass(checklist)
            if failing:
                answers["alarm"] = "fail"
            visit(courier[h["village"]], c, outcome,
                  when=timezone.now() - datetime.timedelta(days=days, hours=1), kind="delivery",
                  **({"answers": answers} if outcome == Outcome.INSPECTED else {}))
        made.append((c, h))
    today = timezone.localdate()
    for hazard, (state, deadline, step) in zip(Hazard.objects.order_by("pk"), states,
                                               strict=False):
        Hazard.objects.filter(pk=hazard.pk).update(
            state=state, deadline=today + datetime.timedelta(days=deadline), escalation=step,
            fixed_at=timezone.now() if state in (State.FIXED, State.CLOSED) else None)
    for c, h in made:
        if not h["active"]:
            Customer.objects.filter(pk=c.pk).update(status="suspended")


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(homes=st.lists(home, min_size=1, max_size=6),
       states=st.lists(hazard_state, max_size=6),
       span=st.tuples(st.integers(0, 60), st.integers(0, 60)),
       later=st.lists(st.tuples(st.sampled_from(["visit", "close", "suspend", "device"]),
                                st.integers(0, 5)), max_size=3))
def test_every_figure_equals_its_records(shop, homes, states, span, later):
    with transaction.atomic():
        _build(shop, homes, states)
        today = timezone.localdate()
        start = today - datetime.timedelta(days=max(span))
        end = today - datetime.timedelta(days=min(span))
        user = shop.regulator_a
        for node in (shop.district_a, shop.township):
            figures = {r["name"]: r for r in kpis.compute(user, node.path, start, end)}
            for name, row in figures.items():
                assert row["numerator"] == kpis.records(user, node.path, start, end,
                                                        name).count(), name
                if row["denominator"] is not None:
                    assert row["denominator"] == kpis.records(
                        user, node.path, start, end, name, "base").count(), name
            # The ladder's figures equal the unreached list (computed there another way, in
            # Python from each household's standing).
            lo = day_start(start)
            tiers = Counter(s.tier for s in inspection_selectors.standings(
                inspection_selectors.area_customers(user, node.path), lo, node.path).values())
            for tier in ("revisit", "shut_off", "shut", "enforcement"):
                assert figures[f"unreached_{tier}"]["value"] == tiers[tier], tier
        children = kpis.breakdown(user, shop.township, start, end)
        for child in children:
            for name, row in child["kpis"].items():
                assert row["numerator"] == kpis.records(user, child["path"], start, end,
                                                        name).count(), (child["name"], name)
                if row["denominator"] is not None:
                    assert row["denominator"] == kpis.records(
                        user, child["path"], start, end, name, "base").count()
        township = {r["name"]: r for r in kpis.compute(user, shop.township.path, start, end)}
        for name, kpi in kpis.BY_NAME.items():
            if kpi.path == "jpath":
                assert sum(c["kpis"][name]["numerator"] for c in children) == \
                    township[name]["numerator"], name
        # The stored figures are now kept for this period: writes of every kind after that
        # (a service, a bulk update) leave them equal to the records' counts.
        for step in later:
            _write(shop, step)
            for node in (shop.district_a, shop.township, shop.village_a1, shop.village_a2):
                stored = kpis.compute(user, node.path, start, end)
                assert stored == kpis.compute(user, node.path, start, end, stored=False), step
            assert kpis.breakdown(user, shop.township, start, end) == kpis.breakdown(
                user, shop.township, start, end, stored=False), step
        transaction.set_rollback(True)


def _write(shop, step):
    kind, n = step
    homes = list(Customer.objects.order_by("pk"))
    home = homes[n % len(homes)]
    if kind == "visit":
        courier = shop.courier_a1 if home.jurisdiction_id == shop.village_a1.pk \
            else shop.courier_a2
        visit(courier, home, OUTCOMES[n % len(OUTCOMES)], kind="delivery")
    elif kind == "close":
        Hazard.objects.filter(pk__in=list(Hazard.objects.values_list("pk", flat=True)[:n])
                              ).update(state=State.CLOSED, fixed_at=timezone.now())
    elif kind == "suspend":
        Customer.objects.filter(pk=home.pk).update(status="suspended")
    elif kind == "device":
        customer_services.device_add(actor=None, customer=home, kind="hose", material="metal")
