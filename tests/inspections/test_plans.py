"""Cycles inherited down the tree, plans and their targets, the unreached list, today's work
list, plan progress, measures and the KPIs."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ranan.core.models import Account, AuditEntry, Jurisdiction
from ranan.customers.choices import CustomerKind, CustomerStatus
from ranan.customers.models import Customer
from ranan.inspections import selectors, services
from ranan.inspections.choices import MeasureKind, Outcome, Tier
from ranan.inspections.models import Cycle, Measure, Plan
from tests.conftest import kpi_figures
from tests.inspections.conftest import days_ago, png, visit

TODAY = timezone.localdate


def test_cycles_default_inherit_and_the_nearest_wins(homes):
    path = homes.grid_b1.path
    assert services.cycle_months(path, CustomerKind.RESIDENTIAL) == 24
    assert services.cycle_months(path, CustomerKind.RESTAURANT) == 12
    services.cycle_set(actor=homes.admin, jurisdiction=homes.province, applies_to="residential",
                       months=12)
    services.cycle_set(actor=homes.admin, jurisdiction=homes.province,
                       applies_to="non_residential", months=6)
    services.cycle_set(actor=homes.admin, jurisdiction=homes.province, applies_to="restaurant",
                       months=1)
    assert services.cycle_months(path, CustomerKind.RESIDENTIAL) == 12
    assert services.cycle_months(path, CustomerKind.SCHOOL) == 6
    assert services.cycle_months(path, CustomerKind.RESTAURANT) == 1
    # A district nearer the customer overrides the province for households only.
    services.cycle_set(actor=homes.admin, jurisdiction=homes.district_b,
                       applies_to="residential", months=18)
    assert services.cycle_months(path, CustomerKind.RESIDENTIAL) == 18
    assert services.cycle_months(homes.village_a1.path, CustomerKind.RESIDENTIAL) == 12
    services.cycle_set(actor=homes.admin, jurisdiction=homes.district_b,
                       applies_to="residential", months=None)
    assert services.cycle_months(path, CustomerKind.RESIDENTIAL) == 12


@pytest.mark.parametrize("applies_to,months,field", [("spaceships", 12, "applies_to"),
                                                     ("residential", 0, "months"),
                                                     ("residential", 121, "months")])
def test_cycle_bad_input(homes, applies_to, months, field):
    with pytest.raises(ValidationError) as error:
        services.cycle_set(actor=homes.admin, jurisdiction=homes.province,
                           applies_to=applies_to, months=months)
    assert field in error.value.message_dict
    assert not Cycle.objects.exists()


def _cycle_audits() -> int:
    return AuditEntry.objects.filter(model="inspections.cycle").count()


@pytest.mark.parametrize("start, months, broken", [
    (None, 6, "record_create"),  # a new cycle whose audit row fails
    (12, 6, "record_update"),  # a changed cycle whose audit row fails
    (12, None, "delete"),  # a removal that fails after its audit row was written
])
def test_cycle_set_is_one_transaction_with_its_audit(homes, monkeypatch, start, months, broken):
    if start is not None:
        services.cycle_set(actor=homes.admin, jurisdiction=homes.province,
                           applies_to="residential", months=start)
    audits = _cycle_audits()

    def fail(*args, **kwargs):
        raise RuntimeError("broken")

    if broken == "delete":
        monkeypatch.setattr(Cycle, "delete", fail)
    else:
        monkeypatch.setattr(services.audit, broken, fail)
    with pytest.raises(RuntimeError):
        services.cycle_set(actor=homes.admin, jurisdiction=homes.province,
                           applies_to="residential", months=months)
    assert list(Cycle.objects.values_list("months", flat=True)) == (
        [] if start is None else [start])
    assert _cycle_audits() == audits


def test_a_bad_cycle_leaves_the_one_in_place_and_each_change_is_audited_once(homes):
    set_ = services.cycle_set
    set_(actor=homes.admin, jurisdiction=homes.province, applies_to="residential", months=12)
    assert _cycle_audits() == 1
    with pytest.raises(ValidationError):
        set_(actor=homes.admin, jurisdiction=homes.province, applies_to="residential", months=0)
    assert Cycle.objects.get().months == 12 and _cycle_audits() == 1
    set_(actor=homes.admin, jurisdiction=homes.province, applies_to="residential", months=6)
    set_(actor=homes.admin, jurisdiction=homes.province, applies_to="residential", months=None)
    actions = AuditEntry.objects.filter(model="inspections.cycle").order_by("id")
    assert [(a.action, a.actor_id) for a in actions] == [
        ("create", homes.admin.pk), ("update", homes.admin.pk), ("delete", homes.admin.pk)]
    assert not Cycle.objects.exists()


def test_cycles_are_set_by_administrators_and_regulators_of_the_area(homes):
    with pytest.raises(PermissionDenied):
        services.cycle_set(actor=homes.inspector, jurisdiction=homes.district_b,
                           applies_to="residential", months=12)
    # Another area is not found, like an area that does not exist (a 403 would confirm it).
    with pytest.raises(Jurisdiction.DoesNotExist):
        services.cycle_set(actor=homes.regulator_b, jurisdiction=homes.district_a,
                           applies_to="residential", months=12)
    assert not Cycle.objects.exists()
    services.cycle_set(actor=homes.regulator_b, jurisdiction=homes.district_b,
                       applies_to="residential", months=12)


def test_a_plan_targets_the_households_due_and_assigns_them(homes):
    recent = homes.homes[0]
    visit(homes.inspector, recent, Outcome.INSPECTED)  # inspected today: not due
    plan = services.plan_create(actor=homes.gas_admin, jurisdiction=homes.district_b,
                                title="2026 年第四季度入户安检", start=TODAY(),
                                end=TODAY() + datetime.timedelta(days=60))
    targets = {t.customer_id: t.assignee_id for t in plan.targets.all()}
    assert set(targets) == {h.pk for h in homes.homes[1:]}
    assert set(targets.values()) == {homes.inspector.pk}
    # A yearly cycle with the next plan a year on brings the recent one back.
    services.cycle_set(actor=homes.admin, jurisdiction=homes.province, applies_to="residential",
                       months=12)
    later = services.plan_create(actor=homes.gas_admin, jurisdiction=homes.district_b,
                                 title="next year", start=TODAY() + datetime.timedelta(days=365),
                                 end=TODAY() + datetime.timedelta(days=400))
    assert recent.pk in set(later.targets.values_list("customer_id", flat=True))


@pytest.mark.parametrize("title,days,field", [("", 10, "title"), ("x" * 101, 10, "title"),
                                              ("ok", -1, "end"), ("ok", 800, "end")])
def test_plan_bad_input(homes, title, days, field):
    with pytest.raises(ValidationError) as error:
        services.plan_create(actor=homes.gas_admin, jurisdiction=homes.district_b, title=title,
                             start=TODAY(), end=TODAY() + datetime.timedelta(days=days))
    assert field in error.value.message_dict


def test_plans_are_made_in_ones_own_area_by_the_right_roles(homes):
    with pytest.raises(Jurisdiction.DoesNotExist):  # another area: not found, not forbidden
        services.plan_create(actor=homes.gas_admin, jurisdiction=homes.district_a, title="x",
                             start=TODAY(), end=TODAY())
    assert not Plan.objects.exists()
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=homes.inspector, jurisdiction=homes.district_b, title="x",
                             start=TODAY(), end=TODAY())


def test_unreached_list_work_list_and_progress(homes):
    h1, h2, h3, h4, h5 = homes.homes
    plan = services.plan_create(actor=homes.gas_admin, jurisdiction=homes.district_b,
                                title="Q4", start=TODAY() - datetime.timedelta(days=10),
                                end=TODAY() + datetime.timedelta(days=30))
    for _ in range(3):
        visit(homes.inspector, h1, Outcome.NOT_HOME, when=days_ago(5))
    visit(homes.inspector, h2, Outcome.NOT_HOME, when=days_ago(2))
    visit(homes.inspector, h3, Outcome.REFUSED, when=days_ago(1))
    visit(homes.inspector, h4, Outcome.INSPECTED, when=days_ago(1))
    rows = selectors.unreached(homes.gas_admin, homes.community_b1.path)
    assert [(r["customer"].pk, r["tier"]) for r in rows] == [
        (h1.pk, Tier.SHUT_OFF), (h3.pk, Tier.SHUT_OFF), (h2.pk, Tier.REVISIT)]
    assert rows[0]["standing"].unanswered == 3
    only = selectors.unreached(homes.gas_admin, homes.community_b1.path, tier=Tier.REVISIT)
    assert [r["customer"].pk for r in only] == [h2.pk]
    # The community's valve shut-off moves h1 to "shut".
    services.measure_record(actor=homes.inspector, customer=h1, kind=MeasureKind.SHUT_OFF,
                            note="三次不在家，社区关阀", photo=png())
    assert Customer.objects.get(pk=h1.pk).status == CustomerStatus.SHUT_OFF
    tiers = {r["customer"].pk: r["tier"] for r in
             selectors.unreached(homes.gas_admin, homes.community_b1.path)}
    assert tiers[h1.pk] == Tier.SHUT
    # Another area's regulator sees none of them.
    assert selectors.unreached(homes.regulator_a, homes.community_b1.path) == []
    # Today's list: the revisit first, then the not yet visited, then the refusal; the shut
    # household and the inspected one are not on it.
    work = [(r["customer"].pk, r["tier"]) for r in selectors.work_list(homes.inspector)]
    assert work == [(h2.pk, Tier.REVISIT), (h5.pk, None), (h3.pk, Tier.SHUT_OFF)]
    progress = selectors.plan_progress(homes.gas_admin, plan)
    total = progress[-1]
    assert (total["targets"], total["reached"], total["revisit"], total["shut_off"],
            total["shut"], total["not_visited"]) == (5, 1, 1, 1, 1, 1)


def test_home_times_order_the_same_tier(homes):
    evening = timezone.make_aware(datetime.datetime.combine(TODAY(), datetime.time(19, 30)))
    morning = timezone.make_aware(datetime.datetime.combine(TODAY(), datetime.time(9, 0)))
    assert selectors.home_rank("晚上在家", evening) == 0
    assert selectors.home_rank("晚上在家", morning) == 2
    assert selectors.home_rank("", morning) == 1


def test_measures_bad_input_and_roles(homes):
    h = homes.homes[0]
    with pytest.raises(ValidationError) as error:
        services.measure_record(actor=homes.inspector, customer=h, kind=MeasureKind.ENFORCEMENT)
    assert "organisation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.measure_record(actor=homes.inspector, customer=h, kind="bulldoze")
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.measure_record(actor=homes.inspector, customer=h, kind=MeasureKind.SHUT_OFF,
                                at=timezone.now() + datetime.timedelta(days=1))
    assert "at" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.measure_record(actor=homes.courier_a1, customer=h, kind=MeasureKind.SHUT_OFF)
    with pytest.raises(Customer.DoesNotExist):
        services.measure_record(actor=homes.regulator_a, customer=h, kind=MeasureKind.SHUT_OFF)
    services.measure_record(actor=homes.inspector, customer=h, kind=MeasureKind.SHUT_OFF,
                            note="三次不在家", photo=png())
    with pytest.raises(ValidationError):
        services.measure_record(actor=homes.inspector, customer=h, kind=MeasureKind.SHUT_OFF,
                                note="三次不在家", photo=png())
    m = services.measure_record(actor=homes.regulator_b, customer=h,
                                kind=MeasureKind.ENFORCEMENT,
                                organisation=homes.regulator_b_org, note="拒不整改私接")
    assert Measure.objects.count() == 2 and m.by == homes.regulator_b
    assert selectors.standings(Customer.objects.filter(pk=h.pk),
                               days_ago(1))[h.pk].tier == Tier.ENFORCEMENT


def test_kpis_agree_with_their_records(homes):
    h1, h2, h3, h4, h5 = homes.homes
    visit(homes.inspector, h1, Outcome.NOT_HOME, when=days_ago(3))
    visit(homes.inspector, h1, Outcome.INSPECTED, when=days_ago(2))
    visit(homes.inspector, h2, Outcome.REFUSED, when=days_ago(2))
    answers = services.current_checklist("pipeline_household")
    from tests.inspections.conftest import all_pass

    failing = all_pass(answers)
    failing["alarm"] = "fail"
    visit(homes.inspector, h3, Outcome.INSPECTED, when=days_ago(1), answers=failing)
    k = kpi_figures(homes.gas_admin, homes.district_b.path,
                       TODAY() - datetime.timedelta(days=7), TODAY())
    assert k["inspection_coverage"]["numerator"] == 2
    assert k["inspection_coverage"]["denominator"] == 5
    assert k["entry_success"]["numerator"] == 2 and k["entry_success"]["denominator"] == 3
    assert k["visit_entry_rate"]["numerator"] == 2 and k["visit_entry_rate"]["denominator"] == 4
    assert k["hazards_per_100_visits"]["value"] == 50.0
    assert k["unreached_shut_off"]["value"] == 1
    assert Account.objects.filter(pk=homes.gas_admin.pk).exists()
