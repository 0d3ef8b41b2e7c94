"""Issue 5's speed goals on PostgreSQL:

* submitting a visit with 30 answers and 2 photos: under 150 ms server time at p95 with
  5,000,000 visits stored;
* the unreached list of a community of 5,000 households: under 200 ms.

The database `ranan_bench_insp` holds the bench world (one county, 20 townships × 25
villages), 1,000,000 pipeline households (one village, "the community", has 5,000 of them,
the rest 2,000 each) and 5,000,000 visits over three years (70 % inspected, 24 % not at home,
3 % refused, 3 % address not found), loaded with SQL (generate_series) in a few minutes and
kept between runs (`--reset` rebuilds it). The bulk visits carry no answer rows (75 million
rows would not change an insert at the end of the answers' index); the measured visits do.

"Server time" is the whole request in-process (Django's test client: URL routing, parsing
the JSON body with the base64 photos, validation, the transaction, the files written, the
response), without the network and with the authentication's one query skipped.

Run: /work/venv/bin/python bench/inspections_5m.py [--reset] [--submits 200]
"""

from __future__ import annotations

import argparse
import base64
import io
import random
import statistics
import time
import uuid

from _setup import machine, setup_django

URL = "postgres://postgres@127.0.0.1:5432/ranan_bench_insp"
HOUSEHOLDS = 1_000_000
COMMUNITY = 5_000
VISITS = 5_000_000


def exists() -> bool:
    import psycopg

    try:
        with psycopg.connect(URL) as conn:
            return conn.execute("select count(*) from inspections_visit").fetchone()[0] >= 0.99 * VISITS
    except Exception:  # noqa: BLE001 - no database or no table yet
        return False


def build() -> None:
    from _setup import build_world
    from django.db import connection

    from ranan.core import services
    from ranan.core.choices import Role

    world = build_world()
    villages = world["villages"]
    community = villages[0]
    inspector = services.account_create(
        actor=None, username="bench_inspector", password="x" * 12,
        organisation=world["pipeline"], roles=[Role.INSPECTOR], area=[community],
        check_password=False)
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE v (n int, id bigint, path varchar(64))")
        cur.executemany("INSERT INTO v VALUES (%s, %s, %s)",
                        [(i, v.pk, v.path) for i, v in enumerate(villages)])
        per_village = (HOUSEHOLDS - COMMUNITY) // (len(villages) - 1)
        # Customer g: the first 5,000 in the community, then 2,000 a village.
        cur.execute("""
            INSERT INTO customers_customer (kind, name, name_initials, address, building, unit,
              room, jurisdiction_id, jpath, supply, meter_number, gas_company_id, lpg_station_id,
              contact_name, phone, phone_tail, contact2_name, phone2, id_number, elderly_alone,
              disabled, tenant, high_rise, home_times, status, status_date, latitude, longitude,
              missing, created_at, updated_at)
            SELECT 'residential', '住户' || g, 'zh', '基准小区', (g %% 40)::text, '1',
              (g %% 1000)::text, v.id, v.path, 'pipeline', 'BM' || g, %(company)s, NULL,
              '', '138' || lpad((g %% 100000000)::text, 8, '0'), lpad((g %% 10000)::text, 4, '0'),
              '', '', '', false, false, false, false,
              (ARRAY['晚上', '周末', '白天', ''])[1 + g %% 4], 'active', NULL, NULL, NULL, 0,
              now() - interval '4 years', now()
            FROM generate_series(0, %(n)s - 1) g
            JOIN v ON v.n = CASE WHEN g < %(community)s THEN 0
                                 ELSE 1 + (g - %(community)s) / %(per)s END
        """, {"company": world["pipeline"].pk, "n": HOUSEHOLDS, "community": COMMUNITY,
              "per": per_village})
        cur.execute("SELECT min(id) FROM customers_customer")
        first = cur.fetchone()[0]
        cur.execute("""
            INSERT INTO inspections_visit (customer_id, jpath, inspector_id, kind, outcome,
              started_at, ended_at, checklist_id, signature, notes, client_id, corrects_id,
              plan_id, failed_count, fixed_count, created_at)
            SELECT c.id, c.jpath, %(inspector)s, 'periodic',
              CASE WHEN r < 70 THEN 'inspected' WHEN r < 94 THEN 'not_home'
                   WHEN r < 97 THEN 'refused' ELSE 'address_not_found' END,
              t, t + interval '15 minutes', NULL, '', '', gen_random_uuid(), NULL, NULL, 0, 0, t
            FROM (SELECT g, %(first)s + (g * 7919) %% %(n)s AS cid, (g * 31) %% 100 AS r,
                         now() - (g %% 1095) * interval '1 day' - (g %% 600) * interval '1 minute'
                           AS t
                  FROM generate_series(0::bigint, %(visits)s - 1) g) s
            JOIN customers_customer c ON c.id = s.cid
        """, {"inspector": inspector.pk, "first": first, "n": HOUSEHOLDS, "visits": VISITS})
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"loaded {HOUSEHOLDS:,} households and {VISITS:,} visits in "
          f"{time.perf_counter() - started:.0f} s")


def jpeg(seed: int, width=1280, height=960) -> bytes:
    """A phone-like photo: ~300-500 KB of JPEG with noise (noise does not compress)."""
    from PIL import Image

    rng = random.Random(seed)
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=60)
    return out.getvalue()


def thirty_items():
    """A 30-item checklist, published as the households' current one."""
    from ranan.core.models import Account
    from ranan.inspections import services
    from ranan.inspections.models import Checklist

    current = services.current_checklist("pipeline_household")
    if current.items.count() >= 30:
        return current
    items = []
    for n in range(30):
        items.append({"position": n + 1, "code": f"item_{n}", "question": f"检查项 {n + 1}",
                      "question_en": f"Item {n + 1}", "answer_type": "pass_fail",
                      "required": True, "photo_on_fail": n < 2, "hazard_category": "other",
                      "default_grade": "general"})
    admin = Account.objects.get(username="bench_admin")
    return services.checklist_new_version(actor=admin, checklist=Checklist.objects.get(
        pk=current.pk), items=items)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_submit(n: int) -> list[float]:
    from django.test import Client

    from ranan.core.models import Account
    from ranan.customers.models import Customer

    thirty_items()
    inspector = Account.objects.get(username="bench_inspector")
    client = Client()
    client.force_login(inspector)
    customers = list(Customer.objects.filter(jurisdiction__in=inspector.area.all())
                     .values_list("pk", flat=True)[:n + 20])
    photos = ["data:image/jpeg;base64," + base64.b64encode(jpeg(i)).decode() for i in range(4)]
    from PIL import Image

    sig = io.BytesIO()
    Image.new("RGB", (300, 100), "white").save(sig, "PNG")
    signature = "data:image/png;base64," + base64.b64encode(sig.getvalue()).decode()
    import json

    times = []
    for i in range(n + 20):
        answers = {f"item_{k}": "pass" for k in range(30)}
        answers["item_0"] = answers["item_1"] = "fail"
        body = json.dumps({
            "customer": customers[i], "kind": "periodic", "outcome": "inspected",
            "client_id": str(uuid.uuid4()), "answers": answers,
            "photos": [{"item": "item_0", "data": photos[i % 4]},
                       {"item": "item_1", "data": photos[(i + 1) % 4]}],
            "signature": signature})
        start = time.perf_counter()
        response = client.post("/api/v1/visits/", body, content_type="application/json")
        elapsed = time.perf_counter() - start
        assert response.status_code == 201, response.content[:500]
        if i >= 20:  # warm-up
            times.append(elapsed * 1000)
    return times


def bench_unreached(n: int) -> list[float]:
    from ranan.core.models import Account
    from ranan.inspections import selectors

    inspector = Account.objects.get(username="bench_inspector")
    community = inspector.area.get()
    times = []
    rows = None
    for i in range(n + 3):
        start = time.perf_counter()
        rows = selectors.unreached(inspector, community.path)
        elapsed = time.perf_counter() - start
        if i >= 3:
            times.append(elapsed * 1000)
    print(f"  the community: {community.customers.count():,} households, "
          f"{len(rows):,} on the ladder")
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument("--small", action="store_true",
                        help="a 1/100 data set in ranan_bench_insp_small, to try the script")
    args = parser.parse_args()
    global URL, HOUSEHOLDS, VISITS
    if args.small:
        URL, HOUSEHOLDS, VISITS = URL + "_small", 20_000, 50_000
    fresh = args.reset or not exists()
    setup_django(URL, reset=fresh)
    if fresh:
        build()
    from ranan.inspections.models import Visit

    print(machine())
    print(f"visits stored: {Visit.objects.count():,}")
    submit = bench_submit(args.submits)
    print(f"submit a visit (30 answers, 2 photos of ~{len(jpeg(0)) // 1024} KB), "
          f"{len(submit)} runs: p50 {statistics.median(submit):.1f} ms, "
          f"p95 {percentile(submit, 95):.1f} ms, p99 {percentile(submit, 99):.1f} ms "
          f"(goal p95 < 150 ms)")
    unreached = bench_unreached(20)
    print(f"unreached list of the community, {len(unreached)} runs: p50 "
          f"{statistics.median(unreached):.1f} ms, max {max(unreached):.1f} ms (goal < 200 ms)")


if __name__ == "__main__":
    main()
