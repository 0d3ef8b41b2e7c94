"""The stored figures (reports.Figure) equal the records' counts after every kind of write:
services, bulk updates, deletions, moves; a change recomputes only its chain of ancestors;
enterprise staff are never served the stored (area-wide) counts."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ranan.core import kpis
from ranan.core.models import KpiChange
from ranan.customers import services as customer_services
from ranan.customers.models import Customer, Device
from ranan.hazards.choices import State
from ranan.hazards.models import Hazard
from ranan.inspections.choices import Outcome
from ranan.reports import figures
from ranan.reports.models import Figure
from tests.inspections.conftest import visit


def both(user, node, start, end):
    stored = {r["name"]: r for r in kpis.compute(user, node.path, start, end)}
    raw = {r["name"]: r for r in kpis.compute(user, node.path, start, end, stored=False)}
    return stored, raw


def assert_equal(world, start=None, end=None):
    end = end or timezone.localdate()
    start = start or end - datetime.timedelta(days=29)
    for node in (world.province, world.district_a, world.township, world.village_a1,
                 world.village_a2, world.district_b):
        stored, raw = both(world.admin, node, start, end)
        assert stored == raw, node.name
        kids_stored = kpis.breakdown(world.admin, node, start, end)
        kids_raw = kpis.breakdown(world.admin, node, start, end, stored=False)
        assert kids_stored == kids_raw, node.name


def test_stored_figures_follow_every_kind_of_write(world):
    assert_equal(world)
    assert Figure.objects.exists()
    # a visit through the service
    visit(world.courier_a1, world.homes[2], Outcome.NOT_HOME, kind="delivery")
    assert_equal(world)
    # a bulk update that no signal sees
    Hazard.objects.update(state=State.CLOSED, fixed_at=timezone.now())
    assert_equal(world)
    # a device removed, a customer suspended, a customer moved to the other village
    Device.objects.filter(kind="hose").update(removed_on=timezone.localdate())
    Customer.objects.filter(pk=world.homes[1].pk).update(status="suspended")
    home = Customer.objects.get(pk=world.homes[0].pk)
    home.jurisdiction = world.village_a2
    home.jpath = world.village_a2.path
    home.save()
    assert_equal(world)
    # a deletion
    Device.objects.filter(kind="alarm").delete()
    assert_equal(world)
    # a past period (as of its end) and an empty one
    assert_equal(world, timezone.localdate() - datetime.timedelta(days=90),
                 timezone.localdate() - datetime.timedelta(days=10))


def test_a_change_recomputes_only_its_chain(world):
    end = timezone.localdate()
    start = end - datetime.timedelta(days=29)
    assert figures.refresh(world.admin, world.province, start, end) > 6
    assert figures.refresh(world.admin, world.province, start, end) == 0  # all current
    before = figures._versions(Q(path=world.village_a1.path))[world.village_a1.path]
    visit(world.courier_a1, world.homes[3], Outcome.NOT_HOME, kind="delivery")
    assert figures._versions(Q(path=world.village_a1.path))[world.village_a1.path] > before
    # village, township, district, city, province: nothing else
    assert figures.refresh(world.admin, world.province, start, end) == 5
    untouched = Figure.objects.get(path=world.district_b.path, start=start, end=end)
    assert untouched.version == figures._versions(Q(path=world.district_b.path)).get(
        world.district_b.path, 0)


@pytest.mark.parametrize("who, expected", [("admin", True), ("regulator_a", True),
                                           ("station_manager", False), ("lpg_admin", False),
                                           ("auditor", False)])
def test_who_reads_stored_figures(world, who, expected):
    assert figures.eligible(getattr(world, who)) is expected


def test_enterprise_staff_get_their_own_counts(world):
    """The station's manager sees its own customers only: never the area-wide stored row."""
    end = timezone.localdate()
    start = end - datetime.timedelta(days=29)
    manager = {r["name"]: r for r in kpis.compute(world.station_manager, world.district_a.path,
                                                  start, end)}
    raw = {r["name"]: r for r in kpis.compute(world.station_manager, world.district_a.path,
                                              start, end, stored=False)}
    assert manager == raw


def test_the_hourly_job_warms_the_default_periods(world):
    from ranan.reports.tasks import warm_figures

    end = timezone.localdate()
    start = end - datetime.timedelta(days=29)
    done = warm_figures.call()
    assert done >= Figure.objects.filter(start=start, end=end).count() > 0
    assert Figure.objects.filter(path=world.province.path, start=start, end=end).exists()
    assert warm_figures.call() == 0  # nothing changed since


def test_rows_of_another_schema_are_recomputed(world):
    """A stored row computed with other definitions (an older release) is not served."""
    end = timezone.localdate()
    start = end - datetime.timedelta(days=29)
    raw = kpis.compute(world.admin, world.district_a.path, start, end, stored=False)
    kpis.compute(world.admin, world.district_a.path, start, end)
    Figure.objects.update(schema="old", counts={})
    assert kpis.compute(world.admin, world.district_a.path, start, end) == raw
    assert not Figure.objects.filter(path=world.district_a.path, schema="old").exists()


def test_folding_the_changes_keeps_every_version_and_every_figure_current(world):
    end = timezone.localdate()
    start = end - datetime.timedelta(days=29)
    kpis.compute(world.admin, world.province.path, start, end)
    before = figures._versions(Q())
    rows = KpiChange.objects.count()
    figures.compact()
    assert figures._versions(Q()) == before
    assert KpiChange.objects.count() == len(before) < rows
    assert figures.refresh(world.admin, world.province, start, end) == 0  # still current
    visit(world.courier_a1, world.homes[3], Outcome.NOT_HOME, kind="delivery")
    assert_equal(world)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real concurrent test needs "
                    "PostgreSQL (SQLite serialises writers)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writers_in_two_villages_do_not_wait_for_each_other(settings, tmp_path):
    """The change rows are inserted, never updated: a write in village A1 still open does not
    hold up one in village A2 (both have the same province, city and district above them),
    and once both commit the stored figures see both."""
    import threading

    from django.db import connections

    from ranan.customers import services as customer_services
    from tests.cast import Cast

    settings.MEDIA_ROOT = tmp_path
    world = Cast()
    a1, a2 = (customer_services.customer_create(
        actor=None, name=f"户{n}", address="村", jurisdiction=village, supply="lpg",
        lpg_station=world.station) for n, village in ((1, world.village_a1),
                                                      (2, world.village_a2)))
    end = timezone.localdate()
    start = end - datetime.timedelta(days=29)
    admin = world.admin
    kpis.compute(admin, world.province.path, start, end)  # stored
    first_open = threading.Event()
    second_done = threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                Customer.objects.filter(pk=a1.pk).update(status="suspended")
                first_open.set()
                second_done.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            first_open.wait(10)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
                Customer.objects.filter(pk=a2.pk).update(status="suspended")
            outcome["second"] = "committed"
        except Exception as exc:  # noqa: BLE001 - the test reports what happened
            outcome["second"] = repr(exc)
        finally:
            second_done.set()
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome["second"] == "committed"
    stored = kpis.compute(admin, world.province.path, start, end)
    assert stored == kpis.compute(admin, world.province.path, start, end, stored=False)
    assert {r["name"]: r for r in stored}["inspection_coverage"]["denominator"] == 0


def test_a_new_area_under_stored_figures(world):
    """A village added after its township's figures were stored shows in the breakdown (with
    zeros, then with its first customer)."""
    from ranan.core import services as core_services
    from ranan.core.choices import Level
    from ranan.customers.choices import Supply

    end = timezone.localdate()
    start = end - datetime.timedelta(days=29)
    assert_equal(world)
    new = core_services.jurisdiction_create(actor=None, name="三村", level=Level.VILLAGE,
                                            parent=world.township, code="990101100203")
    names = [c["name"] for c in kpis.breakdown(world.admin, world.township, start, end)]
    assert "三村" in names
    assert_equal(world)
    customer_services.customer_create(actor=None, name="新户", address="三村1号",
                                      jurisdiction=new, supply=Supply.LPG,
                                      lpg_station=world.station)
    assert_equal(world)
    row = next(c for c in kpis.breakdown(world.admin, world.township, start, end)
               if c["name"] == "三村")
    assert row["kpis"]["inspection_coverage"]["denominator"] == 1


def test_every_stored_kpis_table_has_its_triggers(db):
    """A stored count is only as current as the triggers on the tables it counts: each app
    installs them for its own tables (core.kpi_triggers), none may be missing."""
    from django.db import connection

    from ranan.core.kpis import Context

    ctx = Context(None, "00000001", datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    tables = set()
    for kpi in figures.MEMO:
        for fn in (kpi.records, kpi.base):
            if fn is not None:
                tables.add(fn(ctx).model._meta.db_table)
    assert tables >= {"customers_customer", "inspections_visit", "inspections_finding",
                      "hazards_hazard", "delivery_order"}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'ranan_bump_%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                           "AND name LIKE 'ranan_bump_%'")
        installed = {row[0] for row in cursor.fetchall()}
    for table in tables:
        for op in ("insert", "update", "delete"):
            assert f"ranan_bump_{table}_{op}" in installed
