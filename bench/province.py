"""Issue 8's province-sized data set on PostgreSQL, in one command (goal: under 15 minutes).

    /work/venv/bin/python bench/province.py build [--db ranan_bench_prov] [--scale 1]

`--scale 0.01` builds a 1/100 data set (same tree) to try the script. The database is dropped,
re-created and migrated by Django, then filled with SQL run by PostgreSQL itself: the small
world (jurisdictions, organisations, accounts) by COPY with explicit ids, the big tables by
`INSERT ... SELECT generate_series` (no row crosses the client) with their indexes and
constraints dropped and rebuilt afterwards (as bench/cylinders_10m.py does, whose cylinder
code generator and index helper are reused). Two loaders run side by side on the two cores:
cylinders then scans; orders, visits, findings, hazards and measures.

The province (explicit ids, every foreign key valid, every `jpath` set):

- 1 province, 10 cities, 200 districts (20 a city), 2,000 townships (10 a district), 20,000
  villages / communities (10 a township); 100 households a village;
- per district: a pipeline gas company (its inspector), an LPG company with 5 stations (a
  courier each; each station serves 4 of the district's villages in 20); a task force for the
  province; a regulator for the province (`bench_prov_reg`) and one for the first district
  (`bench_dist_reg`), password "x" * 12;
- 2,000,000 customers: 96 % households, 40 % LPG (with their station) and 60 % pipeline gas
  (with their company and a meter number); 93 % active, the rest moved out, shut off or
  converted;
- devices: a hose for 85 % (half metal, half rubber), a valve for 65 % (55 % of them
  self-closing), a regulator for 90 % of LPG customers (45 % with cut-off), an alarm for 35 %;
  5 % of hoses removed (replaced); the customers' `missing` bits are left as without devices;
- 10,000,000 cylinders over the 1,000 stations (10,000 each), made over the last 12 years,
  inspected on time but 2 % (overdue), states as in cylinders_10m (half at customers: the
  station's own LPG customers);
- 5,000,000 visits over the last 12 months: orders' checks at delivery (kind "delivery") and
  periodic ones to random households (68 % inspected, 25 % not at home, 4 % refused, 3 %
  address not found);
- 1,000,000 hazards, each from a finding of an inspected visit (same customer, time, place),
  grade 3 % major, 10 % large, 52 % general, 35 % minor, deadline by grade (1/3/7/15 days);
  states by age (older ones mostly closed; fixes late about a third of the time), escalation
  step from the days overdue (1/3/7/15); no hazard events (no KPI reads them);
- 500,000 LPG orders over 12 months (93 % of the old ones delivered 2–48 h after the order,
  60 % of those with a check visit at the door), the latest days still open;
- 1,000,000 filling scans over 12 months: refused when the cylinder was overdue or past its
  scrap date that day (and 1 % at random), else allowed;
- a shut-off measure for each shut-off household (10 % also an enforcement referral).

Phases are timed and printed; `VACUUM ANALYZE` at the end (as autovacuum would leave a
production database: visibility map set, statistics fresh).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from _setup import ROOT, machine, setup_django

BASE_URL = "postgres://postgres@127.0.0.1:5432/"
CITIES, DISTRICTS_PER_CITY, TOWNSHIPS, VILLAGES = 10, 20, 10, 10
STATIONS_PER_DISTRICT = 5
ORGS_PER_DISTRICT = 2 + STATIONS_PER_DISTRICT  # pipeline company, LPG company, stations
DELIVERY_VISIT_BASE = 100_000_000  # delivery-check visits: this + the order's id
PASSWORD = "x" * 12

_print_lock = threading.Lock()
T0 = time.perf_counter()


def say(msg: str) -> None:
    with _print_lock:
        print(f"[{time.perf_counter() - T0:6.0f} s] {msg}", flush=True)


class Sizes:
    def __init__(self, scale: float):
        self.customers = int(2_000_000 * scale)
        self.cylinders = int(10_000_000 * scale)
        self.visits = int(5_000_000 * scale)
        self.hazards = int(1_000_000 * scale)
        self.orders = int(500_000 * scale)
        self.scans = int(1_000_000 * scale)
        self.districts = CITIES * DISTRICTS_PER_CITY
        self.villages = self.districts * TOWNSHIPS * VILLAGES
        self.per_village = -(-self.customers // self.villages)  # ceil


class Ids:
    """Explicit id bases (the database is fresh: every table starts at 1)."""

    juris = 1  # province 1, cities, districts, townships, villages in that order
    org = 1  # task force 1, then 7 per district
    account = 1  # inspectors (one per district), then couriers (one per station)

    def __init__(self, sizes: Sizes):
        self.city = self.juris + 1
        self.district = self.city + CITIES
        self.township = self.district + sizes.districts
        self.village = self.township + sizes.districts * TOWNSHIPS
        self.district_org = self.org + 1  # + 7 d: pipeline, + 7 d + 1: LPG company, + 2..6
        self.inspector = self.account
        self.courier = self.inspector + sizes.districts


def path_of(*ids: int) -> str:
    return "".join(str(i).zfill(8) for i in ids)


def connect(url: str):
    import psycopg

    conn = psycopg.connect(url, autocommit=True)
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET maintenance_work_mem = '1GB'")
    conn.execute("SET work_mem = '256MB'")
    return conn


def copy_rows(conn, table: str, columns: list[str], rows) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


# ---------------------------------------------------------------------------------------- world

def build_world(conn, sizes: Sizes, ids: Ids) -> None:
    from django.contrib.auth.hashers import make_password

    now = datetime.datetime.now(datetime.UTC)
    jur = [(ids.juris, "基准省", "990000", "province", path_of(ids.juris), 0, None)]
    district_paths = []
    for c in range(CITIES):
        cid = ids.city + c
        cpath = path_of(ids.juris, cid)
        jur.append((cid, f"基准{c + 1}市", f"99{c + 1:02d}00", "city", cpath, 1, ids.juris))
        for d in range(DISTRICTS_PER_CITY):
            dn = c * DISTRICTS_PER_CITY + d
            did = ids.district + dn
            dpath = cpath + str(did).zfill(8)
            dcode = f"99{c + 1:02d}{d + 1:02d}"
            district_paths.append(dpath)
            jur.append((did, f"{c + 1}市{d + 1}区", dcode, "district", dpath, 2, cid))
            for t in range(TOWNSHIPS):
                tn = dn * TOWNSHIPS + t
                tid = ids.township + tn
                tpath = dpath + str(tid).zfill(8)
                tcode = f"{dcode}{100 + t:03d}"
                jur.append((tid, f"{c + 1}市{d + 1}区{t + 1}街道", tcode, "township", tpath, 3, did))
                for v in range(VILLAGES):
                    vid = ids.village + tn * VILLAGES + v
                    jur.append((vid, f"{c + 1}市{d + 1}区{t + 1}街道{v + 1}社区",
                                f"{tcode}{200 + v:03d}", "village", tpath + str(vid).zfill(8),
                                4, tid))
    # The tree is created top-down, so parents come first (the FK is deferred anyway).
    copy_rows(conn, "core_jurisdiction", ["id", "name", "code", "level", "path", "depth",
                                          "parent_id"], jur)
    orgs = [(ids.org, "基准省燃气安全专班", "task_force", "", "", True, now, None)]
    org_jur = [(ids.org, ids.juris)]
    for dn in range(sizes.districts):
        base = ids.district_org + ORGS_PER_DISTRICT * dn
        did = ids.district + dn
        orgs.append((base, f"第{dn + 1}区管道燃气公司", "pipeline_gas", "", "", True, now, None))
        orgs.append((base + 1, f"第{dn + 1}区液化气公司", "lpg_company", "", "", True, now, None))
        org_jur += [(base, did), (base + 1, did)]
        for s in range(STATIONS_PER_DISTRICT):
            orgs.append((base + 2 + s, f"第{dn + 1}区液化气{s + 1}站", "lpg_station", "", "", True,
                         now, base + 1))
            org_jur.append((base + 2 + s, did))
    copy_rows(conn, "core_organisation", ["id", "name", "kind", "regulator_type", "credit_code",
                                          "is_active", "created_at", "parent_id"], orgs)
    copy_rows(conn, "core_organisation_jurisdictions", ["organisation_id", "jurisdiction_id"],
              org_jur)
    password = make_password(PASSWORD)
    accounts, areas, roles = [], [], []
    for dn in range(sizes.districts):
        aid = ids.inspector + dn
        accounts.append((aid, password, f"inspector_{dn + 1}", f"第{dn + 1}区安检员",
                         ids.district_org + ORGS_PER_DISTRICT * dn))
        areas.append((aid, ids.district + dn))
        roles.append((aid, "inspector"))
        for s in range(STATIONS_PER_DISTRICT):
            st = dn * STATIONS_PER_DISTRICT + s
            cid = ids.courier + st
            accounts.append((cid, password, f"courier_{st + 1}", f"第{dn + 1}区{s + 1}站送气工",
                             ids.district_org + ORGS_PER_DISTRICT * dn + 2 + s))
            areas.append((cid, ids.district + dn))
            roles.append((cid, "courier"))
    copy_rows(conn, "core_account",
              ["id", "password", "is_superuser", "username", "first_name", "last_name", "email",
               "is_staff", "is_active", "date_joined", "full_name", "phone", "language",
               "organisation_id"],
              ((a, p, False, u, "", "", "", False, True, now, n, "", "", o)
               for a, p, u, n, o in accounts))
    copy_rows(conn, "core_account_area", ["account_id", "jurisdiction_id"], areas)
    copy_rows(conn, "core_accountrole", ["account_id", "role"], roles)
    for table in ("core_jurisdiction", "core_organisation", "core_organisation_jurisdictions",
                  "core_account", "core_account_area", "core_accountrole"):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                     f"(SELECT max(id) FROM {table}))")
    conn.execute("ANALYZE core_jurisdiction")

    # Through the services, as an administrator would: the cylinder types and the regulators.
    from ranan.core import services
    from ranan.core.choices import OrgKind, Role
    from ranan.core.models import Jurisdiction
    from ranan.cylinders.models import CylinderType

    for name, size in (("YSP35.5 15kg", 15), ("YSP118 50kg", 50)):
        CylinderType.objects.create(name=name, size_kg=size, price=size * 9)
    province = Jurisdiction.objects.get(pk=ids.juris)
    district = Jurisdiction.objects.get(pk=ids.district)
    for username, org_name, node in (("bench_prov_reg", "基准省住建厅", province),
                                     ("bench_dist_reg", f"{district.name}住建局", district)):
        org = services.organisation_create(actor=None, name=org_name, kind=OrgKind.REGULATOR,
                                           regulator_type="housing", jurisdictions=[node])
        services.account_create(actor=None, username=username, password=PASSWORD,
                                organisation=org, roles=[Role.REGULATOR], area=[node],
                                check_password=False, hashed_password=password)


# ------------------------------------------------------------------------------------ helpers

def drop_indexes(conn, table: str) -> list[str]:
    from cylinders_10m import _drop_indexes_and_constraints

    with conn.cursor() as cur:
        return _drop_indexes_and_constraints(cur, table)


def rebuild(conn, table: str, statements: list[str]) -> None:
    started = time.perf_counter()
    for sql in statements:
        conn.execute(sql)
    conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                 f"(SELECT coalesce(max(id), 1) FROM {table}))")
    say(f"  {table}: {len(statements)} indexes and constraints rebuilt in "
        f"{time.perf_counter() - started:.0f} s")


def timed(label: str, conn, sql: str, params: dict) -> int:
    started = time.perf_counter()
    n = conn.execute(sql, params).rowcount
    say(f"  {label}: {n:,} rows in {time.perf_counter() - started:.0f} s")
    return n


def common(sizes: Sizes, ids: Ids) -> dict:
    return {"per": sizes.per_village, "vb": ids.village, "ob": ids.district_org,
            "opd": ORGS_PER_DISTRICT, "spd": STATIONS_PER_DISTRICT, "ib": ids.inspector,
            "cb": ids.courier, "vpd": TOWNSHIPS * VILLAGES, "today": datetime.date.today()}


# Village index n of customer id c: (c - 1) / per; its district: n / vpd; its station (LPG):
# district * 5 + n % 5, whose organisation id is ob + 7 * district + 2 + n % 5.

def load_customers(conn, sizes: Sizes, ids: Ids) -> None:
    from ranan.customers.rules import missing_mask

    p = common(sizes, ids) | {"n": sizes.customers, "m_lpg": missing_mask("lpg", []),
                              "m_pipe": missing_mask("pipeline", [])}
    timed("customers", conn, """
        INSERT INTO customers_customer (id, kind, name, name_initials, address, building, unit,
          room, jurisdiction_id, jpath, supply, meter_number, gas_company_id, lpg_station_id,
          contact_name, phone, phone_tail, contact2_name, phone2, id_number, elderly_alone,
          disabled, tenant, high_rise, home_times, status, status_date, latitude, longitude,
          missing, created_at, updated_at)
        SELECT g,
          CASE WHEN r_kind < 0.96 THEN 'residential'
               ELSE (ARRAY['restaurant', 'canteen', 'shop', 'hotel', 'school'])[1 + g %% 5] END,
          '住户' || g, 'zh', (g %% 97 + 1) || '号院', (g %% 30 + 1)::text, (g %% 4 + 1)::text,
          (g %% 600 + 101)::text, j.id, j.path, CASE WHEN lpg THEN 'lpg' ELSE 'pipeline' END,
          CASE WHEN lpg THEN '' ELSE 'M' || g END,
          CASE WHEN lpg THEN NULL ELSE %(ob)s + %(opd)s * (v / %(vpd)s) END,
          CASE WHEN lpg THEN %(ob)s + %(opd)s * (v / %(vpd)s) + 2 + v %% %(spd)s END,
          '', '13' || ph, right(ph, 4), '', '', '', r_kind < 0.08, false, r_kind > 0.9, false,
          (ARRAY['晚上', '周末', '白天', ''])[1 + g %% 4],
          CASE WHEN r_st < 0.93 THEN 'active' WHEN r_st < 0.96 THEN 'moved_out'
               WHEN r_st < 0.975 THEN 'shut_off'
               WHEN r_st < 0.99 AND lpg THEN 'converted_pipe'
               WHEN r_st < 0.99 THEN 'active' ELSE 'converted_electric' END,
          CASE WHEN r_st >= 0.93 THEN %(today)s::date - (g %% 360)::int END,
          NULL, NULL, CASE WHEN lpg THEN %(m_lpg)s ELSE %(m_pipe)s END,
          now() - (g %% 1000) * interval '1 day', now()
        FROM (SELECT g, (g - 1) / %(per)s AS v, random() < 0.4 AS lpg, random() AS r_kind,
                     random() AS r_st, lpad(((g * 7919) %% 1000000000)::text, 9, '0') AS ph
              FROM generate_series(1::bigint, %(n)s) AS g) s
        JOIN core_jurisdiction j ON j.id = %(vb)s + s.v
    """, p)


def load_devices(conn) -> None:
    columns = """INSERT INTO customers_device (kind, installed_on, removed_on, made_on, flame_out,
        material, length_m, expires_on, self_closing, has_cutoff, heater_type, condition,
        meter_number, note, created_at, customer_id)"""
    rnd = """(SELECT id, supply, random() AS r, random() AS r2,
                     current_date - floor(random() * 2000)::int AS since
              FROM customers_customer) c"""
    timed("devices: hoses", conn, f"""{columns}
        SELECT 'hose', since, CASE WHEN r < 0.0425 THEN since + 200 END, NULL, NULL,
          CASE WHEN r2 < 0.5 THEN 'metal' ELSE 'rubber' END, 1.5,
          CASE WHEN r2 >= 0.5 THEN since + 730 END, NULL, NULL, '', 'good', '', '', now(), id
        FROM {rnd} WHERE r < 0.85""", {})
    timed("devices: valves", conn, f"""{columns}
        SELECT 'valve', since, NULL, NULL, NULL, '', NULL, NULL, r2 < 0.55, NULL, '', 'good', '',
          '', now(), id FROM {rnd} WHERE r < 0.65""", {})
    timed("devices: regulators", conn, f"""{columns}
        SELECT 'regulator', since, NULL, NULL, NULL, '', NULL, NULL, NULL, r2 < 0.45, '', 'good',
          '', '', now(), id FROM {rnd} WHERE supply = 'lpg' AND r < 0.9""", {})
    timed("devices: alarms", conn, f"""{columns}
        SELECT 'alarm', since, NULL, NULL, NULL, '', NULL, NULL, NULL, NULL, '', 'good', '', '',
          now(), id FROM {rnd} WHERE r < 0.35""", {})


# ---------------------------------------------------------------- loader 1: cylinders, scans

def load_cylinders(conn, sizes: Sizes, ids: Ids) -> None:
    from cylinders_10m import _code_sql

    types = [r[0] for r in conn.execute("SELECT id FROM cylinders_cylindertype ORDER BY size_kg")]
    n_st = sizes.districts * STATIONS_PER_DISTRICT
    # The LPG customers of each station, numbered 0.. within it (a cylinder at a customer is
    # at one of its own station's customers).
    conn.execute("""
        CREATE TEMP TABLE lpg_c AS
        SELECT lpg_station_id AS station, id,
               row_number() OVER (PARTITION BY lpg_station_id ORDER BY id) - 1 AS n
        FROM customers_customer WHERE supply = 'lpg'""")
    conn.execute("CREATE TEMP TABLE lpg_n AS SELECT station, count(*) AS cnt FROM lpg_c "
                 "GROUP BY station")
    conn.execute("ANALYZE lpg_c")
    conn.execute("ANALYZE lpg_n")
    statements = drop_indexes(conn, "cylinders_cylinder")
    conn.execute("SELECT setseed(0.4242)")
    p = common(sizes, ids) | {"n": sizes.cylinders, "n_st": n_st, "types": types}
    timed("cylinders", conn, f"""
        INSERT INTO cylinders_cylinder (id, code, type_id, manufacturer, serial, made_on,
            last_inspected_on, life_extended, next_inspection_due, scrap_on, station_id,
            state, courier_id, customer_id, recall_from, updated_at)
        SELECT i, {_code_sql()}, type_id, manufacturer, serial, made_on, last_inspected_on,
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
              WHEN r_state < 0.50 AND customer IS NOT NULL THEN 'at_customer'
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
              SELECT i, v, %(ob)s + %(opd)s * (s / %(spd)s) + 2 + s %% %(spd)s AS station,
                     %(cb)s + s AS courier, c.id AS customer,
                     (%(types)s::bigint[])[1 + (i %% 5 = 0)::int] AS type_id,
                     (ARRAY['辽宁', '山东', '浙江', '四川'])[1 + i %% 4] || '钢瓶厂' AS manufacturer,
                     'F' || lpad(i::text, 9, '0') AS serial,
                     (%(today)s::date - floor(random() * 4430)::int) AS made_on,
                     floor(random() * 60)::int * interval '1 day' AS early,
                     random() AS r_insp, random() AS r_state, random() AS r_scrap
              FROM (SELECT i, ((i::bigint * 549755813881 + 76543) & 1125899906842623) AS v,
                           (i * 7919) %% %(n_st)s AS s
                    FROM generate_series(1::bigint, %(n)s) AS g(i)) AS g
              LEFT JOIN lpg_n ON lpg_n.station = %(ob)s + %(opd)s * (s / %(spd)s) + 2
                                                 + s %% %(spd)s
              LEFT JOIN lpg_c c ON c.station = lpg_n.station AND c.n = (i / %(n_st)s) %% lpg_n.cnt
            ) AS d
          ) AS e
        ) AS f
    """, p)
    rebuild(conn, "cylinders_cylinder", statements)


def load_scans(conn, sizes: Sizes, ids: Ids) -> None:
    statements = drop_indexes(conn, "cylinders_scan")
    p = common(sizes, ids) | {"n": sizes.scans, "nc": sizes.cylinders}
    timed("scans", conn, """
        INSERT INTO cylinders_scan (id, client_id, code, action, payload, verdict, response, at,
          actor_id, cylinder_id, event_id)
        SELECT g, gen_random_uuid(), code, 'fill', '{}'::jsonb, verdict,
          jsonb_build_object('verdict', verdict), at,
          %(cb)s + ((station_id - %(ob)s) / %(opd)s) * %(spd)s + (station_id - %(ob)s) %% %(opd)s - 2,
          cid, NULL
        FROM (SELECT s.g, s.at, c.code, c.id AS cid, c.station_id,
                CASE WHEN c.next_inspection_due < s.at::date OR c.scrap_on <= s.at::date
                          OR s.r < 0.01 THEN 'refuse' ELSE 'allow' END AS verdict
              FROM (SELECT g, 1 + floor(random() * %(nc)s)::bigint AS cyl, random() AS r,
                           now() - (%(n)s - g) * (interval '365 days' / %(n)s) AS at
                    FROM generate_series(1::bigint, %(n)s) AS g) s
              JOIN cylinders_cylinder c ON c.id = s.cyl) s
    """, p)
    rebuild(conn, "cylinders_scan", statements)


# ---------------------------------------- loader 2: orders, visits, findings, hazards, measures

def load_orders_visits(conn, sizes: Sizes, ids: Ids) -> None:
    types = [r[0] for r in conn.execute("SELECT id FROM cylinders_cylindertype ORDER BY size_kg")]
    p = common(sizes, ids) | {"no": sizes.orders, "t15": types[0], "dvb": DELIVERY_VISIT_BASE}
    conn.execute("""
        CREATE TEMP TABLE lpg_all AS
        SELECT row_number() OVER (ORDER BY id) - 1 AS m, id, jpath, lpg_station_id AS station
        FROM customers_customer WHERE supply = 'lpg' AND status = 'active'""")
    conn.execute("ANALYZE lpg_all")
    orders = drop_indexes(conn, "delivery_order")
    visits = drop_indexes(conn, "inspections_visit")
    timed("orders", conn, """
        INSERT INTO delivery_order (id, jpath, quantity, channel, received_at, wanted_date, urgent,
          note, unit_price, delivery_fee, total, payment, payment_ref, state, fail_reason,
          scheduled_date, priority, after_hours, sequence, client_id, delivered_at,
          delivery_client_id, created_at, customer_id, cylinder_type_id, delivered_by_id,
          entered_by_id, station_id, visit_id, round_id)
        SELECT g, c.jpath, 1, (ARRAY['phone', 'courier', 'counter', 'self'])[1 + g %% 4], t, NULL,
          false, '', 135, 5, 140,
          CASE WHEN state <> 'delivered' THEN 'unpaid' WHEN r2 < 0.4 THEN 'cash'
               WHEN r2 < 0.95 THEN 'mobile' ELSE 'unpaid' END, '', state,
          CASE WHEN state = 'failed' THEN 'not_home' ELSE '' END, t::date, 0, false, NULL,
          gen_random_uuid(), CASE WHEN state = 'delivered' THEN delivered END,
          CASE WHEN state = 'delivered' THEN gen_random_uuid() END, t, c.id, %(t15)s,
          CASE WHEN state = 'delivered' THEN courier END, courier, c.station,
          CASE WHEN state = 'delivered' AND r2 < 0.6 THEN %(dvb)s + g END, NULL
        FROM (SELECT s.*,
                CASE WHEN delivered > now() THEN
                       (ARRAY['new', 'scheduled', 'out'])[1 + (g %% 3)::int]
                     WHEN r < 0.93 THEN 'delivered' WHEN r < 0.97 THEN 'failed'
                     ELSE 'cancelled' END AS state
              FROM (SELECT g, floor(random() * (SELECT count(*) FROM lpg_all))::bigint AS m,
                           random() AS r, random() AS r2,
                           now() - (%(no)s - g) * (interval '365 days' / %(no)s) AS t,
                           now() - (%(no)s - g) * (interval '365 days' / %(no)s)
                             + (2 + random() * 46) * interval '1 hour' AS delivered
                    FROM generate_series(1::bigint, %(no)s) AS g) s) s
        JOIN lpg_all c ON c.m = s.m
        CROSS JOIN LATERAL (SELECT %(cb)s + ((c.station - %(ob)s) / %(opd)s) * %(spd)s
                                   + (c.station - %(ob)s) %% %(opd)s - 2 AS courier) k
    """, p)
    checks = timed("visits: checks at delivery", conn, """
        INSERT INTO inspections_visit (id, customer_id, jpath, inspector_id, kind, outcome,
          started_at, ended_at, checklist_id, signature, notes, client_id, corrects_id, plan_id,
          failed_count, fixed_count, created_at)
        SELECT visit_id, customer_id, jpath, delivered_by_id, 'delivery', 'inspected',
          delivered_at - interval '10 minutes', delivered_at, NULL, '', '', gen_random_uuid(),
          NULL, NULL, 0, 0, delivered_at
        FROM delivery_order WHERE visit_id IS NOT NULL
    """, {})
    p["nv"] = sizes.visits - checks
    p["nc"] = sizes.customers
    timed("visits: periodic", conn, """
        INSERT INTO inspections_visit (id, customer_id, jpath, inspector_id, kind, outcome,
          started_at, ended_at, checklist_id, signature, notes, client_id, corrects_id, plan_id,
          failed_count, fixed_count, created_at)
        SELECT g, c, j.path, %(ib)s + (c - 1) / %(per)s / %(vpd)s, 'periodic',
          CASE WHEN r < 0.68 THEN 'inspected' WHEN r < 0.93 THEN 'not_home'
               WHEN r < 0.97 THEN 'refused' ELSE 'address_not_found' END,
          t, t + interval '20 minutes', NULL, '', '', gen_random_uuid(), NULL, NULL, 0, 0, t
        FROM (SELECT g, 1 + floor(random() * %(nc)s)::bigint AS c, random() AS r,
                     now() - (%(nv)s - g) * (interval '365 days' / %(nv)s)
                       - floor(random() * 10) * interval '1 hour' AS t
              FROM generate_series(1::bigint, %(nv)s) AS g) s
        JOIN core_jurisdiction j ON j.id = %(vb)s + (c - 1) / %(per)s
    """, p)
    rebuild(conn, "delivery_order", orders)
    conn.execute("ANALYZE inspections_visit")
    load_findings_hazards(conn, sizes, ids)
    rebuild(conn, "inspections_visit", visits)
    load_measures(conn, sizes, ids)


def load_findings_hazards(conn, sizes: Sizes, ids: Ids) -> None:
    findings = drop_indexes(conn, "inspections_finding")
    hazards = drop_indexes(conn, "hazards_hazard")
    conn.execute("""
        CREATE TEMP TABLE items AS
        SELECT i.id, i.hazard_category, c.audience,
               row_number() OVER (PARTITION BY c.audience ORDER BY i.id) - 1 AS n,
               count(*) OVER (PARTITION BY c.audience) AS cnt
        FROM inspections_checklistitem i JOIN inspections_checklist c ON c.id = i.checklist_id
        WHERE i.hazard_category <> '' AND c.audience IN ('lpg_household', 'pipeline_household')""")
    inspected = conn.execute("SELECT count(*) FROM inspections_visit WHERE kind = 'periodic' "
                             "AND outcome = 'inspected'").fetchone()[0]
    p = common(sizes, ids) | {"nh": sizes.hazards,
                              "share": min(1.0, 1.05 * sizes.hazards / max(inspected, 1))}
    timed("findings", conn, """
        INSERT INTO inspections_finding (id, jpath, category, grade, description, found_at,
          customer_id, item_id, visit_id)
        SELECT row_number() OVER (), v.jpath, it.hazard_category,
          CASE WHEN r < 0.03 THEN 'major' WHEN r < 0.13 THEN 'large' WHEN r < 0.65 THEN 'general'
               ELSE 'minor' END, '检查发现: ' || it.hazard_category, v.started_at,
          v.customer_id, it.id, v.id
        FROM (SELECT v.*, random() AS r FROM inspections_visit v
              WHERE kind = 'periodic' AND outcome = 'inspected' AND random() < %(share)s
              LIMIT %(nh)s) v
        JOIN customers_customer c ON c.id = v.customer_id
        JOIN items it ON it.audience = c.supply || '_household' AND it.n = v.id %% it.cnt
    """, p)
    conn.execute("SELECT setval(pg_get_serial_sequence('inspections_finding', 'id'), "
                 "(SELECT coalesce(max(id), 1) FROM inspections_finding))")
    timed("hazards", conn, """
        INSERT INTO hazards_hazard (id, premises, jpath, grade, source, description, found_at,
          responsible, responsible_name, deadline, state, escalation, fixed_at, closed_at,
          updated_at, category_id, customer_id, finding_id, fixed_by_id, found_by_id,
          jurisdiction_id, client_id)
        SELECT id, '', jpath, grade, 'inspection', description, found_at, 'customer', '',
          deadline, state,
          CASE WHEN state IN ('open', 'rectifying', 'rejected') THEN
                 CASE WHEN %(today)s - deadline >= 15 THEN 4 WHEN %(today)s - deadline >= 7 THEN 3
                      WHEN %(today)s - deadline >= 3 THEN 2 WHEN %(today)s - deadline >= 1 THEN 1
                      ELSE 0 END
               WHEN fixed_at IS NOT NULL THEN
                 CASE WHEN fixed_at::date - deadline >= 15 THEN 4
                      WHEN fixed_at::date - deadline >= 7 THEN 3
                      WHEN fixed_at::date - deadline >= 3 THEN 2
                      WHEN fixed_at::date - deadline >= 1 THEN 1 ELSE 0 END
               ELSE 0 END,
          fixed_at, CASE WHEN state = 'closed' THEN least(now(), fixed_at + r3 * interval '3 days')
                    END,
          coalesce(fixed_at, found_at), cat, customer_id, id,
          CASE WHEN fixed_at IS NOT NULL THEN inspector END, inspector,
          %(vb)s + (customer_id - 1) / %(per)s, NULL
        FROM (SELECT s.*, CASE WHEN state IN ('fixed', 'verified', 'closed')
                                THEN least(now() - interval '1 hour',
                                           found_at + fix_days * interval '1 day') END AS fixed_at
              FROM (SELECT f.*, hc.id AS cat, found_at::date + days AS deadline,
                      %(ib)s + (customer_id - 1) / %(per)s / %(vpd)s AS inspector,
                      random() * days * 1.6 AS fix_days, random() AS r3,
                      CASE WHEN age > 60 THEN
                             CASE WHEN r < 0.88 THEN 'closed' WHEN r < 0.91 THEN 'unfixable'
                                  WHEN r < 0.92 THEN 'verified' WHEN r < 0.93 THEN 'fixed'
                                  WHEN r < 0.96 THEN 'rectifying' WHEN r < 0.98 THEN 'open'
                                  ELSE 'rejected' END
                           WHEN age > 15 THEN
                             CASE WHEN r < 0.65 THEN 'closed' WHEN r < 0.67 THEN 'unfixable'
                                  WHEN r < 0.72 THEN 'verified' WHEN r < 0.80 THEN 'fixed'
                                  WHEN r < 0.90 THEN 'rectifying' WHEN r < 0.97 THEN 'open'
                                  ELSE 'rejected' END
                           ELSE
                             CASE WHEN r < 0.25 THEN 'closed' WHEN r < 0.30 THEN 'verified'
                                  WHEN r < 0.45 THEN 'fixed' WHEN r < 0.70 THEN 'rectifying'
                                  WHEN r < 0.98 THEN 'open' ELSE 'rejected' END
                      END AS state
                    FROM (SELECT f.*, random() AS r, %(today)s - found_at::date AS age,
                            CASE grade WHEN 'major' THEN 1 WHEN 'large' THEN 3
                                       WHEN 'general' THEN 7 ELSE 15 END AS days
                          FROM inspections_finding f) f
                    JOIN hazards_category hc ON hc.code = f.category) s) s
    """, p)
    rebuild(conn, "inspections_finding", findings)
    rebuild(conn, "hazards_hazard", hazards)


def load_measures(conn, sizes: Sizes, ids: Ids) -> None:
    p = common(sizes, ids)
    timed("measures", conn, """
        INSERT INTO inspections_measure (jpath, kind, at, department, note, created_at, by_id,
          customer_id)
        SELECT jpath, mkind, at, '', '', at, %(ib)s + (id - 1) / %(per)s / %(vpd)s, id
        FROM (SELECT c.jpath, c.id, k.mkind, c.status_date + interval '10 hours' - k.back AS at
              FROM customers_customer c
              CROSS JOIN LATERAL (VALUES ('shut_off', interval '0 days'),
                                         ('enforcement', interval '10 days')) k(mkind, back)
              WHERE c.status = 'shut_off' AND (k.mkind = 'shut_off' OR c.id %% 10 = 0)) s
    """, p)


# -------------------------------------------------------------------------------------- main

def build(db: str, scale: float, jobs: int) -> None:
    url = BASE_URL + db
    sizes, started = Sizes(scale), time.perf_counter()
    ids = Ids(sizes)
    say(f"{machine()}; building {db} at scale {scale}")
    setup_django(url, reset=True)
    say(f"phase migrate: {time.perf_counter() - started:.0f} s")
    conn = connect(url)
    t = time.perf_counter()
    build_world(conn, sizes, ids)
    say(f"phase world (22,211 jurisdictions, {sizes.districts * ORGS_PER_DISTRICT + 3:,} "
        f"organisations, accounts): {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    statements = drop_indexes(conn, "customers_customer")
    load_customers(conn, sizes, ids)
    rebuild(conn, "customers_customer", statements)
    conn.execute("ANALYZE customers_customer")
    say(f"phase customers: {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    statements = drop_indexes(conn, "customers_device")
    load_devices(conn)
    rebuild(conn, "customers_device", statements)
    say(f"phase devices: {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()

    def loader1():
        c = connect(url)
        load_cylinders(c, sizes, ids)
        load_scans(c, sizes, ids)
        c.close()

    def loader2():
        c = connect(url)
        load_orders_visits(c, sizes, ids)
        c.close()

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for future in [pool.submit(loader1), pool.submit(loader2)]:
            future.result()
    say(f"phase cylinders, scans || orders, visits, findings, hazards, measures: "
        f"{time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    conn.execute("VACUUM ANALYZE")
    say(f"phase VACUUM ANALYZE: {time.perf_counter() - t:.0f} s")
    report(conn)
    conn.close()
    say(f"built {db} in {time.perf_counter() - started:.0f} s "
        f"({(time.perf_counter() - started) / 60:.1f} min; goal < 15 min)")


def report(conn) -> None:
    for table in ("core_jurisdiction", "customers_customer", "customers_device",
                  "cylinders_cylinder", "cylinders_scan", "delivery_order", "inspections_visit",
                  "inspections_finding", "hazards_hazard", "inspections_measure"):
        n = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        say(f"  {table}: {n:,}")
    size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()
    say(f"  database size: {size[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="drop, migrate and fill the database")
    b.add_argument("--db", default="ranan_bench_prov")
    b.add_argument("--scale", type=float, default=1.0)
    b.add_argument("--jobs", type=int, default=2, help="loaders side by side (1 or 2)")
    args = parser.parse_args()
    if args.db in ("test", "postgres") or args.db.startswith("test_"):
        parser.error("not the test database")
    os.environ.setdefault("RANAN_VAR_DIR", str(ROOT / "var" / "bench"))
    build(args.db, args.scale, args.jobs)


if __name__ == "__main__":
    sys.exit(main())
