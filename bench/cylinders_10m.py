"""The cylinder benchmarks' database: `ranan_bench_cyl` on PostgreSQL with 10,000,000
cylinders over 2,000 LPG stations (5,000 each). Not part of the test suite.

    python bench/cylinders_10m.py            # build it (~4.5 min), or reuse it if it is there
    python bench/cylinders_10m.py --rebuild  # start over

`BENCH_CYL_DATABASE_URL` overrides `postgres://postgres@127.0.0.1:5432/ranan_bench_cyl`;
`--cylinders N` (or `BENCH_CYLINDERS=N` for every script) builds a smaller one; the reuse
check compares the row count.

The world: one province, 10 cities x 10 counties; each county has 5 townships x 4 villages,
one LPG company with 20 stations, each station one courier and 50 LPG customers (100,000
customers). Cylinders (two types with the default rules: inspection every 4 years, life 8
years, 12 after a passed inspection):

- manufactured uniformly over the last 12 years and ~6 weeks; codes random-looking and
  valid (a bijective hash of the row number, 10 Crockford characters + check character);
  the stations' cylinders are interleaved in the table, as years of registrations would be;
- inspected on time (up to 60 days early) at 4 and 8 years, the life extended at 8; 2% missed
  an inspection (overdue, or past the scrap date when the missed one was at 4 years);
- states: half at customers, 18% empty and 14% full at the station, 6% with a courier,
  1.5% at inspection, 1.5% lost, the rest scrapped (three quarters of those past their
  scrap date too).

About 4% of the cylinders in circulation are due within 30 days or overdue (printed).
Rows are loaded with one `INSERT ... SELECT generate_series` with the table's indexes and
constraints dropped and rebuilt afterwards, then `VACUUM ANALYZE`. There is no `registered`
event per cylinder: neither the scan interlock nor the recall job reads the chain (the
cylinder page does; it is not benchmarked here).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from _setup import setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ranan_bench_cyl"
CYLINDERS = int(os.environ.get("BENCH_CYLINDERS", 10_000_000))
CITIES, COUNTIES, TOWNSHIPS, VILLAGES = 10, 10, 5, 4
STATIONS_PER_COUNTY = 20
CUSTOMERS_PER_STATION = 50


def database_url() -> str:
    return os.environ.get("BENCH_CYL_DATABASE_URL", DEFAULT_URL)


def _existing_count(url: str) -> int | None:
    """Cylinders in the bench database, or None when it (or the table) does not exist."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute("SELECT count(*) FROM cylinders_cylinder").fetchone()[0]
    except (psycopg.OperationalError, psycopg.errors.UndefinedTable):
        return None


def ensure_database(cylinders: int = CYLINDERS, rebuild: bool = False) -> None:
    """Set Django up on the bench database, building it first unless it already holds
    `cylinders` cylinders."""
    url = database_url()
    os.environ.setdefault("BENCH_DATABASE_URL", url)
    if not rebuild and _existing_count(url) == cylinders:
        setup_django(url, reset=False)  # migrates (a no-op unless a migration was added)
        return
    started = time.perf_counter()
    print(f"building {url.rsplit('/', 1)[1]} with {cylinders:,} cylinders…", flush=True)
    setup_django(url, reset=True)
    world = build_world()
    print(f"  world: {len(world['stations']):,} stations, couriers, customers "
          f"({time.perf_counter() - started:.0f} s)", flush=True)
    load_cylinders(world, cylinders)
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)


def build_world() -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from ranan.core import services
    from ranan.core.choices import Level, OrgKind, Role
    from ranan.cylinders.models import CylinderType

    node = services.jurisdiction_create
    stations, couriers, villages_of = [], [], {}
    password = make_password("x" * 12)
    with transaction.atomic():
        province = node(actor=None, name="基准省", level=Level.PROVINCE, code="970000")
        platform_org = services.organisation_create(actor=None, name="基准平台",
                                                    kind=OrgKind.TASK_FORCE,
                                                    jurisdictions=[province])
        services.account_create(actor=None, username="bench_admin", password="x" * 12,
                                organisation=platform_org, roles=[Role.ADMIN], area=[province],
                                check_password=False, hashed_password=password)
        for c in range(CITIES):
            city = node(actor=None, name=f"基准{c + 1}市", level=Level.CITY, parent=province,
                        code=f"97{c + 1:02d}00")
            for d in range(COUNTIES):
                county = node(actor=None, name=f"{c + 1}市{d + 1}县", level=Level.DISTRICT,
                              parent=city, code=f"97{c + 1:02d}{d + 1:02d}")
                villages = []
                for t in range(TOWNSHIPS):
                    town = node(actor=None, name=f"{county.name}{t + 1}乡", level=Level.TOWNSHIP,
                                parent=county, code=f"{county.code}{100 + t:03d}")
                    villages += [node(actor=None, name=f"{town.name}{v + 1}村",
                                      level=Level.VILLAGE, parent=town,
                                      code=f"{town.code}{200 + v:03d}") for v in range(VILLAGES)]
                company = services.organisation_create(
                    actor=None, name=f"{county.name}液化气公司", kind=OrgKind.LPG_COMPANY,
                    jurisdictions=[county])
                for s in range(STATIONS_PER_COUNTY):
                    station = services.organisation_create(
                        actor=None, name=f"{county.name}{s + 1}站", kind=OrgKind.LPG_STATION,
                        parent=company, jurisdictions=[county])
                    courier = services.account_create(
                        actor=None, username=f"courier_{station.pk}", password="",
                        organisation=station, roles=[Role.COURIER], area=[county],
                        check_password=False, hashed_password=password)
                    stations.append(station)
                    couriers.append(courier)
                    villages_of[station.pk] = villages[s % len(villages)]
        for name, size in (("YSP35.5 15kg", 15), ("YSP118 50kg", 50)):
            CylinderType.objects.create(name=name, size_kg=size, price=size * 9)
    # 50 LPG customers per station, in the station's county, by SQL (the importer's rules
    # are not what is measured here).
    from ranan.customers.services import missing_mask

    rows = [(station.pk, villages_of[station.pk].pk, villages_of[station.pk].path)
            for station in stations]
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO customers_customer (kind, name, name_initials, address, building, unit,
                room, jurisdiction_id, jpath, supply, meter_number, gas_company_id,
                lpg_station_id, contact_name, phone, phone_tail, contact2_name, phone2,
                id_number, elderly_alone, disabled, tenant, high_rise, home_times, status,
                status_date, latitude, longitude, missing, created_at, updated_at)
            SELECT 'residential', '用户' || s.n || '_' || k, 'yh', s.n || '号院' || k || '号',
                   '', '', '', s.village, s.jpath, 'lpg', '', NULL, s.station, '',
                   '138' || lpad((s.n * 100 + k)::text, 8, '0'), lpad((k)::text, 4, '0'),
                   '', '', '', false, false, false, false, '', 'active', NULL, NULL, NULL,
                   %s, now(), now()
            FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) WITH ORDINALITY
                 AS s(station, village, jpath, n),
                 generate_series(0, %s - 1) AS k
            ORDER BY s.n, k
            """,
            [missing_mask("lpg", []), [r[0] for r in rows], [r[1] for r in rows],
             [r[2] for r in rows], CUSTOMERS_PER_STATION])
    return {"stations": [s.pk for s in stations], "couriers": [c.pk for c in couriers]}


def _code_sql() -> str:
    """SQL for a valid cylinder code from the 50-bit number `v`: its 10 base-32 digits in
    Crockford's alphabet, then the check character (v mod 37), as `codes.check_character`
    (`%%`: the statement carries parameters)."""
    from ranan.cylinders import codes

    body = " || ".join(f"substr('{codes.ALPHABET}', (((v >> {5 * (9 - k)}) & 31) + 1)::int, 1)"
                       for k in range(codes.BODY_LENGTH))
    return f"{body} || substr('{codes.CHECK_ALPHABET}', ((v %% 37) + 1)::int, 1)"


def load_cylinders(world: dict, n: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from ranan.cylinders.models import CylinderType

    types = list(CylinderType.objects.order_by("size_kg"))
    assert all((t.inspection_years, t.design_life_years, t.extension_years, t.max_life_years)
               == (4, 8, 4, 12) for t in types), "the SQL below assumes the default rules"
    today = timezone.localdate()
    with connection.cursor() as cur:
        first_customer = _customer_base(cur, world)
        started = time.perf_counter()
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SELECT setseed(0.4242)")
        rebuild = _drop_indexes_and_constraints(cur, "cylinders_cylinder")
        cur.execute(
            f"""
            INSERT INTO cylinders_cylinder (code, type_id, manufacturer, serial, made_on,
                last_inspected_on, life_extended, next_inspection_due, scrap_on, station_id,
                state, courier_id, customer_id, recall_from, updated_at)
            SELECT {_code_sql()}, type_id, manufacturer, serial, made_on, last_inspected_on,
                   life_extended,
                   (coalesce(last_inspected_on, made_on) + interval '4 years')::date,
                   (made_on + CASE WHEN life_extended THEN interval '12 years'
                                   ELSE interval '8 years' END)::date,
                   station, state,
                   CASE WHEN state = 'with_courier' THEN courier END,
                   CASE WHEN state = 'at_customer' THEN customer END,
                   NULL, now()
            FROM (
              SELECT e.*,
                CASE
                  WHEN (made_on + CASE WHEN life_extended THEN interval '12 years'
                                       ELSE interval '8 years' END) <= %(today)s
                       AND r_scrap < 0.75 THEN 'scrapped'
                  WHEN r_state < 0.50 THEN 'at_customer'
                  WHEN r_state < 0.68 THEN 'empty'
                  WHEN r_state < 0.82 THEN 'full'
                  WHEN r_state < 0.88 THEN 'with_courier'
                  WHEN r_state < 0.895 THEN 'at_inspection'
                  WHEN r_state < 0.91 THEN 'lost'
                  ELSE 'scrapped'
                END AS state
              FROM (
                SELECT d.*,
                  CASE
                    WHEN made_on + interval '4 years' > %(today)s THEN NULL
                    WHEN made_on + interval '8 years' > %(today)s THEN
                      CASE WHEN r_insp < 0.02 THEN NULL
                           ELSE (made_on + interval '4 years' - early)::date END
                    WHEN r_insp < 0.02 THEN (made_on + interval '4 years' - early)::date
                    ELSE (made_on + interval '8 years' - early)::date
                  END AS last_inspected_on,
                  (made_on + interval '8 years' <= %(today)s AND r_insp >= 0.02) AS life_extended
                FROM (
                  SELECT i, v, (%(stations)s::bigint[])[s + 1] AS station,
                         (%(couriers)s::bigint[])[s + 1] AS courier,
                         %(first_customer)s + s * %(per_station)s + (i / %(n_st)s) %% %(per_station)s
                           AS customer,
                         (%(types)s::bigint[])[1 + (i %% 5 = 0)::int] AS type_id,
                         (ARRAY['辽宁', '山东', '浙江', '四川'])[1 + i %% 4] || '钢瓶厂' AS manufacturer,
                         'F' || lpad(i::text, 9, '0') AS serial,
                         (%(today)s::date - floor(random() * 4430)::int) AS made_on,
                         floor(random() * 60)::int * interval '1 day' AS early,
                         random() AS r_insp, random() AS r_state, random() AS r_scrap
                  FROM (SELECT i, ((i::bigint * 549755813881 + 76543) & 1125899906842623) AS v,
                               (i * 7919) %% %(n_st)s AS s
                        FROM generate_series(1::bigint, %(n)s) AS g(i)) AS g
                ) AS d
              ) AS e
            ) AS f
            """,
            {"today": today, "stations": world["stations"], "couriers": world["couriers"],
             "first_customer": first_customer, "per_station": CUSTOMERS_PER_STATION,
             "n_st": len(world["stations"]), "types": [t.pk for t in types], "n": n})
        print(f"  {n:,} rows inserted in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        for sql in rebuild:
            cur.execute(sql)
        print(f"  indexes and constraints rebuilt in {time.perf_counter() - started:.0f} s",
              flush=True)
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.0f} s", flush=True)
    _check(today)


def _customer_base(cur, world) -> int:
    cur.execute("SELECT min(id), max(id), count(*) FROM customers_customer")
    low, high, count = cur.fetchone()
    assert count == high - low + 1 == len(world["stations"]) * CUSTOMERS_PER_STATION
    return low


def _drop_indexes_and_constraints(cur, table: str) -> list[str]:
    """Drop every index and constraint of `table` but its primary key; return the SQL that
    puts them back (indexes first, then constraints)."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype <> 'p'", [table])
    constraints = cur.fetchall()
    cur.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        [table])
    indexes = cur.fetchall()
    for name, _sql in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _sql in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    return ([sql for _name, sql in indexes]
            + [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {sql}' for name, sql in constraints])


def _check(today) -> None:
    import datetime

    from ranan.cylinders import codes
    from ranan.cylinders.models import Cylinder
    from ranan.cylinders.selectors import IN_CIRCULATION, due_q, overdue_q

    sample = list(Cylinder.objects.order_by("?")[:1000].select_related("type"))
    assert all(codes.check_ok(c.code) for c in sample), "invalid code generated"
    for c in sample:
        due, scrap = c.next_inspection_due, c.scrap_on
        c.derive_dates()
        assert (due, scrap) == (c.next_inspection_due, c.scrap_on), c.code
    alive = Cylinder.objects.filter(state__in=IN_CIRCULATION)
    n_alive = alive.count()
    n_due = alive.filter(due_q(today, 30)).count()
    n_over = alive.filter(overdue_q(today)).count()
    print(f"  in circulation: {n_alive:,}; due within 30 days or overdue: {n_due:,} "
          f"({100 * n_due / n_alive:.1f}%), of which overdue {n_over:,}", flush=True)
    assert isinstance(today, datetime.date)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cylinders", type=int, default=CYLINDERS)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    ensure_database(args.cylinders, rebuild=args.rebuild)
    from ranan.cylinders.models import Cylinder

    print(f"{database_url().rsplit('/', 1)[1]}: {Cylinder.objects.count():,} cylinders")


if __name__ == "__main__":
    sys.exit(main())
