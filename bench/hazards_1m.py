"""Issue 6's speed goals on PostgreSQL:

* the daily escalation job over 1,000,000 open hazards: under 60 s;
* the supervision list of a district with 100,000 hazards: first page under 100 ms.

The database `ranan_bench_haz` holds a province of 10 districts × 10 townships × 10 villages,
100,000 households and 1,000,000 hazards (100,000 a district) in the states that climb the
ladder (open, rectifying, rejected), deadlines spread from 60 days ago to 30 days ahead;
built with SQL (generate_series) and kept between runs (`--reset` rebuilds).

The job is timed three ways: the first run ever (every overdue hazard climbs all its steps at
once: the worst case), a second run the same day (idempotent: nothing changes), and the next
day's run (the steady state). Before the first, the ladder is reset.

Run: /work/venv/bin/python bench/hazards_1m.py [--reset] [--small]
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time

from _setup import machine, setup_django

URL = "postgres://postgres@127.0.0.1:5432/ranan_bench_haz"
HAZARDS = 1_000_000
DISTRICTS = 10


def exists() -> bool:
    import psycopg

    try:
        with psycopg.connect(URL) as conn:
            return conn.execute("select count(*) from hazards_hazard").fetchone()[0] >= HAZARDS
    except Exception:  # noqa: BLE001 - no database or no table yet
        return False


def build() -> None:
    from django.db import connection

    from ranan.core import services
    from ranan.core.choices import Level, OrgKind, Role

    node = services.jurisdiction_create
    province = node(actor=None, name="基准省", level=Level.PROVINCE, code="970000")
    city = node(actor=None, name="基准市", level=Level.CITY, parent=province, code="970100")
    villages = []
    districts = []
    for d in range(DISTRICTS):
        district = node(actor=None, name=f"第{d + 1}区", level=Level.DISTRICT, parent=city,
                        code=f"9701{d + 1:02d}")
        districts.append(district)
        for t in range(10):
            town = node(actor=None, name=f"{d + 1}区{t + 1}镇", level=Level.TOWNSHIP,
                        parent=district, code=f"9701{d + 1:02d}{100 + t:03d}")
            for v in range(10):
                villages.append(node(actor=None, name=f"{d + 1}区{t + 1}镇{v + 1}村",
                                     level=Level.VILLAGE, parent=town,
                                     code=f"9701{d + 1:02d}{100 + t:03d}{200 + v:03d}"))
    company = services.organisation_create(actor=None, name="基准燃气公司",
                                           kind=OrgKind.PIPELINE_GAS, jurisdictions=[city])
    regulator_org = services.organisation_create(
        actor=None, name="第1区住建局", kind=OrgKind.REGULATOR, regulator_type="housing",
        jurisdictions=[districts[0]])
    services.account_create(actor=None, username="bench_reg", password="x" * 12,
                            organisation=regulator_org, roles=[Role.REGULATOR],
                            area=[districts[0]], check_password=False)
    inspector = services.account_create(actor=None, username="bench_inspector",
                                        password="x" * 12, organisation=company,
                                        roles=[Role.INSPECTOR], area=[city],
                                        check_password=False)
    started = time.perf_counter()
    households = HAZARDS // 10
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE v (n int, id bigint, path varchar(64))")
        cur.executemany("INSERT INTO v VALUES (%s, %s, %s)",
                        [(i, v.pk, v.path) for i, v in enumerate(villages)])
        cur.execute("""
            INSERT INTO customers_customer (kind, name, name_initials, address, building, unit,
              room, jurisdiction_id, jpath, supply, meter_number, gas_company_id, lpg_station_id,
              contact_name, phone, phone_tail, contact2_name, phone2, id_number, elderly_alone,
              disabled, tenant, high_rise, home_times, status, status_date, latitude, longitude,
              missing, created_at, updated_at)
            SELECT 'residential', '住户' || g, 'zh', '基准小区', '1', '1', (g %% 1000)::text,
              v.id, v.path, 'pipeline', 'BM' || g, %(company)s, NULL, '', '', '', '', '', '',
              false, false, false, false, '', 'active', NULL, NULL, NULL, 0, now(), now()
            FROM generate_series(0, %(n)s - 1) g JOIN v ON v.n = g %% %(villages)s
        """, {"company": company.pk, "n": households, "villages": len(villages)})
        cur.execute("SELECT min(id) FROM customers_customer")
        first = cur.fetchone()[0]
        cur.execute("SELECT id FROM hazards_category WHERE code = 'hose'")
        category = cur.fetchone()[0]
        cur.execute("""
            INSERT INTO hazards_hazard (customer_id, premises, jurisdiction_id, jpath,
              category_id, grade, source, description, found_by_id, found_at, responsible,
              responsible_name, deadline, state, escalation, fixed_by_id, fixed_at, closed_at,
              finding_id, updated_at)
            SELECT c.id, '', c.jurisdiction_id, c.jpath, %(category)s,
              (ARRAY['major', 'large', 'general', 'minor'])[1 + g %% 4], 'inspection',
              '橡胶软管老化', %(inspector)s, now() - interval '70 days', 'customer', '',
              current_date - 60 + (g %% 91),
              (ARRAY['open', 'rectifying', 'rejected'])[1 + (g / 7) %% 3], 0, NULL, NULL, NULL,
              NULL, now()
            FROM generate_series(0, %(n)s - 1) g
            JOIN customers_customer c ON c.id = %(first)s + g %% %(households)s
        """, {"category": category, "inspector": inspector.pk, "n": HAZARDS, "first": first,
              "households": households})
        cur.execute("ANALYZE")
    print(f"loaded {households:,} households and {HAZARDS:,} hazards in "
          f"{time.perf_counter() - started:.0f} s")


def reset_ladder() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DELETE FROM hazards_hazardevent WHERE kind = 'escalation'")
        cur.execute("UPDATE hazards_hazard SET escalation = 0 WHERE escalation <> 0")
        cur.execute("DELETE FROM core_message WHERE kind LIKE 'hazard_step_%%'")
        cur.execute("VACUUM ANALYZE hazards_hazard")
        cur.execute("VACUUM ANALYZE hazards_hazardevent")


def bench_job() -> None:
    from django.utils import timezone

    from ranan.hazards.services import escalate

    reset_ladder()
    today = timezone.localdate()
    for label, day in (("first run ever (every step at once)", today),
                       ("again the same day (idempotent)", today),
                       ("the next day (steady state)", today + datetime.timedelta(days=1))):
        start = time.perf_counter()
        counts = escalate(day)
        print(f"escalation job, {label}: {time.perf_counter() - start:.1f} s "
              f"(steps reached: {counts}) (goal < 60 s)")


def bench_supervision(n: int = 30) -> None:
    from django.core.paginator import Paginator

    from ranan.core.models import Account
    from ranan.hazards import selectors

    regulator = Account.objects.get(username="bench_reg")
    district = regulator.area.get()
    total = selectors.hazards_for(regulator).count()
    times = []
    for i in range(n + 3):
        start = time.perf_counter()
        # As the page does (hazards.views._paged): relations fetched for the page alone.
        qs = selectors.supervision_list(regulator, district.path).select_related(None)
        page = Paginator(qs.prefetch_related("category", "customer", "jurisdiction"),
                         50).get_page(1)
        rows = [(h.pk, h.where, h.category.name, h.deadline) for h in page.object_list]
        count = page.paginator.count
        elapsed = time.perf_counter() - start
        if i >= 3:
            times.append(elapsed * 1000)
    print(f"supervision list of a district ({total:,} hazards, {count:,} listed), first page "
          f"of {len(rows)}, {n} runs: p50 {statistics.median(times):.1f} ms, max "
          f"{max(times):.1f} ms (goal < 100 ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--small", action="store_true",
                        help="a 1/100 data set in ranan_bench_haz_small, to try the script")
    args = parser.parse_args()
    global URL, HAZARDS
    if args.small:
        URL, HAZARDS = URL + "_small", 10_000
    fresh = args.reset or not exists()
    setup_django(URL, reset=fresh)
    if fresh:
        build()
    print(machine())
    bench_job()
    bench_supervision()


if __name__ == "__main__":
    main()
