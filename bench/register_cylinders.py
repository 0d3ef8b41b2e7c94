"""Benchmark: register a station's existing stock from a 1,000,000-row file into PostgreSQL,
end to end (read, check, write cylinders and their events), as the page or API runs it.

    python bench/register_cylinders.py var/bench/cylinders-1m.xlsx          # makes it if absent
    python bench/register_cylinders.py var/bench/cylinders-100k.xlsx --rows 100000 --profile

The file is written once (xlsxwriter, constant memory; .csv when the name ends in .csv):
60% of the rows carry a code (100,000 of them printed on this station's labels), 40% have
none and get a new one; three types named by size or name; dates typed three ways (ISO
text, Excel date cells, 2019/3/1); inspections and life extensions as real stock has them.
The database (default `ranan_bench_reg`, `BENCH_REG_DATABASE_URL` overrides) is recreated
each run with 200,000 cylinders of another station already registered, so every code is
really looked up. Goal (issue 4 item 10): ≥ 50,000 rows/s for 1,000,000 rows.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from _setup import ROOT, build_world, machine, peak_rss_children_mib, peak_rss_mib, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ranan_bench_reg"
MANUFACTURERS = ["四川某钢瓶制造有限公司", "青海某压力容器厂", "西藏某燃气设备公司", "甘肃某钢瓶厂",
                 "重庆某容器制造公司"]
TODAY = datetime.date.today()


def _codes(n: int, seed: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "src"))
    from ranan.cylinders import codes

    rng = random.Random(seed)
    out = set()
    while len(out) < n:
        body = "".join(rng.choice(codes.ALPHABET) for _ in range(codes.BODY_LENGTH))
        out.add(body + codes.check_character(body))
    return sorted(out)


def issued_codes(n: int = 100_000) -> list[str]:
    return _codes(n, seed=11)


def write_file(path: str, n: int, seed: int = 5) -> None:
    """The stock list of one station: see the module docstring."""
    import xlsxwriter

    sys.path.insert(0, str(ROOT / "src"))
    from ranan.cylinders.columns import COLUMNS

    rng = random.Random(seed)
    issued = issued_codes()
    others = iter(_codes(n, seed=13))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    headers = [c.header for c in COLUMNS]
    if path.endswith(".csv"):
        import csv

        handle = open(path, "w", newline="", encoding="utf-8-sig")  # noqa: SIM115
        out = csv.writer(handle)
        out.writerow(headers)
        book = sheet = None
    else:
        book = xlsxwriter.Workbook(path, {"constant_memory": True})
        sheet = book.add_worksheet("气瓶")
        day_format = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write_row(0, 0, headers)
    types = ["15"] * 7 + ["YSP12 5kg"] * 2 + ["50kg"]
    for r in range(1, n + 1):
        if r % 10 < 4:
            code = ""
        elif r % 10 == 4 and (r // 10) < len(issued):
            code = issued[r // 10]  # printed on this station's labels
        else:
            code = next(others)
        made = TODAY - datetime.timedelta(days=rng.randint(30, int(365.25 * 12)))
        age = (TODAY - made).days / 365.25
        inspected = None
        extended = False
        if age > 4:
            inspected = made.replace(year=made.year + (8 if age > 8 else 4)) - datetime.timedelta(
                days=rng.randint(0, 60))
            extended = age > 8
            if inspected > TODAY:
                inspected = None
        row = [code, types[r % 10], MANUFACTURERS[r % 5], f"G{r:08d}", made,
               inspected, "是" if extended else ("否" if r % 3 else ""),
               "满瓶" if r % 5 < 2 else "空瓶"]
        if sheet is None:
            row[4] = made.isoformat() if r % 10 else f"{made.year}/{made.month}/{made.day}"
            row[5] = inspected.isoformat() if inspected else ""
            out.writerow(row)
            continue
        for col, value in enumerate(row):
            if isinstance(value, datetime.date):
                if col == 4 and r % 5 == 0:  # a fifth typed as real Excel dates
                    sheet.write_datetime(r, col, datetime.datetime.combine(value, datetime.time()),
                                         day_format)
                elif r % 10 == 3:
                    sheet.write_string(r, col, f"{value.year}/{value.month}/{value.day}")
                else:
                    sheet.write_string(r, col, value.isoformat())
            elif value:
                sheet.write_string(r, col, value)
    if book is not None:
        book.close()
    else:
        handle.close()


def prepare():
    """A fresh database: the world, the cylinder types, this station's manager and labels,
    and 200,000 cylinders of another station (registered by the importer, not timed)."""
    setup_django(os.environ.get("BENCH_REG_DATABASE_URL", DEFAULT_URL))
    world = build_world()
    import io

    from ranan.core import services
    from ranan.core.choices import Role
    from ranan.cylinders.importer import import_cylinders
    from ranan.cylinders.models import CylinderType, IssuedCode, LabelBatch

    CylinderType.objects.create(name="YSP35.5 15kg", size_kg=15, price=135)
    CylinderType.objects.create(name="YSP12 5kg", size_kg=5, price=55)
    CylinderType.objects.create(name="YSP118 50kg", size_kg=50, price=420)
    station, other = world["stations"][0], world["stations"][1]
    manager = services.account_create(actor=None, username="bench_station", password="x" * 12,
                                      organisation=station, roles=[Role.STATION_MANAGER],
                                      area=[world["county"]], check_password=False)
    batch = LabelBatch.objects.create(station=station, count=100_000, grid="3x8",
                                      created_by=manager)
    IssuedCode.objects.bulk_create([IssuedCode(code=c, batch=batch) for c in issued_codes()],
                                   batch_size=10_000)
    lines = ["规格型号,制造日期,状态"] + [f"15,{TODAY.year - 1 - n % 10}-0{1 + n % 9}-15,满瓶"
                                   for n in range(200_000)]
    existing = io.BytesIO("\n".join(lines).encode())
    done = import_cylinders(actor=world["admin"], fileobj=existing, filename="existing.csv",
                            station=other)
    assert not done.errors and done.created == 200_000, done.errors[:3]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return manager


def _cpu_seconds(backend_pid: int) -> dict[str, float]:
    """CPU time used so far by this process, its finished children (the reader) and the
    PostgreSQL backend serving it (same machine): less sensitive to other load than time."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return {"importer": own.ru_utime + own.ru_stime,
            "reader": children.ru_utime + children.ru_stime,
            "postgres": (int(fields[11]) + int(fields[12])) / ticks}


# Indexes a schema change could spare the import (see docs/performance.md): covered by a
# composite index, the LIKE index Django adds to a unique CharField, and FK indexes over
# columns that are NULL for every cylinder at a station (partial indexes would skip those).
REDUNDANT = ["cylinders_cylinder_station_id_c2dce798", "cylinders_cylinder_code_1b1226fe_like",
             "cylinders_cylinderevent_cylinder_id_cc06bd13"]
MOSTLY_NULL = ["cylinders_cylinder_courier_id_1ad37a17", "cylinders_cylinder_customer_id_22501ac9",
               "cylinders_cylinderevent_courier_id_f830c152",
               "cylinders_cylinderevent_customer_id_4e96270e"]


def server_cost(rows: int = 100_000) -> None:
    """PostgreSQL backend CPU a row for each statement the importer sends, as the schema is
    and with the indexes above dropped (every variant in a transaction rolled back)."""
    import psycopg

    from ranan.cylinders.importer import CYLINDER_FIELDS, new_codes
    from ranan.cylinders.models import CylinderType

    conn = psycopg.connect(os.environ["DATABASE_URL"])  # not autocommit: each run rolls back
    cursor = conn.cursor()
    cursor.execute("SELECT pg_backend_pid()")
    backend = cursor.fetchone()[0]
    kind = CylinderType.objects.first().pk
    cursor.execute("SELECT id FROM core_organisation WHERE kind = 'lpg_station' LIMIT 1")
    station = cursor.fetchone()[0]
    cursor.execute("SELECT id FROM core_account LIMIT 1")
    actor = cursor.fetchone()[0]
    conn.rollback()
    now = datetime.datetime.now(datetime.UTC)
    day = datetime.date(2019, 3, 1)

    def run(name: str, drop: list[str], checks: bool = True) -> None:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if not checks:  # what-if only (superuser): the foreign-key triggers do not fire
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL enable_seqscan = off")
        for index in drop:
            cursor.execute(f"DROP INDEX {index}")
        spent = dict.fromkeys(("look-up", "nextval", "COPY cylinders", "INSERT events"), 0.0)
        codes = new_codes(rows)
        started = time.perf_counter()
        for i in range(0, rows, 5000):
            batch = codes[i:i + 5000]
            marks = [_cpu_seconds(backend)["postgres"]]
            cursor.execute(
                "SELECT code, NULL FROM cylinders_cylinder WHERE code = ANY(%s) UNION ALL "
                "SELECT i.code, b.station_id FROM cylinders_issuedcode i JOIN "
                "cylinders_labelbatch b ON b.id = i.batch_id WHERE i.code = ANY(%s)",
                [batch, batch])
            cursor.fetchall()
            marks.append(_cpu_seconds(backend)["postgres"])
            cursor.execute("SELECT nextval(pg_get_serial_sequence('cylinders_cylinder', 'id')) "
                           "FROM generate_series(1, %s)", [len(batch)])
            ids = [r[0] for r in cursor.fetchall()]
            marks.append(_cpu_seconds(backend)["postgres"])
            with cursor.copy(f"COPY cylinders_cylinder ({', '.join(CYLINDER_FIELDS)}) "
                             "FROM STDIN") as copy:
                for pk, code in zip(ids, batch, strict=True):
                    copy.write_row((pk, code, kind, "某厂", "G1", day, None, False, day, day,
                                    station, "empty", now))
            marks.append(_cpu_seconds(backend)["postgres"])
            cursor.execute(
                "INSERT INTO cylinders_cylinderevent (cylinder_id, kind, at, actor_id, "
                "station_id, filling_line, details) SELECT generate_series(%s::bigint, "
                "%s::bigint), 'registered', %s, %s, %s, '', '{}'::jsonb",
                [ids[0], ids[-1], now, actor, station])
            marks.append(_cpu_seconds(backend)["postgres"])
            for key, before, after in zip(spent, marks, marks[1:], strict=False):
                spent[key] += after - before
        elapsed = time.perf_counter() - started
        conn.rollback()
        parts = ", ".join(f"{k} {v / rows * 1e6:.1f}" for k, v in spent.items())
        print(f"{name}: {sum(spent.values()) / rows * 1e6:.1f} µs a row ({parts}); "
              f"{rows / elapsed:,.0f} rows/s for these statements alone")

    print(f"PostgreSQL backend CPU, {rows:,} rows, load {os.getloadavg()[0]:.2f}:")
    run("as the schema is", [])
    run(f"without the {len(REDUNDANT)} redundant indexes", REDUNDANT)
    run(f"and without the {len(MOSTLY_NULL)} mostly-NULL FK indexes", REDUNDANT + MOSTLY_NULL)
    run("as the schema is, foreign keys not checked (what-if)", [], checks=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--make-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--server-cost", action="store_true",
                        help="only measure PostgreSQL's CPU per statement (no file needed)")
    args = parser.parse_args()
    if args.server_cost:
        prepare()
        server_cost()
        return
    if args.make_only:
        started = time.perf_counter()
        write_file(args.path, args.rows)
        print(f"wrote {args.path} ({Path(args.path).stat().st_size / 2**20:.0f} MiB) in "
              f"{time.perf_counter() - started:.0f} s")
        return
    if not Path(args.path).exists():
        # In a child process, so that the peak memory printed below is the import's alone.
        subprocess.run([sys.executable, __file__, args.path, "--rows", str(args.rows),
                        "--make-only"], check=True)
    manager = prepare()
    from ranan.cylinders.importer import import_cylinders
    from ranan.cylinders.models import Cylinder, CylinderEvent

    load = os.getloadavg()
    before = peak_rss_mib()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    cpu_before = _cpu_seconds(backend)
    started = time.perf_counter()
    with open(args.path, "rb") as handle:
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(import_cylinders, actor=manager, fileobj=handle,
                                      filename=args.path)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        else:
            result = import_cylinders(actor=manager, fileobj=handle, filename=args.path)
    elapsed = time.perf_counter() - started
    cpu = {k: v - cpu_before[k] for k, v in _cpu_seconds(backend).items()}
    if result.errors:
        print("ERRORS:", result.errors[:5])
        sys.exit(1)
    print(f"machine: {machine()}")
    print(f"load average before the import (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}")
    print(f"rows imported: {result.created:,} ({result.generated_codes:,} new codes); "
          f"cylinders in database: {Cylinder.objects.count():,}, events: "
          f"{CylinderEvent.objects.count():,}")
    print(f"time: {elapsed:.1f} s  ->  {result.created / elapsed:,.0f} rows/s")
    per_row = {k: v / result.created * 1e6 for k, v in cpu.items()}
    print(f"CPU: importer process (both threads) {cpu['importer']:.1f} s, reader child "
          f"{cpu['reader']:.1f} s, PostgreSQL backend {cpu['postgres']:.1f} s = "
          f"{per_row['importer']:.1f} + {per_row['reader']:.1f} + {per_row['postgres']:.1f} "
          f"µs a row")
    print(f"peak memory (RSS): importer process {peak_rss_mib():,.0f} MiB (before import: "
          f"{before:,.0f} MiB); reader child process {peak_rss_children_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
