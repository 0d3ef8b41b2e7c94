# ruff: noqa: F811  (the inspections tests' fixtures, imported to be used here)
"""Every write is audited (issue 15 item 5): the hazards a visit's findings open, a buyer's
real-name record and a courier's round opened by an order, the daily ladder's steps, a
language choice; and a systematic check: every table a workflow writes is either a history
table (append-only rows with their actor) or has audit entries for what was written."""

import datetime
import re
import uuid

import pytest
from django.apps import apps
from django.db import connection

from ranan.core import services as core_services
from ranan.core.models import AuditEntry
from ranan.lib.appendonly import AppendOnlyModel
from tests.delivery.conftest import build_shop, order, ready_cylinder
from tests.inspections.conftest import _media, all_pass, homes, png, visit  # noqa: F401 - fixtures

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


SET = re.compile(r'\bSET\s+(.*?)(?:\s+WHERE\b|$)', re.I | re.S)

# Derived columns a service refreshes after an audited change (the change is the record).
DERIVED = {
    # The customer's "missing devices" summary, from the device register (each device
    # added or removed is audited).
    "customers_customer": {"missing"},
}


class Writes:
    """The tables written while it is installed (`connection.execute_wrapper`), but for an
    UPDATE that sets only derived columns."""

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        found = WRITE.match(sql)
        if found and not self._derived(found.group(1), sql):
            self.tables.add(found.group(1))
        return execute(sql, params, many, context)

    @staticmethod
    def _derived(table: str, sql: str) -> bool:
        if table not in DERIVED or not sql.lstrip().upper().startswith("UPDATE"):
            return False
        assignments = SET.search(sql)
        columns = set(re.findall(r'"?(\w+)"?\s*=', assignments.group(1))) if assignments else set()
        return bool(columns) and columns <= DERIVED[table]


def models_written(tables: set[str]):
    """The Ranan models behind the tables (a many-to-many table: its owner), leaving out the
    history tables (append-only: each row names its actor and time) and the audit log."""
    by_table = {}
    for model in apps.get_models(include_auto_created=True):
        # A many-to-many table (auto_created: its owner) is audited with its owner.
        by_table[model._meta.db_table] = model._meta.auto_created or model
    found = set()
    for table in tables:
        model = by_table.get(table)
        if model is None or not model.__module__.startswith("ranan."):
            continue
        if issubclass(model, AppendOnlyModel) or model is AuditEntry:
            continue
        found.add(model)
    return found


# Written without an audit row of their own, on purpose (each: where its history is).
NOT_AUDITED = {
    # The outbox is itself the record of every message (core.notify).
    "core.message",
    # A scan moves a cylinder along its chain: the chain (cylinders.CylinderEvent, with the
    # actor) is its history, and the scan log keeps refusals too; an audit row per scan
    # would double the hot path's writes.
    "cylinders.cylinder", "cylinders.scan",
    # A photo of a hazard's step: part of the step's history (the event names the actor).
    "hazards.hazardphoto",
    # A plan's targets (up to a district's households), written once with the plan and never
    # edited: the plan's entry counts them.
    "inspections.target",
}


def unaudited(writes: Writes, since: int) -> set[str]:
    logged = set(AuditEntry.objects.filter(pk__gt=since).values_list("model", flat=True))
    return {m._meta.label_lower for m in models_written(writes.tables)} - logged - NOT_AUDITED


def last_entry() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- The writes that bypassed the audit -------------------------------------------------------


def test_the_hazards_a_visit_opens_are_audited_as_its_inspector(homes):
    from ranan.hazards.models import Hazard
    from ranan.inspections import services as inspection_services

    answers = all_pass(inspection_services.current_checklist("pipeline_household"))
    answers["alarm"] = "fail"
    answers["ventilation"] = "fail"
    v = visit(homes.inspector, homes.homes[0], "inspected", answers=answers)
    hazards = list(Hazard.objects.filter(finding__visit=v))
    assert len(hazards) == 2
    for hazard in hazards:
        entry = AuditEntry.objects.get(model="hazards.hazard", object_pk=str(hazard.pk))
        assert entry.action == "create" and entry.actor == homes.inspector
        assert entry.changes["state"] == [None, "open"]
        assert entry.changes["customer_id"] == [None, homes.homes[0].pk]


def test_an_order_audits_the_buyers_real_name_and_the_round_it_opens(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    shop = build_shop(cast)
    placed = order(shop, urgent=True)
    assert placed.round_id is not None
    real = AuditEntry.objects.get(model="delivery.realname", action="create")
    assert real.actor == shop.courier_a1
    assert real.changes["customer_id"] == [None, shop.villager.pk]
    the_round = AuditEntry.objects.get(model="delivery.round", action="create")
    assert the_round.object_pk == str(placed.round_id) and the_round.actor == shop.courier_a1
    # A second order the same day joins the round: nothing more is created.
    order(shop, urgent=True)
    assert AuditEntry.objects.filter(model="delivery.round", action="create").count() == 1
    assert AuditEntry.objects.filter(model="delivery.realname").count() == 1


def test_the_ladder_audits_each_hazard_it_moves(homes, clock):
    from ranan.hazards import services as hazard_services
    from ranan.hazards.models import Hazard

    answers = all_pass(__import__("ranan.inspections.services", fromlist=["x"])
                       .current_checklist("pipeline_household"))
    answers["alarm"] = "fail"
    visit(homes.inspector, homes.homes[0], "inspected", answers=answers)
    hazard = Hazard.objects.get()
    counts = hazard_services.escalate(today=hazard.deadline + datetime.timedelta(days=20))
    assert set(counts.values()) == {1}  # the one hazard, up every step at once
    hazard.refresh_from_db()
    assert hazard.escalation == max(counts)
    entry = AuditEntry.objects.get(model="hazards.hazard", action="update")
    assert entry.actor is None and entry.object_pk == str(hazard.pk)
    assert entry.changes == {"escalation": [0, hazard.escalation]}
    assert entry.object_repr == str(hazard)[:200]
    # Idempotent: a second run the same day moves nothing and logs nothing.
    hazard_services.escalate(today=hazard.deadline + datetime.timedelta(days=20))
    assert AuditEntry.objects.filter(model="hazards.hazard", action="update").count() == 1


def test_a_language_choice_is_audited(cast):
    core_services.account_set_language(actor=cast.courier_a1, language="en")
    entry = AuditEntry.objects.get(model="core.account", action="update")
    assert entry.actor == cast.courier_a1 and entry.changes == {"language": ["", "en"]}


# --- Systematically: what a workflow writes is audited ---------------------------------------


@pytest.fixture
def writes():
    recorder = Writes()
    with connection.execute_wrapper(recorder):
        yield recorder


def test_a_visit_with_findings_and_fixes_writes_nothing_unaudited(homes, writes):
    from ranan.inspections import services as inspection_services

    since = last_entry()
    answers = all_pass(inspection_services.current_checklist("pipeline_household"))
    answers["alarm"] = "fail"
    answers["hose_ageing"] = "fail"
    visit(homes.inspector, homes.homes[1], "inspected", answers=answers,
          fixes={"hose_ageing": {"part": "hose"}},
          photos=[inspection_services.Upload(png(), item="hose_ageing")])
    assert writes.tables  # the recorder saw the visit's writes
    assert not unaudited(writes, since)


def test_an_order_delivered_with_a_check_writes_nothing_unaudited(cast, settings, tmp_path):
    from ranan.delivery import services as delivery_services
    from ranan.inspections import services as inspection_services

    settings.MEDIA_ROOT = tmp_path
    shop = build_shop(cast)
    cylinder = ready_cylinder(shop)
    recorder = Writes()
    since = last_entry()
    with connection.execute_wrapper(recorder):
        placed = order(shop, urgent=True)
        delivery_services.round_start(actor=shop.courier_a1, the_round=placed.round)
        answers = all_pass(inspection_services.current_checklist("lpg_household"))
        delivery_services.order_deliver(
            actor=shop.courier_a1, order=placed, full_codes=[cylinder.code],
            client_id=uuid.uuid4(), check={"answers": answers, "signature": png()})
    assert "delivery_order" in recorder.tables
    assert not unaudited(recorder, since)


def test_a_hazard_fixed_verified_and_closed_writes_nothing_unaudited(homes, writes):
    from ranan.hazards import services as hazard_services

    since = last_entry()
    hazard = hazard_services.hazard_create(
        actor=homes.inspector, customer=homes.homes[2], category="alarm",
        description="未安装燃气报警器", source="inspection")
    hazard_services.hazard_transition(actor=homes.inspector, hazard=hazard, to="rectifying")
    hazard_services.hazard_transition(actor=homes.inspector, hazard=hazard, to="fixed",
                                      note="装了报警器", photos=[png()])
    hazard_services.hazard_transition(actor=homes.gas_admin, hazard=hazard, to="verified")
    hazard_services.hazard_transition(actor=homes.gas_admin, hazard=hazard, to="closed")
    assert not unaudited(writes, since)


def test_a_checklists_new_version_audits_its_items_and_the_version_it_replaces(cast, writes):
    from ranan.inspections import services as inspection_services
    from ranan.inspections.models import Checklist

    current = inspection_services.current_checklist("lpg_household")
    since = last_entry()
    new = inspection_services.checklist_new_version(actor=cast.admin, checklist=current,
                                                    title="液化气用户入户安检表（2027）")
    assert not unaudited(writes, since)
    items = AuditEntry.objects.filter(model="inspections.checklistitem", action="create")
    assert items.count() == new.items.count() > 0
    assert set(items.values_list("actor", flat=True)) == {cast.admin.pk}
    replaced = AuditEntry.objects.get(model="inspections.checklist", action="update")
    assert replaced.object_pk == str(current.pk)
    assert replaced.changes == {"published": [True, False]}
    assert not Checklist.objects.get(pk=current.pk).published


def test_a_plans_entry_counts_its_targets(homes, writes):
    from ranan.inspections import services as inspection_services

    since = last_entry()
    today = datetime.date(2026, 12, 4)
    plan = inspection_services.plan_create(actor=homes.gas_admin, jurisdiction=homes.district_b,
                                           title="第四季度入户安检", start=today,
                                           end=today + datetime.timedelta(days=60))
    assert not unaudited(writes, since)
    entry = AuditEntry.objects.get(model="inspections.plan", object_pk=str(plan.pk))
    assert entry.details == {"targets": plan.targets.count()} and plan.targets.exists()


def test_the_recall_job_audits_each_cylinder_it_marks(cast):
    from ranan.cylinders.models import Cylinder
    from ranan.cylinders.tasks import mark_recalls
    from tests.cylinders.conftest import build_fleet

    fleet = build_fleet(cast)
    recorder = Writes()
    since = last_entry()
    with connection.execute_wrapper(recorder):
        counts = mark_recalls()
    assert counts and "cylinders_cylinder" in recorder.tables
    entries = AuditEntry.objects.filter(model="cylinders.cylinder", action="update", pk__gt=since)
    assert entries.count() == sum(counts.values())
    entry = entries.first()
    assert entry.actor is None
    assert entry.changes == {"recall_from": [None, datetime.date(2026, 12, 4).isoformat()]}
    assert entry.object_repr == Cylinder.objects.get(pk=entry.object_pk).code
    assert Cylinder.objects.get(pk=entry.object_pk).station_id == fleet.station.pk
    # A second run the same day marks nothing and logs nothing more.
    mark_recalls()
    assert AuditEntry.objects.filter(model="cylinders.cylinder", action="update",
                                     pk__gt=since).count() == entries.count()
